// IMS QTI 2.1 and 3.0: export as an IMS content package (imsmanifest.xml + one item file per item),
// import a package (zip) or a single item file, either version.
//
// Item files carry the content: stem and options as XHTML, the key in the response declaration (plus a
// mapping that mirrors Assay's grading for multiple-answer questions), the explanation, rubric and
// reviewer notes in scorer-only rubric blocks. The manifest's LOM metadata carries the rest: the id
// (general/identifier, catalog "assay"), tags (keywords), difficulty, seconds/minutes
// (typicalLearningTime), subtopics (classification taxon paths with source "assay-subtopics") and
// retirement (lifeCycle status "unavailable"); upload constraints go in an <assay:upload> element.
import { posix } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { BankQuestion, BankUploadTask, Difficulty } from '../bank.model.js';
import {
  type CarriedFields,
  cleanTags,
  computeDropped,
  firstLine,
  generatedId,
  importDefaults,
  parseRubric,
  positionalOptionId,
  questionFields,
  ReportBuilder,
  renderRubric,
  rubricProblem,
  slugify,
  uploadTaskFields,
  withDefault,
} from './common.js';
import { nodesToMarkdown } from './html-to-markdown.js';
import {
  type ExportResult,
  ImportError,
  type ImportOptions,
  type ImportReport,
  type ImportReportItem,
  type InterchangeItem,
  UnsafeImportError,
} from './interchange.types.js';
import { markdownPlainText, markdownToXhtml } from './markdown.js';
import {
  attr,
  findAll,
  h,
  hasClass,
  kid,
  kids,
  localName,
  serializeXml,
  textOf,
  type XElement,
  type XNode,
} from './xml.js';
import { isZip, limits, openZipSafely, parseXmlSafely, type SafeZip } from './xml-safety.js';

export type QtiVersion = '2.1' | '3.0';

/** A content package carries every field. */
export const qtiCarriedFields: CarriedFields = {
  question: [...questionFields],
  uploadTask: [...uploadTaskFields],
};

/** A bare item file (no manifest) carries only what the item itself holds; the rest imports as defaults. */
export const qtiItemFileCarriedFields: CarriedFields = {
  question: ['id', 'kind', 'stem', 'options.id', 'options.text', 'correct', 'explanation'],
  uploadTask: ['id', 'title', 'prompt', 'rubric', 'reviewerNotes'],
};

const LOM_NS = 'http://ltsc.ieee.org/xsd/LOM';
const ASSAY_NS = 'urn:x-assay:interchange:1';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const SUBTOPIC_SOURCE = 'assay-subtopics';

const V2 = {
  version: '2.1' as QtiVersion,
  ns: 'http://www.imsglobal.org/xsd/imsqti_v2p1',
  schemaLocation:
    'http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd',
  item: 'assessmentItem',
  responseDeclaration: 'responseDeclaration',
  outcomeDeclaration: 'outcomeDeclaration',
  correctResponse: 'correctResponse',
  value: 'value',
  mapping: 'mapping',
  mapEntry: 'mapEntry',
  itemBody: 'itemBody',
  choiceInteraction: 'choiceInteraction',
  simpleChoice: 'simpleChoice',
  prompt: 'prompt',
  uploadInteraction: 'uploadInteraction',
  rubricBlock: 'rubricBlock',
  responseProcessing: 'responseProcessing',
  a: {
    timeDependent: 'timeDependent',
    baseType: 'baseType',
    responseIdentifier: 'responseIdentifier',
    maxChoices: 'maxChoices',
    lowerBound: 'lowerBound',
    upperBound: 'upperBound',
    defaultValue: 'defaultValue',
    mapKey: 'mapKey',
    mappedValue: 'mappedValue',
  },
  matchCorrect: 'http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct',
  mapResponse: 'http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response',
  manifestNs: 'http://www.imsglobal.org/xsd/imscp_v1p1',
  resourceType: 'imsqti_item_xmlv2p1',
  schema: 'QTIv2.1 Package',
  schemaVersion: '1.0.0',
};

const V3: Names = {
  version: '3.0',
  ns: 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0',
  schemaLocation:
    'http://www.imsglobal.org/xsd/imsqtiasi_v3p0 https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd',
  item: 'qti-assessment-item',
  responseDeclaration: 'qti-response-declaration',
  outcomeDeclaration: 'qti-outcome-declaration',
  correctResponse: 'qti-correct-response',
  value: 'qti-value',
  mapping: 'qti-mapping',
  mapEntry: 'qti-map-entry',
  itemBody: 'qti-item-body',
  choiceInteraction: 'qti-choice-interaction',
  simpleChoice: 'qti-simple-choice',
  prompt: 'qti-prompt',
  uploadInteraction: 'qti-upload-interaction',
  rubricBlock: 'qti-rubric-block',
  responseProcessing: 'qti-response-processing',
  a: {
    timeDependent: 'time-dependent',
    baseType: 'base-type',
    responseIdentifier: 'response-identifier',
    maxChoices: 'max-choices',
    lowerBound: 'lower-bound',
    upperBound: 'upper-bound',
    defaultValue: 'default-value',
    mapKey: 'map-key',
    mappedValue: 'mapped-value',
  },
  matchCorrect: 'https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml',
  mapResponse: 'https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml',
  manifestNs: 'http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1',
  resourceType: 'imsqti_item_xmlv3p0',
  schema: 'QTI Package',
  schemaVersion: '3.0.0',
};

/** QTI identifiers are XML names, which cannot start with a digit: such ids get a leading underscore. */
const toQtiId = (id: string) => (/^[A-Za-z_]/.test(id) ? id : `_${id}`);
const fromQtiId = (id: string) => (/^_[a-z0-9]/.test(id) ? id.slice(1) : id);

type Names = typeof V2;

/** A question's title in QTI (shown in item banks): the start of its stem. */
const questionTitle = (q: BankQuestion) => firstLine(markdownPlainText(q.stem));

const LOM_DIFFICULTY: Record<Difficulty, string> = { easy: 'easy', medium: 'medium', hard: 'difficult' };

// ---------------------------------------------------------------------------------------------------------
// Export

function rubricBlock(N: Names, cls: string, content: XNode[]): XElement {
  return N.version === '3.0'
    ? h(N.rubricBlock, { view: 'scorer', use: 'scoring', class: cls }, h('qti-content-body', {}, content))
    : h(N.rubricBlock, { view: 'scorer', class: cls }, content);
}

function itemRoot(N: Names, id: string, title: string, children: XNode[]): XElement {
  return h(
    N.item,
    {
      xmlns: N.ns,
      'xmlns:xsi': XSI_NS,
      'xsi:schemaLocation': N.schemaLocation,
      identifier: toQtiId(id),
      title,
      adaptive: 'false',
      [N.a.timeDependent]: 'false',
    },
    children,
  );
}

const score = (N: Names) =>
  h(N.outcomeDeclaration, { identifier: 'SCORE', cardinality: 'single', [N.a.baseType]: 'float' });

function questionItem(N: Names, q: BankQuestion): XElement {
  const n = q.correct.length;
  const key = new Set(q.correct);
  return itemRoot(N, q.id, questionTitle(q), [
    h(
      N.responseDeclaration,
      { identifier: 'RESPONSE', cardinality: q.kind, [N.a.baseType]: 'identifier' },
      h(
        N.correctResponse,
        {},
        q.correct.map((c) => h(N.value, {}, toQtiId(c))),
      ),
      // Assay's grading of multiple-answer questions, as a QTI mapping: +1/n per right choice, −1/n per
      // wrong one, clamped to 0…1.
      q.kind === 'multiple' &&
        h(
          N.mapping,
          { [N.a.lowerBound]: '0', [N.a.upperBound]: '1', [N.a.defaultValue]: '0' },
          q.options.map((o) =>
            h(N.mapEntry, {
              [N.a.mapKey]: toQtiId(o.id),
              [N.a.mappedValue]: String((key.has(o.id) ? 1 : -1) / n),
            }),
          ),
        ),
    ),
    score(N),
    h(
      N.itemBody,
      {},
      markdownToXhtml(q.stem),
      h(
        N.choiceInteraction,
        {
          [N.a.responseIdentifier]: 'RESPONSE',
          shuffle: 'false',
          [N.a.maxChoices]: q.kind === 'single' ? '1' : '0',
        },
        q.options.map((o) =>
          h(
            N.simpleChoice,
            { identifier: toQtiId(o.id) },
            markdownToXhtml(o.text, { inlineSingleParagraph: true }),
          ),
        ),
      ),
      q.explanation.trim() !== '' && rubricBlock(N, 'assay-explanation', markdownToXhtml(q.explanation)),
    ),
    h(N.responseProcessing, { template: q.kind === 'single' ? N.matchCorrect : N.mapResponse }),
  ]);
}

function taskItem(N: Names, t: BankUploadTask): XElement {
  return itemRoot(N, t.id, t.title, [
    h(N.responseDeclaration, { identifier: 'RESPONSE', cardinality: 'single', [N.a.baseType]: 'file' }),
    score(N),
    h(
      N.itemBody,
      {},
      markdownToXhtml(t.prompt),
      h(N.uploadInteraction, { [N.a.responseIdentifier]: 'RESPONSE' }),
      rubricBlock(N, 'assay-rubric', renderRubric(t.rubric)),
      rubricBlock(N, 'assay-reviewer-notes', markdownToXhtml(t.reviewerNotes)),
    ),
  ]);
}

const lomVocab = (tag: string, value: string) =>
  h(`imsmd:${tag}`, {}, h('imsmd:source', {}, 'LOMv1.0'), h('imsmd:value', {}, value));
const lomString = (tag: string, value: string) => h(`imsmd:${tag}`, {}, h('imsmd:string', {}, value));

function lom(item: InterchangeItem): XElement {
  const q = item.type === 'question' ? item.question : null;
  const t = item.type === 'upload-task' ? item.task : null;
  const id = q?.id ?? t!.id;
  const subtopics = q ? [q.subtopic] : t!.subtopics;
  return h(
    'imsmd:lom',
    {},
    h(
      'imsmd:general',
      {},
      h('imsmd:identifier', {}, h('imsmd:catalog', {}, 'assay'), h('imsmd:entry', {}, id)),
      lomString('title', q ? questionTitle(q) : t!.title),
      (q?.tags ?? []).map((tag) => lomString('keyword', tag)),
    ),
    h('imsmd:lifeCycle', {}, lomVocab('status', (q ?? t!).retired ? 'unavailable' : 'final')),
    h(
      'imsmd:educational',
      {},
      q && lomVocab('difficulty', LOM_DIFFICULTY[q.difficulty]),
      h('imsmd:typicalLearningTime', {}, h('imsmd:duration', {}, q ? `PT${q.seconds}S` : `PT${t!.minutes}M`)),
    ),
    h(
      'imsmd:classification',
      {},
      lomVocab('purpose', 'discipline'),
      subtopics.map((s) =>
        h(
          'imsmd:taxonPath',
          {},
          lomString('source', SUBTOPIC_SOURCE),
          h('imsmd:taxon', {}, h('imsmd:id', {}, s), lomString('entry', s)),
        ),
      ),
    ),
  );
}

const itemPath = (item: InterchangeItem) =>
  `items/${item.type === 'question' ? item.question.id : item.task.id}.xml`;

function manifest(N: Names, items: readonly InterchangeItem[]): XElement {
  return h(
    'manifest',
    { xmlns: N.manifestNs, 'xmlns:imsmd': LOM_NS, 'xmlns:assay': ASSAY_NS, identifier: 'assay-export' },
    h('metadata', {}, h('schema', {}, N.schema), h('schemaversion', {}, N.schemaVersion)),
    h('organizations'),
    h(
      'resources',
      {},
      items.map((item) => {
        const href = itemPath(item);
        const id = item.type === 'question' ? item.question.id : item.task.id;
        const t = item.type === 'upload-task' ? item.task : null;
        return h(
          'resource',
          { identifier: `res-${id}`, type: N.resourceType, href },
          h(
            'metadata',
            {},
            lom(item),
            t &&
              h('assay:upload', {
                accept: t.accept.join(' '),
                maxSizeMb: String(t.maxSizeMb),
                maxFiles: String(t.maxFiles),
                allowZip: String(t.allowZip),
              }),
          ),
          h('file', { href }),
        );
      }),
    ),
  );
}

export type QtiExportOptions = { version: QtiVersion; now?: Date };

/** Exports items as a QTI 2.1 or 3.0 content package (zip). QTI carries every field. */
export function exportQti(items: readonly InterchangeItem[], opts: QtiExportOptions): ExportResult {
  const N = opts.version === '3.0' ? V3 : V2;
  const files: Record<string, Uint8Array> = {
    'imsmanifest.xml': strToU8(serializeXml(manifest(N, items))),
  };
  for (const item of items) {
    const el = item.type === 'question' ? questionItem(N, item.question) : taskItem(N, item.task);
    files[itemPath(item)] = strToU8(serializeXml(el));
  }
  const data = zipSync(files, { level: 6, mtime: opts.now ?? new Date() });
  return {
    data,
    filename: `assay-qti-${opts.version === '3.0' ? '3.0' : '2.1'}.zip`,
    contentType: 'application/zip',
    dropped: computeDropped(items, qtiCarriedFields, `QTI ${N.version}`),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Import

type ItemMeta = {
  id?: string;
  tags?: string[];
  difficulty?: Difficulty;
  seconds?: number;
  subtopics?: string[];
  retired?: boolean;
  upload?: { accept?: string[]; maxSizeMb?: number; maxFiles?: number; allowZip?: boolean };
};

const local = (e: XElement) => localName(e.name);
const byLocal = (name: string) => (e: XElement) => local(e) === name;

function parseDuration(s: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s.trim());
  if (!m || s.trim() === 'P' || s.trim() === 'PT') return undefined;
  const [, d, hh, mm, ss] = m;
  return Number(d ?? 0) * 86400 + Number(hh ?? 0) * 3600 + Number(mm ?? 0) * 60 + Number(ss ?? 0);
}

function vocabValue(el: XElement | undefined): string {
  return textOf(kid(el, 'value')).trim().toLowerCase();
}

function readMeta(resource: XElement): ItemMeta {
  const metadata = kid(resource, 'metadata');
  const meta: ItemMeta = {};
  const lomEl = findAll(metadata, byLocal('lom'))[0];
  if (lomEl) {
    const general = kid(lomEl, 'general');
    for (const ident of kids(general, 'identifier')) {
      if (textOf(kid(ident, 'catalog')).trim() === 'assay') meta.id = textOf(kid(ident, 'entry')).trim();
    }
    const keywords = kids(general, 'keyword').flatMap((k) => kids(k, 'string').map((s) => textOf(s).trim()));
    if (keywords.length) meta.tags = keywords.filter(Boolean);
    const educational = kid(lomEl, 'educational');
    const difficulty = vocabValue(kid(educational, 'difficulty'));
    if (difficulty === 'very easy' || difficulty === 'easy') meta.difficulty = 'easy';
    else if (difficulty === 'medium') meta.difficulty = 'medium';
    else if (difficulty === 'difficult' || difficulty === 'very difficult' || difficulty === 'hard')
      meta.difficulty = 'hard';
    const duration = textOf(kid(kid(educational, 'typicalLearningTime'), 'duration'));
    if (duration) meta.seconds = parseDuration(duration);
    const status = vocabValue(kid(kid(lomEl, 'lifeCycle'), 'status'));
    if (status) meta.retired = status === 'unavailable';
    const subtopics: string[] = [];
    for (const path of kids(lomEl, 'classification').flatMap((c) => kids(c, 'taxonPath'))) {
      const source = textOf(kid(kid(path, 'source'), 'string')).trim();
      if (source !== SUBTOPIC_SOURCE) continue;
      for (const taxon of kids(path, 'taxon')) {
        const id = textOf(kid(taxon, 'id')).trim() || textOf(kid(kid(taxon, 'entry'), 'string')).trim();
        if (id) subtopics.push(id);
      }
    }
    if (subtopics.length) meta.subtopics = subtopics;
  }
  const upload = findAll(metadata, byLocal('upload'))[0];
  if (upload) {
    const num = (name: string) => {
      const v = attr(upload, name);
      return v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
    };
    const accept = attr(upload, 'accept');
    const allowZip = attr(upload, 'allowZip');
    meta.upload = {
      ...(accept !== undefined ? { accept: accept.split(/[\s,]+/).filter(Boolean) } : {}),
      ...(num('maxSizeMb') !== undefined ? { maxSizeMb: num('maxSizeMb') } : {}),
      ...(num('maxFiles') !== undefined ? { maxFiles: num('maxFiles') } : {}),
      ...(allowZip !== undefined ? { allowZip: allowZip === 'true' } : {}),
    };
  }
  return meta;
}

const NON_CONTENT =
  /interaction$|^(qti-)?(rubric-?block|feedback-?block|feedback-?inline|modal-?feedback|template-?block|template-?inline|printed-?variable|stylesheet|companion-materials-info)$/i;
const skipNonContent = (e: XElement) => NON_CONTENT.test(local(e));
const isRubricBlock = (e: XElement) => /^(qti-)?rubric-?block$/i.test(local(e));

/** The content of a rubric block or modal feedback (QTI 3 wraps it in qti-content-body). */
function blockContent(el: XElement): XNode[] {
  return kid(el, 'qti-content-body')?.children ?? el.children;
}

const blockMarkdown = (el: XElement | undefined) =>
  el ? nodesToMarkdown(blockContent(el), { skip: skipNonContent }) : '';

function readItem(
  root: XElement,
  meta: ItemMeta | null,
  b: ReportBuilder,
  fallbackId: string | null,
): ImportReportItem {
  const identifier = attr(root, 'identifier') ?? fallbackId;
  const title = attr(root, 'title') ?? identifier ?? 'Untitled item';
  const name = local(root);
  if (name !== 'assessmentItem' && name !== 'qti-assessment-item') {
    return b.skip(identifier, title, `not a QTI assessment item (root element <${root.name}>)`);
  }
  const N = name === 'qti-assessment-item' ? V3 : V2;
  const body = kid(root, N.itemBody);
  if (!body) return b.skip(identifier, title, 'the item has no item body');
  const interactions = findAll(body, (e) => /interaction$/i.test(local(e)));
  const first = interactions[0];
  if (!first) return b.skip(identifier, title, 'the item has no interaction');
  if (interactions.length > 1) {
    const list = [...new Set(interactions.map(local))].join(', ');
    return b.skip(identifier, title, `items with more than one interaction are not supported (${list})`);
  }
  const kind = local(first);
  const isChoice = kind === N.choiceInteraction;
  const isUpload = kind === N.uploadInteraction;
  if (!isChoice && !isUpload) {
    return b.skip(
      identifier,
      title,
      `unsupported interaction type ${kind}: Assay imports choice and upload interactions`,
    );
  }

  const notes: string[] = [];
  const prompt = kid(first, N.prompt);
  const stem = [nodesToMarkdown(body.children, { skip: skipNonContent }), prompt ? blockMarkdown(prompt) : '']
    .filter(Boolean)
    .join('\n\n');
  const rubricBlocks = findAll(body, isRubricBlock);
  const byClass = (cls: string) => rubricBlocks.find((rb) => hasClass(rb, cls));
  const ours = ['assay-explanation', 'assay-rubric', 'assay-reviewer-notes'];
  const staffBlocks = rubricBlocks.filter(
    (rb) => !ours.some((c) => hasClass(rb, c)) && /\b(scorer|tutor)\b/.test(attr(rb, 'view') ?? ''),
  );
  const staffMarkdown = () =>
    staffBlocks
      .map((rb) => blockMarkdown(rb))
      .filter(Boolean)
      .join('\n\n');

  const rawId = meta?.id ?? (identifier ? fromQtiId(identifier) : '');
  let id = slugify(rawId);
  if (!id) {
    id = generatedId(isChoice ? stem : title, 'qti-item');
    notes.push(`the item has no usable identifier; generated "${id}"`);
  } else if (id !== rawId) notes.push(`identifier "${rawId}" became "${id}"`);
  id = b.uniqueId(id, notes);

  if (isChoice) {
    const respId = attr(first, 'responseIdentifier') ?? attr(first, 'response-identifier');
    const decl = kids(root, N.responseDeclaration).find((d) => attr(d, 'identifier') === respId);
    const choices = findAll(first, (e) => local(e) === N.simpleChoice);
    const rawIds = choices.map((c) => attr(c, 'identifier') ?? '');
    let optionIds = rawIds.map(fromQtiId);
    if (!optionIds.every((o) => /^[a-z0-9]{1,12}$/.test(o)) || new Set(optionIds).size !== optionIds.length) {
      optionIds = rawIds.map((_, i) => positionalOptionId(i));
      notes.push(`option identifiers (${rawIds.join(', ')}) were renamed ${optionIds.join(', ')}`);
    }
    const idOf = new Map(rawIds.map((r, i) => [r, optionIds[i]!]));
    let key = kids(kid(decl, N.correctResponse), N.value).map((v) => textOf(v).trim());
    if (key.length === 0) {
      key = kids(kid(decl, N.mapping), N.mapEntry)
        .filter((e) => Number(attr(e, N.a.mappedValue)) > 0)
        .map((e) => attr(e, N.a.mapKey) ?? '');
      if (key.length) notes.push('the key was taken from the response mapping (positive scores)');
    }
    if (key.length === 0) return b.skip(identifier, title, 'the item has no correct response', notes);
    const cardinality = attr(decl, 'cardinality');
    const maxChoices = attr(first, N.a.maxChoices);
    const qkind =
      cardinality === 'multiple'
        ? 'multiple'
        : cardinality === 'single' || maxChoices === '1'
          ? 'single'
          : 'multiple';
    const explanationBlock = byClass('assay-explanation');
    let explanation = explanationBlock ? blockMarkdown(explanationBlock) : staffMarkdown();
    if (!explanation) {
      const feedback = kids(root, N.version === '3.0' ? 'qti-modal-feedback' : 'modalFeedback');
      explanation = feedback
        .map((f) => blockMarkdown(f))
        .filter(Boolean)
        .join('\n\n');
      if (explanation) notes.push('the explanation was taken from the modal feedback');
    }
    const subtopic = b.subtopic(meta?.subtopics?.[0], notes);
    if (!subtopic)
      return b.skip(identifier, title, 'no subtopic: the file names none and no default was given', notes);
    return b.question(
      identifier,
      title,
      {
        id,
        kind: qkind,
        subtopic,
        difficulty: meta?.difficulty ?? withDefault(notes, 'difficulty', importDefaults.difficulty),
        seconds:
          meta?.seconds !== undefined
            ? Math.round(meta.seconds)
            : withDefault(notes, 'seconds', importDefaults.seconds),
        tags: cleanTags(meta?.tags ?? [], notes),
        stem,
        options: choices.map((c, i) => ({
          id: optionIds[i],
          text: nodesToMarkdown(c.children, { skip: skipNonContent }),
        })),
        correct: key.map((k) => idOf.get(k) ?? fromQtiId(k)),
        explanation: explanation || withDefault(notes, 'explanation', importDefaults.explanation),
        retired: meta?.retired ?? false,
      },
      notes,
    );
  }

  const rubricEl = byClass('assay-rubric');
  const rubric = rubricEl ? parseRubric(rubricEl) : [];
  const problem = rubricProblem(rubric);
  if (problem) return b.skip(identifier, title, problem, notes);
  const notesBlock = byClass('assay-reviewer-notes');
  const reviewerNotes = notesBlock ? blockMarkdown(notesBlock) : staffMarkdown();
  const subtopics = (meta?.subtopics ?? [null])
    .map((s) => b.subtopic(s, notes))
    .filter((s): s is string => !!s);
  if (!subtopics.length)
    return b.skip(identifier, title, 'no subtopic: the file names none and no default was given', notes);
  const up = meta?.upload ?? {};
  return b.task(
    identifier,
    title,
    {
      id,
      title,
      subtopics: [...new Set(subtopics)],
      minutes:
        meta?.seconds !== undefined
          ? Math.round(meta.seconds / 60)
          : withDefault(notes, 'minutes', importDefaults.minutes),
      accept: up.accept ?? withDefault(notes, 'accept', [...importDefaults.accept]),
      maxSizeMb: up.maxSizeMb ?? withDefault(notes, 'maxSizeMb', importDefaults.maxSizeMb),
      maxFiles: up.maxFiles ?? withDefault(notes, 'maxFiles', importDefaults.maxFiles),
      allowZip: up.allowZip ?? withDefault(notes, 'allowZip', importDefaults.allowZip),
      prompt: stem,
      rubric,
      reviewerNotes,
      retired: meta?.retired ?? false,
    },
    notes,
  );
}

function itemVersion(root: XElement): 'qti-2.1' | 'qti-3.0' {
  return local(root) === 'qti-assessment-item' ? 'qti-3.0' : 'qti-2.1';
}

function importPackage(zip: SafeZip, opts: ImportOptions): ImportReport {
  const manifestName = zip.names
    .filter((n) => n === 'imsmanifest.xml' || n.endsWith('/imsmanifest.xml'))
    .sort((a, b) => a.length - b.length)[0];
  const items: Array<{ path: string; meta: ItemMeta | null; sourceId: string | null }> = [];
  let format: 'qti-2.1' | 'qti-3.0' | null = null;
  if (manifestName) {
    const root = parseXmlSafely(zip.read(manifestName), 'imsmanifest.xml');
    if (local(root) !== 'manifest')
      throw new ImportError('imsmanifest.xml is not an IMS content package manifest.');
    if ((attr(root, 'xmlns') ?? '').includes('qtiv3p0')) format = 'qti-3.0';
    const base = posix.dirname(manifestName);
    for (const res of findAll(kid(root, 'resources'), byLocal('resource'))) {
      const type = (attr(res, 'type') ?? '').toLowerCase();
      if (!/^imsqti_item_xmlv(2p\d|3p0)$/.test(type)) continue;
      format ??= type.endsWith('3p0') ? 'qti-3.0' : 'qti-2.1';
      const href = attr(res, 'href') ?? attr(kid(res, 'file'), 'href') ?? '';
      let rel = href;
      try {
        rel = decodeURIComponent(href);
      } catch {
        // keep as written
      }
      const path = posix.normalize(posix.join(base, rel));
      items.push({ path, meta: readMeta(res), sourceId: attr(res, 'identifier') ?? null });
    }
    if (items.length > limits.maxItems) {
      throw new ImportError(
        `The package holds more than ${limits.maxItems} items; split it into smaller packages.`,
      );
    }
    if (!items.length) {
      throw new ImportError(
        'The package lists no QTI items (resources of type imsqti_item_xmlv2p1 or imsqti_item_xmlv3p0).',
      );
    }
  } else {
    for (const path of zip.names.filter((n) => n.toLowerCase().endsWith('.xml')))
      items.push({ path, meta: null, sourceId: null });
    if (!items.length) throw new ImportError('The zip has no imsmanifest.xml and no XML item files.');
  }

  type Parsed = {
    root: XElement | null;
    error?: string;
    meta: ItemMeta | null;
    sourceId: string | null;
    path: string;
  };
  const parsed: Parsed[] = items.map((it) => {
    if (it.path.startsWith('../') || it.path.startsWith('/')) {
      return { ...it, root: null, error: `the item's file "${it.path}" is outside the package` };
    }
    if (!zip.has(it.path))
      return { ...it, root: null, error: `the item's file "${it.path}" is missing from the zip` };
    const bytes = zip.read(it.path); // limits here abort the whole import
    try {
      return { ...it, root: parseXmlSafely(bytes, `"${it.path}"`) };
    } catch (err) {
      if (err instanceof ImportError && !(err instanceof UnsafeImportError))
        return { ...it, root: null, error: err.message };
      throw err;
    }
  });
  // Without a manifest, XML files that are QTI items count (and broken XML is reported); other XML is ignored.
  const isItem = (p: Parsed) =>
    p.root !== null && /^(assessmentItem|qti-assessment-item)$/.test(local(p.root));
  const toRead = manifestName ? parsed : parsed.filter((p) => p.root === null || isItem(p));
  if (!toRead.length) throw new ImportError('The zip has no imsmanifest.xml and no QTI item files.');
  const firstRoot = toRead.find((p) => p.root)?.root;
  const b = new ReportBuilder(format ?? (firstRoot ? itemVersion(firstRoot) : 'qti-2.1'), opts);
  for (const p of toRead) {
    if (!p.root) b.skip(p.sourceId, p.path, p.error ?? 'unreadable item');
    else readItem(p.root, p.meta, b, p.sourceId);
  }
  return b.report();
}

/** Imports a QTI 2.1/2.2/3.0 content package (zip) or a single item XML file. */
export function importQti(input: Uint8Array | string, opts: ImportOptions = {}): ImportReport {
  if (typeof input !== 'string' && isZip(input)) return importPackage(openZipSafely(input), opts);
  const root = parseXmlSafely(input);
  const name = local(root);
  if (name === 'manifest') {
    throw new ImportError('This is a package manifest on its own; upload the whole content package (.zip).');
  }
  if (name !== 'assessmentItem' && name !== 'qti-assessment-item') {
    throw new ImportError(`This is not a QTI item: the root element is <${root.name}>.`);
  }
  const b = new ReportBuilder(itemVersion(root), opts);
  readItem(root, null, b, null);
  return b.report();
}
