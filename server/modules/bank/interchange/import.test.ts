import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importGift } from './gift.js';
import { detectFormat, importInterchange } from './index.js';
import { ImportError, type ImportReport, type InterchangeItem } from './interchange.types.js';
import { exportMoodleXml, importMoodleXml } from './moodle-xml.js';
import { exportQti, importQti } from './qti.js';
import { fixtureItems, singleQuestion, uploadTask } from './test-fixtures.js';

const byTitle = (r: ImportReport, title: string) => {
  const item = r.items.find((i) => i.title === title);
  if (!item) throw new Error(`no item "${title}" in ${JSON.stringify(r.items.map((i) => i.title))}`);
  return item;
};
const question = (item: { item?: InterchangeItem }) => {
  if (item.item?.type !== 'question') throw new Error('not a question');
  return item.item.question;
};

describe('GIFT import', () => {
  const gift = `// Written by hand, the way Moodle users do.

$CATEGORY: $course$/top/Default for Course/Databases

::Capital::What is the capital of France? {=Paris ~London ~Berlin #Nope}

::Pick two:: Which are primes? {
~%50%2
~%50%3
~%-100%4
}

// [tag:sql] [tag:Query Tuning]
What does SQL stand for? {
=Structured Query Language
~Simple Query Language
####It's *Structured*.
}

The sky is blue. {T}

::Essay:: Write about caching. {}

::Num:: 2+2? {#4}

::Match:: Match these {
=a -> 1
=b -> 2
=c -> 3
}

::Short:: Name a color {=red =blue}

::Broken:: This one {=is ~broken

::Nine:: Too many options {=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}

::Html::[html]<p>Safe? <script>alert(1)</script><b onclick\\="x()">bold</b> <a href\\="javascript\\:alert(1)">link</a></p> {=yes ~no}
`;

  it('imports what it can and reports the rest, each with a reason', () => {
    const r = importGift(gift);
    expect(r.format).toBe('gift');
    expect(r.items.map((i) => [i.title, i.status])).toEqual([
      ['Capital', 'ok'],
      ['Pick two', 'ok'],
      ['What does SQL stand for?', 'ok'],
      ['The sky is blue.', 'ok'],
      ['Essay', 'skipped'],
      ['Num', 'skipped'],
      ['Match', 'skipped'],
      ['Short', 'skipped'],
      [expect.stringContaining('::Broken::'), 'skipped'],
      ['Nine', 'skipped'],
      ['Html', 'ok'],
    ]);
    const capital = question(byTitle(r, 'Capital'));
    expect(capital).toMatchObject({
      id: 'capital',
      kind: 'single',
      subtopic: 'databases',
      difficulty: 'medium',
      seconds: 60,
      options: [
        { id: 'a', text: 'Paris' },
        { id: 'b', text: 'London' },
        { id: 'c', text: 'Berlin' },
      ],
      correct: ['a'],
    });
    expect(byTitle(r, 'Capital').notes).toContain('per-answer feedback was dropped');
    expect(question(byTitle(r, 'Pick two'))).toMatchObject({ kind: 'multiple', correct: ['a', 'b'] });
    const sql = byTitle(r, 'What does SQL stand for?');
    expect(question(sql).id).toMatch(/^what-does-sql-stand-for-[0-9a-f]{8}$/);
    expect(question(sql).tags).toEqual(['sql', 'query-tuning']);
    // Moodle's auto-format is not Markdown: its asterisks are text, so they are escaped.
    expect(question(sql).explanation).toBe("It's \\*Structured\\*.");
    expect(question(byTitle(r, 'The sky is blue.'))).toMatchObject({
      kind: 'single',
      options: [
        { id: 'a', text: 'True' },
        { id: 'b', text: 'False' },
      ],
      correct: ['a'],
    });
    expect(byTitle(r, 'Essay').reason).toMatch(/essay/);
    expect(byTitle(r, 'Num').reason).toMatch(/numerical/);
    expect(byTitle(r, 'Match').reason).toMatch(/matching/);
    expect(byTitle(r, 'Short').reason).toMatch(/short-answer/);
    expect(r.items[8]!.reason).toMatch(/^GIFT syntax error on line 34/);
    expect(byTitle(r, 'Nine').reason).toMatch(/^options: .*8/);
    expect(question(byTitle(r, 'Html')).stem).toBe('Safe? **bold** link');
  });

  it('uses the default subtopic when there is no category, and skips when there is none', () => {
    const text = '::Q1:: Pick {=a ~b}\n';
    expect(importGift(text).items[0]).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/no subtopic/),
    });
    const r = importGift(text, { defaultSubtopic: 'databases' });
    expect(question(r.items[0]!).subtopic).toBe('databases');
    expect(r.items[0]!.notes).toContain('no subtopic in the file; used "databases"');
  });

  it('replaces subtopics that are not in the taxonomy when told the known ones', () => {
    const text = '$CATEGORY: Default for Course\n\n::Q1:: Pick {=a ~b}\n';
    const r = importGift(text, {
      defaultSubtopic: 'databases',
      knownSubtopics: ['databases', 'security-auth'],
    });
    expect(question(r.items[0]!).subtopic).toBe('databases');
    expect(r.items[0]!.notes?.[0]).toMatch(/"default-for-course" is not in the taxonomy/);
  });

  it('makes ids unique within a file', () => {
    const r = importGift('::Same:: One {=a ~b}\n\n::Same:: Two {=a ~b}\n', { defaultSubtopic: 'databases' });
    expect(r.items.map((i) => question(i).id)).toEqual(['same', 'same-2']);
  });

  it('throws ImportError for a file with no GIFT at all', () => {
    expect(() => importGift('{{{ not gift }}}\n\n=== neither ===\n')).toThrow(ImportError);
    expect(() => importGift('')).toThrow(/no GIFT questions/);
  });
});

describe('Moodle XML import', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Default for Backend/caching-performance</text></category></question>
  <question type="multichoice">
    <name><text>Cache stampede</text></name>
    <questiontext format="html"><text><![CDATA[<p>What prevents a <em>cache stampede</em>?</p><p><img src="@@PLUGINFILE@@/x.png" onerror="alert(1)"></p><script>alert(1)</script>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Request coalescing &amp; jitter.</p>]]></text></generalfeedback>
    <idnumber>cache-stampede</idnumber>
    <single>true</single>
    <answer fraction="100" format="html"><text><![CDATA[<p>Request coalescing</p>]]></text><feedback format="html"><text>Yes</text></feedback></answer>
    <answer fraction="0" format="html"><text>A longer TTL</text></answer>
    <answer fraction="0" format="html"><text><![CDATA[<a href="javascript:alert(1)">Click</a> <style>p{}</style>here]]></text></answer>
    <tags><tag><text>Caching</text></tag><tag><text>Thundering Herd</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Primes</text></name>
    <questiontext format="moodle_auto_format"><text>Which are primes?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>2</text></answer>
    <answer fraction="50"><text>3</text></answer>
    <answer fraction="-100"><text>4</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Sky</text></name>
    <questiontext format="html"><text>The sky is blue.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Lonely</text></name>
    <questiontext format="html"><text>Only one answer</text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>It</text></answer>
  </question>
  <question type="shortanswer"><name><text>Short</text></name><questiontext><text>x</text></questiontext></question>
  <question type="essay">
    <name><text>Inline essay</text></name>
    <questiontext format="html"><text>Write.</text></questiontext>
    <responseformat>editor</responseformat>
    <attachments>0</attachments>
  </question>
  <question type="essay">
    <name><text>Upload without rubric</text></name>
    <questiontext format="html"><text>Upload your schema.</text></questiontext>
    <responseformat>noinline</responseformat>
    <attachments>1</attachments>
    <filetypeslist>.sql, document</filetypeslist>
    <graderinfo format="html"><text>Check the keys.</text></graderinfo>
  </question>
  <question type="description"><name><text>Intro</text></name><questiontext><text>Read this.</text></questiontext></question>
</quiz>`;

  it('imports multichoice and true/false, sanitises HTML and skips the rest with reasons', () => {
    const r = importMoodleXml(xml);
    expect(r.items.map((i) => [i.title, i.status])).toEqual([
      ['Cache stampede', 'ok'],
      ['Primes', 'ok'],
      ['Sky', 'ok'],
      ['Lonely', 'skipped'],
      ['Short', 'skipped'],
      ['Inline essay', 'skipped'],
      ['Upload without rubric', 'skipped'],
      ['Intro', 'skipped'],
    ]);
    expect(question(r.items[0]!)).toEqual({
      id: 'cache-stampede',
      kind: 'single',
      subtopic: 'caching-performance',
      difficulty: 'medium',
      seconds: 60,
      tags: ['caching', 'thundering-herd'],
      stem: 'What prevents a *cache stampede*?',
      options: [
        { id: 'a', text: 'Request coalescing' },
        { id: 'b', text: 'A longer TTL' },
        { id: 'c', text: 'Click here' },
      ],
      correct: ['a'],
      explanation: 'Request coalescing & jitter.',
      retired: false,
    });
    expect(question(r.items[1]!)).toMatchObject({ id: 'primes', kind: 'multiple', correct: ['a', 'b'] });
    expect(r.items[1]!.notes).toContain('no idnumber; the id "primes" comes from the name');
    expect(question(r.items[2]!)).toMatchObject({
      options: [
        { id: 'a', text: 'True' },
        { id: 'b', text: 'False' },
      ],
      correct: ['b'],
    });
    expect(r.items[3]!.reason).toMatch(/^options: /);
    expect(r.items[4]!.reason).toMatch(/short-answer/);
    expect(r.items[5]!.reason).toMatch(/without file attachments/);
    expect(r.items[6]!.reason).toMatch(/^no rubric/);
    expect(r.items[7]!.reason).toMatch(/description/);
  });

  it('keeps a rubric edited in Moodle as long as its structure is intact', () => {
    const exported = exportMoodleXml([{ type: 'upload-task', task: uploadTask }]).data as string;
    const edited = exported.replace('RPC-style verbs', 'RPC-style verbs (edited in Moodle)');
    const task = importMoodleXml(edited).items[0]!.item;
    expect(task?.type === 'upload-task' && task.task.rubric[0]!.levels[0]!.descriptor).toBe(
      'RPC-style verbs (edited in Moodle) (/reserveTool) with no consistent resources.',
    );
  });

  it('throws ImportError for files that are not Moodle XML', () => {
    expect(() => importMoodleXml('<quiz><question type="multichoice">')).toThrow(ImportError);
    expect(() => importMoodleXml('<html><body/></html>')).toThrow(/not Moodle XML/);
    expect(() => importMoodleXml('')).toThrow(ImportError);
    expect(() => importMoodleXml(new Uint8Array([0xff, 0x00, 0xc3, 0x28]))).toThrow(ImportError);
  });
});

describe('QTI import', () => {
  const item21 = (body: string, decl = '') => `<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="Q-Choice_1" title="Third party" adaptive="false" timeDependent="false">
  ${decl}
  <itemBody>${body}</itemBody>
</assessmentItem>`;

  it('reads a third-party QTI 2.1 item: prompt, modal feedback and odd identifiers', () => {
    const xml = item21(
      `<p>Pick the <b>largest</b>.</p>
       <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
         <prompt>Choose one</prompt>
         <simpleChoice identifier="ChoiceA">1</simpleChoice>
         <simpleChoice identifier="ChoiceB">3</simpleChoice>
         <simpleChoice identifier="ChoiceC">2</simpleChoice>
       </choiceInteraction>`,
      `<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
         <correctResponse><value>ChoiceB</value></correctResponse>
       </responseDeclaration>`,
    ).replace(
      '</assessmentItem>',
      '<modalFeedback outcomeIdentifier="FEEDBACK" identifier="fb" showHide="show"><p>3 &gt; 2 &gt; 1</p></modalFeedback></assessmentItem>',
    );
    const r = importQti(xml, { defaultSubtopic: 'databases' });
    expect(r.format).toBe('qti-2.1');
    expect(r.items[0]!.status).toBe('ok');
    expect(question(r.items[0]!)).toMatchObject({
      id: 'q-choice-1',
      kind: 'single',
      stem: 'Pick the **largest**.\n\nChoose one',
      options: [
        { id: 'a', text: '1' },
        { id: 'b', text: '3' },
        { id: 'c', text: '2' },
      ],
      correct: ['b'],
      explanation: '3 > 2 > 1',
    });
    expect(r.items[0]!.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/renamed a, b, c/),
        expect.stringMatching(/modal feedback/),
      ]),
    );
  });

  it('skips unsupported interactions with a reason', () => {
    const text = importQti(item21('<p>Type it</p><textEntryInteraction responseIdentifier="R"/>'), {
      defaultSubtopic: 'x',
    });
    expect(text.items[0]).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/unsupported interaction type textEntryInteraction/),
    });
    const two = importQti(
      item21('<choiceInteraction responseIdentifier="A"/><extendedTextInteraction responseIdentifier="B"/>'),
      { defaultSubtopic: 'x' },
    );
    expect(two.items[0]!.reason).toMatch(/more than one interaction/);
  });

  it('imports the good items of a package and reports the broken and missing ones', () => {
    const good = exportQti([{ type: 'question', question: singleQuestion }], { version: '3.0' });
    const files = unzipSync(good.data as Uint8Array);
    const manifest = new TextDecoder().decode(files['imsmanifest.xml']).replace(
      '</resources>',
      `<resource identifier="res-broken" type="imsqti_item_xmlv3p0" href="items/broken.xml"><file href="items/broken.xml"/></resource>
         <resource identifier="res-missing" type="imsqti_item_xmlv3p0" href="items/missing.xml"/>
         <resource identifier="res-test" type="imsqti_test_xmlv3p0" href="test.xml"/>
         </resources>`,
    );
    const zip = zipSync({
      'imsmanifest.xml': strToU8(manifest),
      [`items/${singleQuestion.id}.xml`]: files[`items/${singleQuestion.id}.xml`]!,
      'items/broken.xml': strToU8('<qti-assessment-item><qti-item-body></qti-assessment-item>'),
    });
    const r = importQti(zip);
    expect(r.items.map((i) => i.status)).toEqual(['ok', 'skipped', 'skipped']);
    expect(question(r.items[0]!)).toEqual(singleQuestion);
    expect(r.items[1]!.reason).toMatch(/not well-formed XML/);
    expect(r.items[2]!.reason).toMatch(/missing from the zip/);
  });

  it('reads a zip of bare item files when there is no manifest', () => {
    const files = unzipSync(exportQti(fixtureItems, { version: '2.1' }).data as Uint8Array);
    delete files['imsmanifest.xml'];
    files['notes.xml'] = strToU8('<notes/>');
    const r = importQti(zipSync(files), { defaultSubtopic: 'databases' });
    expect(r.items).toHaveLength(fixtureItems.length);
    expect(r.items.every((i) => i.status === 'ok')).toBe(true);
  });

  it('throws ImportError for files that are not QTI', () => {
    expect(() => importQti(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toThrow(
      /damaged or not a zip/,
    );
    expect(() => importQti(zipSync({ 'readme.txt': strToU8('hi') }))).toThrow(/no imsmanifest.xml/);
    expect(() => importQti('<quiz/>')).toThrow(/not a QTI item/);
    expect(() => importQti('<manifest/>')).toThrow(/whole content package/);
    expect(() =>
      importQti(zipSync({ 'imsmanifest.xml': strToU8('<manifest><resources/></manifest>') })),
    ).toThrow(/lists no QTI items/);
  });
});

describe('format detection', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('tells formats apart by content first, then by name', () => {
    expect(detectFormat('x.zip', zipSync({ a: strToU8('b') }))).toBe('qti');
    expect(detectFormat('x.xml', enc('<?xml version="1.0"?>\n<!-- hi -->\n<quiz></quiz>'))).toBe(
      'moodle-xml',
    );
    expect(detectFormat('x.xml', enc('\uFEFF<assessmentItem/>'))).toBe('qti');
    expect(detectFormat('x.xml', enc('<qti:qti-assessment-item xmlns:qti="x"/>'))).toBe('qti');
    expect(detectFormat('whatever.txt', enc('<quiz/>'))).toBe('moodle-xml');
    expect(detectFormat('questions.gift', enc('anything'))).toBe('gift');
    expect(detectFormat('questions.txt', enc('::q:: Pick {=a ~b}'))).toBe('gift');
    expect(detectFormat('notes.txt', enc('just some notes'))).toBeNull();
    expect(detectFormat('page.html', enc('<html></html>'))).toBeNull();
    expect(detectFormat('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
  });

  it('importInterchange refuses what it cannot detect', () => {
    expect(() => importInterchange('notes.txt', enc('just some notes'))).toThrow(/Unrecognised file/);
    const moodle = exportMoodleXml(fixtureItems).data as string;
    expect(importInterchange('export.xml', enc(moodle)).format).toBe('moodle-xml');
  });
});
