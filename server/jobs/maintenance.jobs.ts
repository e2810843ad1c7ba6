import { z } from 'zod';
import { defineJob } from './job.js';

const KEEP_SUCCEEDED_MS = 7 * 24 * 3600_000;

/** Finished jobs are kept a week for operators to inspect, then removed. Dead ones stay until handled. */
export const pruneJobsJob = defineJob({
  name: 'jobs.prune',
  payload: z.object({}),
  everyMs: 3600_000,
  concurrency: 1,
  async handler(ctx) {
    await ctx.db
      .deleteFrom('jobs')
      .where('state', '=', 'succeeded')
      .where('updated_at', '<', ctx.clock.now() - KEEP_SUCCEEDED_MS)
      .execute();
  },
});
