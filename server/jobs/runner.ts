// The worker loop: claims due jobs kind by kind within each kind's concurrency, runs them, and
// records success, a retry with backoff, or death with the last error. Recurring jobs enqueue one
// run per interval slot under a dedupe key, so N instances still run each slot once.
import { hostname } from 'node:os';
import type { Ctx } from '../context.js';
import { newId } from '../ids.js';
import { type AnyJobDefinition, backoffDelay, type JobDefinition, jobDefaults } from './job.js';
import type { JobRow } from './jobs.table.js';
import { claimJobs } from './queue.js';

export type RunnerOptions = { pollMs?: number; workerId?: string };

export class JobRunner {
  readonly workerId: string;
  private readonly defs = new Map<string, JobDefinition<unknown>>();
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  /** Kinds that had jobs at their last claim: between full passes only these are asked again. */
  private readonly busy = new Set<string>();
  private lastFullPass = -Infinity;
  private readonly scheduledSlot = new Map<string, number>();

  constructor(
    private readonly ctx: Ctx,
    defs: ReadonlyArray<AnyJobDefinition>,
    private readonly opts: RunnerOptions = {},
  ) {
    for (const d of defs) this.defs.set(d.name, d);
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${newId().slice(-8)}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.loop();
  }

  /** Stops claiming, then waits for the jobs in hand (up to timeoutMs; the rest are re-run by lease). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    const all = Promise.allSettled([...this.running]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /**
   * One pass: schedule recurring slots, claim what fits, start it. Returns how many were claimed.
   * A full pass asks every kind; it runs once per poll interval, or when asked to. In between, a
   * pass asks only the kinds that had work last time (a grading storm then costs one claim per
   * pass, not one per kind), and falls back to a full pass when they have none left.
   */
  async tick(full = false): Promise<number> {
    const pollMs = this.opts.pollMs ?? 250;
    if (full || this.busy.size === 0 || performance.now() - this.lastFullPass >= pollMs) {
      return this.claimKinds([...this.defs.values()], true);
    }
    const claimed = await this.claimKinds(
      [...this.busy].flatMap((name) => this.defs.get(name) ?? []),
      false,
    );
    return claimed > 0 ? claimed : this.claimKinds([...this.defs.values()], true);
  }

  private async claimKinds(defs: JobDefinition<unknown>[], full: boolean): Promise<number> {
    if (full) {
      this.lastFullPass = performance.now();
      await this.scheduleRecurring();
    }
    let claimed = 0;
    for (const def of defs) {
      const free = (def.concurrency ?? jobDefaults.concurrency) - (this.inFlight.get(def.name) ?? 0);
      if (free <= 0) continue;
      const now = this.ctx.clock.now();
      const jobs = await claimJobs(
        this.ctx.db,
        this.ctx.dialect,
        def.name,
        free,
        this.workerId,
        now,
        def.leaseMs ?? jobDefaults.leaseMs,
      );
      if (jobs.length) this.busy.add(def.name);
      else this.busy.delete(def.name);
      for (const job of jobs) this.track(def, job);
      claimed += jobs.length;
    }
    return claimed;
  }

  /** For tests and CLI commands: run until nothing is due (jobs scheduled later are left). */
  async drain(maxTicks = 1000): Promise<void> {
    for (let i = 0; i < maxTicks; i++) {
      const claimed = await this.tick(true);
      if (claimed === 0 && this.running.size === 0) return;
      await Promise.race([...this.running, Promise.resolve()]);
      if (claimed === 0) await Promise.allSettled([...this.running]);
    }
    throw new Error('drain: jobs kept coming');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (err) {
        this.ctx.log.error({ err }, 'job runner: claim failed');
      }
      if (this.stopped) break;
      if (claimed === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.opts.pollMs ?? 250);
        });
      }
    }
  }

  private async scheduleRecurring(): Promise<void> {
    const now = this.ctx.clock.now();
    for (const def of this.defs.values()) {
      if (!def.everyMs) continue;
      const slot = Math.floor(now / def.everyMs);
      // The dedupe key makes a second enqueue of a slot a no-op; this saves the statement.
      if (this.scheduledSlot.get(def.name) === slot) continue;
      await this.ctx.jobs.enqueue(
        this.ctx.db,
        def,
        {},
        { key: `${def.name}@${slot}`, runAt: slot * def.everyMs },
      );
      this.scheduledSlot.set(def.name, slot);
    }
  }

  private track(def: JobDefinition<unknown>, job: JobRow): void {
    this.inFlight.set(def.name, (this.inFlight.get(def.name) ?? 0) + 1);
    const p = this.execute(def, job).finally(() => {
      this.inFlight.set(def.name, (this.inFlight.get(def.name) ?? 1) - 1);
      this.running.delete(p);
      this.wake?.();
    });
    this.running.add(p);
  }

  private async execute(def: JobDefinition<unknown>, job: JobRow): Promise<void> {
    const { db, clock, log } = this.ctx;
    const mine = (q: ReturnType<typeof db.updateTable<'jobs'>>) =>
      q.where('id', '=', job.id).where('locked_by', '=', this.workerId);
    try {
      const payload = def.payload.parse(JSON.parse(job.payload));
      await def.handler(this.ctx, payload, {
        id: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
      });
      const now = clock.now();
      await mine(db.updateTable('jobs'))
        .set({ state: 'succeeded', locked_by: null, locked_until: null, updated_at: now, last_error: null })
        .execute();
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const now = clock.now();
      const dead = job.attempts >= job.max_attempts;
      log.warn(
        { job: { id: job.id, name: job.name, attempt: job.attempts }, err: message },
        dead ? 'job dead' : 'job failed; will retry',
      );
      try {
        await mine(db.updateTable('jobs'))
          .set({
            state: dead ? 'dead' : 'queued',
            run_at: dead ? job.run_at : now + backoffDelay(def, job.attempts),
            last_error: message.slice(0, 4000),
            locked_by: null,
            locked_until: null,
            updated_at: now,
          })
          .execute();
        if (dead && def.onDead) await def.onDead(this.ctx, JSON.parse(job.payload), message);
      } catch (recordErr) {
        // The lease will expire and the job run again: at least once, never silently dropped.
        log.error({ err: recordErr, job: { id: job.id } }, 'job runner: could not record failure');
      }
    }
  }
}
