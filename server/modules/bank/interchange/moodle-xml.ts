// Moodle XML (<quiz> with <question type="…">), written and read with the same safe XML layer.
//
// Questions are `multichoice` (single true/false; the right options share a fraction of 100 and, for
// multiple answers, each wrong one is worth minus as much, which is Assay's grading), grouped under
// `category` questions whose last path segment is the subtopic. Upload tasks are `essay` questions with
// responseformat "noinline" and attachments: maxFiles → attachments, maxSizeMb → maxbytes, accept →
// filetypeslist. Moodle has no rubric, time or zip setting, so the grader information holds the reviewer
// notes, the rubric as readable HTML and a short "assay-meta" list; import reads both back.
import type { BankQuestion, BankUploadTask } from '../bank.model.js';
import {
  type CarriedFields,
  categorySubtopic,
  cleanTags,
  computeDropped,
  firstLine,
  generatedId,
  importDefaults,
  parseRubric,
  positionalOptionId,
  ReportBuilder,
  renderRubric,
  rubricProblem,
  slugify,
  withDefault,
} from './common.js';
import { giftWeight } from './gift.js';
import { nodesToMarkdown, parseHtml } from './html-to-markdown.js';
import {
  type ExportResult,
  ImportError,
  type ImportOptions,
  type ImportReport,
  type ImportReportItem,
  type InterchangeItem,
} from './interchange.types.js';
import { markdownPlainText, markdownToXhtml, parseMarkdown, serializeMarkdown } from './markdown.js';
import {
  attr,
  findAll,
  h,
  hasClass,
  kid,
  kids,
  localName,
  serializeFragment,
  serializeXml,
  textOf,
  type XElement,
} from './xml.js';
import { parseXmlSafely } from './xml-safety.js';

export const moodleCarriedFields: CarriedFields = {
  question: ['id', 'kind', 'subtopic', 'tags', 'stem', 'options.text', 'correct', 'explanation'],
  uploadTask: [
    'id',
    'title',
    'subtopics',
    'minutes',
    'accept',
    'maxSizeMb',
    'maxFiles',
    'allowZip',
    'prompt',
    'rubric',
    'reviewerNotes',
  ],
};

export type MoodleExportOptions = {
  /** Written before the subtopic in category paths. Default "$course$/top/assay/". */
  categoryPrefix?: string;
};

const MB = 1024 * 1024;

const html = (md: string, inline = false) =>
  serializeFragment(markdownToXhtml(md, { olStart: true, inlineSingleParagraph: inline }));
const textEl = (tag: string, htmlText: string) => h(tag, { format: 'html' }, h('text', {}, htmlText));
const plain = (tag: string, value: string) => h(tag, {}, value);

function categoryQuestion(path: string): XElement {
  return h('question', { type: 'category' }, h('category', {}, h('text', {}, path)), textEl('info', ''));
}

function multichoice(q: BankQuestion): XElement {
  const key = new Set(q.correct);
  const w = giftWeight(100 / key.size);
  return h(
    'question',
    { type: 'multichoice' },
    h('name', {}, h('text', {}, q.id)),
    textEl('questiontext', html(q.stem)),
    textEl('generalfeedback', html(q.explanation)),
    plain('defaultgrade', '1'),
    plain('penalty', '0'),
    plain('hidden', '0'),
    plain('idnumber', q.id),
    plain('single', q.kind === 'single' ? 'true' : 'false'),
    plain('shuffleanswers', 'false'),
    plain('answernumbering', 'abc'),
    plain('showstandardinstruction', '0'),
    q.options.map((o) =>
      h(
        'answer',
        { fraction: key.has(o.id) ? w : q.kind === 'single' ? '0' : `-${w}`, format: 'html' },
        h('text', {}, html(o.text, true)),
        textEl('feedback', ''),
      ),
    ),
    q.tags.length > 0 &&
      h(
        'tags',
        {},
        q.tags.map((t) => h('tag', {}, h('text', {}, t))),
      ),
  );
}

function graderInfo(t: BankUploadTask): string {
  const rubric = h('div', { class: 'assay-rubric' }, h('h4', {}, 'Rubric'), renderRubric(t.rubric));
  const meta = h(
    'ul',
    { class: 'assay-meta' },
    h('li', {}, `minutes: ${t.minutes}`),
    h('li', {}, `subtopics: ${t.subtopics.join(', ')}`),
    h('li', {}, `allowZip: ${t.allowZip}`),
  );
  return serializeFragment([...markdownToXhtml(t.reviewerNotes, { olStart: true }), rubric, meta]);
}

function essay(t: BankUploadTask): XElement {
  const maxScore = t.rubric.reduce((sum, c) => sum + Math.max(...c.levels.map((l) => l.score)), 0);
  return h(
    'question',
    { type: 'essay' },
    h('name', {}, h('text', {}, t.title)),
    textEl('questiontext', html(t.prompt)),
    textEl('generalfeedback', ''),
    plain('defaultgrade', String(maxScore || 1)),
    plain('penalty', '0'),
    plain('hidden', '0'),
    plain('idnumber', t.id),
    plain('responseformat', 'noinline'),
    plain('responserequired', '0'),
    plain('responsefieldlines', '10'),
    plain('attachments', String(t.maxFiles)),
    plain('attachmentsrequired', '1'),
    plain('maxbytes', String(Math.round(t.maxSizeMb * MB))),
    plain('filetypeslist', t.accept.join(',')),
    textEl('graderinfo', graderInfo(t)),
    textEl('responsetemplate', ''),
  );
}

/** Exports questions and upload tasks as Moodle XML. */
export function exportMoodleXml(
  items: readonly InterchangeItem[],
  opts: MoodleExportOptions = {},
): ExportResult {
  const prefix = opts.categoryPrefix ?? '$course$/top/assay/';
  const children: XElement[] = [];
  let category: string | null = null;
  for (const item of items) {
    const subtopic = item.type === 'question' ? item.question.subtopic : (item.task.subtopics[0] ?? '');
    if (subtopic !== category) {
      children.push(categoryQuestion(`${prefix}${subtopic}`));
      category = subtopic;
    }
    children.push(item.type === 'question' ? multichoice(item.question) : essay(item.task));
  }
  return {
    data: serializeXml(h('quiz', {}, children)),
    filename: 'assay-questions.moodle.xml',
    contentType: 'application/xml',
    dropped: computeDropped(items, moodleCarriedFields, 'Moodle XML'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Import

const UNSUPPORTED: Record<string, string> = {
  description: 'a description (text without answers) is not a question',
  shortanswer: 'short-answer questions are not supported',
  numerical: 'numerical questions are not supported',
  matching: 'matching questions are not supported',
  multianswer: 'embedded-answer (cloze) questions are not supported',
  calculated: 'calculated questions are not supported',
  random: 'random question slots are not questions',
};

/** A Moodle text field (<questiontext>, <answer>, …) as canonical Markdown. */
function fieldMarkdown(el: XElement | undefined): string {
  if (!el) return '';
  const text = textOf(kid(el, 'text'));
  switch (attr(el, 'format')) {
    case 'markdown':
      return serializeMarkdown(parseMarkdown(text));
    case 'plain_text':
      return serializeMarkdown(
        text
          .split(/\n\s*\n/)
          .filter((p) => p.trim())
          .map((p) => ({ t: 'p' as const, c: [{ t: 'text' as const, v: p }] })),
      );
    default: // html, moodle_auto_format
      return nodesToMarkdown(parseHtml(text));
  }
}

const value = (q: XElement, tag: string) => textOf(kid(q, tag)).trim();

function readIds(q: XElement, b: ReportBuilder, fallbackText: string, notes: string[]) {
  const name = textOf(kid(kid(q, 'name'), 'text')).trim();
  const idnumber = value(q, 'idnumber');
  const sourceId = idnumber || name || null;
  let id = slugify(sourceId ?? '');
  if (!id) {
    id = generatedId(fallbackText, 'moodle');
    notes.push(`the question has no name or idnumber; generated "${id}"`);
  } else if (!idnumber) notes.push(`no idnumber; the id "${id}" comes from the name`);
  return { name, sourceId, id: b.uniqueId(id, notes) };
}

function readMultichoice(
  q: XElement,
  type: string,
  category: string | null,
  b: ReportBuilder,
): ImportReportItem {
  const notes: string[] = [];
  const stem = fieldMarkdown(kid(q, 'questiontext'));
  const { name, sourceId, id } = readIds(q, b, stem, notes);
  const title = name || firstLine(markdownPlainText(stem)) || 'Untitled question';
  const subtopic = b.subtopic(category, notes);
  if (!subtopic)
    return b.skip(sourceId, title, 'no subtopic: the file has no category and no default was given', notes);
  const answers = kids(q, 'answer').map((a, i) => ({
    id: positionalOptionId(i),
    text: fieldMarkdown(a),
    fraction: Number(attr(a, 'fraction') ?? 0) || 0,
  }));
  let kind: 'single' | 'multiple';
  let correct: string[];
  if (type === 'truefalse') {
    kind = 'single';
    for (const a of answers) {
      const t = a.text.trim().toLowerCase();
      if (t === 'true') a.text = 'True';
      if (t === 'false') a.text = 'False';
    }
    correct = answers.filter((a) => a.fraction > 0).map((a) => a.id);
    notes.push('true/false question imported as a single choice between "True" and "False"');
  } else {
    const single = ['true', '1'].includes(value(q, 'single').toLowerCase());
    kind = single ? 'single' : 'multiple';
    const positive = answers.filter((a) => a.fraction > 0);
    if (single && positive.length > 1) {
      correct = answers.filter((a) => a.fraction >= 100).map((a) => a.id);
      notes.push('partial-credit answers were imported as wrong answers');
    } else correct = positive.map((a) => a.id);
  }
  if (kids(q, 'answer').some((a) => textOf(kid(kid(a, 'feedback'), 'text')).trim()))
    notes.push('per-answer feedback was dropped');
  const explanation = fieldMarkdown(kid(q, 'generalfeedback'));
  if (!explanation) notes.push('no general feedback; the explanation is empty');
  const tags = kids(kid(q, 'tags'), 'tag').map((t) => textOf(kid(t, 'text')).trim());
  return b.question(
    sourceId,
    title,
    {
      id,
      kind,
      subtopic,
      difficulty: importDefaults.difficulty,
      seconds: importDefaults.seconds,
      tags: cleanTags(tags, notes),
      stem,
      options: answers.map(({ id: optionId, text }) => ({ id: optionId, text })),
      correct,
      explanation,
      retired: false,
    },
    notes,
  );
}

function readEssay(q: XElement, category: string | null, b: ReportBuilder): ImportReportItem {
  const notes: string[] = [];
  const prompt = fieldMarkdown(kid(q, 'questiontext'));
  const { name, sourceId, id } = readIds(q, b, prompt, notes);
  const title = name || firstLine(markdownPlainText(prompt)) || 'Untitled task';
  const attachments = Number.parseInt(value(q, 'attachments') || '0', 10) || 0;
  if (attachments === 0 && value(q, 'responseformat') !== 'noinline') {
    return b.skip(sourceId, title, 'essay questions without file attachments are not supported', notes);
  }
  const graderEl = kid(q, 'graderinfo');
  const graderText = textOf(kid(graderEl, 'text'));
  const graderNodes =
    attr(graderEl, 'format') === 'markdown' || attr(graderEl, 'format') === 'plain_text'
      ? []
      : parseHtml(graderText);
  const rubricEl = findAll({ name: '#', attrs: {}, children: graderNodes }, (e) =>
    hasClass(e, 'assay-rubric'),
  )[0];
  const rubric = rubricEl ? parseRubric(rubricEl) : [];
  const problem = rubricProblem(rubric);
  if (problem) return b.skip(sourceId, title, problem, notes);

  const meta = new Map<string, string>();
  const metaEl = findAll({ name: '#', attrs: {}, children: graderNodes }, (e) =>
    hasClass(e, 'assay-meta'),
  )[0];
  for (const li of kids(metaEl, 'li')) {
    const m = /^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$/.exec(textOf(li));
    if (m) meta.set(m[1]!, m[2]!);
  }
  const reviewerNotes = graderNodes.length
    ? nodesToMarkdown(graderNodes, { skip: (e) => hasClass(e, 'assay-rubric') || hasClass(e, 'assay-meta') })
    : fieldMarkdown(graderEl);

  const subtopics = (meta.get('subtopics')?.split(',') ?? [category])
    .map((s) => b.subtopic(s, notes))
    .filter((s): s is string => !!s);
  if (!subtopics.length)
    return b.skip(sourceId, title, 'no subtopic: the file has no category and no default was given', notes);

  const rawTypes = value(q, 'filetypeslist')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const accept = rawTypes.filter((s) => /^\.[a-z0-9]{1,10}$/.test(s));
  if (accept.length < rawTypes.length)
    notes.push(
      `file types other than extensions were dropped (${rawTypes.filter((s) => !accept.includes(s)).join(', ')})`,
    );
  const maxbytes = Number(value(q, 'maxbytes')) || 0;
  const minutes = Number(meta.get('minutes'));
  const allowZip = meta.get('allowZip');
  let maxFiles = attachments;
  if (attachments < 0) {
    maxFiles = 20;
    notes.push('unlimited attachments imported as 20 files');
  }
  return b.task(
    sourceId,
    title,
    {
      id,
      title,
      subtopics: [...new Set(subtopics)],
      minutes:
        Number.isInteger(minutes) && minutes > 0
          ? minutes
          : withDefault(notes, 'minutes', importDefaults.minutes),
      accept: accept.length ? accept : withDefault(notes, 'accept', [...importDefaults.accept]),
      maxSizeMb:
        maxbytes > 0
          ? Math.round((maxbytes / MB) * 1000) / 1000
          : withDefault(notes, 'maxSizeMb', importDefaults.maxSizeMb),
      maxFiles: maxFiles > 0 ? maxFiles : withDefault(notes, 'maxFiles', importDefaults.maxFiles),
      allowZip:
        allowZip === 'true'
          ? true
          : allowZip === 'false'
            ? false
            : withDefault(notes, 'allowZip', importDefaults.allowZip),
      prompt,
      rubric,
      reviewerNotes,
      retired: false,
    },
    notes,
  );
}

/** Imports Moodle XML: multichoice, truefalse (as a two-option single choice) and essays with attachments. */
export function importMoodleXml(input: Uint8Array | string, opts: ImportOptions = {}): ImportReport {
  const root = parseXmlSafely(input);
  if (localName(root.name) !== 'quiz') {
    throw new ImportError(`This is not Moodle XML: the root element is <${root.name}>, not <quiz>.`);
  }
  const b = new ReportBuilder('moodle-xml', opts);
  let category: string | null = null;
  for (const q of kids(root, 'question')) {
    const type = attr(q, 'type') ?? '';
    if (type === 'category') {
      category = categorySubtopic(textOf(kid(kid(q, 'category'), 'text')));
      continue;
    }
    if (type === 'multichoice' || type === 'truefalse') readMultichoice(q, type, category, b);
    else if (type === 'essay') readEssay(q, category, b);
    else {
      const name = textOf(kid(kid(q, 'name'), 'text')).trim();
      b.skip(
        value(q, 'idnumber') || name || null,
        name || type,
        UNSUPPORTED[type] ?? `unsupported Moodle question type "${type}"`,
      );
    }
  }
  return b.report();
}
