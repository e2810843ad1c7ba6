import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  type CarriedFields,
  carriedView,
  importDefaults,
  positionalOptionId,
  questionFields,
  uploadTaskFields,
} from './common.js';
import { exportGift, giftCarriedFields, importGift } from './gift.js';
import { carriedFields, exportInterchange, importInterchange } from './index.js';
import type { ExportResult, ImportReport, InterchangeFormat, InterchangeItem } from './interchange.types.js';
import { exportMoodleXml, importMoodleXml, moodleCarriedFields } from './moodle-xml.js';
import { exportQti, importQti, qtiCarriedFields, qtiItemFileCarriedFields } from './qti.js';
import {
  fixtureItems,
  fixtureQuestions,
  fixtureTasks,
  multipleQuestion,
  specialQuestion,
  uploadTask,
} from './test-fixtures.js';

const idOf = (item: InterchangeItem) => (item.type === 'question' ? item.question.id : item.task.id);

function okItems(report: ImportReport): InterchangeItem[] {
  const skipped = report.items.filter((i) => i.status !== 'ok');
  expect(skipped, JSON.stringify(skipped, null, 2)).toEqual([]);
  return report.items.map((i) => i.item!);
}

/** Compares each original with its re-import over the carried fields, and checks the rest are defaults. */
function expectRoundTrip(
  originals: readonly InterchangeItem[],
  imported: readonly InterchangeItem[],
  carried: CarriedFields,
) {
  expect(imported.map(idOf)).toEqual(originals.map(idOf));
  originals.forEach((orig, i) => {
    const back = imported[i]!;
    expect(back.type).toBe(orig.type);
    expect(carriedView(back, carried)).toEqual(carriedView(orig, carried));
    if (back.type === 'question') {
      const q = back.question;
      if (!carried.question.includes('difficulty')) expect(q.difficulty).toBe(importDefaults.difficulty);
      if (!carried.question.includes('seconds')) expect(q.seconds).toBe(importDefaults.seconds);
      if (!carried.question.includes('options.id'))
        expect(q.options.map((o) => o.id)).toEqual(q.options.map((_, k) => positionalOptionId(k)));
      if (!carried.question.includes('retired')) expect(q.retired).toBe(false);
    }
  });
}

/** Every field either survives or is listed in `dropped` for that item: `dropped` tells the whole truth. */
function expectDroppedIsHonest(
  result: ExportResult,
  originals: readonly InterchangeItem[],
  imported: readonly InterchangeItem[],
) {
  const byId = new Map(imported.map((i) => [idOf(i), i]));
  for (const orig of originals) {
    const entry = result.dropped.find((d) => d.itemId === idOf(orig));
    const back = byId.get(idOf(orig));
    if (!back) {
      expect(entry?.fields).toEqual(['*']);
      continue;
    }
    const fields: readonly string[] = orig.type === 'question' ? questionFields : uploadTaskFields;
    for (const f of fields) {
      const only: CarriedFields = {
        question: orig.type === 'question' ? [f as never] : [],
        uploadTask: orig.type === 'upload-task' ? [f as never] : [],
      };
      const survived = JSON.stringify(carriedView(back, only)) === JSON.stringify(carriedView(orig, only));
      if (!survived)
        expect(entry?.fields ?? [], `${idOf(orig)}.${f} changed but is not reported dropped`).toContain(f);
      else expect(entry?.fields ?? []).not.toContain(f);
    }
  }
}

describe('round trips', () => {
  for (const version of ['2.1', '3.0'] as const) {
    it(`QTI ${version}: a content package carries every field`, () => {
      const result = exportQti(fixtureItems, { version });
      expect(result.contentType).toBe('application/zip');
      expect(result.dropped).toEqual([]);
      const report = importQti(result.data as Uint8Array);
      expect(report.format).toBe(`qti-${version}`);
      const items = okItems(report);
      expectRoundTrip(fixtureItems, items, qtiCarriedFields);
      // Every field, compared whole.
      expect(items).toEqual(fixtureItems);
      expectDroppedIsHonest(result, fixtureItems, items);
    });

    it(`QTI ${version}: writes the version's element names and namespaces`, () => {
      const files = unzipSync(exportQti(fixtureItems, { version }).data as Uint8Array);
      const manifest = strFromU8(files['imsmanifest.xml']!);
      const item = strFromU8(files[`items/${multipleQuestion.id}.xml`]!);
      const task = strFromU8(files[`items/${uploadTask.id}.xml`]!);
      if (version === '3.0') {
        expect(manifest).toContain('xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"');
        expect(manifest).toContain('type="imsqti_item_xmlv3p0"');
        expect(item).toContain('<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"');
        for (const el of [
          'qti-response-declaration',
          'qti-correct-response',
          'qti-choice-interaction',
          'qti-simple-choice',
          'qti-item-body',
        ])
          expect(item).toContain(`<${el}`);
        expect(item).toContain('cardinality="multiple"');
        expect(task).toContain('<qti-upload-interaction');
        expect(task).toMatch(
          /<qti-rubric-block view="scorer" use="scoring" class="assay-rubric">\s*<qti-content-body>/,
        );
      } else {
        expect(manifest).toContain('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"');
        expect(manifest).toContain('type="imsqti_item_xmlv2p1"');
        expect(item).toContain('<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"');
        for (const el of [
          'responseDeclaration',
          'correctResponse',
          'choiceInteraction',
          'simpleChoice',
          'itemBody',
        ])
          expect(item).toContain(`<${el}`);
        expect(task).toContain('<uploadInteraction');
        expect(task).toContain('<rubricBlock view="scorer" class="assay-rubric">');
      }
      // Manifest metadata: LOM keywords, difficulty, time, subtopics.
      expect(manifest).toContain('<imsmd:entry>api-idempotent-methods</imsmd:entry>');
      expect(manifest).toContain('<imsmd:value>difficult</imsmd:value>');
      expect(manifest).toContain('<imsmd:duration>PT120S</imsmd:duration>');
      expect(manifest).toContain('<imsmd:id>api-integration</imsmd:id>');
      // Option ids that are not XML names get an underscore in QTI and lose it on import.
      expect(strFromU8(files[`items/${specialQuestion.id}.xml`]!)).toContain('identifier="_1"');
    });

    it(`QTI ${version}: a bare item file imports with defaults for what the manifest held`, () => {
      const files = unzipSync(exportQti(fixtureItems, { version }).data as Uint8Array);
      const originals = fixtureItems;
      const imported = originals.map((orig) => {
        const xml = files[`items/${idOf(orig)}.xml`]!;
        const report = importQti(xml, { defaultSubtopic: 'databases' });
        const [item] = okItems(report);
        expect(report.items[0]!.notes?.join(' ')).toMatch(/not in the file/);
        return item!;
      });
      expectRoundTrip(originals, imported, qtiItemFileCarriedFields);
      for (const item of imported) {
        if (item.type === 'question') expect(item.question.subtopic).toBe('databases');
        else expect(item.task.subtopics).toEqual(['databases']);
      }
    });
  }

  it('GIFT carries questions (no difficulty, time, option ids or upload tasks)', () => {
    const result = exportGift(fixtureItems);
    expect(typeof result.data).toBe('string');
    const report = importGift(result.data);
    const items = okItems(report);
    expectRoundTrip(
      fixtureQuestions.map((question) => ({ type: 'question', question })),
      items,
      giftCarriedFields,
    );
    expectDroppedIsHonest(result, fixtureItems, items);
    expect(result.dropped).toContainEqual(expect.objectContaining({ itemId: uploadTask.id, fields: ['*'] }));
    expect(result.dropped).toContainEqual(
      expect.objectContaining({ itemId: specialQuestion.id, fields: ['options.id', 'retired'] }),
    );
  });

  it('GIFT: escapes, weights, categories and ids look as documented', () => {
    const text = exportGift(fixtureItems).data as string;
    expect(text).toContain('$CATEGORY: databases\n');
    expect(text).toContain('// [id:api-idempotent-methods] [tag:http] [tag:idempotency] [tag:rest]');
    expect(text).toContain('::api-idempotent-methods::[markdown]');
    expect(text).toContain('~%33.33333%[markdown]`GET`');
    expect(text).toContain('~%-33.33333%[markdown]`POST`');
    expect(text).toContain('Consider \\{a\\=1\\} \\~ b \\# c\\: d \\= e \\\\ f');
    // "->" in the right answer would read as a matching question: that question uses weights instead of "=".
    expect(text).toContain('~%100%[markdown]`$user->save()` returns \\{a\\=1\\}');
    // Every question is one block: no blank line inside a question.
    for (const block of text.trim().split(/\n\s*\n/)) {
      if (block.includes('::')) expect(block.endsWith('\n}')).toBe(true);
    }
    const prefixed = exportGift(fixtureItems, { categoryPrefix: '$course$/top/assay/' }).data as string;
    expect(prefixed).toContain('$CATEGORY: $course$/top/assay/databases');
    expect(
      okItems(importGift(prefixed)).map((i) => (i.type === 'question' ? i.question.subtopic : '')),
    ).toEqual(fixtureQuestions.map((q) => q.subtopic));
  });

  it('Moodle XML carries questions and upload tasks (rubric and settings in the grader information)', () => {
    const result = exportMoodleXml(fixtureItems);
    const report = importMoodleXml(result.data);
    expect(report.format).toBe('moodle-xml');
    const items = okItems(report);
    expectRoundTrip(fixtureItems, items, moodleCarriedFields);
    expectDroppedIsHonest(result, fixtureItems, items);
    const xml = result.data as string;
    expect(xml).toContain('<text>$course$/top/assay/databases</text>');
    expect(xml).toContain('<single>false</single>');
    expect(xml).toContain('<answer fraction="33.33333" format="html">');
    expect(xml).toContain('<answer fraction="-33.33333" format="html">');
    expect(xml).toContain('<responseformat>noinline</responseformat>');
    expect(xml).toContain('<attachments>3</attachments>');
    expect(xml).toContain('<maxbytes>2621440</maxbytes>');
    expect(xml).toContain('<filetypeslist>.yaml,.yml,.json</filetypeslist>');
    expect(xml).toContain('&lt;div class="assay-rubric"&gt;');
  });

  it('the dispatcher exports and re-imports every format', () => {
    for (const format of ['qti-2.1', 'qti-3.0', 'gift', 'moodle-xml'] as InterchangeFormat[]) {
      const result = exportInterchange(format, fixtureItems);
      const bytes = typeof result.data === 'string' ? new TextEncoder().encode(result.data) : result.data;
      const report = importInterchange(result.filename, bytes);
      expect(report.format).toBe(format);
      const carried = carriedFields[format];
      const originals = fixtureItems.filter((i) => i.type === 'question' || carried.uploadTask.length > 0);
      expectRoundTrip(originals, okItems(report), carried);
    }
  });

  it('exports nothing but the manifest for an empty list, and tasks only where they fit', () => {
    expect(exportGift(fixtureTasks.map((task) => ({ type: 'upload-task', task }))).dropped).toHaveLength(2);
    const empty = unzipSync(exportQti([], { version: '3.0' }).data as Uint8Array);
    expect(Object.keys(empty)).toEqual(['imsmanifest.xml']);
  });
});
