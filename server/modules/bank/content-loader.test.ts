import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentStats } from '../../../scripts/content-stats.js';
import { checkContent } from './content-check.js';
import { builtInContentDir, hashContentDir, loadContentDir } from './content-loader.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of the valid base library with one case's files laid over it. */
function withCase(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-content-${name}-`));
  tmpDirs.push(dir);
  fs.cpSync(path.join(fixtures, 'base'), dir, { recursive: true });
  fs.cpSync(path.join(fixtures, 'cases', name), dir, { recursive: true });
  return dir;
}

describe('the shipped content', () => {
  it('passes `assay content check` with a one-line summary', () => {
    const r = checkContent();
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(
      /^Content OK: \d+ questions \(\d+ multiple-answer\), \d+ upload tasks, 12 role templates/,
    );
    expect(r.output.split('\n')).toHaveLength(1);
  });

  it('meets the minimums of the library', () => {
    const s = contentStats();
    expect(s.unmet).toEqual([]);
    expect(s.total).toBeGreaterThanOrEqual(300);
  });

  it('is found from the package root, not the working directory', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    expect(builtInContentDir()).toBe(path.join(root, 'content'));
    expect(fs.existsSync(path.join(builtInContentDir(), 'taxonomy.yaml'))).toBe(true);
  });
});

describe('content check', () => {
  it('accepts the fixture base library', () => {
    expect(loadContentDir(path.join(fixtures, 'base')).problems).toEqual([]);
  });

  // Each case introduces one problem; the validator must report exactly it, at the right line.
  const cases: Array<[string, string, number, RegExp]> = [
    ['yaml-syntax', 'questions/databases/extra.yaml', 4, /YAML syntax/],
    ['schema-type', 'questions/databases/extra.yaml', 6, /fx-slow: seconds: .*expected number/],
    ['unknown-field', 'questions/databases/extra.yaml', 13, /unknown field hint/],
    [
      'duplicate-id',
      'questions/databases/extra.yaml',
      2,
      /duplicate question id "fx-primary-key".*basics\.yaml:2/,
    ],
    ['single-two-correct', 'questions/databases/extra.yaml', 11, /exactly one correct option \(found 2\)/],
    [
      'multiple-one-correct',
      'questions/databases/extra.yaml',
      12,
      /at least two correct options \(found 1\)/,
    ],
    ['correct-not-option', 'questions/databases/extra.yaml', 11, /correct answer "e" is not an option id/],
    ['duplicate-option-id', 'questions/databases/extra.yaml', 11, /duplicate option id "b"/],
    ['duplicate-option-text', 'questions/databases/extra.yaml', 11, /duplicate option text/],
    ['unknown-subtopic', 'questions/databases/extra.yaml', 4, /unknown subtopic "databse"/],
    ['empty-explanation', 'questions/databases/extra.yaml', 12, /explanation is empty/],
    ['role-weights-sum', 'roles.yaml', 5, /weights sum to 90, not 100/],
    ['role-difficulty-sum', 'roles.yaml', 7, /difficulty mix sums to 90, not 100/],
    ['role-unknown-subtopic', 'roles.yaml', 7, /unknown subtopic "cooking"/],
    ['role-unknown-task', 'roles.yaml', 10, /unknown upload task "no-such-task"/],
    [
      'role-unsatisfiable',
      'roles.yaml',
      6,
      /draws 2 easy databases questions but the bank has 2 active \(needs at least 4\)/,
    ],
    ['task-few-criteria', 'upload-tasks/schema-task.yaml', 8, /rubric: .*>=3/],
    ['task-unknown-subtopic', 'upload-tasks/schema-task.yaml', 3, /unknown subtopic "frontend"/],
    ['pack-no-organization', 'pack.yaml', 1, /organization: is required/],
  ];

  it('has a case for every fixture folder', () => {
    expect(fs.readdirSync(path.join(fixtures, 'cases')).sort()).toEqual(cases.map((c) => c[0]).sort());
  });

  it.each(cases)('%s: reports %s:%i', (name, file, line, message) => {
    const dir = withCase(name);
    const problems = loadContentDir(dir).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, line });
    expect(problems[0]!.message).toMatch(message);
  });

  it('prints file:line: message per problem, relative to the working directory, and fails', () => {
    const dir = withCase('duplicate-option-id');
    const r = checkContent(dir, path.dirname(dir));
    expect(r.ok).toBe(false);
    const [first, summary] = r.output.split('\n');
    expect(first).toBe(
      `${path.basename(dir)}/questions/databases/extra.yaml:11: fx-dup-option-id: duplicate option id "b" (also option 2)`,
    );
    expect(summary).toBe('1 problem found.');
  });

  it('reports every problem at once, not only the first', () => {
    const dir = withCase('duplicate-option-id');
    fs.cpSync(path.join(fixtures, 'cases', 'role-weights-sum'), dir, { recursive: true });
    fs.cpSync(path.join(fixtures, 'cases', 'task-unknown-subtopic'), dir, { recursive: true });
    expect(
      loadContentDir(dir)
        .problems.map((p) => p.file)
        .sort(),
    ).toEqual(['questions/databases/extra.yaml', 'roles.yaml', 'upload-tasks/schema-task.yaml']);
  });

  it('fingerprints the files without parsing them, and notices any change', () => {
    const dir = withCase('role-unknown-task');
    const before = hashContentDir(dir);
    expect(hashContentDir(dir)).toBe(before);
    fs.appendFileSync(path.join(dir, 'roles.yaml'), '\n');
    expect(hashContentDir(dir)).not.toBe(before);
  });
});
