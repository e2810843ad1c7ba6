// The pipeline read model: invitations joined with their candidate, assessment and attempt, in one
// index-backed query per page. The results module reads these tables directly (it is the read model
// over the invitations and attempts modules' rows); the sort keys it orders by live on invitations
// and are kept in step by database triggers (migration 0005).
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DbOrTrx, Dialect } from '../../db/database.js';
import type { Stage } from '../invitations/invitations.table.js';

export const pipelineStatuses = [
  'invited',
  'opened',
  'in_progress',
  'completed',
  'awaiting_review',
  'graded',
  'expired',
  'revoked',
] as const;
export type PipelineStatus = (typeof pipelineStatuses)[number];

export const integrityTiers = ['none', 'some', 'major'] as const;
export type IntegrityTier = (typeof integrityTiers)[number];

export type PipelineSortKey = 'newest' | 'score' | 'percentile' | 'submitted' | 'name' | `subtopic:${string}`;

export type PipelineFilter = {
  orgId: string;
  assessmentId?: string;
  statuses?: readonly PipelineStatus[];
  stages?: readonly Stage[];
  tiers?: readonly IntegrityTier[];
  minScore?: number;
  maxScore?: number;
  q?: string;
  /** Only these invitations (bulk actions, exports of a selection). */
  invitationIds?: readonly string[];
  sort: PipelineSortKey;
  order: 'asc' | 'desc';
  /** The sort value and id of the last row of the previous page. */
  after?: { value: string | number | null; id: string };
  limit: number;
  now: number;
};

/** Escapes LIKE wildcards so a search for `a_b` finds the text "a_b". */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The one definition of a pipeline row's status, from the invitation and its attempt. An attempt
 * outlives its link, so once there is one its status decides; a live invitation past its expiry is
 * expired even before the sweep marks it.
 */
export function statusSql(now: number) {
  return sql<PipelineStatus>`(case
    when a.status = 'graded' then 'graded'
    when a.status = 'awaiting_review' then 'awaiting_review'
    when a.status = 'submitted' then 'completed'
    when a.status = 'in_progress' then 'in_progress'
    when i.status = 'revoked' then 'revoked'
    when i.status = 'expired' then 'expired'
    when i.status in ('invited', 'opened') and i.expires_at <= ${now} then 'expired'
    when i.status = 'completed' then 'completed'
    when i.status = 'started' then 'in_progress'
    else i.status end)`;
}

/**
 * The same statuses as plain column predicates, for filtering: they mean exactly what statusSql
 * says (an attempt's status decides whenever there is one, and a.status is null only when there is
 * none), and a query planner can estimate them, so a filtered page still reads the sort's index.
 */
function statusPredicate(status: PipelineStatus, now: number) {
  const none = sql<SqlBool>`a.status is null`;
  switch (status) {
    case 'graded':
    case 'awaiting_review':
    case 'in_progress':
      return status === 'in_progress'
        ? sql<SqlBool>`(a.status = 'in_progress' or (${none} and i.status = 'started'))`
        : sql<SqlBool>`a.status = ${status}`;
    case 'completed':
      return sql<SqlBool>`(a.status = 'submitted' or (${none} and i.status = 'completed'))`;
    case 'revoked':
      return sql<SqlBool>`(${none} and i.status = 'revoked')`;
    case 'expired':
      return sql<SqlBool>`(${none} and (i.status = 'expired' or (i.status in ('invited', 'opened') and i.expires_at <= ${now})))`;
    case 'invited':
    case 'opened':
      return sql<SqlBool>`(${none} and i.status = ${status} and i.expires_at > ${now})`;
  }
}

/** The expression a sort orders by (never null, so keyset comparisons are plain). */
export function sortExpression(dialect: Dialect, sort: PipelineSortKey): RawBuilder<unknown> | null {
  switch (sort) {
    case 'newest':
      return null;
    case 'score':
      return sql.ref('i.sort_score');
    case 'percentile':
      return sql.ref('i.sort_percentile');
    case 'submitted':
      return sql.ref('i.sort_submitted');
    case 'name':
      return sql.ref('i.sort_name');
    default: {
      // A subtopic score: read from the attempt's stored scores. Not index-backed, but paginated.
      const subtopic = sort.slice('subtopic:'.length);
      return dialect === 'postgres'
        ? sql`coalesce(cast(cast(a.scores as jsonb) -> 'bySubtopic' ->> ${subtopic} as double precision), -1)`
        : sql`coalesce(json_extract(a.scores, ${`$.bySubtopic."${subtopic}"`}), -1)`;
    }
  }
}

export function pipelineQuery(db: DbOrTrx, dialect: Dialect, f: PipelineFilter) {
  const key = sortExpression(dialect, f.sort);
  const status = statusSql(f.now);
  let q = db
    .selectFrom('invitations as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .innerJoin('assessments as s', 's.id', 'i.assessment_id')
    .leftJoin('attempts as a', 'a.invitation_id', 'i.id')
    .select([
      'i.id',
      'i.assessment_id',
      'i.candidate_id',
      'i.stage',
      'i.source',
      'i.status as invitation_status',
      'i.created_at',
      'i.updated_at',
      'i.opened_at',
      'i.started_at',
      'i.completed_at',
      'i.expires_at',
      'i.extra_time',
      'c.name as candidate_name',
      'c.email as candidate_email',
      'c.external_id as candidate_external_id',
      'c.is_demo as candidate_demo',
      's.name as assessment_name',
      's.is_demo as assessment_demo',
      'a.id as attempt_id',
      'a.status as attempt_status',
      'a.score',
      'a.scores',
      'a.percentile',
      'a.started_at as attempt_started_at',
      'a.submitted_at',
      'a.graded_at',
      'a.integrity_tier',
      'a.updated_at as attempt_updated_at',
      status.as('status'),
      (key ?? sql<null>`null`).as('sort_value'),
    ])
    .where('i.org_id', '=', f.orgId);
  if (f.assessmentId) q = q.where('i.assessment_id', '=', f.assessmentId);
  if (f.invitationIds) q = q.where('i.id', 'in', f.invitationIds.length ? [...f.invitationIds] : ['']);
  if (f.statuses?.length) {
    const ors = f.statuses.map((st) => statusPredicate(st, f.now));
    q = q.where(sql<SqlBool>`(${sql.join(ors, sql` or `)})`);
  }
  if (f.stages?.length) q = q.where('i.stage', 'in', [...f.stages]);
  if (f.tiers?.length) q = q.where(sql`coalesce(a.integrity_tier, 'none')`, 'in', [...f.tiers]);
  if (f.minScore !== undefined || f.maxScore !== undefined) {
    // Any score filter means "has a score": unscored rows carry -1.
    q = q.where('i.sort_score', '>=', Math.max(0, f.minScore ?? 0));
    if (f.maxScore !== undefined) q = q.where('i.sort_score', '<=', f.maxScore);
  }
  if (f.q) {
    const p = likePattern(f.q);
    q = q.where(
      sql<SqlBool>`(lower(c.name) like ${p} escape '\\' or lower(c.email) like ${p} escape '\\' or lower(coalesce(c.external_id, '')) like ${p} escape '\\')`,
    );
  }
  const op = sql.raw(f.order === 'desc' ? '<' : '>');
  if (f.after) {
    q = key
      ? q.where(sql<SqlBool>`(${key}, i.id) ${op} (${f.after.value}, ${f.after.id})`)
      : q.where(sql<SqlBool>`i.id ${op} ${f.after.id}`);
  }
  if (key) q = q.orderBy(key, f.order);
  return q.orderBy('i.id', f.order).limit(f.limit + 1);
}

export type PipelineRowRecord = Awaited<ReturnType<ReturnType<typeof pipelineQuery>['execute']>>[number];

export function listPipelineRows(db: DbOrTrx, dialect: Dialect, f: PipelineFilter) {
  return pipelineQuery(db, dialect, f).execute();
}
