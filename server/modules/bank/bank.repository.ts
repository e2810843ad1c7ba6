// Typed SQL for questions, upload tasks, their versions and the content-sync fingerprints. Every
// query on an organization's items takes the organization id; built-in items have org_id null.
import { type Insertable, type RawBuilder, sql, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { Difficulty, QuestionKind, QuestionSource } from './bank.model.js';
import type {
  QuestionsTable,
  QuestionVersionsTable,
  UploadTasksTable,
  UploadTaskVersionsTable,
} from './bank.table.js';

/** Which items a list shows: the built-in library, the organization's own, or both. */
export type SourceScope = 'builtin' | 'organization' | 'all';

const CHUNK = 200;
async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** Escapes LIKE wildcards so a search for `50%` finds the text "50%". */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Case-insensitive substring match on any of the columns, the same on SQLite and PostgreSQL. */
function containsText(columns: string[], text: string): RawBuilder<boolean> {
  const pattern = likePattern(text);
  return sql<boolean>`(${sql.join(
    columns.map((c) => sql`lower(${sql.ref(c)}) like ${pattern} escape '\\'`),
    sql` or `,
  )})`;
}

// ---------------------------------------------------------------------------------------------
// Questions

function questionsWithCurrent(db: DbOrTrx) {
  return db
    .selectFrom('questions as q')
    .innerJoin('question_versions as v', 'v.id', 'q.current_version_id')
    .select([
      'q.id',
      'q.org_id',
      'q.slug',
      'q.source',
      'q.kind',
      'q.subtopic',
      'q.difficulty',
      'q.retired',
      'q.created_at',
      'q.updated_at',
      'v.id as version_id',
      'v.version',
      'v.stem',
      'v.options',
      'v.correct',
      'v.explanation',
      'v.seconds',
      'v.tags',
      'v.content_hash',
    ]);
}
export type QuestionWithCurrent = Awaited<
  ReturnType<ReturnType<typeof questionsWithCurrent>['execute']>
>[number];

export type QuestionFilter = {
  orgId: string;
  source: SourceScope;
  subtopic?: string;
  difficulty?: Difficulty;
  kind?: QuestionKind;
  q?: string;
  includeRetired: boolean;
  cursor?: string;
  limit: number;
};

export function listQuestions(db: DbOrTrx, f: QuestionFilter) {
  let query = questionsWithCurrent(db)
    .orderBy('q.id')
    .limit(f.limit + 1);
  if (f.source === 'builtin') query = query.where('q.org_id', 'is', null);
  else if (f.source === 'organization') query = query.where('q.org_id', '=', f.orgId);
  else query = query.where((eb) => eb.or([eb('q.org_id', 'is', null), eb('q.org_id', '=', f.orgId)]));
  if (!f.includeRetired) query = query.where('q.retired', '=', 0);
  if (f.subtopic) query = query.where('q.subtopic', '=', f.subtopic);
  if (f.difficulty) query = query.where('q.difficulty', '=', f.difficulty);
  if (f.kind) query = query.where('q.kind', '=', f.kind);
  if (f.q) query = query.where(containsText(['v.stem', 'q.slug'], f.q));
  if (f.cursor) query = query.where('q.id', '>', f.cursor);
  return query.execute();
}

/** A question the organization may see: built-in or its own. Another organization's is not found. */
export function findQuestionForOrg(db: DbOrTrx, orgId: string, questionId: string) {
  return questionsWithCurrent(db)
    .where('q.id', '=', questionId)
    .where((eb) => eb.or([eb('q.org_id', 'is', null), eb('q.org_id', '=', orgId)]))
    .executeTakeFirst();
}

export function listQuestionVersions(db: DbOrTrx, questionId: string) {
  return db
    .selectFrom('question_versions')
    .selectAll()
    .where('question_id', '=', questionId)
    .orderBy('version', 'desc')
    .execute();
}

export function findQuestionIdBySlug(db: DbOrTrx, orgId: string, slug: string) {
  return db
    .selectFrom('questions')
    .select('id')
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/** The items one content source owns, with the hash of their current version (for the sync). */
export function listQuestionsOfSource(db: DbOrTrx, orgId: string | null, source: QuestionSource) {
  let q = db
    .selectFrom('questions as q')
    .innerJoin('question_versions as v', 'v.id', 'q.current_version_id')
    .select(['q.id', 'q.slug', 'q.retired', 'v.version', 'v.content_hash'])
    .where('q.source', '=', source);
  q = orgId === null ? q.where('q.org_id', 'is', null) : q.where('q.org_id', '=', orgId);
  return q.execute();
}

export function listQuestionSlugsOfSource(db: DbOrTrx, orgId: string, source: QuestionSource) {
  return db
    .selectFrom('questions')
    .select('slug')
    .where('org_id', '=', orgId)
    .where('source', '=', source)
    .execute();
}

export async function insertQuestions(db: DbOrTrx, rows: Insertable<QuestionsTable>[]) {
  await insertChunked(rows, (chunk) => db.insertInto('questions').values(chunk).execute());
}

export async function insertQuestionVersions(db: DbOrTrx, rows: Insertable<QuestionVersionsTable>[]) {
  await insertChunked(rows, (chunk) => db.insertInto('question_versions').values(chunk).execute());
}

export async function updateQuestion(db: DbOrTrx, id: string, set: Updateable<QuestionsTable>) {
  await db.updateTable('questions').set(set).where('id', '=', id).execute();
}

export async function setQuestionsRetired(db: DbOrTrx, ids: string[], retired: boolean, now: number) {
  await insertChunked(ids, (chunk) =>
    db
      .updateTable('questions')
      .set({ retired: retired ? 1 : 0, updated_at: now })
      .where('id', 'in', chunk)
      .execute(),
  );
}

export type DrawFilter = {
  orgId: string;
  ownOnly: boolean;
  subtopic?: string;
  difficulty?: Difficulty;
};

export function listDrawable(db: DbOrTrx, f: DrawFilter) {
  let q = db
    .selectFrom('questions')
    .select(['id', 'current_version_id', 'subtopic', 'difficulty'])
    .where('retired', '=', 0);
  q = f.ownOnly
    ? q.where('org_id', '=', f.orgId)
    : q.where((eb) => eb.or([eb('org_id', 'is', null), eb('org_id', '=', f.orgId)]));
  if (f.subtopic) q = q.where('subtopic', '=', f.subtopic);
  if (f.difficulty) q = q.where('difficulty', '=', f.difficulty);
  return q.orderBy('id').execute();
}

export async function listQuestionVersionsByIds(db: DbOrTrx, versionIds: readonly string[]) {
  const out = [];
  for (let i = 0; i < versionIds.length; i += CHUNK) {
    const chunk = versionIds.slice(i, i + CHUNK);
    out.push(
      ...(await db
        .selectFrom('question_versions as v')
        .innerJoin('questions as q', 'q.id', 'v.question_id')
        .selectAll('v')
        .select(['q.org_id', 'q.slug', 'q.source'])
        .where('v.id', 'in', chunk)
        .execute()),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Upload tasks

function tasksWithCurrent(db: DbOrTrx) {
  return db
    .selectFrom('upload_tasks as t')
    .innerJoin('upload_task_versions as v', 'v.id', 't.current_version_id')
    .select([
      't.id',
      't.org_id',
      't.slug',
      't.source',
      't.retired',
      't.created_at',
      't.updated_at',
      'v.id as version_id',
      'v.version',
      'v.title',
      'v.subtopics',
      'v.minutes',
      'v.accept',
      'v.max_size_mb',
      'v.max_files',
      'v.allow_zip',
      'v.prompt',
      'v.rubric',
      'v.reviewer_notes',
      'v.content_hash',
    ]);
}
export type UploadTaskWithCurrent = Awaited<
  ReturnType<ReturnType<typeof tasksWithCurrent>['execute']>
>[number];

export type UploadTaskFilter = {
  orgId: string;
  source: SourceScope;
  subtopic?: string;
  q?: string;
  includeRetired: boolean;
  cursor?: string;
  limit: number;
};

export function listUploadTasks(db: DbOrTrx, f: UploadTaskFilter) {
  let query = tasksWithCurrent(db)
    .orderBy('t.id')
    .limit(f.limit + 1);
  if (f.source === 'builtin') query = query.where('t.org_id', 'is', null);
  else if (f.source === 'organization') query = query.where('t.org_id', '=', f.orgId);
  else query = query.where((eb) => eb.or([eb('t.org_id', 'is', null), eb('t.org_id', '=', f.orgId)]));
  if (!f.includeRetired) query = query.where('t.retired', '=', 0);
  // Subtopics are a JSON array of ids; ids are kebab-case, so the quoted id can't match anything else.
  if (f.subtopic) query = query.where('v.subtopics', 'like', `%${JSON.stringify(f.subtopic)}%`);
  if (f.q) query = query.where(containsText(['v.title', 'v.prompt', 't.slug'], f.q));
  if (f.cursor) query = query.where('t.id', '>', f.cursor);
  return query.execute();
}

export function findUploadTaskForOrg(db: DbOrTrx, orgId: string, taskId: string) {
  return tasksWithCurrent(db)
    .where('t.id', '=', taskId)
    .where((eb) => eb.or([eb('t.org_id', 'is', null), eb('t.org_id', '=', orgId)]))
    .executeTakeFirst();
}

/** Upload tasks visible to the organization by content id; its own win over a built-in of that id. */
export function listUploadTasksBySlugs(db: DbOrTrx, orgId: string | null, slugs: readonly string[]) {
  if (!slugs.length) return Promise.resolve([]);
  return tasksWithCurrent(db)
    .where('t.slug', 'in', [...slugs])
    .where((eb) =>
      orgId === null
        ? eb('t.org_id', 'is', null)
        : eb.or([eb('t.org_id', 'is', null), eb('t.org_id', '=', orgId)]),
    )
    .execute();
}

export function listUploadTaskVersions(db: DbOrTrx, taskId: string) {
  return db
    .selectFrom('upload_task_versions')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('version', 'desc')
    .execute();
}

export function findUploadTaskVersion(db: DbOrTrx, versionId: string) {
  return db
    .selectFrom('upload_task_versions as v')
    .innerJoin('upload_tasks as t', 't.id', 'v.task_id')
    .selectAll('v')
    .select(['t.org_id', 't.slug', 't.source'])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}

export function findUploadTaskIdBySlug(db: DbOrTrx, orgId: string, slug: string) {
  return db
    .selectFrom('upload_tasks')
    .select('id')
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

export function listUploadTasksOfSource(db: DbOrTrx, orgId: string | null, source: QuestionSource) {
  let q = db
    .selectFrom('upload_tasks as t')
    .innerJoin('upload_task_versions as v', 'v.id', 't.current_version_id')
    .select(['t.id', 't.slug', 't.retired', 'v.version', 'v.content_hash'])
    .where('t.source', '=', source);
  q = orgId === null ? q.where('t.org_id', 'is', null) : q.where('t.org_id', '=', orgId);
  return q.execute();
}

export function listUploadTaskSlugsOfSource(db: DbOrTrx, orgId: string, source: QuestionSource) {
  return db
    .selectFrom('upload_tasks')
    .select('slug')
    .where('org_id', '=', orgId)
    .where('source', '=', source)
    .execute();
}

export async function insertUploadTasks(db: DbOrTrx, rows: Insertable<UploadTasksTable>[]) {
  await insertChunked(rows, (chunk) => db.insertInto('upload_tasks').values(chunk).execute());
}

export async function insertUploadTaskVersions(db: DbOrTrx, rows: Insertable<UploadTaskVersionsTable>[]) {
  await insertChunked(rows, (chunk) => db.insertInto('upload_task_versions').values(chunk).execute());
}

export async function updateUploadTask(db: DbOrTrx, id: string, set: Updateable<UploadTasksTable>) {
  await db.updateTable('upload_tasks').set(set).where('id', '=', id).execute();
}

export async function setUploadTasksRetired(db: DbOrTrx, ids: string[], retired: boolean, now: number) {
  await insertChunked(ids, (chunk) =>
    db
      .updateTable('upload_tasks')
      .set({ retired: retired ? 1 : 0, updated_at: now })
      .where('id', 'in', chunk)
      .execute(),
  );
}

// ---------------------------------------------------------------------------------------------
// Content-sync fingerprints

export async function findSyncHash(db: DbOrTrx, scope: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('content_sync')
    .select('content_hash')
    .where('scope', '=', scope)
    .executeTakeFirst();
  return r?.content_hash;
}

export async function saveSyncHash(db: DbOrTrx, scope: string, hash: string, now: number) {
  await db
    .insertInto('content_sync')
    .values({ scope, content_hash: hash, synced_at: now })
    .onConflict((oc) => oc.column('scope').doUpdateSet({ content_hash: hash, synced_at: now }))
    .execute();
}

export function listSyncScopes(db: DbOrTrx) {
  return db.selectFrom('content_sync').select(['scope', 'content_hash']).execute();
}

export async function deleteSyncScope(db: DbOrTrx, scope: string) {
  await db.deleteFrom('content_sync').where('scope', '=', scope).execute();
}
