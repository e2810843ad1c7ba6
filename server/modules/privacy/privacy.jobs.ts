// Jobs for privacy: the hourly retention sweep, and deleting files whose rows no longer point at them.
// A blob deletion is enqueued in the transaction that unlinks the file, so a crash or a failing
// store can't leave it behind: the job retries until the store confirms.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import type { DbOrTrx } from '../../db/database.js';
import { defineJob } from '../../jobs/job.js';
import { enforceRetention } from './privacy.service.js';

const KEYS_PER_JOB = 200;

export const deleteBlobsJob = defineJob({
  name: 'privacy.delete-blobs',
  payload: z.object({ keys: z.array(z.string().max(200)).max(KEYS_PER_JOB) }),
  maxAttempts: 20,
  backoffMs: 30_000,
  concurrency: 2,
  async handler(ctx, { keys }) {
    // delete() is idempotent (a missing file is fine), so a retry after a partial run is harmless.
    for (const key of keys) await ctx.blobs.delete(key);
  },
});

/** Schedules the deletion of blobs, inside the caller's transaction. */
export async function scheduleBlobDeletion(ctx: Pick<Ctx, 'jobs'>, trx: DbOrTrx, keys: string[]) {
  for (let i = 0; i < keys.length; i += KEYS_PER_JOB) {
    await ctx.jobs.enqueue(trx, deleteBlobsJob, { keys: keys.slice(i, i + KEYS_PER_JOB) });
  }
}

export const retentionJob = defineJob({
  name: 'privacy.retention',
  payload: z.object({}),
  everyMs: 3600_000,
  concurrency: 1,
  // A large backlog (a long period just shortened) may take a while; erasures are idempotent.
  leaseMs: 10 * 60_000,
  async handler(ctx) {
    await enforceRetention(ctx);
  },
});
