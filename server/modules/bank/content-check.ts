// `assay content check [path]`: validates the built-in library or a private pack without a database.
import path from 'node:path';
import type { ContentProblem } from './content-loader.js';
import { builtInContentDir, loadContentDir } from './content-loader.js';
import { formatProblems } from './content-sync.service.js';

export type ContentCheck = {
  ok: boolean;
  /** Problems with absolute file paths. */
  problems: ContentProblem[];
  /** What to print: one `file:line: message` per problem, or a one-line summary when clean. */
  output: string;
};

export function checkContent(dir = builtInContentDir(), cwd = process.cwd()): ContentCheck {
  const root = path.resolve(cwd, dir);
  const lib = loadContentDir(root);
  const problems = lib.problems.map((p) => ({ ...p, file: path.join(root, p.file) }));
  if (problems.length) {
    return {
      ok: false,
      problems,
      output: `${formatProblems(problems, cwd)}\n${problems.length} problem${problems.length === 1 ? '' : 's'} found.`,
    };
  }
  const multiple = lib.questions.filter((q) => q.kind === 'multiple').length;
  const what = lib.kind === 'pack' ? ` (a pack for organization ${lib.pack?.organization})` : '';
  const rel = path.relative(cwd, root);
  const where = !rel ? '.' : rel.startsWith('..') ? root : rel;
  const roles = lib.kind === 'pack' ? '' : `, ${lib.roles.length} role templates`;
  return {
    ok: true,
    problems,
    output: `Content OK: ${lib.questions.length} questions (${multiple} multiple-answer), ${lib.uploadTasks.length} upload tasks${roles} in ${where}${what}`,
  };
}
