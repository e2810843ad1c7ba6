// A2: a PostgreSQL outage under load. The check makes its own cluster (never the shared server),
// starts the real server on it, and has candidates autosave while staff browse. Then it stops the
// database with `pg_ctl stop -m immediate` (a crash: no checkpoint) for 30 s (5 s quick). While it is
// down every failing reply must be a well-formed 503 with Retry-After and the code UNAVAILABLE (no
// 500, no stack), /readyz must fail, and the process must stay up. After `pg_ctl start` everything
// must recover with no manual step, and no acknowledged write may be lost.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { openDatabase } from '../../server/db/database.js';
import { type Figure, fmt, ms, reported, zero } from '../lib/figures.js';
import { createCluster, freePort } from '../lib/pg-cluster.js';
import { type HttpResponse, request, type ServerProcess, sleep, startServer } from '../lib/server-process.js';
import { type CheckContext, pick } from '../lib/world.js';
import {
  act,
  candidateHeaders,
  rng,
  type SimCandidate,
  seedCandidates,
  serverDatabase,
  startCandidate,
  verifyAnswers,
} from './durability.js';

type Observed = { at: number; what: string; status: number; res?: HttpResponse; error?: string };

export async function postgresOutage(c: CheckContext): Promise<Figure[]> {
  const outageMs = pick(c.scale, { test: 3_000, quick: 5_000, full: 30_000 });
  const r = rng(c.seed);
  const cluster = await createCluster();
  const { dataDir, env } = await serverDatabase('postgres', cluster, 'outage');
  const logFile = path.join(dataDir, 'server.log');
  const port = await freePort();
  let server: ServerProcess | undefined;
  try {
    const seeded = await seedCandidates(env, 40);
    server = await startServer({ env, port, logFile });
    const base = server.url;
    const cands: SimCandidate[] = seeded.invitations.map((inv, i) => ({
      token: inv.token,
      invitationId: inv.invitationId,
      email: inv.email,
      ip: `10.88.0.${i}`,
      cookie: '',
      items: [],
      seq: 0,
      sent: new Map(),
      acked: new Map(),
      submit: { acked: false },
      submitCycle: 0,
      acks: 0,
    }));
    await Promise.all(cands.map((x) => startCandidate(base, x)));
    const seen: Observed[] = [];
    let running = true;
    const observe = async (what: string, fn: () => Promise<HttpResponse>) => {
      const at = Date.now();
      try {
        const res = await fn();
        seen.push({ at, what, status: res.status, res });
      } catch (err) {
        seen.push({ at, what, status: 0, error: err instanceof Error ? err.message : String(err) });
      }
    };
    const loops = [
      ...cands.map(async (cand) => {
        const cr = rng(Math.floor(r() * 2 ** 31));
        while (running) {
          const kind = cr() < 0.75 ? 'single' : 'batch';
          const at = Date.now();
          try {
            const res = await act(base, cand, cr, kind);
            if (res) seen.push({ at, what: `autosave ${kind}`, status: res.status, res });
          } catch (err) {
            seen.push({ at, what: `autosave ${kind}`, status: 0, error: String(err) });
          }
          await sleep(150 + cr() * 350);
        }
      }),
      // A candidate reloading the page, and the health check an orchestrator polls.
      (async () => {
        while (running) {
          const cand = cands[Math.floor(r() * cands.length)] as SimCandidate;
          await observe('candidate page', () =>
            request(base, {
              method: 'GET',
              path: '/api/v1/take/attempt',
              headers: candidateHeaders(cand),
              timeoutMs: 15_000,
            }),
          );
          await sleep(100);
        }
      })(),
      (async () => {
        while (running) {
          await observe('readyz', () => request(base, { method: 'GET', path: '/readyz', timeoutMs: 15_000 }));
          await sleep(250);
        }
      })(),
    ];
    const fullBody = (o: Observed) => `${o.what} → ${o.status} ${o.error ?? o.res?.body.slice(0, 160) ?? ''}`;

    await sleep(2_000);
    const down = Date.now();
    await cluster.stop('immediate');
    await sleep(outageMs);
    const upAt = Date.now();
    await cluster.start();
    const startedMs = Date.now() - upAt;
    // Recovered: the first successful autosave and a ready /readyz after the database is back.
    let recoveredAt = 0;
    const recoveryDeadline = Date.now() + 60_000;
    while (Date.now() < recoveryDeadline) {
      const ok = seen.some((o) => o.at >= upAt && o.what.startsWith('autosave') && o.status === 200);
      const ready = seen.some((o) => o.at >= upAt && o.what === 'readyz' && o.status === 200);
      if (ok && ready) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(100);
    }
    await sleep(2_000);
    running = false;
    await Promise.all(loops);
    const alive = server.child.exitCode === null;
    await server.stop();
    server = undefined;

    // While the database was down (after the first second: requests in flight may straddle it).
    const during = seen.filter((o) => o.at >= down + 1_000 && o.at + 1_000 <= upAt);
    // Every failure from the stop until recovery, including requests that straddled either edge.
    const failures = seen.filter(
      (o) => o.at >= down - 500 && o.at <= (recoveredAt || upAt) && o.status !== 200 && o.what !== 'readyz',
    );
    const malformed = failures
      .filter((o) => {
        if (o.status !== 503 || !o.res) return true;
        const body = JSON.parse(o.res.body || '{}') as { error?: { code?: string } };
        return body.error?.code !== 'UNAVAILABLE' || !o.res.headers['retry-after'];
      })
      .map(fullBody);
    const leaky = failures
      .filter(
        (o) =>
          o.res && /\bat \S+ \(|node_modules|ECONNREFUSED|\.ts:\d|\.js:\d|select |insert /i.test(o.res.body),
      )
      .map(fullBody);
    const readyz = during.filter((o) => o.what === 'readyz');
    const readyWhileDown = readyz.filter((o) => o.status === 200).map(fullBody);
    const accepted = during.filter((o) => o.what.startsWith('autosave') && o.status === 200).map(fullBody);

    const handle = openDatabase(loadConfig(env));
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
    const { lost, torn } = verifyAnswers(
      cands,
      new Map(attempts.map((a) => [a.invitation_id ?? '', a])),
      stored,
    );
    const acked = cands.reduce((s, x) => s + x.acks, 0);
    const label = `${outageMs / 1000} s outage (pg_ctl stop -m immediate)`;
    return [
      zero(
        'A2',
        'malformed outage replies',
        [...malformed, ...(alive ? [] : ['the server process exited during the outage'])],
        `among ${fmt(failures.length)} failed requests during a ${label}: every one a 503 with Retry-After and code UNAVAILABLE`,
      ),
      zero(
        'A2',
        'internals in outage replies',
        leaky,
        `in ${fmt(failures.length)} outage replies (stack, SQL, driver errors)`,
      ),
      zero(
        'A2',
        '/readyz ready while down',
        readyWhileDown,
        `of ${fmt(readyz.length)} /readyz polls during the outage (each must fail with 503)`,
      ),
      zero(
        'A2',
        'writes acknowledged while down',
        accepted,
        `of ${fmt(during.filter((o) => o.what.startsWith('autosave')).length)} autosaves during the outage`,
      ),
      zero(
        'A2',
        'acknowledged writes lost',
        [...lost, ...torn],
        `of ${fmt(acked)} acknowledged autosaves across the outage and recovery`,
      ),
      recoveredAt
        ? reported(
            'A2',
            'recovery time',
            recoveredAt - upAt,
            `recovered with no manual step ${ms(recoveredAt - upAt)} after pg_ctl start (the database itself took ${ms(startedMs)} to accept connections)`,
          )
        : zero(
            'A2',
            'recovery',
            ['no successful autosave within 60 s of the database coming back'],
            'after the outage',
          ),
    ];
  } finally {
    await server?.kill9();
    await cluster.destroy();
    if (process.env.ASSAY_KEEP_LOGS) c.log(`server log kept at ${logFile}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
