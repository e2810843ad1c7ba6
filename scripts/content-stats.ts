// `npm run content:stats [path]`: counts of the library per subtopic × difficulty and per kind, checked
// against the minimums the product promises. Exits 1 when the content is invalid or a minimum is unmet.

import { difficulties } from '../server/modules/bank/bank.model.js';
import { builtInContentDir, loadContentDir } from '../server/modules/bank/content-loader.js';

export const MINIMUMS = {
  questions: 300,
  perSubtopic: 50,
  perCell: 12,
  multipleShare: 0.2,
  uploadTasks: 10,
} as const;

export function contentStats(dir = builtInContentDir()) {
  const lib = loadContentDir(dir);
  const subtopics = lib.taxonomy?.skills.flatMap((s) => s.subtopics.map((t) => t.id)) ?? [];
  const active = lib.questions.filter((q) => !q.retired);
  const cell = (s: string, d: string) => active.filter((q) => q.subtopic === s && q.difficulty === d).length;
  const rows = subtopics.map((s) => {
    const byDifficulty = Object.fromEntries(difficulties.map((d) => [d, cell(s, d)])) as Record<
      (typeof difficulties)[number],
      number
    >;
    const ofSubtopic = active.filter((q) => q.subtopic === s);
    return {
      subtopic: s,
      ...byDifficulty,
      total: ofSubtopic.length,
      single: ofSubtopic.filter((q) => q.kind === 'single').length,
      multiple: ofSubtopic.filter((q) => q.kind === 'multiple').length,
    };
  });
  const tasks = lib.uploadTasks.filter((t) => !t.retired);
  const uncovered = subtopics.filter((s) => !tasks.some((t) => t.subtopics.includes(s)));
  const multiple = active.filter((q) => q.kind === 'multiple').length;

  const unmet: string[] = [];
  if (lib.problems.length)
    unmet.push(`the content has ${lib.problems.length} problem(s): run \`assay content check\``);
  if (active.length < MINIMUMS.questions)
    unmet.push(`${active.length} active questions, fewer than ${MINIMUMS.questions}`);
  for (const r of rows) {
    if (r.total < MINIMUMS.perSubtopic)
      unmet.push(`${r.subtopic}: ${r.total} questions, fewer than ${MINIMUMS.perSubtopic}`);
    for (const d of difficulties) {
      if (r[d] < MINIMUMS.perCell)
        unmet.push(`${r.subtopic} × ${d}: ${r[d]} questions, fewer than ${MINIMUMS.perCell}`);
    }
  }
  if (active.length && multiple / active.length < MINIMUMS.multipleShare)
    unmet.push(`${((100 * multiple) / active.length).toFixed(1)}% multiple-answer questions, less than 20%`);
  if (tasks.length < MINIMUMS.uploadTasks)
    unmet.push(`${tasks.length} upload tasks, fewer than ${MINIMUMS.uploadTasks}`);
  if (uncovered.length) unmet.push(`no upload task covers ${uncovered.join(', ')}`);

  return {
    rows,
    total: active.length,
    multiple,
    tasks: tasks.length,
    uncovered,
    unmet,
    problems: lib.problems,
  };
}

function table(headers: string[], body: Array<Array<string | number>>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (cells: Array<string | number>) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = contentStats(process.argv[2]);
  const sum = (k: 'easy' | 'medium' | 'hard' | 'total' | 'single' | 'multiple') =>
    s.rows.reduce((n, r) => n + r[k], 0);
  const out = [
    table(
      ['subtopic', 'easy', 'medium', 'hard', 'total', 'single', 'multiple'],
      [
        ...s.rows.map((r) => [r.subtopic, r.easy, r.medium, r.hard, r.total, r.single, r.multiple]),
        ['all', sum('easy'), sum('medium'), sum('hard'), sum('total'), sum('single'), sum('multiple')],
      ],
    ),
    '',
    `multiple-answer share: ${s.total ? ((100 * s.multiple) / s.total).toFixed(1) : '0'}%`,
    `upload tasks: ${s.tasks}${s.uncovered.length ? ` (no task for ${s.uncovered.join(', ')})` : ', covering every subtopic'}`,
    '',
    s.unmet.length
      ? `Minimums NOT met:\n${s.unmet.map((u) => `  - ${u}`).join('\n')}`
      : `Minimums met (≥${MINIMUMS.questions} questions, ≥${MINIMUMS.perSubtopic} per subtopic, ≥${MINIMUMS.perCell} per subtopic × difficulty, ≥20% multiple, ≥${MINIMUMS.uploadTasks} upload tasks covering all subtopics).`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit(s.unmet.length ? 1 : 0);
}
