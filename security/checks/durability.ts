// A1 (and I1): crash durability. 200 simulated candidates autosave against a real server process
// (single answers, batches of all their answers, and a final submit carrying answers), while the
// server is killed with SIGKILL at random moments, sometimes while it is still booting, and started
// again. Afterwards every answer that got a 2xx must be stored with the sequence number and choice
// that was acknowledged (or a newer one the candidate sent), no multi-row write may be half applied,
// no attempt may be graded or announced twice, and every committed event must reach the webhook
// receiver at least once (nothing for events that never committed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createContext } from '../../server/context.js';
import { type Dialect, openDatabase } from '../../server/db/database.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import {
  createTestAssessment,
  createTestInvitation,
  createTestOrg,
  createTestQuestion,
  quizSection,
} from '../../server/modules/attempts/attempts.factories.js';
import { startReceiver } from '../../server/modules/integrations/test-receiver.js';
import { createEndpoint } from '../../server/modules/integrations/webhooks.service.js';
import { type Figure, fmt, ms, percentile, reported, zero } from '../lib/figures.js';
import { createCluster, createDatabase, freePort, type PgCluster } from '../lib/pg-cluster.js';
import {
  cookiesOf,
  type HttpResponse,
  request,
  type ServerProcess,
  sleep,
  startServer,
} from '../lib/server-process.js';
import { type CheckContext, pick } from '../lib/world.js';

export type Item = { key: string; kind: 'single' | 'multiple'; options: string[] };
type Payload = {
  seq: number;
  kind: 'single' | 'batch' | 'submit';
  answers: Array<{ itemKey: string; choice: string[] }>;
};

export type SimCandidate = {
  token: string;
  invitationId: string;
  email: string;
  ip: string;
  cookie: string;
  items: Item[];
  seq: number;
  /** Every payload sent, by sequence number (a retry reuses its payload). */
  sent: Map<number, Payload>;
  /** The highest acknowledged sequence per item. */
  acked: Map<string, number>;
  submit: { payload?: Payload; acked: boolean };
  /** The cycle in which this candidate submits (0: never). */
  submitCycle: number;
  acks: number;
};

/** A deterministic random source (mulberry32), so a schedule replays from its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A database for the server process: a SQLite file in a temp dir, or a fresh database on a cluster. */
export async function serverDatabase(dialect: Dialect, cluster: PgCluster | undefined, name: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-${name}-`));
  const env: Record<string, string> = {
    ASSAY_DATA_DIR: dataDir,
    ASSAY_SECRET_KEY: 'ab'.repeat(32),
    TRUST_PROXY: 'true',
    WEBHOOKS_ALLOW_PRIVATE: 'true',
    PUBLIC_URL: 'http://assay.test',
    DATABASE_POOL_SIZE: '20',
  };
  if (dialect === 'postgres') {
    if (!cluster) throw new Error('no cluster');
    env.DATABASE_URL = await createDatabase(
      cluster.url,
      `${name.replace(/\W/g, '_')}_${Date.now().toString(36)}`,
    );
  }
  return { dataDir, env };
}

/** Seeds an organization, an assessment of `items` questions and `n` invitations whose tokens we know. */
export async function seedCandidates(env: Record<string, string>, n: number, webhookUrl?: string) {
  const ctx = createContext(loadConfig(env));
  try {
    await migrateToLatest(ctx.db);
    const org = await createTestOrg(ctx);
    for (const kind of ['single', 'multiple', 'single', 'multiple'] as const)
      await createTestQuestion(ctx, org, { kind });
    const assessmentId = await createTestAssessment(ctx, org, [
      quizSection('quiz', 4, { minutes: 480, shuffleOptions: false }),
    ]);
    if (webhookUrl) {
      await createEndpoint(
        ctx,
        org.actor,
        { url: webhookUrl, eventTypes: ['attempt.started', 'attempt.submitted', 'attempt.graded'] },
        { ip: '127.0.0.1', requestId: 'seed', userAgent: null },
      );
    }
    const invitations = [];
    for (let i = 0; i < n; i++) invitations.push(await createTestInvitation(ctx, org, assessmentId));
    return { orgId: org.orgId, assessmentId, invitations };
  } finally {
    await ctx.close();
  }
}

/** Starts a candidate's attempt and learns its questions. */
export async function startCandidate(base: string, c: SimCandidate): Promise<boolean> {
  const r = await request(base, {
    method: 'POST',
    path: '/api/v1/take/start',
    json: { token: c.token },
    headers: { 'x-forwarded-for': c.ip, 'user-agent': 'CrashSim/1.0' },
  });
  if (r.status !== 200) return false;
  c.cookie = cookiesOf(r);
  const s = await request(base, {
    method: 'GET',
    path: '/api/v1/take/attempt',
    headers: candidateHeaders(c),
  });
  if (s.status !== 200) return false;
  const state = JSON.parse(s.body) as {
    current: { items: Array<{ key: string; kind: 'single' | 'multiple'; options: Array<{ id: string }> }> };
  };
  c.items = state.current.items.map((i) => ({
    key: i.key,
    kind: i.kind,
    options: i.options.map((o) => o.id),
  }));
  return true;
}

export function candidateHeaders(c: SimCandidate) {
  return {
    cookie: c.cookie,
    'x-assay-candidate': '1',
    'x-forwarded-for': c.ip,
    'user-agent': 'CrashSim/1.0',
  };
}

function choiceFor(item: Item, r: () => number): string[] {
  if (item.kind === 'single') return [item.options[Math.floor(r() * item.options.length)] as string];
  const picked = item.options.filter(() => r() < 0.5);
  return picked.length ? picked : [item.options[0] as string];
}

/** One autosave (single item or a batch of all items) or the submit; records what was acknowledged. */
export async function act(
  base: string,
  c: SimCandidate,
  r: () => number,
  kind: Payload['kind'],
): Promise<HttpResponse | undefined> {
  if (!c.items.length) return undefined;
  let payload: Payload;
  if (kind === 'submit' && c.submit.payload)
    payload = c.submit.payload; // a retry sends the same body
  else {
    const seq = ++c.seq;
    const items = kind === 'single' ? [c.items[Math.floor(r() * c.items.length)] as Item] : c.items;
    payload = { seq, kind, answers: items.map((i) => ({ itemKey: i.key, choice: choiceFor(i, r) })) };
    c.sent.set(seq, payload);
    if (kind === 'submit') c.submit.payload = payload;
  }
  const answers = payload.answers.map((a) => ({ ...a, seq: payload.seq }));
  const res =
    kind === 'single'
      ? await request(base, {
          method: 'PUT',
          path: `/api/v1/take/answers/${answers[0]?.itemKey}`,
          json: { choice: answers[0]?.choice, seq: payload.seq },
          headers: candidateHeaders(c),
          timeoutMs: 10_000,
        })
      : await request(base, {
          method: kind === 'batch' ? 'PUT' : 'POST',
          path: kind === 'batch' ? '/api/v1/take/answers' : '/api/v1/take/submit',
          json: { answers },
          headers: candidateHeaders(c),
          timeoutMs: 10_000,
        });
  if (res.status !== 200) return res;
  for (const a of answers) c.acked.set(a.itemKey, Math.max(c.acked.get(a.itemKey) ?? 0, payload.seq));
  if (kind === 'submit') c.submit.acked = true;
  c.acks++;
  return res;
}

export type StoredAnswer = { attempt_id: string; item_key: string; choice: string; client_seq: number };

/** Compares what the database holds with what each candidate was told. */
export function verifyAnswers(
  cands: SimCandidate[],
  attemptOf: Map<string, { id: string; status: string }>,
  stored: StoredAnswer[],
) {
  const lost: string[] = [];
  const torn: string[] = [];
  const byAttempt = new Map<string, Map<string, StoredAnswer>>();
  for (const s of stored) {
    const m = byAttempt.get(s.attempt_id) ?? new Map<string, StoredAnswer>();
    m.set(s.item_key, s);
    byAttempt.set(s.attempt_id, m);
  }
  for (const c of cands) {
    const attempt = attemptOf.get(c.invitationId);
    if (!attempt) {
      if (c.acked.size) lost.push(`${c.email}: acknowledged answers but no attempt`);
      continue;
    }
    const rows = byAttempt.get(attempt.id) ?? new Map<string, StoredAnswer>();
    for (const [itemKey, seq] of c.acked) {
      const row = rows.get(itemKey);
      if (!row || row.client_seq < seq) {
        lost.push(`${c.email} ${itemKey}: acknowledged seq ${seq}, stored ${row?.client_seq ?? 'nothing'}`);
      }
    }
    for (const row of rows.values()) {
      const p = c.sent.get(row.client_seq);
      const mine = p?.answers.find((a) => a.itemKey === row.item_key);
      if (!p || !mine) {
        torn.push(`${c.email} ${row.item_key}: stored seq ${row.client_seq} was never sent for this item`);
        continue;
      }
      if (JSON.stringify(mine.choice) !== row.choice)
        torn.push(
          `${c.email} ${row.item_key}: seq ${row.client_seq} stored ${row.choice}, sent ${JSON.stringify(mine.choice)}`,
        );
      // A batch (or a submit's answers) is one transaction: all of it or none of it.
      if (p.kind !== 'single') {
        for (const other of p.answers) {
          const o = rows.get(other.itemKey);
          if (!o || o.client_seq < p.seq)
            torn.push(
              `${c.email}: ${p.kind} seq ${p.seq} applied to ${row.item_key} but not to ${other.itemKey}`,
            );
        }
      }
    }
    if (c.submit.acked && attempt.status === 'in_progress') lost.push(`${c.email}: acknowledged submit lost`);
    if (attempt.status !== 'in_progress' && c.submit.payload) {
      for (const a of c.submit.payload.answers) {
        const o = rows.get(a.itemKey);
        if (!o || o.client_seq < c.submit.payload.seq)
          torn.push(`${c.email}: submitted without its final answer to ${a.itemKey}`);
      }
    }
  }
  return { lost, torn };
}

export async function crashDurability(c: CheckContext): Promise<Figure[]> {
  const candidates = 200;
  const cycles = pick(c.scale, { test: 2, quick: 3, full: 60 });
  const r = rng(c.seed);
  const cluster = c.dialect === 'postgres' ? await createCluster() : undefined;
  const receiver = await startReceiver();
  const { dataDir, env } = await serverDatabase(c.dialect, cluster, 'crash');
  const logFile = path.join(dataDir, 'server.log');
  const port = await freePort();
  let server: ServerProcess | undefined;
  try {
    const t0 = Date.now();
    const seeded = await seedCandidates(env, candidates, receiver.url);
    c.log(`seeded in ${Date.now() - t0} ms`);
    const cands: SimCandidate[] = seeded.invitations.map((inv, i) => ({
      token: inv.token,
      invitationId: inv.invitationId,
      email: inv.email,
      ip: `10.77.${i >> 8}.${i & 255}`,
      cookie: '',
      items: [],
      seq: 0,
      sent: new Map(),
      acked: new Map(),
      submit: { acked: false },
      // A third never submit; the rest submit in a random cycle.
      submitCycle: r() < 0.33 ? 0 : 1 + Math.floor(r() * cycles),
      acks: 0,
    }));
    const readyTimes: number[] = [];
    let bootKills = 0;
    let statusCounts = new Map<number, number>();
    for (let cycle = 1; cycle <= cycles; cycle++) {
      // Now and then, kill it while it boots (migrations, content sync, workers starting).
      if (cycle === 2 || (cycle > 1 && cycle % 4 === 0)) {
        const booting = await startServer({ env, port, logFile, noWait: true });
        await sleep(100 + r() * 1500);
        await booting.kill9();
        bootKills++;
      }
      server = await startServer({ env, port, logFile });
      c.log(`cycle ${cycle}: ready in ${Math.round(server.readyMs)} ms`);
      if (cycle > 1) readyTimes.push(server.readyMs);
      const base = server.url;
      if (cycle === 1) {
        for (let i = 0; i < cands.length; i += 20)
          await Promise.all(cands.slice(i, i + 20).map((x) => startCandidate(base, x)));
      }
      const runFor = pick(c.scale, { test: 1500, quick: 2500, full: 3000 }) * (0.4 + r());
      let alive = true;
      const loops = cands.map(async (cand) => {
        const cr = rng(Math.floor(r() * 2 ** 31));
        await sleep(cr() * 400);
        while (alive) {
          if (cand.submit.acked) return;
          const wantsSubmit = cand.submitCycle === cycle && cr() < 0.08;
          const kind = cand.submit.payload || wantsSubmit ? 'submit' : cr() < 0.7 ? 'single' : 'batch';
          try {
            const res = await act(base, cand, cr, kind);
            if (res) statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
          } catch {
            // the server died mid-request: unacknowledged
          }
          await sleep(300 + cr() * 700);
        }
      });
      await sleep(runFor);
      await server.kill9();
      alive = false;
      await Promise.all(loops);
      c.log(`cycle ${cycle}: killed after ${Math.round(runFor)} ms`);
    }
    // Recover, let the workers finish grading and webhooks, then stop cleanly and look.
    server = await startServer({ env, port, logFile });
    readyTimes.push(server.readyMs);
    const handle = openDatabase(loadConfig(env));
    const db = handle.db;
    const recoveryStart = Date.now();
    const deadline = Date.now() + pick(c.scale, { test: 60_000, quick: 60_000, full: 180_000 });
    while (Date.now() < deadline) {
      const pending = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', 'in', ['queued', 'running'])
        .where('name', 'in', ['attempts.grade', 'webhooks.dispatch', 'webhooks.deliver'])
        .executeTakeFirstOrThrow();
      const undispatched = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dispatched_at', 'is', null)
        .executeTakeFirstOrThrow();
      const submittedUngraded = await db
        .selectFrom('attempts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'submitted')
        .executeTakeFirstOrThrow();
      if (Number(pending.n) === 0 && Number(undispatched.n) === 0 && Number(submittedUngraded.n) === 0) break;
      await sleep(250);
    }
    const recoveryMs = Date.now() - recoveryStart;
    c.log(`recovered and drained at ${Date.now() - t0} ms`);
    await server.stop();
    server = undefined;

    const attempts = await db
      .selectFrom('attempts')
      .select(['id', 'invitation_id', 'status'])
      .where('org_id', '=', seeded.orgId)
      .execute();
    const attemptOf = new Map(attempts.map((a) => [a.invitation_id ?? '', a]));
    const stored = await db
      .selectFrom('answers')
      .select(['attempt_id', 'item_key', 'choice', 'client_seq'])
      .where(
        'attempt_id',
        'in',
        attempts.map((a) => a.id),
      )
      .execute();
    const { lost, torn } = verifyAnswers(cands, attemptOf, stored);

    // Duplicates: per attempt at most one submitted and one graded event, one grading job, one email.
    const duplicates: string[] = [];
    const events = await db
      .selectFrom('events')
      .select(['id', 'type', 'subject_id'])
      .where('org_id', '=', seeded.orgId)
      .execute();
    const count = new Map<string, number>();
    for (const e of events)
      count.set(`${e.type} ${e.subject_id}`, (count.get(`${e.type} ${e.subject_id}`) ?? 0) + 1);
    for (const [k, n] of count) if (n > 1) duplicates.push(`${n}× ${k}`);
    const gradeJobs = await db
      .selectFrom('jobs')
      .select('payload')
      .where('name', '=', 'attempts.grade')
      .execute();
    const jobCount = new Map<string, number>();
    for (const j of gradeJobs) {
      const id = (JSON.parse(j.payload) as { attemptId: string }).attemptId;
      jobCount.set(id, (jobCount.get(id) ?? 0) + 1);
    }
    for (const [id, n] of jobCount) if (n > 1) duplicates.push(`${n} grading jobs for attempt ${id}`);
    const mails = await db.selectFrom('emails').select(['kind', 'to_address']).execute();
    const mailCount = new Map<string, number>();
    for (const m of mails)
      mailCount.set(`${m.kind} ${m.to_address}`, (mailCount.get(`${m.kind} ${m.to_address}`) ?? 0) + 1);
    for (const [k, n] of mailCount) if (n > 1) duplicates.push(`${n} emails ${k}`);
    const graded = attempts.filter((a) => a.status === 'graded').length;
    const notGraded = attempts
      .filter((a) => a.status === 'submitted')
      .map((a) => `attempt ${a.id} submitted but not graded after recovery`);

    // I1: every committed event reached the receiver at least once; nothing else did.
    const subscribed = events.filter((e) =>
      ['attempt.started', 'attempt.submitted', 'attempt.graded'].includes(e.type),
    );
    const delivered = new Map<string, number>();
    for (const x of receiver.received) {
      const id = String(x.headers['webhook-id'] ?? '');
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    const eventIds = new Set(events.map((e) => e.id));
    const undelivered = subscribed
      .filter((e) => !delivered.has(e.id))
      .map((e) => `${e.type} ${e.id} never delivered`);
    const phantom = [...delivered.keys()]
      .filter((id) => !eventIds.has(id))
      .map((id) => `delivered ${id}, not an event`);
    const redelivered = [...delivered.values()].filter((n) => n > 1).length;
    await handle.close();

    const acked = cands.reduce((s, x) => s + x.acks, 0);
    const ackedItems = cands.reduce((s, x) => s + x.acked.size, 0);
    const submitted = cands.filter((x) => x.submit.acked).length;
    const statusText = [...statusCounts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${fmt(n)}`)
      .join(' ');
    statusCounts = new Map();
    const over = `over ${cycles} kill -9 cycles (+${bootKills} during boot), ${candidates} candidates, ${fmt(acked)} acknowledged writes`;
    return [
      zero(
        'A1',
        'acknowledged answers lost',
        lost,
        `(${fmt(ackedItems)} acknowledged item answers, ${submitted} acknowledged submits) ${over}`,
      ),
      zero('A1', 'torn writes', torn, `in ${fmt(stored.length)} stored answers ${over}`),
      zero(
        'A1',
        'duplicate results',
        [...duplicates, ...notGraded],
        `(events, grading jobs, emails) for ${fmt(attempts.length)} attempts, ${graded} graded once`,
      ),
      reported(
        'A1',
        'restart-to-ready',
        percentile(readyTimes, 95),
        `restart-to-ready p50 ${ms(percentile(readyTimes, 50))}, p95 ${ms(percentile(readyTimes, 95))}, max ${ms(Math.max(...readyTimes))} over ${readyTimes.length} restarts (${process.env.ASSAY_SCORECARD_SERVER === 'dist' ? 'dist' : 'tsx'}); replies ${statusText}`,
      ),
      reported(
        'I1',
        'recovery lag',
        recoveryMs,
        `after the last restart, every submitted attempt was graded and every event delivered within ${ms(recoveryMs)} (a dead worker's jobs wait for their lease to expire)`,
      ),
      zero(
        'I1',
        'committed events lost',
        undelivered,
        `of ${fmt(subscribed.length)} committed webhook events after ${cycles} crashes`,
      ),
      zero(
        'I1',
        'phantom events',
        phantom,
        `among ${fmt(receiver.received.length)} deliveries (${redelivered} events delivered more than once, as at-least-once allows)`,
      ),
    ];
  } finally {
    await server?.kill9();
    await receiver.close();
    await cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
