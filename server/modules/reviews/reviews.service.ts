// Reviews: reviewers grade upload sections blind against the task's rubric. This module owns the
// queue, the blind view of a submission and its files, one review per reviewer per section, and
// the moment the last required review lands: the section's score, the disagreement flag, and the
// attempt's final grade with its event and the candidate's result email, in one transaction.
import type { Ctx } from '../../context.js';
import type { Trx } from '../../db/database.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { recordEvent } from '../../events/events.js';
import type { RequestMeta, StaffActor } from '../../http/access.js';
import { toIso } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { authorize } from '../accounts/accounts.service.js';
import { can } from '../accounts/permissions.js';
import type { AttemptRow } from '../attempts/attempts.table.js';
import { recordAudit } from '../audit/audit.service.js';
import { getUploadTaskVersion } from '../bank/bank.service.js';
import { enqueueResultsAnalytics } from '../results/results.jobs.js';
import {
  combineSectionScores,
  enqueueAttemptPercentiles,
  getAssessmentContext,
  listSectionFiles,
  lockAttempt,
  markInvitationCompleted,
  parsePlan,
  queueAttemptEmail,
  transitionAttempt,
  updateAttempt,
} from './reviews.ports.js';
import {
  findReviewBy,
  findReviewItem,
  findReviewWithItem,
  insertReview,
  listQueue,
  listReviewItemsOfAttempt,
  listReviewsBy,
  listReviewsOfAttempt,
  listReviewsOfItem,
  updateReview,
  updateReviewItem,
} from './reviews.repository.js';
import type { ReviewItemRow, ReviewRow } from './reviews.table.js';

type Criterion = { id: string; name: string; levels: Array<{ score: number; descriptor: string }> };

const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw invalid('The cursor is not valid', { 'query.cursor': 'Use the nextCursor of the previous page' });
}

// ---------------------------------------------------------------------------------------------
// Rubric scoring (pure)

/**
 * Checks scores against the rubric (every criterion exactly once, each score one of its levels) and
 * returns the normalised total: the sum of the chosen levels over the sum of each criterion's best.
 */
export function scoreAgainstRubric(rubric: readonly Criterion[], scores: Readonly<Record<string, number>>) {
  const fields: Record<string, string> = {};
  const known = new Map(rubric.map((c) => [c.id, c]));
  for (const id of Object.keys(scores)) if (!known.has(id)) fields[`body.scores.${id}`] = 'No such criterion';
  let sum = 0;
  let max = 0;
  for (const c of rubric) {
    const v = scores[c.id];
    const levels = c.levels.map((l) => l.score);
    max += Math.max(...levels);
    if (v === undefined) fields[`body.scores.${c.id}`] = 'Score every criterion';
    else if (!levels.includes(v)) fields[`body.scores.${c.id}`] = `Choose one of ${levels.join(', ')}`;
    else sum += v;
  }
  if (Object.keys(fields).length) throw invalid('The scores do not match the rubric', fields);
  return { total: max > 0 ? sum / max : 0 };
}

/** The section's final score is the mean of the reviewers' totals; they disagree past the threshold. */
export function combineReviews(totals: readonly number[], threshold: number) {
  if (!totals.length) return { score: null, disagreement: false };
  const score = totals.reduce((a, b) => a + b, 0) / totals.length;
  // A tiny epsilon keeps 0.25 vs 0.25000000000000006 on the right side of the line.
  const disagreement = Math.max(...totals) - Math.min(...totals) > threshold + 1e-9;
  return { score, disagreement };
}

// ---------------------------------------------------------------------------------------------
// Who may see an item

/**
 * A member may open an item that is in the queue (open), one they reviewed, or any item when their
 * role reads results anyway. Anything else is a 404, like an item that doesn't exist.
 */
async function requireVisibleItem(ctx: Ctx, actor: StaffActor & { orgId: string }, reviewItemId: string) {
  const item = await findReviewItem(ctx.db, actor.orgId, reviewItemId);
  if (!item) throw notFound('Review item');
  const mine = await findReviewBy(ctx.db, actor.orgId, item.id, actor.userId);
  if (item.state !== 'open' && !mine && !can(actor.role, 'results.read')) throw notFound('Review item');
  return { item, mine };
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getQueue(ctx: Ctx, actor: StaffActor, query: { cursor?: string; limit: number }) {
  authorize(actor, 'reviews.perform');
  const after = decodeCursor(query.cursor, (v): v is [number, string] => {
    return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string';
  });
  const rows = await listQueue(ctx.db, {
    orgId: actor.orgId,
    reviewerId: actor.userId,
    after: after ? { submittedAt: after[0], id: after[1] } : undefined,
    limit: query.limit,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      assessment: { name: r.assessment_name },
      section: { title: r.section_title },
      submittedAt: toIso(r.submitted_at),
      reviewsRequired: r.reviewers_required,
      reviewsDone: r.reviews_done,
      demo: r.is_demo === 1,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.submitted_at, last.id]) : null,
  };
}

function blindExtension(ext: string): string {
  const clean = ext.toLowerCase().replace(/[^a-z0-9.]/g, '');
  return /^\.[a-z0-9]{1,10}$/.test(clean) ? clean : '.bin';
}

function toMine(r: ReviewRow) {
  return {
    id: r.id,
    scores: JSON.parse(r.scores) as Record<string, number>,
    total: r.total,
    comment: r.comment,
    submittedAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

/** The blind view of a submission: task, rubric, reviewer notes, numbered files, your review. */
export async function getReviewItem(ctx: Ctx, actor: StaffActor, reviewItemId: string) {
  authorize(actor, 'reviews.perform');
  const { item, mine } = await requireVisibleItem(ctx, actor, reviewItemId);
  const [task, files, context] = await Promise.all([
    getUploadTaskVersion(ctx.db, actor.orgId, item.task_version_id),
    listSectionFiles(ctx.db, actor.orgId, item.attempt_id, item.section_key),
    getAssessmentContext(ctx.db, actor.orgId, item.assessment_id),
  ]);
  let others: Array<{
    label: string;
    scores: Record<string, number>;
    total: number;
    comment: string;
  }> | null = null;
  if (mine) {
    const all = await listReviewsOfItem(ctx.db, actor.orgId, item.id);
    others = all
      .map((r, i) => ({ r, label: `Reviewer ${i + 1}` }))
      .filter(({ r }) => r.id !== mine.id)
      .map(({ r, label }) => ({
        label,
        scores: JSON.parse(r.scores) as Record<string, number>,
        total: r.total,
        comment: r.comment,
      }));
  }
  return {
    id: item.id,
    state: item.state,
    assessment: { name: context.assessmentName },
    section: { key: item.section_key, title: item.section_title },
    task: {
      title: task.title,
      prompt: task.prompt,
      rubric: task.rubric,
      reviewerNotes: task.reviewerNotes,
    },
    files: files.map((f, i) => ({
      id: f.id,
      label: `submission-${i + 1}${blindExtension(f.extension)}`,
      size: f.size,
      sha256: f.sha256,
      downloadUrl: `/api/v1/reviews/items/${item.id}/files/${f.id}`,
    })),
    submittedAt: toIso(item.submitted_at),
    reviewsRequired: item.reviewers_required,
    reviewsDone: item.reviews_done,
    mine: mine ? toMine(mine) : null,
    others,
    outcome:
      mine && item.state === 'complete' && item.score !== null
        ? { score: item.score, disagreement: item.disagreement === 1 }
        : null,
  };
}

/** A submission's file for a reviewer, under a blind name. */
export async function openBlindFile(ctx: Ctx, actor: StaffActor, reviewItemId: string, uploadId: string) {
  authorize(actor, 'reviews.perform');
  const { item } = await requireVisibleItem(ctx, actor, reviewItemId);
  const files = await listSectionFiles(ctx.db, actor.orgId, item.attempt_id, item.section_key);
  const index = files.findIndex((f) => f.id === uploadId);
  const file = files[index];
  if (!file) throw notFound('File');
  const stream = await ctx.blobs.get(file.blob_key).catch(() => {
    throw notFound('File');
  });
  return { name: `submission-${index + 1}${blindExtension(file.extension)}`, size: file.size, stream };
}

export async function listMyReviews(ctx: Ctx, actor: StaffActor, query: { cursor?: string; limit: number }) {
  authorize(actor, 'reviews.perform');
  const rows = await listReviewsBy(ctx.db, {
    orgId: actor.orgId,
    reviewerId: actor.userId,
    cursor: query.cursor,
    limit: query.limit,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      reviewItemId: r.review_item_id,
      assessment: { name: r.assessment_name },
      section: { title: r.section_title },
      state: r.state,
      total: r.total,
      submittedAt: toIso(r.created_at),
      updatedAt: toIso(r.updated_at),
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

export type ReviewInput = { scores: Record<string, number>; comment: string };

/**
 * Submits the caller's review of an upload section. When it is the last required one, in the same
 * transaction: the section's score (mean of the reviewers' totals) and disagreement flag, and, when
 * every upload section of the attempt is done, the attempt's final grade (see gradeReviewedAttempt).
 */
export async function submitReview(
  ctx: Ctx,
  actor: StaffActor,
  reviewItemId: string,
  input: ReviewInput,
  meta: RequestMeta,
) {
  authorize(actor, 'reviews.perform');
  const { item, mine } = await requireVisibleItem(ctx, actor, reviewItemId);
  if (mine) throw conflict('You have already reviewed this submission; edit your review instead');
  const task = await getUploadTaskVersion(ctx.db, actor.orgId, item.task_version_id);
  const { total } = scoreAgainstRubric(task.rubric, input.scores);
  const context = await getAssessmentContext(ctx.db, actor.orgId, item.assessment_id);
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    // The attempt's row lock orders every review of its sections: the last one always sees the rest.
    const attempt = await lockAttempt(trx, actor.orgId, item.attempt_id, now);
    const fresh = await findReviewItem(trx, actor.orgId, item.id);
    if (!attempt || !fresh) throw notFound('Review item');
    if (fresh.state !== 'open') throw conflict('This submission already has all the reviews it needs');
    if (await findReviewBy(trx, actor.orgId, item.id, actor.userId))
      throw conflict('You have already reviewed this submission; edit your review instead');
    const reviewId = newId(now);
    await insertReview(trx, {
      id: reviewId,
      org_id: actor.orgId,
      review_item_id: item.id,
      reviewer_user_id: actor.userId,
      scores: JSON.stringify(input.scores),
      total,
      comment: input.comment,
      created_at: now,
      updated_at: now,
    });
    const done = fresh.reviews_done + 1;
    const complete = done >= fresh.reviewers_required;
    let outcome: { score: number | null; disagreement: boolean } = { score: null, disagreement: false };
    if (complete) {
      const totals = (await listReviewsOfItem(trx, actor.orgId, item.id)).map((r) => r.total);
      outcome = combineReviews(totals, context.settings.disagreementThreshold);
    }
    await updateReviewItem(trx, actor.orgId, item.id, {
      reviews_done: done,
      ...(complete
        ? {
            state: 'complete' as const,
            score: outcome.score,
            disagreement: outcome.disagreement ? 1 : 0,
            completed_at: now,
          }
        : {}),
    });
    const live = !attempt.is_demo && !attempt.is_preview;
    if (live) {
      await recordEvent(ctx, trx, {
        orgId: actor.orgId,
        type: 'review.completed',
        subjectId: reviewId,
        data: {
          reviewId,
          reviewItemId: item.id,
          attemptId: attempt.id,
          assessmentId: attempt.assessment_id,
          candidateId: attempt.candidate_id,
          sectionKey: item.section_key,
          total,
          reviewsDone: done,
          reviewsRequired: fresh.reviewers_required,
        },
      });
    }
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'review.submitted',
      targetType: 'review_item',
      targetId: item.id,
      details: { attemptId: attempt.id, sectionKey: item.section_key, total },
      meta,
    });
    if (complete) await gradeReviewedAttempt(ctx, trx, attempt, context);
  });
  return getReviewItem(ctx, actor, item.id);
}

type AssessmentContext = Awaited<ReturnType<typeof getAssessmentContext>>;

/**
 * When every upload section of an attempt awaiting review has its reviews: the final score from the
 * sections' scores (combineSectionScores), awaiting_review → graded (conditional, so it happens once),
 * the `attempt.graded` event, the invitation completed if it was not, the percentile and analytics
 * refreshes (deduplicated per slot), and the candidate's result email per the feedback policy, which
 * the conditional transition makes exactly once. Demo and preview attempts get no event or email.
 * Returns whether this call graded the attempt.
 */
async function gradeReviewedAttempt(
  ctx: Ctx,
  trx: Trx,
  attempt: AttemptRow,
  context: AssessmentContext,
): Promise<boolean> {
  if (attempt.status !== 'awaiting_review') return false;
  const plan = parsePlan(attempt.plan);
  const items = new Map(
    (await listReviewItemsOfAttempt(trx, attempt.org_id, attempt.id)).map((i) => [i.section_key, i]),
  );
  const scores = storedScores(attempt);
  for (const s of plan.sections) {
    if (s.kind !== 'upload') continue;
    const item = items.get(s.key);
    if (item?.state !== 'complete' || item.score === null) return false;
    scores.bySection[s.key] = item.score;
  }
  const score = combineSectionScores(plan.sections, scores.bySection);
  const now = ctx.clock.now();
  const changed = await transitionAttempt(trx, attempt.org_id, attempt.id, 'awaiting_review', {
    status: 'graded',
    score,
    scores: JSON.stringify(scores),
    graded_at: now,
    updated_at: now,
  });
  if (!changed || attempt.is_preview || attempt.is_demo) return changed;
  await recordEvent(ctx, trx, {
    orgId: attempt.org_id,
    type: 'attempt.graded',
    subjectId: attempt.id,
    data: {
      attemptId: attempt.id,
      assessmentId: attempt.assessment_id,
      candidateId: attempt.candidate_id,
      score,
      status: 'graded',
    },
  });
  if (attempt.invitation_id) await markInvitationCompleted(ctx, trx, attempt.invitation_id);
  const ref = { orgId: attempt.org_id, assessmentId: attempt.assessment_id };
  await enqueueAttemptPercentiles(ctx, trx, ref);
  await enqueueResultsAnalytics(ctx, trx, ref);
  if (attempt.candidate_id) {
    await queueAttemptEmail(ctx, trx, {
      kind: context.settings.feedbackPolicy === 'none' ? 'thanks' : 'result',
      orgId: attempt.org_id,
      candidateId: attempt.candidate_id,
      context,
      score,
      bySubtopic: scores.bySubtopic,
    });
  }
  return true;
}

type Scores = {
  byItem: Record<string, number>;
  bySection: Record<string, number | null>;
  bySubtopic: Record<string, number>;
};

function storedScores(a: Pick<AttemptRow, 'scores'>): Scores {
  const s = (a.scores ? JSON.parse(a.scores) : {}) as Partial<Scores>;
  return { byItem: s.byItem ?? {}, bySection: s.bySection ?? {}, bySubtopic: s.bySubtopic ?? {} };
}

/**
 * Edits the caller's submitted review (audited as review.edited). A complete section is re-scored,
 * and a graded attempt's final score follows, with its percentile and statistics refreshed; the
 * candidate is not emailed again.
 */
export async function editReview(
  ctx: Ctx,
  actor: StaffActor,
  reviewItemId: string,
  input: ReviewInput,
  meta: RequestMeta,
) {
  authorize(actor, 'reviews.perform');
  const { item, mine } = await requireVisibleItem(ctx, actor, reviewItemId);
  if (!mine) throw notFound('Review');
  const task = await getUploadTaskVersion(ctx.db, actor.orgId, item.task_version_id);
  const { total } = scoreAgainstRubric(task.rubric, input.scores);
  const context = await getAssessmentContext(ctx.db, actor.orgId, item.assessment_id);
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const attempt = await lockAttempt(trx, actor.orgId, item.attempt_id, now);
    const review = await findReviewBy(trx, actor.orgId, item.id, actor.userId);
    const fresh = await findReviewItem(trx, actor.orgId, item.id);
    if (!attempt || !review || !fresh) throw notFound('Review');
    await updateReview(trx, actor.orgId, review.id, {
      scores: JSON.stringify(input.scores),
      total,
      comment: input.comment,
      updated_at: now,
    });
    await recordAudit(ctx, trx, {
      orgId: actor.orgId,
      actorUserId: actor.userId,
      action: 'review.edited',
      targetType: 'review',
      targetId: review.id,
      details: {
        reviewItemId: item.id,
        attemptId: attempt.id,
        before: { scores: JSON.parse(review.scores) as unknown, total: review.total },
        after: { scores: input.scores, total },
      },
      meta,
    });
    if (fresh.state !== 'complete') return;
    const totals = (await listReviewsOfItem(trx, actor.orgId, item.id)).map((r) => r.total);
    const outcome = combineReviews(totals, context.settings.disagreementThreshold);
    await updateReviewItem(trx, actor.orgId, item.id, {
      score: outcome.score,
      disagreement: outcome.disagreement ? 1 : 0,
    });
    if (attempt.status === 'graded') await rescoreGradedAttempt(ctx, trx, attempt, item, outcome.score);
  });
  return getReviewItem(ctx, actor, item.id);
}

async function rescoreGradedAttempt(
  ctx: Ctx,
  trx: Trx,
  attempt: AttemptRow,
  item: ReviewItemRow,
  sectionScore: number | null,
) {
  const plan = parsePlan(attempt.plan);
  const scores = storedScores(attempt);
  scores.bySection[item.section_key] = sectionScore;
  await updateAttempt(trx, attempt.org_id, attempt.id, {
    score: combineSectionScores(plan.sections, scores.bySection),
    scores: JSON.stringify(scores),
    updated_at: ctx.clock.now(),
  });
  if (attempt.is_preview || attempt.is_demo) return;
  const ref = { orgId: attempt.org_id, assessmentId: attempt.assessment_id };
  await enqueueAttemptPercentiles(ctx, trx, ref);
  await enqueueResultsAnalytics(ctx, trx, ref);
}

/** One review, for staff who read reviews and for integrations following a review.completed link. */
export async function getReview(ctx: Ctx, actor: StaffActor, reviewId: string) {
  authorize(actor, 'reviews.read');
  const r = await findReviewWithItem(ctx.db, actor.orgId, reviewId);
  if (!r) throw notFound('Review');
  return {
    id: r.id,
    reviewItemId: r.review_item_id,
    attemptId: r.attempt_id,
    assessmentId: r.assessment_id,
    sectionKey: r.section_key,
    reviewer: { userId: r.reviewer_user_id, name: r.reviewer_name },
    scores: JSON.parse(r.scores) as Record<string, number>,
    total: r.total,
    comment: r.comment,
    submittedAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    item: {
      state: r.state,
      reviewsRequired: r.reviewers_required,
      reviewsDone: r.reviews_done,
      score: r.score,
      disagreement: r.disagreement === 1,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// For the results module (staff report): no actor, the caller checked results.read.

export async function listAttemptReviews(ctx: Pick<Ctx, 'db'>, orgId: string, attemptId: string) {
  const [items, reviews] = await Promise.all([
    listReviewItemsOfAttempt(ctx.db, orgId, attemptId),
    listReviewsOfAttempt(ctx.db, orgId, attemptId),
  ]);
  return items.map((i) => ({
    reviewItemId: i.id,
    sectionKey: i.section_key,
    state: i.state,
    reviewsRequired: i.reviewers_required,
    reviewsDone: i.reviews_done,
    score: i.score,
    disagreement: i.disagreement === 1,
    reviews: reviews
      .filter((r) => r.review_item_id === i.id)
      .map((r) => ({
        id: r.id,
        reviewer: { userId: r.reviewer_user_id, name: r.reviewer_name },
        scores: JSON.parse(r.scores) as Record<string, number>,
        total: r.total,
        comment: r.comment,
        submittedAt: toIso(r.created_at),
        updatedAt: toIso(r.updated_at),
      })),
  }));
}
