// Typed SQL for the results module's own tables (saved views, notes, benchmarks, item statistics),
// and the few reads and writes it makes on invitations and attempts as the pipeline's read model
// (stage changes, the rows a report, a comparison or the analytics job start from).
import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { Stage } from '../invitations/invitations.table.js';
import type {
  AssessmentStatsTable,
  CandidateNotesTable,
  ItemStatsTable,
  QuestionStatsTable,
  RoleBenchmarksTable,
  SavedViewsTable,
} from './results.table.js';

// ---------------------------------------------------------------------------------------------
// Invitations and attempts (read model)

/** An invitation of the organization with its candidate and assessment names. */
export function findInvitationRow(db: DbOrTrx, orgId: string, invitationId: string) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .innerJoin('assessments as s', 's.id', 'i.assessment_id')
    .select([
      'i.id',
      'i.org_id',
      'i.assessment_id',
      'i.candidate_id',
      'i.stage',
      'i.status',
      'c.is_demo as candidate_demo',
      's.is_demo as assessment_demo',
    ])
    .where('i.org_id', '=', orgId)
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
}

/** Sets an invitation's stage unless it already is that stage; true when it changed. */
export async function updateInvitationStage(
  db: DbOrTrx,
  orgId: string,
  invitationId: string,
  from: Stage,
  to: Stage,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ stage: to, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', invitationId)
    .where('stage', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** An attempt of the organization with its invitation, candidate and assessment. */
export function findAttemptWithContext(db: DbOrTrx, orgId: string, attemptId: string) {
  return db
    .selectFrom('attempts as a')
    .innerJoin('assessments as s', 's.id', 'a.assessment_id')
    .leftJoin('invitations as i', 'i.id', 'a.invitation_id')
    .leftJoin('candidates as c', 'c.id', 'a.candidate_id')
    .select([
      'a.id',
      'a.org_id',
      'a.assessment_id',
      'a.invitation_id',
      'a.candidate_id',
      'a.status',
      'a.score',
      'a.scores',
      'a.percentile',
      'a.integrity_tier',
      'a.started_at',
      'a.submitted_at',
      'a.graded_at',
      'a.updated_at',
      'a.is_demo',
      'a.is_preview',
      's.name as assessment_name',
      's.role_template_id',
      's.is_demo as assessment_demo',
      'i.stage',
      'c.name as candidate_name',
      'c.email as candidate_email',
      'c.external_id as candidate_external_id',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', attemptId)
    .executeTakeFirst();
}

export function listAttemptsWithContext(db: DbOrTrx, orgId: string, attemptIds: readonly string[]) {
  return db
    .selectFrom('attempts as a')
    .innerJoin('assessments as s', 's.id', 'a.assessment_id')
    .leftJoin('invitations as i', 'i.id', 'a.invitation_id')
    .leftJoin('candidates as c', 'c.id', 'a.candidate_id')
    .select([
      'a.id',
      'a.assessment_id',
      'a.invitation_id',
      'a.candidate_id',
      'a.status',
      'a.score',
      'a.scores',
      'a.percentile',
      'a.integrity_tier',
      'a.started_at',
      'a.submitted_at',
      's.name as assessment_name',
      'i.stage',
      'c.name as candidate_name',
    ])
    .where('a.org_id', '=', orgId)
    .where('a.id', 'in', [...attemptIds])
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Notes

export async function insertNote(db: DbOrTrx, row: Insertable<CandidateNotesTable>): Promise<void> {
  await db.insertInto('candidate_notes').values(row).execute();
}

export function listNotes(db: DbOrTrx, orgId: string, invitationId: string, limit: number) {
  return db
    .selectFrom('candidate_notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_user_id')
    .select(['n.id', 'n.kind', 'n.body', 'n.author_user_id', 'u.name as author_name', 'n.created_at'])
    .where('n.org_id', '=', orgId)
    .where('n.invitation_id', '=', invitationId)
    .orderBy('n.id', 'desc')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Saved views

export async function insertSavedView(db: DbOrTrx, row: Insertable<SavedViewsTable>): Promise<void> {
  await db.insertInto('saved_views').values(row).execute();
}

export function findSavedView(db: DbOrTrx, orgId: string, userId: string, viewId: string) {
  return db
    .selectFrom('saved_views')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('id', '=', viewId)
    .executeTakeFirst();
}

export function listSavedViews(
  db: DbOrTrx,
  f: { orgId: string; userId: string; cursor?: string; limit: number },
) {
  let q = db
    .selectFrom('saved_views')
    .selectAll()
    .where('org_id', '=', f.orgId)
    .where('user_id', '=', f.userId)
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.cursor) q = q.where('id', '>', f.cursor);
  return q.execute();
}

export async function updateSavedView(
  db: DbOrTrx,
  orgId: string,
  userId: string,
  viewId: string,
  set: Updateable<SavedViewsTable>,
): Promise<boolean> {
  const r = await db
    .updateTable('saved_views')
    .set(set)
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('id', '=', viewId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteSavedView(db: DbOrTrx, orgId: string, userId: string, viewId: string) {
  const r = await db
    .deleteFrom('saved_views')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('id', '=', viewId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks and item statistics (written by the analytics job)

export function findBenchmark(db: DbOrTrx, orgId: string, roleTemplateId: string, cohort: 'live' | 'demo') {
  return db
    .selectFrom('role_benchmarks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('role_template_id', '=', roleTemplateId)
    .where('cohort', '=', cohort)
    .executeTakeFirst();
}

export async function upsertBenchmark(db: DbOrTrx, row: Insertable<RoleBenchmarksTable>): Promise<void> {
  await db
    .insertInto('role_benchmarks')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['org_id', 'role_template_id', 'cohort']).doUpdateSet({
        graded_count: row.graded_count,
        median_score: row.median_score,
        median_by_subtopic: row.median_by_subtopic,
        computed_at: row.computed_at,
      }),
    )
    .execute();
}

/** Graded attempts' scores for a role template's benchmark (a job's scan, never a request's). */
export function listGradedScoresForRole(db: DbOrTrx, orgId: string, roleTemplateId: string, demo: boolean) {
  return db
    .selectFrom('attempts as a')
    .innerJoin('assessments as s', 's.id', 'a.assessment_id')
    .select(['a.score', 'a.scores'])
    .where('s.org_id', '=', orgId)
    .where('s.role_template_id', '=', roleTemplateId)
    .where('a.org_id', '=', orgId)
    .where('a.status', '=', 'graded')
    .where('a.is_preview', '=', 0)
    .where('a.is_demo', '=', demo ? 1 : 0)
    .where('a.score', 'is not', null)
    .execute();
}

/** The attempts whose quiz marks count in an assessment's statistics. */
/** One page of an assessment's scored attempts, in id order after `afterId` (keyset pagination). */
export function listScoredAttemptsPage(
  db: DbOrTrx,
  q: { orgId: string; assessmentId: string; demo: boolean; afterId: string | null; limit: number },
) {
  let query = db
    .selectFrom('attempts')
    .select(['id', 'plan', 'scores'])
    .where('org_id', '=', q.orgId)
    .where('assessment_id', '=', q.assessmentId)
    .where('status', 'in', ['graded', 'awaiting_review'])
    .where('is_preview', '=', 0)
    .where('is_demo', '=', q.demo ? 1 : 0)
    .where('scores', 'is not', null);
  if (q.afterId !== null) query = query.where('id', '>', q.afterId);
  return query.orderBy('id').limit(q.limit).execute();
}

export async function listAnswersOf(db: DbOrTrx, attemptIds: readonly string[]) {
  const out: Array<{ attempt_id: string; item_key: string; choice: string }> = [];
  for (let i = 0; i < attemptIds.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('answers')
        .select(['attempt_id', 'item_key', 'choice'])
        .where('attempt_id', 'in', attemptIds.slice(i, i + 500))
        .execute()),
    );
  }
  return out;
}

export async function replaceAssessmentStats(
  db: DbOrTrx,
  assessmentId: string,
  summary: Insertable<AssessmentStatsTable>,
  items: Insertable<ItemStatsTable>[],
): Promise<void> {
  await db.deleteFrom('item_stats').where('assessment_id', '=', assessmentId).execute();
  await db.deleteFrom('assessment_stats').where('assessment_id', '=', assessmentId).execute();
  await db.insertInto('assessment_stats').values(summary).execute();
  for (let i = 0; i < items.length; i += 200) {
    await db
      .insertInto('item_stats')
      .values(items.slice(i, i + 200))
      .execute();
  }
}

/** Every assessment's row for the given question versions (organization totals are their sums). */
export async function listItemSumsForVersions(db: DbOrTrx, orgId: string, versionIds: readonly string[]) {
  const out: Array<{ question_version_id: string; question_id: string; sums: string }> = [];
  for (let i = 0; i < versionIds.length; i += 200) {
    out.push(
      ...(await db
        .selectFrom('item_stats')
        .select(['question_version_id', 'question_id', 'sums'])
        .where('org_id', '=', orgId)
        .where('question_version_id', 'in', versionIds.slice(i, i + 200))
        .where('is_demo', '=', 0)
        .execute()),
    );
  }
  return out;
}

export async function replaceQuestionStats(
  db: DbOrTrx,
  orgId: string,
  versionIds: readonly string[],
  rows: Insertable<QuestionStatsTable>[],
): Promise<void> {
  for (let i = 0; i < versionIds.length; i += 200) {
    await db
      .deleteFrom('question_stats')
      .where('org_id', '=', orgId)
      .where('question_version_id', 'in', versionIds.slice(i, i + 200))
      .execute();
  }
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('question_stats')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

export function findAssessmentStats(db: DbOrTrx, orgId: string, assessmentId: string) {
  return db
    .selectFrom('assessment_stats')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('assessment_id', '=', assessmentId)
    .executeTakeFirst();
}

export function listItemStats(
  db: DbOrTrx,
  f: { orgId: string; assessmentId: string; flagged?: boolean; cursor?: string; limit: number },
) {
  let q = db
    .selectFrom('item_stats')
    .selectAll()
    .where('assessment_id', '=', f.assessmentId)
    .where('org_id', '=', f.orgId)
    .orderBy('question_version_id')
    .limit(f.limit + 1);
  if (f.flagged !== undefined) q = q.where('flagged', '=', f.flagged ? 1 : 0);
  if (f.cursor) q = q.where('question_version_id', '>', f.cursor);
  return q.execute();
}

export function listQuestionStats(
  db: DbOrTrx,
  f: { orgId: string; flagged?: boolean; cursor?: string; limit: number },
) {
  let q = db
    .selectFrom('question_stats')
    .selectAll()
    .where('org_id', '=', f.orgId)
    .orderBy('question_version_id')
    .limit(f.limit + 1);
  if (f.flagged !== undefined) q = q.where('flagged', '=', f.flagged ? 1 : 0);
  if (f.cursor) q = q.where('question_version_id', '>', f.cursor);
  return q.execute();
}
