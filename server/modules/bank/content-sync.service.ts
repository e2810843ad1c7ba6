// Loads the content library (and private packs) from files into the database at start. Keyed by
// content hash: an unchanged item is skipped, a changed one gets a new version (old versions stay as
// they were, so past attempts never change), and an item gone from the files is retired, never
// deleted. One fingerprint per source makes a start with nothing changed cost a few file reads.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { parse as parseYaml } from 'yaml';
import type { Ctx } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { newId } from '../../ids.js';
import type { QuestionSource, Taxonomy } from './bank.model.js';
import {
  deleteSyncScope,
  findSyncHash,
  insertQuestions,
  insertQuestionVersions,
  insertUploadTasks,
  insertUploadTaskVersions,
  listQuestionSlugsOfSource,
  listQuestionsOfSource,
  listSyncScopes,
  listUploadTaskSlugsOfSource,
  listUploadTasksOfSource,
  saveSyncHash,
  setQuestionsRetired,
  setUploadTasksRetired,
  updateQuestion,
  updateUploadTask,
} from './bank.repository.js';
import { questionContentHash, sortCorrect, uploadTaskContentHash } from './bank.rules.js';
import {
  builtInContentDir,
  type ContentLibrary,
  type ContentProblem,
  hashContentDir,
  type LoadedQuestion,
  type LoadedUploadTask,
  loadContentDir,
  loadTaxonomy,
} from './content-loader.js';

/** Content that fails validation: the process refuses to start with it. */
export class ContentInvalidError extends Error {
  /** Problems with absolute file paths. */
  readonly problems: ContentProblem[];
  constructor(what: string, root: string, problems: ContentProblem[]) {
    const absolute = problems.map((p) => ({ ...p, file: path.resolve(root, p.file) }));
    const shown = formatProblems(absolute.slice(0, 20));
    const more = absolute.length > 20 ? `\n… and ${absolute.length - 20} more` : '';
    super(
      `The ${what} is invalid (${absolute.length} problem${absolute.length === 1 ? '' : 's'}; \`assay content check ${root}\` lists them all):\n${shown}${more}`,
    );
    this.name = 'ContentInvalidError';
    this.problems = absolute;
  }
}

/** `file:line: message` lines, with files relative to the working directory when they are inside it. */
export function formatProblems(problems: ContentProblem[], cwd = process.cwd()): string {
  return problems
    .map((p) => {
      const rel = path.relative(cwd, p.file);
      return `${rel && !rel.startsWith('..') ? rel : p.file}:${p.line}: ${p.message}`;
    })
    .join('\n');
}

export type SyncCounts = {
  created: number;
  versioned: number;
  retired: number;
  restored: number;
  unchanged: number;
};
export type SyncReport = {
  scope: string;
  /** True when the fingerprint matched and nothing was read or written. */
  skipped: boolean;
  questions: SyncCounts;
  uploadTasks: SyncCounts;
};

const zero = (): SyncCounts => ({ created: 0, versioned: 0, retired: 0, restored: 0, unchanged: 0 });
const BUILTIN_SCOPE = 'builtin';
const packScope = (orgId: string) => `pack:${orgId}`;

// Parsing the library is the expensive part; tests that build many databases share one parse.
const loadCache = new Map<string, ContentLibrary>();
function loadCached(dir: string, hash: string, taxonomy?: Taxonomy): ContentLibrary {
  const key = `${path.resolve(dir)}\u0000${hash}`;
  const hit = loadCache.get(key);
  if (hit) return hit;
  const lib = loadContentDir(dir, taxonomy ? { taxonomy } : {});
  if (loadCache.size > 20) loadCache.clear();
  loadCache.set(key, lib);
  return lib;
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '23503' || /FOREIGN KEY constraint failed/i.test(e?.message ?? '');
}

/**
 * Several processes may start at once: one syncs, the others wait here and then find its fingerprint.
 * On SQLite a write as the first statement takes the write lock (waiting out the busy timeout) before
 * anything is read, so the reads that follow can't be stale.
 */
async function lockSync(ctx: Ctx, trx: Trx): Promise<void> {
  if (ctx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7402913, 1)`.execute(trx);
  else await sql`update content_sync set synced_at = synced_at where scope = ${'(lock)'}`.execute(trx);
}

/**
 * Loads the built-in library into the database. Throws ContentInvalidError when the files are
 * invalid; `force` re-checks every item even when the fingerprint is unchanged.
 */
export async function syncBuiltInContent(
  ctx: Ctx,
  opts: { dir?: string; force?: boolean } = {},
): Promise<SyncReport> {
  const dir = opts.dir ?? builtInContentDir();
  const hash = hashContentDir(dir);
  const report: SyncReport = { scope: BUILTIN_SCOPE, skipped: true, questions: zero(), uploadTasks: zero() };
  if (!opts.force && (await findSyncHash(ctx.db, BUILTIN_SCOPE)) === hash) return report;

  const lib = loadCached(dir, hash);
  if (lib.problems.length) throw new ContentInvalidError('built-in content', lib.root, lib.problems);
  return applyLibrary(ctx, {
    scope: BUILTIN_SCOPE,
    orgId: null,
    source: 'builtin',
    hash,
    force: !!opts.force,
    questions: lib.questions,
    uploadTasks: lib.uploadTasks,
  });
}

type PackGroup = { orgId: string; dirs: string[]; hash: string };

/**
 * Loads every private pack named in ASSAY_CONTENT_DIRS as content owned by the organization in its
 * pack.yaml. Invalid packs throw; a pack whose organization doesn't exist is skipped with a warning.
 * An organization whose packs are no longer configured has its pack items retired.
 */
export async function syncContentPacks(
  ctx: Ctx,
  opts: { dirs?: string[]; force?: boolean } = {},
): Promise<SyncReport[]> {
  const dirs = opts.dirs ?? ctx.config.contentDirs;
  const builtIn = builtInContentDir();
  const taxonomyHash = createHash('sha256')
    .update(fs.readFileSync(path.join(builtIn, 'taxonomy.yaml')))
    .digest('hex');

  const groups = new Map<string, PackGroup>();
  for (const dir of dirs) {
    const manifest = path.join(dir, 'pack.yaml');
    if (!fs.existsSync(manifest)) {
      throw new ContentInvalidError('content pack', dir, [
        {
          file: 'pack.yaml',
          line: 1,
          message: 'a content pack needs a pack.yaml with `organization: <organization id>`',
        },
      ]);
    }
    let orgId: unknown;
    try {
      orgId = (parseYaml(fs.readFileSync(manifest, 'utf8')) as { organization?: unknown } | null)
        ?.organization;
    } catch {
      orgId = undefined;
    }
    if (typeof orgId !== 'string' || !orgId.trim()) {
      // Let the full loader describe what is wrong, with lines.
      const lib = loadContentDir(dir, { taxonomy: loadTaxonomy(builtIn) });
      throw new ContentInvalidError(
        'content pack',
        dir,
        lib.problems.length
          ? lib.problems
          : [{ file: 'pack.yaml', line: 1, message: 'organization is required' }],
      );
    }
    const g = groups.get(orgId.trim()) ?? { orgId: orgId.trim(), dirs: [], hash: '' };
    g.dirs.push(path.resolve(dir));
    groups.set(g.orgId, g);
  }

  const reports: SyncReport[] = [];
  for (const g of groups.values()) {
    const h = createHash('sha256').update(taxonomyHash);
    for (const d of [...g.dirs].sort()) h.update(`\u0000${d}\u0000${hashContentDir(d)}`);
    g.hash = h.digest('hex');
    const scope = packScope(g.orgId);
    const report: SyncReport = { scope, skipped: true, questions: zero(), uploadTasks: zero() };
    if (!opts.force && (await findSyncHash(ctx.db, scope)) === g.hash) {
      reports.push(report);
      continue;
    }
    const taxonomy = loadTaxonomy(builtIn);
    const questions: LoadedQuestion[] = [];
    const uploadTasks: LoadedUploadTask[] = [];
    const seenQ = new Map<string, string>();
    const seenT = new Map<string, string>();
    for (const dir of g.dirs) {
      const lib = loadCached(dir, hashContentDir(dir), taxonomy);
      const problems = [...lib.problems];
      // Several packs of one organization share its id space.
      for (const q of lib.questions) {
        const other = seenQ.get(q.id);
        if (other)
          problems.push({
            file: q.file,
            line: q.line,
            message: `question id "${q.id}" is also used in the pack ${other}`,
          });
        else seenQ.set(q.id, dir);
      }
      for (const t of lib.uploadTasks) {
        const other = seenT.get(t.id);
        if (other)
          problems.push({
            file: t.file,
            line: t.line,
            message: `upload task id "${t.id}" is also used in the pack ${other}`,
          });
        else seenT.set(t.id, dir);
      }
      if (problems.length) throw new ContentInvalidError('content pack', dir, problems);
      questions.push(...lib.questions.map((q) => ({ ...q, file: path.join(dir, q.file) })));
      uploadTasks.push(...lib.uploadTasks.map((t) => ({ ...t, file: path.join(dir, t.file) })));
    }
    // A pack item may not take an id the organization already uses for a custom item.
    const customQ = new Set((await listQuestionSlugsOfSource(ctx.db, g.orgId, 'custom')).map((r) => r.slug));
    const customT = new Set(
      (await listUploadTaskSlugsOfSource(ctx.db, g.orgId, 'custom')).map((r) => r.slug),
    );
    const clashes: ContentProblem[] = [
      ...questions
        .filter((q) => customQ.has(q.id))
        .map((q) => ({
          file: q.file,
          line: q.line,
          message: `question id "${q.id}" is already used by a custom question of the organization`,
        })),
      ...uploadTasks
        .filter((t) => customT.has(t.id))
        .map((t) => ({
          file: t.file,
          line: t.line,
          message: `upload task id "${t.id}" is already used by a custom upload task of the organization`,
        })),
    ];
    if (clashes.length) throw new ContentInvalidError('content pack', g.dirs[0]!, clashes);

    try {
      reports.push(
        await applyLibrary(ctx, {
          scope,
          orgId: g.orgId,
          source: 'pack',
          hash: g.hash,
          force: !!opts.force,
          questions,
          uploadTasks,
        }),
      );
    } catch (err) {
      // The organization is the accounts module's; its foreign key tells us it doesn't exist.
      if (!isForeignKeyViolation(err)) throw err;
      ctx.log.warn(
        { organization: g.orgId, dirs: g.dirs },
        'content pack skipped: its organization does not exist (create it, then restart or run `assay content sync`)',
      );
    }
  }

  // Packs taken out of the configuration: their items leave new draws, their history stays.
  for (const row of await listSyncScopes(ctx.db)) {
    if (!row.scope.startsWith('pack:')) continue;
    const orgId = row.scope.slice('pack:'.length);
    if (groups.has(orgId)) continue;
    reports.push(
      await applyLibrary(ctx, {
        scope: row.scope,
        orgId,
        source: 'pack',
        hash: null,
        force: true,
        questions: [],
        uploadTasks: [],
      }),
    );
  }
  return reports;
}

/** The built-in library, then the packs: what `assay serve` runs after migrating. */
export async function syncAllContent(ctx: Ctx): Promise<SyncReport[]> {
  return [await syncBuiltInContent(ctx), ...(await syncContentPacks(ctx))];
}

// ---------------------------------------------------------------------------------------------

type ApplyInput = {
  scope: string;
  orgId: string | null;
  source: QuestionSource;
  /** Null: the source is gone; retire everything it owns and forget its fingerprint. */
  hash: string | null;
  force: boolean;
  questions: LoadedQuestion[];
  uploadTasks: LoadedUploadTask[];
};

async function applyLibrary(ctx: Ctx, input: ApplyInput): Promise<SyncReport> {
  const report: SyncReport = { scope: input.scope, skipped: false, questions: zero(), uploadTasks: zero() };
  // Hashing happens before the transaction, which then holds only SQL.
  const questions = input.questions.map((q) => ({ q, hash: questionContentHash(q) }));
  const tasks = input.uploadTasks.map((t) => ({ t, hash: uploadTaskContentHash(t) }));

  await ctx.db.transaction().execute(async (trx) => {
    await lockSync(ctx, trx);
    if (!input.force && input.hash && (await findSyncHash(trx, input.scope)) === input.hash) {
      report.skipped = true; // another instance synced it while we waited for the lock
      return;
    }
    const now = ctx.clock.now();
    await applyQuestions(trx, input, questions, now, report.questions);
    await applyUploadTasks(trx, input, tasks, now, report.uploadTasks);
    if (input.hash) await saveSyncHash(trx, input.scope, input.hash, now);
    else await deleteSyncScope(trx, input.scope);
  });
  if (!report.skipped) {
    ctx.log.info(
      { scope: input.scope, questions: report.questions, uploadTasks: report.uploadTasks },
      'content synced',
    );
  }
  return report;
}

async function applyQuestions(
  trx: Trx,
  input: ApplyInput,
  items: Array<{ q: LoadedQuestion; hash: string }>,
  now: number,
  counts: SyncCounts,
): Promise<void> {
  const existing = new Map(
    (await listQuestionsOfSource(trx, input.orgId, input.source)).map((r) => [r.slug, r]),
  );
  const newQuestions: Parameters<typeof insertQuestions>[1] = [];
  const newVersions: Parameters<typeof insertQuestionVersions>[1] = [];
  const updates: Array<[string, Parameters<typeof updateQuestion>[2]]> = [];
  const toRetire: string[] = [];
  const toRestore: string[] = [];
  const seen = new Set<string>();

  for (const { q, hash } of items) {
    seen.add(q.id);
    const row = existing.get(q.id);
    const versionId = newId(now);
    const version = (n: number, questionId: string) => ({
      id: versionId,
      question_id: questionId,
      version: n,
      kind: q.kind,
      subtopic: q.subtopic,
      difficulty: q.difficulty,
      stem: q.stem,
      options: JSON.stringify(q.options.map((o) => ({ id: o.id, text: o.text }))),
      correct: JSON.stringify(sortCorrect(q.options, q.correct)),
      explanation: q.explanation,
      seconds: q.seconds,
      tags: JSON.stringify(q.tags),
      content_hash: hash,
      created_at: now,
    });
    if (!row) {
      const id = newId(now);
      newQuestions.push({
        id,
        org_id: input.orgId,
        slug: q.id,
        source: input.source,
        kind: q.kind,
        subtopic: q.subtopic,
        difficulty: q.difficulty,
        current_version_id: versionId,
        retired: q.retired ? 1 : 0,
        created_at: now,
        updated_at: now,
      });
      newVersions.push(version(1, id));
      counts.created++;
      continue;
    }
    if (row.content_hash !== hash) {
      newVersions.push(version(row.version + 1, row.id));
      updates.push([
        row.id,
        {
          current_version_id: versionId,
          kind: q.kind,
          subtopic: q.subtopic,
          difficulty: q.difficulty,
          retired: q.retired ? 1 : 0,
          updated_at: now,
        },
      ]);
      counts.versioned++;
      if (row.retired !== (q.retired ? 1 : 0)) q.retired ? counts.retired++ : counts.restored++;
      continue;
    }
    if (row.retired === 0 && q.retired) toRetire.push(row.id);
    else if (row.retired === 1 && !q.retired) toRestore.push(row.id);
    else counts.unchanged++;
  }
  for (const row of existing.values()) if (!seen.has(row.slug) && row.retired === 0) toRetire.push(row.id);

  await insertQuestions(trx, newQuestions);
  await insertQuestionVersions(trx, newVersions);
  for (const [id, set] of updates) await updateQuestion(trx, id, set);
  await setQuestionsRetired(trx, toRetire, true, now);
  await setQuestionsRetired(trx, toRestore, false, now);
  counts.retired += toRetire.length;
  counts.restored += toRestore.length;
}

async function applyUploadTasks(
  trx: Trx,
  input: ApplyInput,
  items: Array<{ t: LoadedUploadTask; hash: string }>,
  now: number,
  counts: SyncCounts,
): Promise<void> {
  const existing = new Map(
    (await listUploadTasksOfSource(trx, input.orgId, input.source)).map((r) => [r.slug, r]),
  );
  const newTasks: Parameters<typeof insertUploadTasks>[1] = [];
  const newVersions: Parameters<typeof insertUploadTaskVersions>[1] = [];
  const updates: Array<[string, Parameters<typeof updateUploadTask>[2]]> = [];
  const toRetire: string[] = [];
  const toRestore: string[] = [];
  const seen = new Set<string>();

  for (const { t, hash } of items) {
    seen.add(t.id);
    const row = existing.get(t.id);
    const versionId = newId(now);
    const version = (n: number, taskId: string) => ({
      id: versionId,
      task_id: taskId,
      version: n,
      title: t.title,
      subtopics: JSON.stringify(t.subtopics),
      minutes: t.minutes,
      accept: JSON.stringify(t.accept),
      max_size_mb: t.maxSizeMb,
      max_files: t.maxFiles,
      allow_zip: t.allowZip ? 1 : 0,
      prompt: t.prompt,
      rubric: JSON.stringify(t.rubric),
      reviewer_notes: t.reviewerNotes,
      content_hash: hash,
      created_at: now,
    });
    if (!row) {
      const id = newId(now);
      newTasks.push({
        id,
        org_id: input.orgId,
        slug: t.id,
        source: input.source,
        current_version_id: versionId,
        retired: t.retired ? 1 : 0,
        created_at: now,
        updated_at: now,
      });
      newVersions.push(version(1, id));
      counts.created++;
      continue;
    }
    if (row.content_hash !== hash) {
      newVersions.push(version(row.version + 1, row.id));
      updates.push([row.id, { current_version_id: versionId, retired: t.retired ? 1 : 0, updated_at: now }]);
      counts.versioned++;
      if (row.retired !== (t.retired ? 1 : 0)) t.retired ? counts.retired++ : counts.restored++;
      continue;
    }
    if (row.retired === 0 && t.retired) toRetire.push(row.id);
    else if (row.retired === 1 && !t.retired) toRestore.push(row.id);
    else counts.unchanged++;
  }
  for (const row of existing.values()) if (!seen.has(row.slug) && row.retired === 0) toRetire.push(row.id);

  await insertUploadTasks(trx, newTasks);
  await insertUploadTaskVersions(trx, newVersions);
  for (const [id, set] of updates) await updateUploadTask(trx, id, set);
  await setUploadTasksRetired(trx, toRetire, true, now);
  await setUploadTasksRetired(trx, toRestore, false, now);
  counts.retired += toRetire.length;
  counts.restored += toRestore.length;
}
