// Capacity and availability.
// L1: peak and soak against a real server process: N candidates autosave every 10 s while recruiters
//     browse pipelines and export CSVs; then a soak at half the load (at most 30 minutes; a short one
//     in CI). Autosave p95/p99, errors, resident memory over the soak, how long events wait for the
//     webhook dispatcher, and no acknowledged write lost.
// L2: a noisy neighbour: organization A's API key floods lists and exports at ten times its quota;
//     A is held to its quota, and B's latency barely moves.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createContext } from '../../server/context.js';
import { openDatabase } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import {
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  quizSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { createApiKey } from '../../server/modules/integrations/api-keys.service.js';
import { PASSWORD } from '../../server/test/factories.js';
import { atMost, type Figure, fmt, ms, percentile, reported, zero } from '../lib/figures.js';
import { createCluster, freePort } from '../lib/pg-cluster.js';
import { cookiesOf, request, sleep, startServer } from '../lib/server-process.js';
import { bearer, type CheckContext, pick } from '../lib/world.js';
import {
  act,
  rng,
  type SimCandidate,
  seedCandidates,
  serverDatabase,
  startCandidate,
  verifyAnswers,
} from './durability.js';

const MB = 1024 * 1024;

/** A latency limit that decides the full run only; shorter runs report the figure. */
function latency(c: CheckContext, name: string, value: number, limit: number, text: string): Figure {
  return c.scale === 'full'
    ? atMost('L1', name, value, limit, text, { unit: 'ms' })
    : reported('L1', name, value, text);
}

export async function peakAndSoak(c: CheckContext): Promise<Figure[]> {
  const n = pick(c.scale, { test: 100, quick: 200, full: 2_000 });
  const peakMs = pick(c.scale, { test: 10_000, quick: 12_000, full: 120_000 });
  const soakMinutes = Math.min(
    30,
    Number(process.env.ASSAY_SOAK_MINUTES ?? (c.scale === 'full' ? 10 : 0.25)),
  );
  const soakMs = soakMinutes * 60_000;
  const r = rng(c.seed);
  const { dataDir, env } = await serverDatabase('sqlite', undefined, 'soak');
  const port = await freePort();
  const seeded = await seedCandidates(env, n);
  const server = await startServer({ env, port, logFile: path.join(dataDir, 'server.log') });
  try {
    const base = server.url;
    const cands: SimCandidate[] = seeded.invitations.map((inv, i) => ({
      token: inv.token,
      invitationId: inv.invitationId,
      email: inv.email,
      ip: `10.99.${i >> 8}.${i & 255}`,
      cookie: '',
      items: [],
      seq: 0,
      sent: new Map(),
      acked: new Map(),
      submit: { acked: false },
      submitCycle: 0,
      acks: 0,
    }));
    for (let i = 0; i < cands.length; i += 50)
      await Promise.all(cands.slice(i, i + 50).map((x) => startCandidate(base, x)));
    const owner = await request(base, {
      method: 'POST',
      path: '/api/v1/auth/sign-in',
      json: { email: (await ownerEmail(env, seeded.orgId)) ?? '', password: PASSWORD },
      headers: { 'x-forwarded-for': '10.98.0.1' },
    });
    const staff = { cookie: cookiesOf(owner), 'x-forwarded-for': '10.98.0.2' };
    const latencies: number[] = [];
    const staffLatencies: number[] = [];
    const errors: string[] = [];
    let requests = 0;
    const rss: Array<{ at: number; rss: number }> = [];
    let phase: 'peak' | 'soak' | 'done' = 'peak';
    const started = Date.now();
    const sampler = setInterval(
      () => rss.push({ at: Date.now() - started, rss: server.rss().current }),
      1_000,
    );
    const candidateLoop = async (cand: SimCandidate, k: number) => {
      const cr = rng(Math.floor(r() * 2 ** 31));
      await sleep(cr() * 10_000);
      while (phase !== 'done') {
        // At peak everyone saves every 10 s; in the soak half of them do.
        if (phase === 'peak' || k % 2 === 0) {
          const t0 = performance.now();
          try {
            const res = await act(base, cand, cr, cr() < 0.8 ? 'single' : 'batch');
            latencies.push(performance.now() - t0);
            requests++;
            if (res && res.status !== 200) errors.push(`autosave ${res.status} ${res.body.slice(0, 80)}`);
          } catch (err) {
            errors.push(`autosave: ${String(err)}`);
          }
        }
        await sleep(9_000 + cr() * 2_000);
      }
    };
    const recruiterLoop = async (k: number) => {
      const paths = [
        `/api/v1/assessments/${seeded.assessmentId}/pipeline?limit=50`,
        '/api/v1/assessments',
        `/api/v1/assessments/${seeded.assessmentId}/invitations?limit=50`,
        `/api/v1/assessments/${seeded.assessmentId}/export.csv`,
      ];
      let i = k;
      while (phase !== 'done') {
        const p = paths[i++ % paths.length] as string;
        const t0 = performance.now();
        try {
          const res = await request(base, { method: 'GET', path: p, headers: staff, timeoutMs: 30_000 });
          staffLatencies.push(performance.now() - t0);
          requests++;
          if (res.status !== 200)
            errors.push(`GET ${p.split('?')[0]} ${res.status} ${res.body.slice(0, 80)}`);
        } catch (err) {
          errors.push(`GET ${p}: ${String(err)}`);
        }
        await sleep(phase === 'peak' ? 2_000 : 4_000);
      }
    };
    const loops = [
      ...cands.map(candidateLoop),
      ...Array.from({ length: Math.max(2, Math.round(n / 200)) }, (_, k) => recruiterLoop(k)),
    ];
    await sleep(peakMs);
    const peakLat = [...latencies];
    phase = 'soak';
    const soakFrom = Date.now() - started;
    await sleep(soakMs);
    phase = 'done';
    await Promise.all(loops);
    clearInterval(sampler);

    // RSS over the soak: a least-squares slope, in MB per hour, after the first quarter (warm-up).
    const soak = rss.filter((s) => s.at >= soakFrom + soakMs / 4);
    const slope = (() => {
      if (soak.length < 3) return 0;
      const mx = soak.reduce((s, p) => s + p.at, 0) / soak.length;
      const my = soak.reduce((s, p) => s + p.rss, 0) / soak.length;
      const num = soak.reduce((s, p) => s + (p.at - mx) * (p.rss - my), 0);
      const den = soak.reduce((s, p) => s + (p.at - mx) ** 2, 0);
      return den ? (num / den) * 3_600_000 : 0;
    })();
    const growth = soak.length ? Math.max(...soak.map((s) => s.rss)) - (soak[0]?.rss ?? 0) : 0;
    await server.stop();
    const handle = openDatabase(loadConfig(env));
    const events = await handle.db
      .selectFrom('events')
      .select(['created_at', 'dispatched_at'])
      .where('org_id', '=', seeded.orgId)
      .execute();
    const lags = events
      .filter((e) => e.dispatched_at !== null)
      .map((e) => (e.dispatched_at as number) - e.created_at);
    const attempts = await handle.db
      .selectFrom('attempts')
      .select(['id', 'invitation_id', 'status'])
      .where('org_id', '=', seeded.orgId)
      .execute();
    const stored = await handle.db
      .selectFrom('answers')
      .select(['attempt_id', 'item_key', 'choice', 'client_seq'])
      .where(
        'attempt_id',
        'in',
        attempts.map((a) => a.id),
      )
      .execute();
    await handle.close();
    const { lost } = verifyAnswers(cands, new Map(attempts.map((a) => [a.invitation_id ?? '', a])), stored);
    const p95 = percentile(peakLat, 95);
    const p99 = percentile(peakLat, 99);
    const errorRate = requests ? (errors.length / requests) * 100 : 0;
    return [
      latency(
        c,
        'autosave p95 at peak',
        p95,
        250,
        `autosave p95 ${ms(p95)} at peak (${fmt(n)} candidates every 10 s, ${Math.max(2, Math.round(n / 200))} recruiters browsing and exporting, ${fmt(peakLat.length)} saves)`,
      ),
      latency(
        c,
        'autosave p99 at peak',
        p99,
        1_000,
        `autosave p99 ${ms(p99)} at peak; staff requests p95 ${ms(percentile(staffLatencies, 95))}`,
      ),
      atMost(
        'L1',
        'error rate',
        errorRate,
        0,
        `${fmt(errorRate, 2)} % errors over ${fmt(requests)} requests (peak ${peakMs / 1000} s, soak ${soakMinutes} min at half load)`,
        { unit: '%', details: errors },
      ),
      reported(
        'L1',
        'RSS slope',
        slope / MB,
        `resident memory over the soak: slope ${fmt(slope / MB, 1)} MB/h, growth ${fmt(growth / MB, 1)} MB, ending at ${fmt((rss.at(-1)?.rss ?? 0) / MB)} MB`,
      ),
      atMost(
        'L1',
        'RSS growth over the soak',
        growth / MB,
        50,
        `resident memory grew ${fmt(growth / MB, 1)} MB over the ${soakMinutes}-minute soak (after warm-up)`,
        { strict: true, unit: 'MB' },
      ),
      reported(
        'L1',
        'outbox lag p99',
        percentile(lags, 99),
        `events waited p99 ${ms(percentile(lags, 99))} for the webhook dispatcher (${fmt(lags.length)} events)`,
      ),
      zero(
        'L1',
        'acknowledged writes lost',
        lost,
        `of ${fmt(cands.reduce((s, x) => s + x.acks, 0))} acknowledged autosaves`,
      ),
    ];
  } finally {
    await server.kill9();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ownerEmail(env: Record<string, string>, orgId: string) {
  const handle = openDatabase(loadConfig(env));
  try {
    const row = await handle.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.email')
      .where('m.org_id', '=', orgId)
      .where('m.role', '=', 'owner')
      .executeTakeFirst();
    return row?.email;
  } finally {
    await handle.close();
  }
}

/**
 * L2 against a real server process: A's key floods over real connections, paced by the clock, while
 * B browses in the app; B's p95 with and without the flood, alternating, medians of the rounds.
 */
export async function noisyNeighbour(c: CheckContext): Promise<Figure[]> {
  const rounds = pick(c.scale, { test: 2, quick: 20, full: 60 });
  const samples = pick(c.scale, { test: 40, quick: 50, full: 100 });
  const cluster = c.dialect === 'postgres' ? await createCluster() : undefined;
  const { dataDir, env } = await serverDatabase(c.dialect, cluster, 'noisy');
  const port = await freePort();
  const ctx = createContext(loadConfig(env));
  const meta = { ip: '127.0.0.1', requestId: 'seed', userAgent: null };
  let aKey = '';
  let bEmail = '';
  let aAssessment = '';
  let bAssessment = '';
  try {
    await migrateToLatest(ctx.db);
    const a = await createTestOrg(ctx);
    const b = await createTestOrg(ctx);
    for (const org of [a, b]) {
      await createTestQuestion(ctx, org, {});
      await createTestQuestion(ctx, org, {});
    }
    aAssessment = await createTestAssessment(ctx, a, [quizSection('q', 2, { minutes: 30 })]);
    bAssessment = await createTestAssessment(ctx, b, [quizSection('q', 2, { minutes: 30 })]);
    for (let i = 0; i < 30; i++) {
      await createTestInvitation(ctx, a, aAssessment);
      await createTestInvitation(ctx, b, bAssessment);
    }
    aKey = (await createApiKey(ctx, a.actor, { name: 'noisy', scope: 'read' }, meta)).key;
    bEmail = b.email;
  } finally {
    await ctx.close();
  }
  const server = await startServer({ env, port, logFile: path.join(dataDir, 'server.log') });
  try {
    const quota = loadConfig(env).apiRateLimit.perKey;
    const base = server.url;
    const signIn = await request(base, {
      method: 'POST',
      path: '/api/v1/auth/sign-in',
      json: { email: bEmail, password: PASSWORD },
      headers: { 'x-forwarded-for': '10.97.0.1' },
    });
    const bHeaders = { cookie: cookiesOf(signIn) };
    const bPaths = ['/api/v1/assessments', `/api/v1/assessments/${bAssessment}/invitations?limit=50`];
    const aPaths = [
      '/api/v1/assessments',
      `/api/v1/assessments/${aAssessment}/export.csv`,
      `/api/v1/assessments/${aAssessment}/invitations?limit=200`,
    ];
    let aSent = 0;
    const floodA = () =>
      request(base, {
        method: 'GET',
        path: aPaths[aSent++ % aPaths.length] as string,
        headers: bearer(aKey),
      }).catch(() => ({ status: 0 }));
    // 1. A's quota holds: ten times the per-minute quota in one burst.
    let aServed = 0;
    for (let i = 0; i < quota * 10; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, floodA));
      aServed += batch.filter((r) => r.status > 0 && r.status < 300).length;
    }
    // 2. B's latency with and without A sending at ten times its quota's rate.
    const perSecond = (quota * 10) / 60;
    const pooled = { quiet: [] as number[], loud: [] as number[] };
    const measureB = async (into: number[] = []) => {
      const times = into;
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        const res = await request(base, {
          method: 'GET',
          path: bPaths[i % bPaths.length] as string,
          headers: bHeaders,
        });
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`B was refused: ${res.status}`);
      }
      return percentile(times, 95);
    };
    // Short alternating blocks, each noisy block paired with the quiet one before it: the machine's
    // own background load drifts slowly, so pairing cancels it out.
    const alone: number[] = [];
    const noisy: number[] = [];
    const changes: number[] = [];
    let bRefused = 0;
    const floodSentBefore = aSent;
    for (let round = 0; round < rounds; round++) {
      try {
        const quiet = await measureB(pooled.quiet);
        const timer = setInterval(() => {
          for (let k = 0; k < perSecond / 100; k++) void floodA();
        }, 10);
        let loud: number;
        try {
          loud = await measureB(pooled.loud);
        } finally {
          clearInterval(timer);
        }
        alone.push(quiet);
        noisy.push(loud);
        changes.push(((loud - quiet) / quiet) * 100);
      } catch {
        bRefused++;
      }
    }
    // The p95 of all quiet samples against all noisy ones (blocks alternate, so drift hits both alike).
    const p95Alone = percentile(pooled.quiet, 95);
    const p95Noisy = percentile(pooled.loud, 95);
    const change = ((p95Noisy - p95Alone) / p95Alone) * 100;
    void changes;
    const over = Math.max(0, aServed - quota);
    const text = `B's p95 ${ms(p95Alone)} alone, ${ms(p95Noisy)} while A sends ${fmt(perSecond)} req/s, 10× its quota (${fmt(change, 1)} % change; ${fmt(pooled.quiet.length)} requests each way in ${rounds} alternating pairs of blocks, real connections)`;
    return [
      zero(
        'L2',
        "A's over-quota requests served",
        over ? [`${over} of A's requests served beyond its quota of ${quota}/min`] : [],
        `of ${fmt(quota * 10)} requests in a burst at 10× A's per-key quota (${quota}/min; ${fmt(aServed)} served)`,
      ),
      zero(
        'L2',
        "B's requests refused",
        bRefused ? [`B was refused in ${bRefused} rounds`] : [],
        `while A floods (${fmt(aSent - floodSentBefore)} requests; limits are per key and per organization)`,
      ),
      // Timing comparisons decide only the full run; shorter runs report them (CI stays timing-blind).
      c.scale !== 'full'
        ? reported('L2', "B's p95 change", change, text)
        : atMost('L2', "B's p95 change", change, 10, text, { strict: true, unit: '%' }),
    ];
  } finally {
    await server.stop();
    await cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
