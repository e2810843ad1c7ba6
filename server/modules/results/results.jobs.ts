// The results module's job: an assessment's item statistics and its role benchmark, refreshed after
// grading at most once per few minutes per assessment (a dedupe key per time slot), off every
// request's path.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { defineJob } from '../../jobs/job.js';
import { refreshAssessmentAnalytics } from './analytics.service.js';

export const ANALYTICS_SLOT_MS = 5 * 60_000;

export const resultsAnalyticsJob = defineJob({
  name: 'results.analytics',
  payload: z.object({ orgId: z.string(), assessmentId: z.string() }),
  concurrency: 1,
  leaseMs: 5 * 60_000,
  async handler(ctx, { orgId, assessmentId }) {
    await refreshAssessmentAnalytics(ctx, orgId, assessmentId);
  },
});

/**
 * Call in the transaction that graded an attempt: one refresh per assessment per slot, run at the end
 * of the slot so every grade of those minutes is in it.
 */
export async function enqueueResultsAnalytics(
  ctx: Pick<Ctx, 'jobs' | 'clock'>,
  trx: DbOrTrx,
  a: { orgId: string; assessmentId: string },
): Promise<void> {
  const slot = Math.floor(ctx.clock.now() / ANALYTICS_SLOT_MS);
  await ctx.jobs.enqueue(
    trx,
    resultsAnalyticsJob,
    { orgId: a.orgId, assessmentId: a.assessmentId },
    { key: `results.analytics:${a.assessmentId}:${slot}`, runAt: (slot + 1) * ANALYTICS_SLOT_MS },
  );
}
