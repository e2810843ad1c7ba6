// Helpers shared by the format converters: which fields a format carries (the single source of truth for
// `dropped`, the docs table and the round-trip tests), import defaults, ids, validation into a report,
// and the rubric's XHTML form used by QTI and Moodle XML.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import {
  type BankQuestion,
  type BankUploadTask,
  questionSchema,
  rubricCriterionSchema,
  uploadTaskSchema,
} from '../bank.model.js';
import {
  type DroppedFields,
  ImportError,
  type ImportOptions,
  type ImportReport,
  type ImportReportItem,
  type InterchangeFormat,
  type InterchangeItem,
} from './interchange.types.js';
import { findAll, h, hasClass, isElement, kid, localName, textOf, type XElement } from './xml.js';
import { limits } from './xml-safety.js';

// ---------------------------------------------------------------------------------------------------------
// Carried fields

export const questionFields = [
  'id',
  'kind',
  'subtopic',
  'difficulty',
  'seconds',
  'tags',
  'stem',
  'options.id',
  'options.text',
  'correct',
  'explanation',
  'retired',
] as const;
export type QuestionField = (typeof questionFields)[number];

export const uploadTaskFields = [
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
  'retired',
] as const satisfies ReadonlyArray<keyof BankUploadTask>;
export type UploadTaskField = (typeof uploadTaskFields)[number];

/** The fields a format writes and reads back unchanged. An empty `uploadTask` list: tasks cannot be exported. */
export type CarriedFields = { question: readonly QuestionField[]; uploadTask: readonly UploadTaskField[] };

/** What an import fills in where the file has nothing (documented in docs/content-format.md). */
export const importDefaults = {
  difficulty: 'medium',
  seconds: 60,
  tags: [] as string[],
  explanation: '',
  retired: false,
  minutes: 60,
  accept: ['.pdf', '.txt'],
  maxSizeMb: 10,
  maxFiles: 1,
  allowZip: true,
} as const;

/** Option ids given by position where a format has none: a, b, c, … */
export const positionalOptionId = (i: number) => (i < 26 ? String.fromCharCode(97 + i) : `o${i}`);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function questionFieldIsDefault(q: BankQuestion, f: QuestionField): boolean {
  switch (f) {
    case 'difficulty':
      return q.difficulty === importDefaults.difficulty;
    case 'seconds':
      return q.seconds === importDefaults.seconds;
    case 'tags':
      return q.tags.length === 0;
    case 'explanation':
      return q.explanation === importDefaults.explanation;
    case 'retired':
      return q.retired === importDefaults.retired;
    case 'options.id':
      return q.options.every((o, i) => o.id === positionalOptionId(i));
    default:
      return false;
  }
}

function taskFieldIsDefault(t: BankUploadTask, f: UploadTaskField): boolean {
  if (f === 'retired') return t.retired === importDefaults.retired;
  if (f === 'minutes' || f === 'accept' || f === 'maxSizeMb' || f === 'maxFiles' || f === 'allowZip')
    return same(t[f], importDefaults[f]);
  return false;
}

/** Lists, per item, the fields the format loses (fields equal to the import default are not lost). */
export function computeDropped(
  items: readonly InterchangeItem[],
  carried: CarriedFields,
  format: string,
): DroppedFields[] {
  const out: DroppedFields[] = [];
  for (const item of items) {
    if (item.type === 'question') {
      const fields = questionFields.filter(
        (f) => !carried.question.includes(f) && !questionFieldIsDefault(item.question, f),
      );
      if (fields.length)
        out.push({
          itemId: item.question.id,
          fields,
          reason: `${format} has no place for these; an import fills defaults`,
        });
    } else if (carried.uploadTask.length === 0) {
      out.push({
        itemId: item.task.id,
        fields: ['*'],
        reason: `${format} cannot represent file-upload tasks; not exported`,
      });
    } else {
      const fields = uploadTaskFields.filter(
        (f) => !carried.uploadTask.includes(f) && !taskFieldIsDefault(item.task, f),
      );
      if (fields.length)
        out.push({
          itemId: item.task.id,
          fields,
          reason: `${format} has no place for these; an import fills defaults`,
        });
    }
  }
  return out;
}

/**
 * The part of an item a format carries, for comparing an original with its re-import. Without option ids,
 * options compare by text and the key by position; the key always compares as a set.
 */
export function carriedView(item: InterchangeItem, carried: CarriedFields): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (item.type === 'question') {
    const q = item.question;
    const withIds = carried.question.includes('options.id');
    for (const f of carried.question) {
      if (f === 'options.id') view.optionIds = q.options.map((o) => o.id);
      else if (f === 'options.text') view.optionTexts = q.options.map((o) => o.text);
      else if (f === 'correct') {
        const positions = q.correct.map((c) => q.options.findIndex((o) => o.id === c)).sort((a, b) => a - b);
        view.correct = withIds ? positions.map((p) => q.options[p]?.id) : positions;
      } else view[f] = q[f];
    }
  } else {
    for (const f of carried.uploadTask) view[f] = item.task[f];
  }
  return view;
}

// ---------------------------------------------------------------------------------------------------------
// Ids and text

export function slugify(text: string, max = 100): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** A stable id for an item whose file gives none: words of its text plus a short content hash. */
export function generatedId(text: string, prefix: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  const words = slugify(text.split(/\s+/).slice(0, 6).join(' '), 48);
  return `${words || prefix}-${hash}`;
}

export function firstLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function zodReason(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** The subtopic a Moodle/GIFT category path names: its last segment ("$course$/top/assay/databases"). */
export function categorySubtopic(path: string): string | null {
  const parts = path
    .split('/')
    .map((p) => p.trim())
    .filter((p) => p && !/^\$[a-z0-9]+\$$/i.test(p) && p.toLowerCase() !== 'top');
  return parts[parts.length - 1] ?? null;
}

/** Returns the default value and notes that it was used. */
export function withDefault<T>(notes: string[], field: string, value: T): T {
  notes.push(`${field} not in the file; used ${JSON.stringify(value)}`);
  return value;
}

/** Tags as the bank holds them: slugged, at most 40 characters, no duplicates. */
export function cleanTags(raw: readonly string[], notes: string[]): string[] {
  const out: string[] = [];
  for (const t of raw) {
    const s = slugify(t, 40);
    if (s && !out.includes(s)) out.push(s);
    if (s !== t) notes.push(`tag "${t}" became "${s || '(dropped)'}"`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Building a report

export class ReportBuilder {
  readonly items: ImportReportItem[] = [];
  private readonly ids = new Set<string>();
  private readonly known: ReadonlySet<string> | null;

  constructor(
    readonly format: InterchangeFormat,
    private readonly opts: ImportOptions = {},
  ) {
    this.known = opts.knownSubtopics ? new Set(opts.knownSubtopics) : null;
  }

  get count(): number {
    return this.items.length;
  }

  /** Call before adding each item: enforces the item limit. */
  next(): number {
    if (this.items.length >= limits.maxItems) {
      throw new ImportError(
        `The file holds more than ${limits.maxItems} items; split it into smaller files.`,
      );
    }
    return this.items.length;
  }

  /** Maps a subtopic named by the file (or none) to the one to use, noting defaults. Null: none available. */
  subtopic(raw: string | null | undefined, notes: string[]): string | null {
    const s = raw ? slugify(raw) : '';
    if (s && (!this.known || this.known.has(s))) return s;
    const fallback = this.opts.defaultSubtopic;
    if (!fallback) return null;
    notes.push(
      s
        ? `subtopic "${s}" is not in the taxonomy; used "${fallback}"`
        : `no subtopic in the file; used "${fallback}"`,
    );
    return fallback;
  }

  /** Makes an id unique within this file (appending -2, -3, …). */
  uniqueId(id: string, notes: string[]): string {
    if (!this.ids.has(id)) {
      this.ids.add(id);
      return id;
    }
    for (let n = 2; ; n++) {
      const suffix = `-${n}`;
      const candidate = `${id.slice(0, 100 - suffix.length).replace(/-+$/, '')}${suffix}`;
      if (!this.ids.has(candidate)) {
        this.ids.add(candidate);
        notes.push(`id "${id}" is used twice in the file; this one became "${candidate}"`);
        return candidate;
      }
    }
  }

  skip(sourceId: string | null, title: string, reason: string, notes: string[] = []): ImportReportItem {
    return this.add({ sourceId, title, status: 'skipped', reason }, notes);
  }

  question(
    sourceId: string | null,
    title: string,
    candidate: Record<string, unknown>,
    notes: string[],
  ): ImportReportItem {
    const parsed = questionSchema.safeParse(candidate);
    if (!parsed.success) return this.skip(sourceId, title, zodReason(parsed.error), notes);
    const problem = keyProblem(parsed.data);
    if (problem) return this.skip(sourceId, title, problem, notes);
    return this.add(
      { sourceId, title, status: 'ok', item: { type: 'question', question: parsed.data } },
      notes,
    );
  }

  task(
    sourceId: string | null,
    title: string,
    candidate: Record<string, unknown>,
    notes: string[],
  ): ImportReportItem {
    const parsed = uploadTaskSchema.safeParse(candidate);
    if (!parsed.success) return this.skip(sourceId, title, zodReason(parsed.error), notes);
    return this.add(
      { sourceId, title, status: 'ok', item: { type: 'upload-task', task: parsed.data } },
      notes,
    );
  }

  private add(entry: Omit<ImportReportItem, 'index' | 'notes'>, notes: string[]): ImportReportItem {
    const item: ImportReportItem = { index: this.next(), ...entry, ...(notes.length ? { notes } : {}) };
    this.items.push(item);
    return item;
  }

  report(): ImportReport {
    return { format: this.format, items: this.items };
  }
}

/** The checks a converter's output needs beyond the schema: the key must name options, and fit the kind. */
function keyProblem(q: BankQuestion): string | null {
  const ids = new Set(q.options.map((o) => o.id));
  if (ids.size !== q.options.length) return 'two options have the same id';
  const missing = q.correct.find((c) => !ids.has(c));
  if (missing !== undefined) return `correct answer "${missing}" is not an option`;
  const n = new Set(q.correct).size;
  if (q.kind === 'single' && n !== 1)
    return `a single-answer question needs exactly one correct option (found ${n})`;
  if (q.kind === 'multiple' && n < 2)
    return `a multiple-answer question needs at least two correct options (found ${n})`;
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Rubric as XHTML (QTI rubric blocks, Moodle grader information). Readable by people, parsed back exactly:
//   <div class="assay-criterion"><p><strong>Name</strong> <code>id</code></p>
//     <ul><li><strong>0</strong> descriptor</li>…</ul></div>

export function renderRubric(rubric: BankUploadTask['rubric']): XElement[] {
  return rubric.map((c) => {
    const el = h(
      'div',
      { class: 'assay-criterion' },
      h('p', {}, h('strong', {}, c.name), ' ', h('code', {}, c.id)),
      h(
        'ul',
        {},
        c.levels.map((l) => h('li', {}, h('strong', {}, String(l.score)), ' ', l.descriptor)),
      ),
    );
    el.compact = true;
    return el;
  });
}

const collapse = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** Reads criteria written by `renderRubric` (or anything shaped like it) under `root`. */
export function parseRubric(root: XElement): Array<Record<string, unknown>> {
  const criteria = findAll(root, (e) => hasClass(e, 'assay-criterion'));
  return criteria.map((c) => {
    const head = findAll(c, (e) => localName(e.name) === 'p')[0];
    const name = collapse(textOf(kid(head, 'strong')));
    const id = collapse(textOf(kid(head, 'code'))) || slugify(name);
    const list = findAll(c, (e) => localName(e.name) === 'ul' || localName(e.name) === 'ol')[0];
    const levels = (list?.children ?? []).filter(isElement).map((li) => {
      const strong = kid(li, 'strong');
      const rest = li.children.filter((n) => n !== strong);
      return {
        score: Number.parseInt(textOf(strong).trim(), 10),
        descriptor: collapse(rest.map((n) => textOf(n)).join('')),
      };
    });
    return { id, name, levels };
  });
}

/** Checks parsed criteria against the bank's schema, for a clear reason when a rubric is unusable. */
export function rubricProblem(criteria: ReadonlyArray<Record<string, unknown>>): string | null {
  if (criteria.length === 0)
    return 'no rubric: Assay upload tasks need 3–6 rubric criteria and the file has none';
  for (const [i, c] of criteria.entries()) {
    const r = rubricCriterionSchema.safeParse(c);
    if (!r.success) return `rubric criterion ${i + 1}: ${zodReason(r.error)}`;
  }
  return null;
}
