// The built-in library through every format: each item must import again, equal to the original over the
// fields the format carries, with Markdown in canonical form (what any import produces).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type BankQuestion, type BankUploadTask, questionSchema, uploadTaskSchema } from '../bank.model.js';
import { carriedView } from './common.js';
import { carriedFields, exportInterchange, importInterchange } from './index.js';
import type { InterchangeFormat, InterchangeItem } from './interchange.types.js';
import { parseMarkdown, serializeMarkdown } from './markdown.js';

const contentDir = fileURLToPath(new URL('../../../../content', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

function loadLibrary(): InterchangeItem[] {
  const items: InterchangeItem[] = [];
  for (const file of yamlFiles(join(contentDir, 'questions'))) {
    for (const raw of (parseYaml(readFileSync(file, 'utf8')) as { questions?: unknown[] })?.questions ?? []) {
      const q = questionSchema.safeParse(raw);
      if (q.success) items.push({ type: 'question', question: q.data });
    }
  }
  for (const file of yamlFiles(join(contentDir, 'upload-tasks'))) {
    const t = uploadTaskSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (t.success) items.push({ type: 'upload-task', task: t.data });
  }
  return items;
}

const canonical = (md: string) => serializeMarkdown(parseMarkdown(md));

function canonicalItem(item: InterchangeItem): InterchangeItem {
  if (item.type === 'question') {
    const q: BankQuestion = item.question;
    return {
      type: 'question',
      question: {
        ...q,
        stem: canonical(q.stem),
        explanation: canonical(q.explanation),
        options: q.options.map((o) => ({ ...o, text: canonical(o.text) })),
      },
    };
  }
  const t: BankUploadTask = item.task;
  return {
    type: 'upload-task',
    task: { ...t, prompt: canonical(t.prompt), reviewerNotes: canonical(t.reviewerNotes) },
  };
}

describe('the built-in library', () => {
  const library = loadLibrary();

  it('is there to test with', () => {
    expect(library.filter((i) => i.type === 'question').length).toBeGreaterThan(100);
    expect(library.filter((i) => i.type === 'upload-task').length).toBeGreaterThan(5);
  });

  for (const format of ['qti-2.1', 'qti-3.0', 'gift', 'moodle-xml'] as InterchangeFormat[]) {
    it(`round-trips through ${format}`, () => {
      const carried = carriedFields[format];
      const result = exportInterchange(format, library);
      const bytes = typeof result.data === 'string' ? new TextEncoder().encode(result.data) : result.data;
      const report = importInterchange(result.filename, bytes);
      const skipped = report.items.filter((i) => i.status !== 'ok');
      expect(skipped).toEqual([]);
      const expected = library
        .filter((i) => i.type === 'question' || carried.uploadTask.length > 0)
        .map(canonicalItem);
      expect(report.items.map((i) => carriedView(i.item!, carried))).toEqual(
        expected.map((i) => carriedView(i, carried)),
      );
    });
  }
});
