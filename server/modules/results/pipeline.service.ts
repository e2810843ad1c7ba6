// Results: the ranked, filterable pipeline of candidates (per assessment and across them), saved
// views of it, and the recruiter's actions on it: stage changes with notes, bulk reminders and
// extensions, and extra minutes for a running attempt. Reports, comparisons and exports are in
// reports.service.ts and exports.service.ts; item statistics in item-stats.service.ts.
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { recordEvent } from '../../events/events.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso, toIsoOrNull } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { findAssessmentOfOrg } from '../assessments/assessments.service.js';
import { recordAudit } from '../audit/audit.service.js';
import { extendInvitation, resendInvitation } from '../invitations/invitations.service.js';
import type { Stage } from '../invitations/invitations.table.js';
import {
  listPipelineRows,
  type PipelineFilter,
  type PipelineRowRecord,
  type PipelineSortKey,
} from './pipeline.repository.js';
import { lockAttempt, parsePlan, updateAttempt } from './results.ports.js';
import {
  deleteSavedView as deleteSavedViewRow,
  findInvitationRow,
  findSavedView,
  insertNote,
  insertSavedView,
  listSavedViews as listSavedViewRows,
  updateInvitationStage,
  updateSavedView as updateSavedViewRow,
} from './results.repository.js';
import type { PipelineQueryInput, PipelineRow, SavedViewQuery } from './results.schemas.js';
import { savedViewQuerySchema } from './results.schemas.js';
import type { SavedViewRow } from './results.table.js';

// ---------------------------------------------------------------------------------------------
// Rows and cursors

type StoredScores = { bySubtopic?: Record<string, number> };

export function toPipelineRow(r: PipelineRowRecord): PipelineRow {
  const scores = r.scores ? (JSON.parse(r.scores) as StoredScores) : {};
  return {
    invitationId: r.id,
    assessment: { id: r.assessment_id, name: r.assessment_name },
    candidate: {
      id: r.candidate_id,
      name: r.candidate_name,
      email: r.candidate_email,
      externalId: r.candidate_external_id,
    },
    demo: r.candidate_demo === 1 || r.assessment_demo === 1,
    status: r.status,
    stage: r.stage,
    attemptId: r.attempt_id,
    score: r.score,
    percentile: r.percentile,
    bySubtopic: scores.bySubtopic ?? {},
    timeTakenMs:
      r.attempt_started_at !== null && r.submitted_at !== null ? r.submitted_at - r.attempt_started_at : null,
    integrityTier: r.integrity_tier,
    invitedAt: toIso(r.created_at),
    startedAt: toIsoOrNull(r.attempt_started_at ?? r.started_at),
    submittedAt: toIsoOrNull(r.submitted_at ?? r.completed_at),
    expiresAt: toIso(r.expires_at),
    lastActivityAt: toIso(Math.max(r.updated_at, r.attempt_updated_at ?? 0)),
  };
}

const encodeCursor = (value: unknown, id: string) =>
  Buffer.from(JSON.stringify([value, id])).toString('base64url');

/** A cursor's sort value must have the sort's type (a crafted one must not reach the database). */
function fitsSort(sort: PipelineSortKey, value: unknown): boolean {
  if (sort === 'newest') return value === null;
  if (sort === 'name') return typeof value === 'string' && value.length <= 400;
  if (sort === 'submitted') return Number.isSafeInteger(value);
  return typeof value === 'number' && Number.isFinite(value);
}

function decodeCursor(cursor: string | undefined, sort: PipelineSortKey): PipelineFilter['after'] {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[1] === 'string' &&
      v[1].length <= 100 &&
      fitsSort(sort, v[0])
    )
      return { value: v[0] as string | number | null, id: v[1] };
  } catch {
    // fall through
  }
  throw invalid('The cursor is not valid', { 'query.cursor': 'Use the nextCursor of the previous page' });
}

export const defaultOrder = (sort: PipelineSortKey): 'asc' | 'desc' => (sort === 'name' ? 'asc' : 'desc');

export type PipelineFilters = Omit<PipelineQueryInput, 'cursor' | 'limit'>;

/** The repository filter for a query; the cursor must come from a page of the same sort. */
export function pipelineFilterOf(
  orgId: string,
  assessmentId: string | undefined,
  q: PipelineFilters,
  page: { cursor?: string; limit: number },
  now: number,
): PipelineFilter {
  if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore)
    throw invalid('The score range is empty', { 'query.minScore': 'At most maxScore' });
  return {
    orgId,
    assessmentId,
    statuses: q.status,
    stages: q.stage,
    tiers: q.integrityTier,
    minScore: q.minScore,
    maxScore: q.maxScore,
    q: q.q || undefined,
    sort: q.sort,
    order: q.order ?? defaultOrder(q.sort),
    after: decodeCursor(page.cursor, q.sort),
    limit: page.limit,
    now,
  };
}

async function requireAssessment(ctx: Ctx, orgId: string, assessmentId: string) {
  const a = await findAssessmentOfOrg(ctx.db, orgId, assessmentId);
  if (!a) throw notFound('Assessment');
  return a;
}

/** One page of the pipeline; `assessmentId` narrows it to one assessment. */
export async function listPipeline(
  ctx: Ctx,
  actor: StaffActor,
  assessmentId: string | undefined,
  query: PipelineQueryInput,
) {
  authorize(actor, 'results.read');
  if (assessmentId) await requireAssessment(ctx, actor.orgId, assessmentId);
  const f = pipelineFilterOf(actor.orgId, assessmentId, query, query, ctx.clock.now());
  const rows = await listPipelineRows(ctx.db, ctx.dialect, f);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toPipelineRow),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor(last.sort_value as string | number | null, last.id)
        : null,
  };
}

/** Walks the whole (filtered) pipeline page by page, for exports. */
export async function* walkPipeline(ctx: Ctx, f: Omit<PipelineFilter, 'after' | 'limit'>, pageSize = 500) {
  let after: PipelineFilter['after'];
  for (;;) {
    const rows = await listPipelineRows(ctx.db, ctx.dialect, { ...f, after, limit: pageSize });
    const page = rows.slice(0, pageSize);
    for (const r of page) yield r;
    const last = page.at(-1);
    if (rows.length <= pageSize || !last) return;
    after = { value: last.sort_value as string | number | null, id: last.id };
  }
}

// ---------------------------------------------------------------------------------------------
// Saved views

function toSavedView(r: SavedViewRow) {
  return {
    id: r.id,
    name: r.name,
    assessmentId: r.assessment_id,
    query: savedViewQuerySchema.parse(JSON.parse(r.query)),
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

export async function listSavedViews(ctx: Ctx, actor: StaffActor, page: { cursor?: string; limit: number }) {
  authorize(actor, 'results.read');
  const rows = await listSavedViewRows(ctx.db, { orgId: actor.orgId, userId: actor.userId, ...page });
  const items = rows.slice(0, page.limit);
  return {
    items: items.map(toSavedView),
    nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null,
  };
}

export async function createSavedView(
  ctx: Ctx,
  actor: StaffActor,
  input: { name: string; assessmentId: string | null; query: SavedViewQuery },
) {
  authorize(actor, 'results.read');
  if (input.assessmentId && !(await findAssessmentOfOrg(ctx.db, actor.orgId, input.assessmentId)))
    throw invalid('No such assessment', { 'body.assessmentId': 'Choose one of your assessments' });
  const now = ctx.clock.now();
  const row: SavedViewRow = {
    id: newId(now),
    org_id: actor.orgId,
    user_id: actor.userId,
    name: input.name,
    assessment_id: input.assessmentId,
    query: JSON.stringify(input.query),
    created_at: now,
    updated_at: now,
  };
  await insertSavedView(ctx.db, row);
  return toSavedView(row);
}

export async function getSavedView(ctx: Ctx, actor: StaffActor, viewId: string) {
  authorize(actor, 'results.read');
  const row = await findSavedView(ctx.db, actor.orgId, actor.userId, viewId);
  if (!row) throw notFound('Saved view');
  return toSavedView(row);
}

export async function updateSavedView(
  ctx: Ctx,
  actor: StaffActor,
  viewId: string,
  input: { name?: string; query?: SavedViewQuery },
) {
  authorize(actor, 'results.read');
  const changed = await updateSavedViewRow(ctx.db, actor.orgId, actor.userId, viewId, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.query !== undefined ? { query: JSON.stringify(input.query) } : {}),
    updated_at: ctx.clock.now(),
  });
  if (!changed) throw notFound('Saved view');
  return getSavedView(ctx, actor, viewId);
}

export async function deleteSavedView(ctx: Ctx, actor: StaffActor, viewId: string) {
  authorize(actor, 'results.read');
  if (!(await deleteSavedViewRow(ctx.db, actor.orgId, actor.userId, viewId))) throw notFound('Saved view');
}

// ---------------------------------------------------------------------------------------------
// Stage changes

/**
 * Moves one invitation to a stage, with an optional note: event `candidate.stage_changed` and an
 * audit entry in the same transaction. Setting the stage it already has changes nothing (the note is
 * still kept).
 */
async function changeStageIn(
  ctx: Ctx,
  trx: DbOrTrx,
  actor: StaffActor & { orgId: string },
  invitationId: string,
  input: { stage: Stage; note?: string },
  meta: RequestMeta,
) {
  const inv = await findInvitationRow(trx, actor.orgId, invitationId);
  if (!inv) throw notFound('Invitation');
  const now = ctx.clock.now();
  const changed =
    inv.stage !== input.stage &&
    (await updateInvitationStage(trx, actor.orgId, inv.id, inv.stage, input.stage, now));
  if (inv.stage !== input.stage && !changed)
    throw conflict('The stage changed meanwhile; reload and try again');
  if (input.note) {
    await insertNote(trx, {
      id: newId(now),
      org_id: actor.orgId,
      invitation_id: inv.id,
      author_user_id: actor.userId,
      kind: changed ? 'stage' : 'note',
      body: changed ? `${inv.stage} → ${input.stage}: ${input.note}` : input.note,
      created_at: now,
    });
  }
  if (changed) {
    // Demo data never reaches integrations.
    if (!inv.candidate_demo && !inv.assessment_demo) {
      await recordEvent(ctx, trx, {
        orgId: actor.orgId,
        type: 'candidate.stage_changed',
        subjectId: inv.id,
        data: {
          invitationId: inv.id,
          assessmentId: inv.assessment_id,
          candidateId: inv.candidate_id,
          from: inv.stage,
          to: input.stage,
        },
      });
    }
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'candidate.stage_changed',
      targetType: 'invitation',
      targetId: inv.id,
      details: { candidateId: inv.candidate_id, from: inv.stage, to: input.stage, withNote: !!input.note },
      meta,
    });
  }
  return { invitationId: inv.id, stage: input.stage, previousStage: inv.stage, changed };
}

export async function changeStage(
  ctx: Ctx,
  actor: StaffActor,
  invitationId: string,
  input: { stage: Stage; note?: string },
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  return ctx.db.transaction().execute((trx) => changeStageIn(ctx, trx, actor, invitationId, input, meta));
}

type BulkResult = { invitationId: string; ok: boolean; error: { code: string; message: string } | null };

async function eachInvitation(ids: readonly string[], fn: (id: string) => Promise<unknown>) {
  const results: BulkResult[] = [];
  for (const invitationId of [...new Set(ids)]) {
    try {
      await fn(invitationId);
      results.push({ invitationId, ok: true, error: null });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ invitationId, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  return { results };
}

/** Each invitation in its own transaction; one that fails (not found, conflict) doesn't stop the rest. */
export async function bulkChangeStage(
  ctx: Ctx,
  actor: StaffActor,
  input: { invitationIds: string[]; stage: Stage; note?: string },
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  return eachInvitation(input.invitationIds, (id) =>
    ctx.db.transaction().execute((trx) => changeStageIn(ctx, trx, actor, id, input, meta)),
  );
}

/** Reminds (a fresh link by email) or extends invitations, through the invitations module. */
export async function bulkInvitationAction(
  ctx: Ctx,
  actor: StaffActor,
  input: { action: 'remind' | 'extend'; invitationIds: string[]; days?: number },
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  return eachInvitation(input.invitationIds, (id) =>
    input.action === 'remind'
      ? resendInvitation(ctx, actor, id, meta)
      : extendInvitation(ctx, actor, id, input.days ?? 7, meta),
  );
}

// ---------------------------------------------------------------------------------------------
// Extra time

/**
 * Gives a running attempt more minutes: the current section's deadline (when it runs) and the
 * attempt's close time move by that much. Audited.
 */
export async function grantExtraTime(
  ctx: Ctx,
  actor: StaffActor,
  attemptId: string,
  minutes: number,
  meta: RequestMeta,
) {
  authorize(actor, 'candidates.manage');
  const ms = minutes * 60_000;
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const a = await lockAttempt(trx, actor.orgId, attemptId, now);
    if (!a) throw notFound('Attempt');
    if (a.status !== 'in_progress') throw conflict('Only an attempt in progress can get more time');
    const plan = parsePlan(a.plan);
    const deadline = a.section_deadline_at === null ? null : a.section_deadline_at + ms;
    const times = plan.times[a.current_section];
    if (times && deadline !== null) plan.times[a.current_section] = { ...times, deadlineAt: deadline };
    const closeAt = a.close_at + ms;
    await updateAttempt(trx, actor.orgId, a.id, {
      section_deadline_at: deadline,
      close_at: closeAt,
      plan: JSON.stringify(plan),
      updated_at: now,
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'attempt.extra_time_granted',
      targetType: 'attempt',
      targetId: a.id,
      details: {
        minutes,
        candidateId: a.candidate_id,
        sectionKey: plan.sections[a.current_section]?.key ?? null,
        sectionDeadlineAt: deadline,
        closeAt,
      },
      meta,
    });
    return { attemptId: a.id, minutes, sectionDeadlineAt: toIsoOrNull(deadline), closeAt: toIso(closeAt) };
  });
}
