// GIFT (Moodle's plain-text question format), parsed with gift-pegjs.
//
// Export writes one block per question:
//   $CATEGORY: <prefix><subtopic>          (when the subtopic changes)
//   // [id:<id>] [tag:<tag>] …
//   ::<id>::[markdown]<stem> {
//   =[markdown]<right>                     single answer (or ~%100% when the text holds "->", which
//   ~[markdown]<wrong>                      GIFT would read as a matching question)
//   ~%33.33333%[markdown]<right>           multiple answer: right options share 100, wrong ones lose as
//   ~%-33.33333%[markdown]<wrong>           much as a right one gains (Assay's grading)
//   ####[markdown]<explanation>
//   }
// Texts escape ~ = # { } : and \ and write newlines as \n, so a question stays one GIFT block.
// Import splits the file at blank lines and parses each block on its own, so one broken question is
// reported and the rest still import.
import { type GIFTQuestion, parse as parseGift, type TextFormat } from 'gift-pegjs';
import type { BankQuestion } from '../bank.model.js';
import {
  type CarriedFields,
  categorySubtopic,
  cleanTags,
  computeDropped,
  firstLine,
  generatedId,
  importDefaults,
  positionalOptionId,
  ReportBuilder,
  slugify,
} from './common.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import {
  type ExportResult,
  ImportError,
  type ImportOptions,
  type ImportReport,
  type InterchangeItem,
  UnsafeImportError,
} from './interchange.types.js';
import { markdownPlainText, parseMarkdown, serializeMarkdown } from './markdown.js';
import { byteLength, decodeText, limits } from './xml-safety.js';

export const giftCarriedFields: CarriedFields = {
  question: ['id', 'kind', 'subtopic', 'tags', 'stem', 'options.text', 'correct', 'explanation'],
  uploadTask: [],
};

export type GiftExportOptions = {
  /** Written before the subtopic in `$CATEGORY:` lines, e.g. "$course$/top/assay/". Default: none. */
  categoryPrefix?: string;
};

/** Escapes GIFT's special characters; newlines become `\n` so a text never ends its question block. */
export function escapeGift(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\~=#{}:]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

const md = (text: string) => `[markdown]${escapeGift(text)}`;

/** A GIFT weight: Moodle writes five decimals. */
export const giftWeight = (n: number) => String(Number(n.toFixed(5)));

function questionBlock(q: BankQuestion): string[] {
  const key = new Set(q.correct);
  let answers: string[];
  if (q.kind === 'single') {
    const weighted = q.options.some((o) => key.has(o.id) && o.text.includes('->'));
    answers = q.options.map((o) =>
      key.has(o.id) ? `${weighted ? '~%100%' : '='}${md(o.text)}` : `${weighted ? '~%0%' : '~'}${md(o.text)}`,
    );
  } else {
    const w = giftWeight(100 / key.size);
    answers = q.options.map((o) => `~%${key.has(o.id) ? '' : '-'}${w}%${md(o.text)}`);
  }
  return [
    `// [id:${q.id}]${q.tags.map((t) => ` [tag:${t}]`).join('')}`,
    `::${q.id}::${md(q.stem)} {`,
    ...answers,
    ...(q.explanation ? [`####${md(q.explanation)}`] : []),
    '}',
  ];
}

/** Exports the questions as GIFT. Upload tasks cannot be written and are listed in `dropped`. */
export function exportGift(items: readonly InterchangeItem[], opts: GiftExportOptions = {}): ExportResult {
  const lines: string[] = ['// Exported from Assay. Texts are Markdown; categories are Assay subtopics.', ''];
  let category: string | null = null;
  for (const item of items) {
    if (item.type !== 'question') continue;
    const q = item.question;
    if (q.subtopic !== category) {
      lines.push(`$CATEGORY: ${opts.categoryPrefix ?? ''}${q.subtopic}`, '');
      category = q.subtopic;
    }
    lines.push(...questionBlock(q), '');
  }
  return {
    data: lines.join('\n'),
    filename: 'assay-questions.gift.txt',
    contentType: 'text/plain; charset=utf-8',
    dropped: computeDropped(items, giftCarriedFields, 'GIFT'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Import

type Chunk = { text: string; line: number };

/** Splits GIFT text into blocks at blank lines (GIFT's question separator). */
function chunks(text: string): Chunk[] {
  const out: Chunk[] = [];
  const lines = text.split('\n');
  let buf: string[] = [];
  let start = 1;
  const flush = () => {
    const meaningful = buf.some((l) => l.trim() !== '' && !l.trim().startsWith('//'));
    if (meaningful) {
      // A $CATEGORY line directly followed by a question is split off so both parse.
      const first = buf.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('//'));
      const firstLineText = buf[first] ?? '';
      if (
        firstLineText.trim().startsWith('$CATEGORY:') &&
        buf.slice(first + 1).some((l) => l.trim() !== '')
      ) {
        out.push({ text: firstLineText.trim(), line: start + first });
        out.push({ text: [...buf.slice(0, first), ...buf.slice(first + 1)].join('\n'), line: start });
      } else out.push({ text: buf.join('\n'), line: start });
    }
    buf = [];
  };
  lines.forEach((l, i) => {
    if (l.trim() === '') {
      flush();
      start = i + 2;
    } else buf.push(l);
  });
  flush();
  return out;
}

/** Any GIFT text as canonical Markdown: HTML and Moodle auto-format are sanitised, plain text escaped. */
function toMarkdown(t: TextFormat | null | undefined): string {
  if (!t) return '';
  switch (t.format) {
    case 'markdown':
      return serializeMarkdown(parseMarkdown(t.text));
    case 'plain':
      return serializeMarkdown([{ t: 'p', c: [{ t: 'text', v: t.text }] }]);
    default:
      return htmlToMarkdown(t.text);
  }
}

const UNSUPPORTED: Partial<Record<GIFTQuestion['type'], string>> = {
  Description: 'a description (text without answers) is not a question',
  Short: 'short-answer questions are not supported',
  Numerical: 'numerical questions are not supported',
  Essay: 'essay questions are not supported (GIFT has no file-upload settings)',
  Matching: 'matching questions are not supported',
};

function syntaxMessage(err: unknown, chunk: Chunk): string {
  const e = err as { message?: string; location?: { start?: { line?: number } } };
  const line = chunk.line + (e.location?.start?.line ?? 1) - 1;
  const msg = (e.message ?? 'syntax error').replace(/\s+/g, ' ');
  return `GIFT syntax error on line ${line}: ${msg.length > 200 ? `${msg.slice(0, 199)}…` : msg}`;
}

/** Imports GIFT text. Single and multiple choice import; true/false becomes a two-option single choice. */
export function importGift(input: Uint8Array | string, opts: ImportOptions = {}): ImportReport {
  const size = byteLength(input);
  if (size > limits.maxTextBytes) {
    throw new UnsafeImportError(
      `The file is larger than ${limits.maxTextBytes / 1024 / 1024} MB, the limit for GIFT imports.`,
    );
  }
  const text = decodeText(input, 'windows-1252').replace(/\r\n?/g, '\n');
  const parsed: Array<{ chunk: Chunk; questions?: GIFTQuestion[]; error?: string }> = chunks(text).map(
    (chunk) => {
      try {
        return { chunk, questions: parseGift(chunk.text) };
      } catch (err) {
        return { chunk, error: syntaxMessage(err, chunk) };
      }
    },
  );
  if (!parsed.some((p) => p.questions)) {
    throw new ImportError(
      parsed[0]?.error ? `This is not a GIFT file. ${parsed[0].error}` : 'The file has no GIFT questions.',
    );
  }
  if (parsed.length > limits.maxItems * 2) {
    throw new ImportError(`The file holds more than ${limits.maxItems} items; split it into smaller files.`);
  }

  const b = new ReportBuilder('gift', opts);
  let category: string | null = null;
  for (const p of parsed) {
    if (p.error) {
      b.skip(null, firstLine(p.chunk.text.replace(/^\s*\/\/.*$/gm, '')), p.error);
      continue;
    }
    for (const g of p.questions ?? []) {
      if (g.type === 'Category') {
        category = categorySubtopic(g.title);
        continue;
      }
      const stem = toMarkdown(g.stem);
      const sourceId = g.id ?? g.title ?? null;
      const title = g.title ?? (firstLine(markdownPlainText(stem)) || 'Untitled question');
      const unsupported = UNSUPPORTED[g.type];
      if (unsupported || (g.type !== 'MC' && g.type !== 'TF')) {
        b.skip(sourceId, title, unsupported ?? `unsupported GIFT question type ${g.type}`);
        continue;
      }
      const notes: string[] = [];
      let id = slugify(sourceId ?? '');
      if (!id) {
        id = generatedId(stem, 'gift');
        notes.push(`the question has no id or title; generated "${id}"`);
      }
      id = b.uniqueId(id, notes);
      const subtopic = b.subtopic(category, notes);
      if (!subtopic) {
        b.skip(sourceId, title, 'no subtopic: the file has no $CATEGORY and no default was given', notes);
        continue;
      }
      let kind: 'single' | 'multiple';
      let options: Array<{ id: string; text: string }>;
      let correct: string[];
      if (g.type === 'TF') {
        kind = 'single';
        options = [
          { id: 'a', text: 'True' },
          { id: 'b', text: 'False' },
        ];
        correct = [g.isTrue ? 'a' : 'b'];
        notes.push('true/false question imported as a single choice between "True" and "False"');
      } else {
        options = g.choices.map((c, i) => ({ id: positionalOptionId(i), text: toMarkdown(c.text) }));
        const hasEquals = g.choices.some((c) => c.isCorrect);
        if (hasEquals) {
          // Moodle's rule: an "=" answer makes the question single-answer; partial credit is not kept.
          kind = 'single';
          correct = g.choices.flatMap((c, i) =>
            c.isCorrect && (c.weight === null || c.weight >= 100) ? [options[i]!.id] : [],
          );
          if (g.choices.some((c) => c.weight !== null && c.weight > 0 && c.weight < 100))
            notes.push('partial-credit answers were imported as wrong answers');
        } else {
          correct = g.choices.flatMap((c, i) => ((c.weight ?? 0) > 0 ? [options[i]!.id] : []));
          kind = correct.length === 1 ? 'single' : 'multiple';
        }
        if (g.choices.some((c) => c.feedback)) notes.push('per-answer feedback was dropped');
      }
      const explanation = toMarkdown(g.globalFeedback);
      if (!explanation) notes.push('no general feedback; the explanation is empty');
      if (g.hasEmbeddedAnswers)
        notes.push('the answers were embedded in the text; the blank is shown as "_____"');
      b.question(
        sourceId,
        title,
        {
          id,
          kind,
          subtopic,
          difficulty: importDefaults.difficulty,
          seconds: importDefaults.seconds,
          tags: cleanTags(g.tags ?? [], notes),
          stem,
          options,
          correct,
          explanation,
          retired: false,
        },
        notes,
      );
    }
  }
  return b.report();
}
