import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestEnv, dialects, type TestEnv } from '../test/harness.js';
import { backoffDelay, defineJob } from './job.js';
import { JobRunner } from './runner.js';

describe.each(dialects)('durable jobs (%s)', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(dialect);
  });
  afterAll(() => env.close());

  const ran: string[] = [];
  const recordJob = defineJob({
    name: 'test.record',
    payload: z.object({ tag: z.string() }),
    async handler(_ctx, { tag }) {
      ran.push(tag);
    },
  });

  const jobRow = (id: string) =>
    env.ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('leaves no job behind when the enqueuing transaction rolls back', async () => {
    await expect(
      env.ctx.db.transaction().execute(async (trx) => {
        await env.ctx.jobs.enqueue(trx, recordJob, { tag: 'rolled-back' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await env.ctx.db
      .transaction()
      .execute((trx) => env.ctx.jobs.enqueue(trx, recordJob, { tag: 'committed' }));
    await new JobRunner(env.ctx, [recordJob]).drain();
    expect(ran).toContain('committed');
    expect(ran).not.toContain('rolled-back');
    const rows = await env.ctx.db
      .selectFrom('jobs')
      .select('payload')
      .where('name', '=', 'test.record')
      .execute();
    expect(rows.map((r) => JSON.parse(r.payload).tag)).toEqual(['committed']);
  });

  it('runs a job again when the worker holding it died (its lease expired)', async () => {
    let runs = 0;
    const def = defineJob({
      name: 'test.lease',
      payload: z.object({}),
      leaseMs: 30_000,
      async handler() {
        runs++;
      },
    });
    const id = await env.ctx.jobs.enqueue(env.ctx.db, def, {});
    // A worker claims the job and dies before finishing: nothing records an outcome.
    const { claimJobs } = await import('./queue.js');
    const claimed = await claimJobs(
      env.ctx.db,
      env.ctx.dialect,
      def.name,
      1,
      'dead-worker',
      env.clock.now(),
      30_000,
    );
    expect(claimed.map((j) => j.id)).toEqual([id]);
    const survivor = new JobRunner(env.ctx, [def], { workerId: 'survivor' });
    await survivor.drain();
    expect(runs).toBe(0); // still leased to the dead worker
    env.clock.advance(30_001);
    await survivor.drain();
    expect(runs).toBe(1);
    const row = await jobRow(id!);
    expect(row.state).toBe('succeeded');
    expect(row.attempts).toBe(2);
  });

  it('retries with growing backoff, then goes dead keeping the last error', async () => {
    let n = 0;
    const def = defineJob({
      name: 'test.flaky',
      payload: z.object({}),
      maxAttempts: 4,
      backoffMs: 1_000,
      async handler() {
        n++;
        throw new Error(`failure number ${n}`);
      },
    });
    const id = (await env.ctx.jobs.enqueue(env.ctx.db, def, {}))!;
    const runner = new JobRunner(env.ctx, [def]);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await runner.drain();
      const row = await jobRow(id);
      if (row.state === 'dead') break;
      delays.push(row.run_at - env.clock.now());
      env.clock.set(row.run_at);
    }
    expect(n).toBe(4);
    expect(delays).toHaveLength(3);
    expect(delays[1]!).toBeGreaterThanOrEqual(delays[0]!);
    expect(delays[2]!).toBeGreaterThanOrEqual(delays[1]!);
    expect(delays[2]!).toBeGreaterThan(delays[0]!);
    const dead = await jobRow(id);
    expect(dead.state).toBe('dead');
    expect(dead.last_error).toContain('failure number 4');
  });

  it('computes backoff as exponential with jitter inside [half, full]', () => {
    const def = { backoffMs: 1000, maxBackoffMs: 60_000 };
    expect(backoffDelay(def, 1, () => 0)).toBe(500);
    expect(backoffDelay(def, 1, () => 1)).toBe(1000);
    expect(backoffDelay(def, 3, () => 0)).toBe(2000);
    expect(backoffDelay(def, 20, () => 1)).toBe(60_000);
  });

  it('ignores a second enqueue with the same dedupe key', async () => {
    const a = await env.ctx.jobs.enqueue(env.ctx.db, recordJob, { tag: 'dedupe' }, { key: 'same-key' });
    const b = await env.ctx.jobs.enqueue(env.ctx.db, recordJob, { tag: 'dedupe' }, { key: 'same-key' });
    expect(a).toBeDefined();
    expect(b).toBeUndefined();
    const rows = await env.ctx.db
      .selectFrom('jobs')
      .select('id')
      .where('dedupe_key', '=', 'same-key')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('does not run a job before its runAt', async () => {
    const before = ran.length;
    await env.ctx.jobs.enqueue(env.ctx.db, recordJob, { tag: 'later' }, { runAt: env.clock.now() + 60_000 });
    const runner = new JobRunner(env.ctx, [recordJob]);
    await runner.drain();
    expect(ran.slice(before)).not.toContain('later');
    env.clock.advance(60_000);
    await runner.drain();
    expect(ran).toContain('later');
  });

  it('runs a recurring job once per interval even with two workers', async () => {
    let sweeps = 0;
    const sweep = defineJob({
      name: 'test.sweep',
      payload: z.object({}),
      everyMs: 60_000,
      async handler() {
        sweeps++;
      },
    });
    const a = new JobRunner(env.ctx, [sweep], { workerId: 'a' });
    const b = new JobRunner(env.ctx, [sweep], { workerId: 'b' });
    await Promise.all([a.drain(), b.drain()]);
    await Promise.all([a.drain(), b.drain()]);
    expect(sweeps).toBe(1);
    env.clock.advance(60_000);
    await Promise.all([a.drain(), b.drain()]);
    expect(sweeps).toBe(2);
  });

  it('keeps a flood of one kind from starving another (per-kind concurrency)', async () => {
    const release: Array<() => void> = [];
    const slow = defineJob({
      name: 'test.slow',
      payload: z.object({ i: z.number() }),
      concurrency: 2,
      handler: () => new Promise<void>((r) => release.push(r)),
    });
    let urgentRan = false;
    const urgent = defineJob({
      name: 'test.urgent',
      payload: z.object({}),
      async handler() {
        urgentRan = true;
      },
    });
    for (let i = 0; i < 50; i++) await env.ctx.jobs.enqueue(env.ctx.db, slow, { i });
    await env.ctx.jobs.enqueue(env.ctx.db, urgent, {});
    const runner = new JobRunner(env.ctx, [slow, urgent]);
    await runner.tick();
    await runner.tick();
    expect(release).toHaveLength(2); // only two of the flood are in flight
    await new Promise((r) => setTimeout(r, 20));
    expect(urgentRan).toBe(true);
    const running = await env.ctx.db
      .selectFrom('jobs')
      .select('id')
      .where('name', '=', 'test.slow')
      .where('state', '=', 'running')
      .execute();
    expect(running).toHaveLength(2);
    for (const r of release) r();
    await runner.stop();
  });

  it('still runs a quiet kind while a busy one keeps every pass full', async () => {
    // Between full passes the runner asks only the kinds that had work; a job of another kind must
    // not wait for the busy one to run dry.
    let busyRuns = 0;
    const busy = defineJob({
      name: 'test.busy',
      payload: z.object({ i: z.number() }),
      concurrency: 1,
      async handler() {
        busyRuns++;
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    let quietRan = false;
    const quiet = defineJob({
      name: 'test.quiet',
      payload: z.object({}),
      async handler() {
        quietRan = true;
      },
    });
    await env.ctx.jobs.enqueueMany(
      env.ctx.db,
      busy,
      Array.from({ length: 2000 }, (_, i) => ({ payload: { i } })),
    );
    const runner = new JobRunner(env.ctx, [busy, quiet], { pollMs: 20 });
    runner.start();
    while (busyRuns < 5) await new Promise((r) => setTimeout(r, 5));
    await env.ctx.jobs.enqueue(env.ctx.db, quiet, {});
    for (let i = 0; i < 400 && !quietRan; i++) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    expect(quietRan).toBe(true);
    const left = await env.ctx.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', 'test.busy')
      .where('state', '=', 'queued')
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBeGreaterThan(0); // the busy kind had not run dry
  });

  it.runIf(dialect === 'postgres')(
    'never lets two workers run one job at once (FOR UPDATE SKIP LOCKED)',
    async () => {
      const runsById = new Map<string, number>();
      let active = 0;
      const work = defineJob({
        name: 'test.contended',
        payload: z.object({ i: z.number() }),
        concurrency: 8,
        async handler(_ctx, _p, job) {
          active++;
          runsById.set(job.id, (runsById.get(job.id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        },
      });
      for (let i = 0; i < 200; i++) await env.ctx.jobs.enqueue(env.ctx.db, work, { i });
      const w1 = new JobRunner(env.ctx, [work], { workerId: 'w1' });
      const w2 = new JobRunner(env.ctx, [work], { workerId: 'w2' });
      await Promise.all([w1.drain(), w2.drain()]);
      expect(runsById.size).toBe(200);
      expect([...runsById.values()].every((n) => n === 1)).toBe(true);
      expect(active).toBe(0);
    },
  );
});
