// Baseline: the autosave statement itself (attempts.repository upsertAnswerIfOpen, the one statement
// an autosave runs after the session lookup), called in a loop with no HTTP, on the run's database.
// SQLite runs it one at a time (better-sqlite3 is synchronous); PostgreSQL with as many in flight as
// the server's pool has connections. Prints one line: RESULT {json}.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/config.js';
import { createContext } from '../../server/context.js';
import { createLogger } from '../../server/logger.js';
import { upsertAnswerIfOpen } from '../../server/modules/attempts/attempts.repository.js';
import { percentile, round } from '../lib/common.js';

export type UpsertTarget = {
  orgId: string;
  attemptId: string;
  sessionId: string;
  sectionIndex: number;
  items: Array<{ key: string; options: string[] }>;
};

type Spec = {
  env: Record<string, string>;
  targets: UpsertTarget[];
  durationS: number;
  concurrency: number;
  t0: number;
};

const spec = JSON.parse(fs.readFileSync(process.argv[2] as string, 'utf8')) as Spec;
const ctx = createContext(loadConfig(spec.env), { log: createLogger('warn') });
const n = spec.targets.length;
let k = 0;
let written = 0;
const latencies: number[] = [];

async function one(): Promise<void> {
  const i = k++;
  const t = spec.targets[i % n] as UpsertTarget;
  const item = t.items[Math.floor(i / n) % t.items.length] as UpsertTarget['items'][number];
  const now = Date.now();
  const started = performance.now();
  const seq = await upsertAnswerIfOpen(
    ctx.db,
    ctx.dialect,
    {
      orgId: t.orgId,
      attemptId: t.attemptId,
      sessionId: t.sessionId,
      sectionIndex: t.sectionIndex,
      notBefore: now - 5_000,
    },
    {
      itemKey: item.key,
      choice: [item.options[i % item.options.length] as string],
      seq: Math.min(2_147_483_647, (now - spec.t0) * 100 + (i % 100)),
    },
    now,
  );
  latencies.push(performance.now() - started);
  if (seq !== undefined) written++;
}

async function loop(until: number): Promise<void> {
  while (performance.now() < until) await one();
}

// A short warm-up (statement caches, page cache), then the measured window.
await loop(performance.now() + 1000);
latencies.length = 0;
written = 0;
const startedAt = performance.now();
const until = startedAt + spec.durationS * 1000;
await Promise.all(Array.from({ length: spec.concurrency }, () => loop(until)));
const elapsed = (performance.now() - startedAt) / 1000;
const sorted = latencies.sort((a, b) => a - b);
const result = {
  statements: sorted.length,
  written,
  durationS: round(elapsed, 2),
  rate: round(sorted.length / elapsed, 1),
  p50: round(percentile(sorted, 50), 3),
  p99: round(percentile(sorted, 99), 3),
  concurrency: spec.concurrency,
};
await ctx.close();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
