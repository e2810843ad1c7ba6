// The attempts module's jobs: grading a submitted attempt, closing what ran out of time, and
// refreshing an assessment's percentiles off the candidate's path.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { defineJob } from '../../jobs/job.js';
import { enqueueResultsAnalytics } from '../results/results.jobs.js';
import { openReviewItems } from '../reviews/review-items.js';
import { recomputeCohortPercentiles } from './attempts.repository.js';
import { closeOverdueAttempts } from './attempts.service.js';
import { gradeSubmittedAttempt } from './grading.js';

const PERCENTILE_SLOT_MS = 60_000;

/** Recomputes the percentiles of an assessment's cohort; at most once a minute per assessment. */
export const attemptPercentilesJob = defineJob({
  name: 'attempts.percentiles',
  payload: z.object({ orgId: z.string(), assessmentId: z.string() }),
  concurrency: 2,
  async handler(ctx, { orgId, assessmentId }) {
    await recomputeCohortPercentiles(ctx.db, ctx.dialect, orgId, assessmentId);
  },
});

/**
 * One refresh per assessment per minute, run at the end of the minute so the grades of that minute
 * are all in it. Call in the transaction that graded an attempt (here, or when its reviews complete).
 */
export async function enqueueAttemptPercentiles(
  ctx: Pick<Ctx, 'jobs' | 'clock'>,
  trx: DbOrTrx,
  a: { orgId: string; assessmentId: string },
): Promise<void> {
  const slot = Math.floor(ctx.clock.now() / PERCENTILE_SLOT_MS);
  await ctx.jobs.enqueue(
    trx,
    attemptPercentilesJob,
    { orgId: a.orgId, assessmentId: a.assessmentId },
    { key: `attempts.percentiles:${a.assessmentId}:${slot}`, runAt: (slot + 1) * PERCENTILE_SLOT_MS },
  );
}

/** Grades one submitted attempt. Enqueued in the submit transaction under a dedupe key. */
export const gradeAttemptJob = defineJob({
  name: 'attempts.grade',
  payload: z.object({ orgId: z.string(), attemptId: z.string() }),
  concurrency: 8,
  maxAttempts: 10,
  backoffMs: 2_000,
  async handler(ctx, { orgId, attemptId }) {
    await gradeSubmittedAttempt(ctx, orgId, attemptId, async (trx, a) => {
      await enqueueAttemptPercentiles(ctx, trx, a);
      await enqueueResultsAnalytics(ctx, trx, a);
    });
    // Upload sections wait for reviewers: their queue entries. Idempotent, so a retried job (or one
    // that crashed between the two steps) ends in the same state.
    await openReviewItems(ctx, orgId, attemptId);
  },
});

/** Every 15 s: submits sections and attempts whose time ran out (plus grace) and queues their grading. */
export const closeOverdueAttemptsJob = defineJob({
  name: 'attempts.close-overdue',
  payload: z.object({}),
  everyMs: 15_000,
  concurrency: 1,
  async handler(ctx) {
    await closeOverdueAttempts(ctx);
  },
});
