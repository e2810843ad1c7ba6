// A job is a name, a Zod payload and a handler. Definitions sit next to their domain
// (`<domain>.jobs.ts`) and are listed in server/job-registry.ts.
import type { z } from 'zod';
import type { Ctx } from '../context.js';

export type JobInfo = { id: string; attempt: number; maxAttempts: number };

export type JobDefinition<P = unknown> = {
  name: string;
  payload: z.ZodType<P>;
  handler: (ctx: Ctx, payload: P, job: JobInfo) => Promise<void>;
  /** Tries before the job goes dead. Default 5. */
  maxAttempts?: number;
  /** How many of this kind one worker runs at once, so one kind never starves the others. Default 4. */
  concurrency?: number;
  /** How long a claim holds before another worker may take the job over. Default 60 s. */
  leaseMs?: number;
  /** First retry delay; each later retry doubles it, with jitter, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** For recurring jobs: one run per interval across all instances (payload must be `{}`). */
  everyMs?: number;
  /** Called once when the job goes dead, to record the failure where users will see it. */
  onDead?: (ctx: Ctx, payload: P, error: string) => Promise<void>;
};

// A list of definitions of different payload types; each is parsed with its own schema when it runs.
// biome-ignore lint/suspicious/noExplicitAny: the payload type is checked per definition, not per list
export type AnyJobDefinition = JobDefinition<any>;

export function defineJob<P>(def: JobDefinition<P>): JobDefinition<P> {
  return def;
}

export const jobDefaults = {
  maxAttempts: 5,
  concurrency: 4,
  leaseMs: 60_000,
  backoffMs: 5_000,
  maxBackoffMs: 6 * 60 * 60_000,
} as const;

/** Exponential backoff with jitter: attempt n waits between half and all of base × 2^(n-1). */
export function backoffDelay(
  def: Pick<JobDefinition, 'backoffMs' | 'maxBackoffMs'>,
  attempt: number,
  random = Math.random,
): number {
  const base = def.backoffMs ?? jobDefaults.backoffMs;
  const cap = def.maxBackoffMs ?? jobDefaults.maxBackoffMs;
  const full = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}
