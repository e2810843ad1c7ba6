// The rules a bank item must follow beyond its schema. YAML content, custom items from the API and
// imported items all go through these, so an item is valid or not whatever door it came in by.
import { createHash } from 'node:crypto';
import type { BankQuestion, BankUploadTask, RoleTemplate } from './bank.model.js';
import { difficulties } from './bank.model.js';

export type PathProblem = { path: Array<string | number>; message: string };

const normalise = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

export function questionRuleProblems(
  q: Pick<BankQuestion, 'kind' | 'subtopic' | 'options' | 'correct' | 'explanation'>,
  subtopics: ReadonlySet<string>,
): PathProblem[] {
  const out: PathProblem[] = [];
  if (!subtopics.has(q.subtopic)) {
    out.push({ path: ['subtopic'], message: `unknown subtopic "${q.subtopic}" (not in taxonomy.yaml)` });
  }
  const ids = new Map<string, number>();
  const texts = new Map<string, number>();
  q.options.forEach((o, i) => {
    const seenId = ids.get(o.id);
    if (seenId !== undefined) {
      out.push({
        path: ['options', i, 'id'],
        message: `duplicate option id "${o.id}" (also option ${seenId + 1})`,
      });
    } else ids.set(o.id, i);
    const t = normalise(o.text);
    const seenText = texts.get(t);
    if (seenText !== undefined) {
      out.push({
        path: ['options', i, 'text'],
        message: `duplicate option text (same as option ${seenText + 1})`,
      });
    } else texts.set(t, i);
  });
  const correct = new Set<string>();
  q.correct.forEach((c, i) => {
    if (!ids.has(c)) out.push({ path: ['correct', i], message: `correct answer "${c}" is not an option id` });
    if (correct.has(c)) out.push({ path: ['correct', i], message: `correct answer "${c}" is listed twice` });
    correct.add(c);
  });
  if (q.kind === 'single' && correct.size !== 1) {
    out.push({
      path: ['correct'],
      message: `a single-answer question has exactly one correct option (found ${correct.size})`,
    });
  }
  if (q.kind === 'multiple' && correct.size < 2) {
    out.push({
      path: ['correct'],
      message: `a multiple-answer question has at least two correct options (found ${correct.size})`,
    });
  }
  if (q.kind === 'multiple' && correct.size >= 2 && correct.size === q.options.length) {
    out.push({ path: ['correct'], message: 'at least one option must be wrong' });
  }
  if (!q.explanation.trim()) {
    out.push({ path: ['explanation'], message: 'the explanation is empty: say why the key is right' });
  }
  return out;
}

export function uploadTaskRuleProblems(
  t: Pick<BankUploadTask, 'subtopics' | 'accept' | 'rubric'>,
  subtopics: ReadonlySet<string>,
): PathProblem[] {
  const out: PathProblem[] = [];
  t.subtopics.forEach((s, i) => {
    if (!subtopics.has(s))
      out.push({ path: ['subtopics', i], message: `unknown subtopic "${s}" (not in taxonomy.yaml)` });
  });
  const seenExt = new Set<string>();
  t.accept.forEach((ext, i) => {
    if (seenExt.has(ext)) out.push({ path: ['accept', i], message: `extension ${ext} is listed twice` });
    seenExt.add(ext);
  });
  const criteria = new Set<string>();
  t.rubric.forEach((c, i) => {
    if (criteria.has(c.id))
      out.push({ path: ['rubric', i, 'id'], message: `duplicate rubric criterion id "${c.id}"` });
    criteria.add(c.id);
    c.levels.forEach((l, j) => {
      if (l.score !== j) {
        out.push({
          path: ['rubric', i, 'levels', j, 'score'],
          message: `rubric levels score 0, 1, 2, … in ascending order (expected ${j}, found ${l.score})`,
        });
      }
    });
  });
  return out;
}

export function roleRuleProblems(
  r: RoleTemplate,
  subtopics: ReadonlySet<string>,
  uploadTasks: ReadonlyMap<string, { retired: boolean }>,
): PathProblem[] {
  const out: PathProblem[] = [];
  let weightSum = 0;
  for (const [s, w] of Object.entries(r.weights)) {
    weightSum += w;
    if (!subtopics.has(s))
      out.push({ path: ['weights', s], message: `unknown subtopic "${s}" (not in taxonomy.yaml)` });
  }
  if (weightSum !== 100)
    out.push({ path: ['weights'], message: `subtopic weights sum to ${weightSum}, not 100` });
  const mixSum = difficulties.reduce((s, d) => s + r.difficulty[d], 0);
  if (mixSum !== 100)
    out.push({ path: ['difficulty'], message: `the difficulty mix sums to ${mixSum}, not 100` });
  r.uploadTasks.forEach((id, i) => {
    const task = uploadTasks.get(id);
    if (!task) out.push({ path: ['uploadTasks', i], message: `unknown upload task "${id}"` });
    else if (task.retired) out.push({ path: ['uploadTasks', i], message: `upload task "${id}" is retired` });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Content hashes: the identity of one version's content. Equal hash, same version; any change to
// what a candidate sees or how it is graded gives a new hash and so a new version.

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export type QuestionContent = Pick<
  BankQuestion,
  'kind' | 'subtopic' | 'difficulty' | 'seconds' | 'tags' | 'stem' | 'options' | 'correct' | 'explanation'
>;

/** The key in option order, so `[b, a]` and `[a, b]` are the same answer key. */
export function sortCorrect(options: ReadonlyArray<{ id: string }>, correct: readonly string[]): string[] {
  const order = new Map(options.map((o, i) => [o.id, i]));
  return [...new Set(correct)].sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
}

export function questionContentHash(q: QuestionContent): string {
  return sha256([
    'q1',
    q.kind,
    q.subtopic,
    q.difficulty,
    q.seconds,
    q.tags,
    q.stem,
    q.options.map((o) => [o.id, o.text]),
    sortCorrect(q.options, q.correct),
    q.explanation,
  ]);
}

export type UploadTaskContent = Omit<BankUploadTask, 'id' | 'retired'>;

export function uploadTaskContentHash(t: UploadTaskContent): string {
  return sha256([
    't1',
    t.title,
    t.subtopics,
    t.minutes,
    t.accept,
    t.maxSizeMb,
    t.maxFiles,
    t.allowZip,
    t.prompt,
    t.rubric.map((c) => [c.id, c.name, c.levels.map((l) => [l.score, l.descriptor])]),
    t.reviewerNotes,
  ]);
}
