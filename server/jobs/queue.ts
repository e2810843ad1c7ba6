// Enqueueing happens inside the caller's transaction: a rolled-back change leaves no job behind, and
// a committed one is on disk before anyone is told it happened (a transactional outbox).
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db, DbOrTrx, Dialect } from '../db/database.js';
import { newId } from '../ids.js';
import { type JobDefinition, jobDefaults } from './job.js';
import type { JobRow, JobState } from './jobs.table.js';

export type EnqueueOptions = {
  /** Earliest time to run, epoch ms. Default: now. */
  runAt?: number;
  /** A dedupe key: a second enqueue with the same key is a no-op, whatever the first job's state. */
  key?: string;
};

export type JobQueue = {
  enqueue<P>(
    trx: DbOrTrx,
    def: JobDefinition<P>,
    payload: P,
    opts?: EnqueueOptions,
  ): Promise<string | undefined>;
  /** Many jobs of one kind in a few statements (bulk invitations); dedupe-key clashes are skipped. */
  enqueueMany<P>(
    trx: DbOrTrx,
    def: JobDefinition<P>,
    items: ReadonlyArray<{ payload: P } & EnqueueOptions>,
  ): Promise<void>;
};

/** Rows per INSERT in bulk writes: well under SQLite's and Postgres's bound-parameter limits. */
export const BULK_CHUNK = 200;

export async function inChunks<T>(
  rows: readonly T[],
  write: (chunk: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BULK_CHUNK) await write(rows.slice(i, i + BULK_CHUNK));
}

export function createJobQueue(clock: Clock): JobQueue {
  const row = <P>(def: JobDefinition<P>, payload: P, opts: EnqueueOptions, now: number) => ({
    id: newId(now),
    name: def.name,
    payload: JSON.stringify(def.payload.parse(payload)),
    state: 'queued' as const,
    run_at: opts.runAt ?? now,
    attempts: 0,
    max_attempts: def.maxAttempts ?? jobDefaults.maxAttempts,
    dedupe_key: opts.key ?? null,
    created_at: now,
    updated_at: now,
  });
  return {
    async enqueue(trx, def, payload, opts = {}) {
      const insert = trx.insertInto('jobs').values(row(def, payload, opts, clock.now()));
      const res = await (opts.key ? insert.onConflict((oc) => oc.column('dedupe_key').doNothing()) : insert)
        .returning('id')
        .executeTakeFirst();
      return res?.id;
    },
    async enqueueMany(trx, def, items) {
      const now = clock.now();
      const rows = items.map((it) => row(def, it.payload, it, now));
      await inChunks(rows, (chunk) =>
        trx
          .insertInto('jobs')
          .values(chunk)
          .onConflict((oc) => oc.column('dedupe_key').doNothing())
          .execute(),
      );
    },
  };
}

/**
 * Claims up to `limit` ready jobs of one kind: queued and due, or running with an expired lease (its
 * worker died). Postgres skips rows other workers hold, so two workers never claim one job; SQLite
 * runs each UPDATE alone, which gives the same guarantee.
 */
export async function claimJobs(
  db: Db,
  dialect: Dialect,
  name: string,
  limit: number,
  workerId: string,
  now: number,
  leaseMs: number,
): Promise<JobRow[]> {
  const ready = db
    .selectFrom('jobs')
    .select('id')
    .where('name', '=', name)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
        eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)]),
      ]),
    )
    .orderBy('run_at')
    .limit(limit);
  return db
    .updateTable('jobs')
    .set({
      state: 'running',
      attempts: sql`attempts + 1`,
      locked_by: workerId,
      locked_until: now + leaseMs,
      updated_at: now,
    })
    .where('id', 'in', dialect === 'postgres' ? ready.forUpdate().skipLocked() : ready)
    .returningAll()
    .execute();
}

export async function listJobs(db: Db, opts: { state?: JobState; name?: string; limit?: number }) {
  let q = db
    .selectFrom('jobs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.state) q = q.where('state', '=', opts.state);
  if (opts.name) q = q.where('name', '=', opts.name);
  return q.execute();
}

export async function countJobsByState(db: Db) {
  return db
    .selectFrom('jobs')
    .select(['state', 'name', db.fn.countAll<number>().as('count')])
    .groupBy(['state', 'name'])
    .execute();
}

/** Operator: put a dead job back in the queue with a fresh attempt budget. */
export async function retryDeadJob(db: Db, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'queued', attempts: 0, run_at: now, locked_by: null, locked_until: null, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Operator: forget a dead job. */
export async function discardDeadJob(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('jobs').where('id', '=', id).where('state', '=', 'dead').executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
