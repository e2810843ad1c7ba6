// Several instances on one PostgreSQL: two server processes (each with its web and worker roles)
// behind a round-robin balancer run the campus drive; afterwards every answer, result and webhook is
// counted against what the clients were acknowledged, and the jobs each instance ran are counted.
//
//   npx tsx bench/multi-instance.ts [--candidates 500] [--rate 700] [--connections 100] [--no-build]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startReceiver } from '../server/modules/integrations/test-receiver.js';
import { createEndpoint } from '../server/modules/integrations/webhooks.service.js';
import { startBalancer } from './lib/balancer.js';
import { type BenchCandidate, log, ROOT, round, sleep, writeJson } from './lib/common.js';
import { createScratch } from './lib/database.js';
import { runLoad } from './lib/load.js';
import { regenerateMultiDocs } from './lib/report.js';
import { type CampusCounts, checkCampus } from './lib/scenarios.js';
import { createBenchAssessment, inviteCohort, seedBase } from './lib/seed.js';
import { ensureBuilt, type Running, startServer } from './lib/server.js';
import { CAMPUS_REQUESTS_PER_CANDIDATE } from './load-worker.js';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '500' },
    rate: { type: 'string', default: '700' },
    connections: { type: 'string', default: '100' },
    'no-build': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
  },
});
const N = Number(values.candidates);
const conns = Math.min(Number(values.connections), N);
if (N % conns !== 0) {
  process.stderr.write('--candidates must be a multiple of --connections\n');
  process.exit(2);
}

export type MultiResult = {
  startedAt: string;
  candidates: number;
  instances: number;
  wallS: number;
  figures: Awaited<ReturnType<typeof runLoad>>['figures'];
  counts: CampusCounts;
  webhooks: { expected: number; delivered: number; duplicates: number; missing: number };
  requestsPerInstance: number[];
  jobsPerInstance: Array<{
    instance: number;
    workerIds: string[];
    jobs: number;
    byName: Record<string, number>;
  }>;
  rateLimits: string;
  serverWarnings: string[];
  ok: boolean;
};

if (!values['no-build']) ensureBuilt();
const startedAt = new Date().toISOString();
const scratch = await createScratch('postgres', 'multi');
const receiver = await startReceiver();
const servers: Running[] = [];
let exitCode = 1;
try {
  scratch.env.WEBHOOKS_ALLOW_PRIVATE = 'true';
  // Redis for shared rate-limit counters, where the build supports it (see the result's rateLimits).
  scratch.env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  log(`seeding ${N} candidates on ${scratch.databaseUrl}`);
  const ctx = scratch.openCtx();
  const org = await seedBase(ctx);
  const assessmentId = await createBenchAssessment(ctx, org, 'Campus drive (several instances)');
  const cands: BenchCandidate[] = await inviteCohort(ctx, org, assessmentId, 'campus', N, 300_000);
  const meta = { ip: '127.0.0.1', requestId: 'bench', userAgent: 'assay-bench' };
  await createEndpoint(
    ctx,
    org.actor,
    { url: receiver.url, eventTypes: ['attempt.started', 'attempt.submitted', 'attempt.graded'] },
    meta,
  );
  await ctx.close();

  for (let i = 0; i < 2; i++) servers.push(await startServer(scratch.env, { role: 'all' }));
  log(`two instances: ${servers.map((s) => `${s.url} (pid ${s.pid})`).join(', ')}`);
  const lb = await startBalancer(servers.map((s) => s.url));
  const probe = scratch.openCtx({ poolSize: 2 });

  // Who runs which job: leases name the worker (host:pid:…) while a job runs.
  const seen = new Map<string, { worker: string; name: string }>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const rows = await probe.db
        .selectFrom('jobs')
        .select(['id', 'name', 'locked_by'])
        .where('state', '=', 'running')
        .execute();
      for (const r of rows)
        if (r.locked_by && !seen.has(r.id)) seen.set(r.id, { worker: r.locked_by, name: r.name });
      await sleep(50);
    }
  })();

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-multi-'));
  const file = path.join(work, 'campus.json');
  fs.writeFileSync(file, JSON.stringify(cands));
  const acksFile = path.join(work, 'acks.json');
  log(`campus drive through the balancer: ${N} candidates × ${CAMPUS_REQUESTS_PER_CANDIDATE} requests`);
  const r = await runLoad({
    kind: 'campus',
    url: lb.url,
    connections: conns,
    amount: N * CAMPUS_REQUESTS_PER_CANDIDATE,
    pacedRate: Number(values.rate),
    timeoutS: 60,
    candidatesFile: file,
    acksFile,
  });
  log(
    `drive done in ${round(r.wallMs / 1000, 1)} s: ${r.figures.rps} req/s, p99 ${r.figures.p99} ms, errors ${r.figures.errors}, non-2xx ${r.figures.non2xx}`,
  );
  const counts = await checkCampus(probe, cands, JSON.parse(fs.readFileSync(acksFile, 'utf8')), 300_000);
  log(`counts ${JSON.stringify(counts)}`);

  // Every attempt event must reach the receiver exactly once (dispatch runs every 5 s).
  const expectedIds = async () =>
    (
      await probe.db
        .selectFrom('events')
        .select('id')
        .where('org_id', '=', org.orgId)
        .where('type', 'in', ['attempt.started', 'attempt.submitted', 'attempt.graded'])
        .execute()
    ).map((e) => e.id);
  const receivedIds = () => receiver.received.map((x) => String(x.headers['webhook-id']));
  let expected = await expectedIds();
  for (let i = 0; i < 240; i++) {
    const got = new Set(receivedIds());
    if (expected.every((id) => got.has(id))) break;
    await sleep(500);
    expected = await expectedIds();
  }
  await sleep(6_000); // one more dispatch cycle: a late duplicate would show up now
  const got = receivedIds();
  const times = new Map<string, number>();
  for (const id of got) times.set(id, (times.get(id) ?? 0) + 1);
  const webhooks = {
    expected: expected.length,
    delivered: times.size,
    duplicates: [...times.values()].filter((n) => n > 1).length,
    missing: expected.filter((id) => !times.has(id)).length,
  };
  log(`webhooks ${JSON.stringify(webhooks)}`);

  sampling = false;
  await sampler;
  const byInstance = servers.map((s, i) => {
    const mine = [...seen.values()].filter((j) => j.worker.split(':')[1] === String(s.pid));
    const byName: Record<string, number> = {};
    for (const j of mine) byName[j.name] = (byName[j.name] ?? 0) + 1;
    return { instance: i + 1, workerIds: [...new Set(mine.map((j) => j.worker))], jobs: mine.length, byName };
  });
  log(
    `jobs seen running per instance: ${byInstance.map((b) => `#${b.instance}: ${b.jobs} ${JSON.stringify(b.byName)}`).join('; ')}`,
  );
  log(`requests per instance (balancer): ${lb.served.join(' / ')}`);

  // The instances' rate-limit counters: shared when they are in Redis under the server's prefix.
  const redis = new Redis(scratch.env.REDIS_URL as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const counters = await redis
    .connect()
    .then(() => redis.keys('assay-rl:*'))
    .then((keys) => keys.length)
    .catch(() => 0)
    .finally(() => redis.disconnect());
  const rateLimits = counters
    ? `shared through Redis (${counters} counters under assay-rl:* after the run)`
    : 'per process: no counters found in Redis';
  const ok =
    r.figures.errors === 0 &&
    r.figures.non2xx === 0 &&
    counts.lostAnswers === 0 &&
    counts.missingResults === 0 &&
    counts.duplicateResults === 0 &&
    counts.duplicateResultEmails === 0 &&
    webhooks.duplicates === 0 &&
    webhooks.missing === 0 &&
    byInstance.every((b) => b.jobs > 0);
  const result: MultiResult = {
    startedAt,
    candidates: N,
    instances: servers.length,
    wallS: round(r.wallMs / 1000, 1),
    figures: r.figures,
    counts,
    webhooks,
    requestsPerInstance: lb.served,
    jobsPerInstance: byInstance,
    rateLimits,
    serverWarnings: servers.flatMap((s) => s.output.samples).slice(0, 10),
    ok,
  };
  const out = path.join(ROOT, 'bench', 'results', `${startedAt.replace(/[:.]/g, '-')}-multi-instance.json`);
  writeJson(out, result);
  log(`${ok ? 'PASSED' : 'FAILED'}; results in ${path.relative(ROOT, out)}`);
  if (!values['no-docs']) regenerateMultiDocs();
  await lb.close();
  await probe.close();
  fs.rmSync(work, { recursive: true, force: true });
  exitCode = ok ? 0 : 1;
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
} finally {
  for (const s of servers) {
    await s.stop();
    s.rss.stop();
  }
  await receiver.close();
  await scratch.drop();
}
process.exit(exitCode);
