// One benchmark run on one dialect: seed a fresh database, take the baselines, start the real server
// and drive each scenario against it from the load process, then check what the database holds
// against what the clients were told.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Ctx } from '../../server/context.js';
import type { Dialect } from '../../server/db/database.js';
import { recomputeCohortPercentiles } from '../../server/modules/attempts/attempts.repository.js';
import type { UpsertTarget } from '../baselines/db-upsert.js';
import { CAMPUS_REQUESTS_PER_CANDIDATE } from '../load-worker.js';
import {
  type Acks,
  type BenchCandidate,
  ipOf,
  type LoadFigures,
  log,
  percentile,
  ROOT,
  round,
  sleep,
  writeJson,
} from './common.js';
import { createScratch, type Scratch } from './database.js';
import { type LoadSpec, loadCpu, runLoad } from './load.js';
import { type ProfileSummary, summariseProfile, threadProfiles } from './profile.js';
import {
  attemptsOfCookies,
  attemptsOfTokens,
  type BenchOrg,
  createBenchAssessment,
  inviteCohort,
  seedBase,
  seedGradedCohort,
  startCohort,
  withPlans,
} from './seed.js';
import {
  cpuSeconds,
  machineBusySeconds,
  type Running,
  startHello,
  startServer,
  timeNpmStart,
} from './server.js';

export type Mode = 'full' | 'quick' | 'smoke';

export const SCALES = {
  full: {
    warmupS: 3,
    capacityS: 10,
    helloS: 10,
    upsertS: 5,
    capN: 2000,
    stormN: 2000,
    examN: 5000,
    steadyS: 300,
    steadyConns: 500,
    recruiterS: 60,
    recruiterRate: 20,
    pipelineN: 10_000,
    campusN: 5000,
    campusConns: 500,
    campusRate: 700,
    npmStarts: 3,
  },
  quick: {
    warmupS: 3,
    capacityS: 10,
    helloS: 10,
    upsertS: 5,
    capN: 2000,
    stormN: 2000,
    examN: 5000,
    steadyS: 30,
    steadyConns: 500,
    recruiterS: 20,
    recruiterRate: 20,
    pipelineN: 10_000,
    campusN: 500,
    campusConns: 100,
    campusRate: 700,
    npmStarts: 3,
  },
  smoke: {
    warmupS: 1,
    capacityS: 2,
    helloS: 2,
    upsertS: 1,
    capN: 40,
    stormN: 40,
    examN: 100,
    steadyS: 3,
    steadyConns: 10,
    recruiterS: 3,
    recruiterRate: 5,
    pipelineN: 60,
    campusN: 20,
    campusConns: 10,
    campusRate: 200,
    npmStarts: 1,
  },
} as const;

export type Scale = (typeof SCALES)[Mode];

export const scenarioNames = ['capacity', 'start', 'steady', 'recruiter', 'submit', 'campus'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Every scenario also reports the server's memory and CPU, and how busy the rest of the machine was. */
type WithRss<T> = T & {
  rssMb: number;
  /** Server CPU seconds (all threads) during the scenario. */
  serverCpuS: number;
  /** CPU used by processes other than the server, the load generator and the harness, in % of one core. */
  backgroundCpuPct: number;
  loadAvg1: number;
};

export type DialectResult = {
  dialect: Dialect;
  mode: Mode;
  startedAt: string;
  wallS: number;
  seeding: { seconds: number; candidates: Record<string, number> };
  baselines: {
    hello?: LoadFigures;
    helloCpu?: { serverCpuUsPerReq: number; backgroundCpuPct: number };
    dbUpsert?: { rate: number; p50: number; p99: number; statements: number; concurrency: number };
  };
  startup: { command: string; npmStartMs: number[]; npmStartMedianMs?: number; serveReadyMs?: number };
  scenarios: {
    autosaveCapacity?: WithRss<{ figures: LoadFigures; ratioToHello?: number; ratioToUpsert?: number }>;
    startStorm?: WithRss<{
      figures: LoadFigures;
      ratioToHello?: number;
      started: number;
      of: number;
      wallS: number;
    }>;
    steadyExam?: WithRss<{ figures: LoadFigures; rate: number; candidates: number }>;
    recruiterLoad?: WithRss<{
      route: string;
      pipelineRoute: boolean;
      pipeline: LoadFigures;
      autosave: LoadFigures;
      candidates: number;
      slowdownP99?: number;
    }>;
    submitStorm?: WithRss<{
      ack: LoadFigures;
      ratioToHello?: number;
      submitted: number;
      grading: {
        graded: number;
        perSecond: number;
        drainS: number;
        resultP50Ms: number;
        resultP99Ms: number;
        resultMaxMs: number;
      };
    }>;
    campusDrive?: WithRss<{
      figures: LoadFigures;
      candidates: number;
      wallS: number;
      counts: CampusCounts;
    }>;
  };
  peakRssMb: number;
  serverLog: { warnings: number; errors: number; samples: string[] };
  /** CPU profiles (node --cpu-prof) of separate, profiled server runs: the main thread, and the job thread on SQLite. */
  profiles?: Record<string, ProfiledRun>;
};

export type ProfiledRun = {
  scenario: string;
  figures: LoadFigures;
  main?: ProfileSummary;
  worker?: ProfileSummary;
};

export type CampusCounts = {
  started: number;
  answersAcknowledged: number;
  answersStored: number;
  lostAnswers: number;
  submitted: number;
  graded: number;
  missingResults: number;
  duplicateResults: number;
  duplicateSubmitEvents: number;
  duplicateResultEmails: number;
};

type RunOptions = {
  mode: Mode;
  only: Set<ScenarioName>;
  profile: boolean;
  workDir: string;
  /** Time `assay serve` rather than `npm start` (when the build is not to be touched). */
  directStart?: boolean;
};

function writeCandidates(dir: string, name: string, cands: BenchCandidate[]): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(cands.map((c) => ({ token: c.token, cookie: c.cookie, ip: c.ip, items: c.items }))),
  );
  return file;
}

function readAcks(file: string): Acks {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Acks;
}

async function measured<T extends object>(server: Running, fn: () => Promise<T>): Promise<WithRss<T>> {
  server.rss.window();
  const started = performance.now();
  const cpu0 = cpuSeconds(server.pid);
  const busy0 = machineBusySeconds();
  const load0 = loadCpu.seconds;
  const self0 = process.cpuUsage();
  const r = await fn();
  const wallS = (performance.now() - started) / 1000;
  const serverCpuS = cpuSeconds(server.pid) - cpu0;
  const self = process.cpuUsage(self0);
  const others =
    machineBusySeconds() - busy0 - serverCpuS - (loadCpu.seconds - load0) - (self.user + self.system) / 1e6;
  return {
    ...r,
    rssMb: server.rss.window(),
    serverCpuS: round(serverCpuS, 2),
    backgroundCpuPct: Math.max(0, Math.round((100 * others) / wallS)),
    loadAvg1: round(os.loadavg()[0] ?? 0, 2),
  };
}

export function usPerReq(cpuS: number, f: LoadFigures | undefined): number {
  return f?.requests ? Math.round((cpuS * 1e6) / f.requests) : 0;
}

function cpuNote(r: { serverCpuS: number; backgroundCpuPct: number }, f: LoadFigures): string {
  return `; server CPU ${usPerReq(r.serverCpuS, f)} µs/request; other processes used ${r.backgroundCpuPct}% of a core`;
}

function logFigures(name: string, f: LoadFigures, extra = ''): void {
  log(
    `${name}: ${f.rps} req/s, p50 ${f.p50} ms, p97.5 ${f.p975} ms, p99 ${f.p99} ms, ` +
      `errors ${f.errors}, non-2xx ${f.non2xx}${extra}`,
  );
}

async function runUpsertBaseline(
  scratch: Scratch,
  cands: Array<BenchCandidate & { attemptId: string; sessionId: string; sectionIndex: number }>,
  orgId: string,
  durationS: number,
  t0: number,
  workDir: string,
) {
  const targets: UpsertTarget[] = cands.map((c) => ({
    orgId,
    attemptId: c.attemptId,
    sessionId: c.sessionId,
    sectionIndex: c.sectionIndex,
    items: (c.items ?? []).map((it) => ({ key: it.key, options: it.options })),
  }));
  const specFile = path.join(workDir, 'upsert-spec.json');
  fs.writeFileSync(
    specFile,
    JSON.stringify({
      env: scratch.env,
      targets,
      durationS,
      concurrency: scratch.dialect === 'postgres' ? 10 : 1,
      t0,
    }),
  );
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'baselines', 'db-upsert.ts'), specFile],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    p.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`db-upsert exited ${code}`))));
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`db-upsert printed no result:\n${out}`);
  return JSON.parse(line.slice(7));
}

async function signInStaff(url: string, org: BenchOrg): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ipOf(999_000) },
    body: JSON.stringify({ email: org.email, password: org.password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

type OpenApi = {
  paths?: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string; schema?: { enum?: string[] } }> }>
  >;
};

/**
 * The recruiter's page: the pipeline route when the server has it (read from its OpenAPI document:
 * sorted by score, one filter, 50 rows), else the invitation list, which is what exists without it.
 */
export async function recruiterRoute(
  url: string,
  assessmentId: string,
): Promise<{ path: string; pipeline: boolean }> {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApi;
  const op = doc.paths?.['/api/v1/assessments/{assessmentId}/pipeline']?.get;
  if (!op)
    return {
      path: `/api/v1/assessments/${assessmentId}/invitations?status=completed&limit=50`,
      pipeline: false,
    };
  const params = new Map((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
  const q = new URLSearchParams();
  if (params.has('limit')) q.set('limit', '50');
  const sort = params.get('sort');
  if (sort) {
    const values = sort.schema?.enum ?? [];
    const byScore = values.filter((v) => /score/i.test(v));
    q.set('sort', byScore.find((v) => /^-|desc/i.test(v)) ?? byScore[0] ?? values[0] ?? '-score');
  }
  for (const name of ['order', 'direction', 'dir']) if (params.has(name)) q.set(name, 'desc');
  if (params.has('status')) {
    const values = params.get('status')?.schema?.enum ?? [];
    q.set('status', values.find((v) => /graded|completed/.test(v)) ?? values[0] ?? 'graded');
  } else if (params.has('stage')) q.set('stage', 'new');
  else if (params.has('minScore')) q.set('minScore', '0.2');
  return { path: `/api/v1/assessments/${assessmentId}/pipeline?${q}`, pipeline: true };
}

/** Waits until the given attempts are graded (or `timeoutMs` passes); returns their times. */
async function waitForGrades(probe: Ctx, attemptIds: string[], timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  const ids = attemptIds.filter(Boolean);
  for (;;) {
    let graded = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const r = await probe.db
        .selectFrom('attempts')
        .select(probe.db.fn.countAll<number>().as('n'))
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', '=', 'graded')
        .executeTakeFirstOrThrow();
      graded += Number(r.n);
    }
    if (graded >= ids.length || Date.now() > until) break;
    await sleep(250);
  }
  const rows: Array<{ submitted_at: number | null; graded_at: number | null }> = [];
  for (let i = 0; i < ids.length; i += 500) {
    rows.push(
      ...(await probe.db
        .selectFrom('attempts')
        .select(['submitted_at', 'graded_at'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute()),
    );
  }
  return rows;
}

function gradingFigures(rows: Array<{ submitted_at: number | null; graded_at: number | null }>) {
  const done = rows.filter((r) => r.graded_at !== null && r.submitted_at !== null) as Array<{
    submitted_at: number;
    graded_at: number;
  }>;
  const lat = done.map((r) => Number(r.graded_at) - Number(r.submitted_at)).sort((a, b) => a - b);
  const firstSubmit = Math.min(...done.map((r) => Number(r.submitted_at)));
  const firstGrade = Math.min(...done.map((r) => Number(r.graded_at)));
  const lastGrade = Math.max(...done.map((r) => Number(r.graded_at)));
  return {
    graded: done.length,
    perSecond: done.length ? round(done.length / Math.max(0.001, (lastGrade - firstGrade) / 1000), 1) : 0,
    drainS: done.length ? round((lastGrade - firstSubmit) / 1000, 2) : 0,
    resultP50Ms: percentile(lat, 50),
    resultP99Ms: percentile(lat, 99),
    resultMaxMs: lat.at(-1) ?? 0,
  };
}

/** Counts every answer and result of a drive against what its clients were acknowledged. */
export async function checkCampus(
  probe: Ctx,
  cands: BenchCandidate[],
  acks: Acks,
  timeoutMs: number,
): Promise<CampusCounts> {
  const attemptIds = await attemptsOfTokens(
    probe,
    cands.map((c) => c.token as string),
  );
  const submittedIds = [...new Set(acks.submitted)].map((k) => attemptIds[k]).filter((x): x is string => !!x);
  await waitForGrades(probe, submittedIds, timeoutMs);
  const ids = attemptIds.filter((x): x is string => !!x);
  const stored = new Map<string, number>();
  const status = new Map<string, string>();
  const graded = new Map<string, number>();
  const submittedEvents = new Map<string, number>();
  const emails = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of await probe.db
      .selectFrom('answers')
      .select(['attempt_id', 'item_key', 'client_seq'])
      .where('attempt_id', 'in', chunk)
      .execute())
      stored.set(`${r.attempt_id}/${r.item_key}`, r.client_seq);
    for (const r of await probe.db
      .selectFrom('attempts')
      .select(['id', 'status'])
      .where('id', 'in', chunk)
      .execute())
      status.set(r.id, r.status);
    for (const r of await probe.db
      .selectFrom('events')
      .select(['subject_id', 'type'])
      .where('subject_id', 'in', chunk)
      .where('type', 'in', ['attempt.graded', 'attempt.submitted'])
      .execute()) {
      const m = r.type === 'attempt.graded' ? graded : submittedEvents;
      m.set(r.subject_id, (m.get(r.subject_id) ?? 0) + 1);
    }
  }
  for (const r of await probe.db
    .selectFrom('emails')
    .select(['to_address'])
    .where('kind', '=', 'attempt.result')
    .where('to_address', 'like', 'campus-%')
    .execute())
    emails.set(r.to_address, (emails.get(r.to_address) ?? 0) + 1);

  let acknowledged = 0;
  let lost = 0;
  for (const [k, items] of Object.entries(acks.answers)) {
    const id = attemptIds[Number(k)];
    for (const [item, seq] of Object.entries(items)) {
      acknowledged++;
      const have = id ? stored.get(`${id}/${item}`) : undefined;
      if (have === undefined || have < seq) lost++;
    }
  }
  const submitted = new Set(acks.submitted);
  let missing = 0;
  for (const k of submitted) {
    const id = attemptIds[k];
    if (!id || status.get(id) !== 'graded') missing++;
  }
  const over = (m: Map<string, number>) => [...m.values()].filter((n) => n > 1).length;
  return {
    started: ids.length,
    answersAcknowledged: acknowledged,
    answersStored: stored.size,
    lostAnswers: lost,
    submitted: submitted.size,
    graded: [...status.values()].filter((s) => s === 'graded').length,
    missingResults: missing,
    duplicateResults: over(graded),
    duplicateSubmitEvents: over(submittedEvents),
    duplicateResultEmails: over(emails),
  };
}

/** Every candidate of the cohort starts at once (closed loop, 100 connections); returns who started. */
async function startStorm(url: string, cohort: BenchCandidate[], work: string, name: string, probe: Ctx) {
  const file = writeCandidates(work, name, cohort);
  const acksFile = path.join(work, `${name}-start-acks.json`);
  const r = await runLoad({
    kind: 'start',
    url,
    connections: Math.min(100, cohort.length),
    amount: cohort.length,
    candidatesFile: file,
    acksFile,
  });
  const acks = readAcks(acksFile);
  const ks = Object.keys(acks.cookies).map(Number);
  const ids = await attemptsOfCookies(
    probe,
    ks.map((k) => acks.cookies[k] as string),
  );
  const started = ks.map((k, i) => ({
    ...(cohort[k] as BenchCandidate),
    cookie: acks.cookies[k],
    attemptId: ids[i] as string,
  }));
  return { figures: r.figures, wallMs: r.wallMs, started };
}

/**
 * Everyone answers everything (one batch each, not measured), then submits at once (closed loop, 100
 * connections); waits until the grading jobs have graded the cohort and returns their times.
 */
async function submitStorm(
  url: string,
  cohort: Array<BenchCandidate & { attemptId: string }>,
  work: string,
  name: string,
  probe: Ctx,
) {
  const file = writeCandidates(work, `${name}-submit`, cohort);
  const fill = await runLoad({
    kind: 'fill',
    url,
    connections: Math.min(50, cohort.length),
    amount: cohort.length,
    candidatesFile: file,
  });
  if (fill.figures.non2xx || fill.figures.errors)
    log(`WARNING: answer fill had ${fill.figures.non2xx} non-2xx, ${fill.figures.errors} errors`);
  const acksFile = path.join(work, `${name}-submit-acks.json`);
  const r = await runLoad({
    kind: 'submit',
    url,
    connections: Math.min(100, cohort.length),
    amount: cohort.length,
    candidatesFile: file,
    acksFile,
  });
  const acks = readAcks(acksFile);
  // The acknowledged submits must all be graded; one whose request timed out may or may not have been.
  const rows = await waitForGrades(
    probe,
    acks.submitted.map((k) => (cohort[k] as { attemptId: string }).attemptId),
    300_000,
  );
  return { ack: r.figures, submitted: acks.submitted.length, rows };
}

export async function runDialect(dialect: Dialect, opts: RunOptions): Promise<DialectResult> {
  const S = SCALES[opts.mode];
  const wallStart = performance.now();
  const t0 = Date.now();
  const has = (s: ScenarioName) => opts.only.has(s);
  const result: DialectResult = {
    dialect,
    mode: opts.mode,
    startedAt: new Date().toISOString(),
    wallS: 0,
    seeding: { seconds: 0, candidates: {} },
    baselines: {},
    startup: { command: opts.directStart ? 'node dist/server/main.js serve' : 'npm start', npmStartMs: [] },
    scenarios: {},
    peakRssMb: 0,
    serverLog: { warnings: 0, errors: 0, samples: [] },
  };
  const scratch = await createScratch(dialect);
  const work = fs.mkdtempSync(path.join(opts.workDir, `${dialect}-`));
  let server: Running | undefined;
  let probe: Ctx | undefined;
  try {
    // ------------------------------------------------------------------ seed
    log(`${dialect}: seeding a fresh database (${scratch.databaseUrl ?? scratch.dataDir})`);
    const seedStart = performance.now();
    const ctx = scratch.openCtx({ poolSize: 10 });
    const conc = dialect === 'postgres' ? 8 : 1;
    const org = await seedBase(ctx);
    const examId = await createBenchAssessment(ctx, org, 'Campus drive');
    const pipelineId = await createBenchAssessment(ctx, org, 'Pipeline');
    const capInv = await inviteCohort(ctx, org, examId, 'cap', S.capN, 0);
    const stormInv =
      has('start') || has('submit') ? await inviteCohort(ctx, org, examId, 'storm', S.stormN, 100_000) : [];
    const examInv =
      has('steady') || has('recruiter') ? await inviteCohort(ctx, org, examId, 'exam', S.examN, 200_000) : [];
    const campusInv = has('campus') ? await inviteCohort(ctx, org, examId, 'campus', S.campusN, 300_000) : [];
    const profInv =
      opts.profile && has('start') ? await inviteCohort(ctx, org, examId, 'prof', S.stormN, 400_000) : [];
    const cap = await startCohort(ctx, capInv, conc);
    const exam = await startCohort(ctx, examInv, conc);
    if (has('recruiter')) {
      log(`${dialect}: seeding ${S.pipelineN} graded candidates for the pipeline`);
      await seedGradedCohort(ctx, org, pipelineId, S.pipelineN, conc, (d) => log(`  … ${d} graded`));
      await recomputeCohortPercentiles(ctx.db, ctx.dialect, org.orgId, pipelineId);
    }
    await ctx.close();
    result.seeding = {
      seconds: round((performance.now() - seedStart) / 1000, 1),
      candidates: {
        capacity: cap.length,
        storm: stormInv.length,
        exam: exam.length,
        campus: campusInv.length,
        pipeline: has('recruiter') ? S.pipelineN : 0,
      },
    };
    log(`${dialect}: seeded in ${result.seeding.seconds} s`);

    // ------------------------------------------------------------------ baselines
    result.baselines.dbUpsert = await runUpsertBaseline(scratch, cap, org.orgId, S.upsertS, t0, work);
    log(
      `${dialect}: baseline raw autosave upsert: ${result.baselines.dbUpsert?.rate}/s ` +
        `(p50 ${result.baselines.dbUpsert?.p50} ms, p99 ${result.baselines.dbUpsert?.p99} ms, ${result.baselines.dbUpsert?.concurrency} in flight)`,
    );

    for (let i = 0; i < S.npmStarts; i++)
      result.startup.npmStartMs.push(await timeNpmStart(scratch.env, opts.directStart));
    const sortedStarts = [...result.startup.npmStartMs].sort((a, b) => a - b);
    result.startup.npmStartMedianMs = percentile(sortedStarts, 50);
    log(`${dialect}: ${result.startup.command} to ready: ${result.startup.npmStartMs.join(', ')} ms`);

    const hello = await startHello();
    try {
      await runLoad({ kind: 'hello', url: hello.url, connections: 100, duration: S.warmupS });
      const h = await measured(hello, () =>
        runLoad({ kind: 'hello', url: hello.url, connections: 100, duration: S.helloS }),
      );
      result.baselines.hello = h.figures;
      result.baselines.helloCpu = {
        serverCpuUsPerReq: usPerReq(h.serverCpuS, h.figures),
        backgroundCpuPct: h.backgroundCpuPct,
      };
      logFigures(`${dialect}: baseline hello-world`, h.figures, cpuNote(h, h.figures));
    } finally {
      await hello.stop();
    }
    const helloRps = result.baselines.hello.rps;

    // ------------------------------------------------------------------ the server
    server = await startServer(scratch.env);
    result.startup.serveReadyMs = server.readyMs;
    probe = scratch.openCtx({ poolSize: 2 });
    const url = server.url;

    const capFile = writeCandidates(work, 'capacity', cap);
    if (has('capacity')) {
      result.scenarios.autosaveCapacity = await measured(server, async () => {
        const base: LoadSpec = { kind: 'autosave', url, connections: 100, candidatesFile: capFile, t0 };
        await runLoad({ ...base, duration: S.warmupS });
        const { figures } = await runLoad({ ...base, duration: S.capacityS });
        return {
          figures,
          ratioToHello: round(figures.rps / helloRps, 3),
          ratioToUpsert: result.baselines.dbUpsert
            ? round(figures.rps / result.baselines.dbUpsert.rate, 3)
            : undefined,
        };
      });
      const r = result.scenarios.autosaveCapacity;
      logFigures(
        `${dialect}: autosave capacity`,
        r.figures,
        ` — ${Math.round(100 * (r.ratioToHello ?? 0))}% of hello-world, ${Math.round(100 * (r.ratioToUpsert ?? 0))}% of the raw upsert, RSS ${r.rssMb} MB${cpuNote(r, r.figures)}`,
      );
    }

    // Start storm: every candidate of the cohort starts at once (closed loop, 100 connections).
    let stormStarted: Array<BenchCandidate & { attemptId: string }> = [];
    if (has('start') || has('submit')) {
      result.scenarios.startStorm = await measured(server, async () => {
        const r = await startStorm(url, stormInv, work, 'storm', probe as Ctx);
        stormStarted = r.started;
        return {
          figures: r.figures,
          ratioToHello: round(r.figures.rps / helloRps, 3),
          started: r.started.length,
          of: stormInv.length,
          wallS: round(r.wallMs / 1000, 2),
        };
      });
      const r = result.scenarios.startStorm;
      logFigures(
        `${dialect}: start storm`,
        r.figures,
        ` — ${r.started}/${r.of} started in ${r.wallS} s, ${Math.round(100 * (r.ratioToHello ?? 0))}% of hello-world, RSS ${r.rssMb} MB${cpuNote(r, r.figures)}`,
      );
    }

    // Steady exam: each candidate saves every 10 s, paced.
    const examFile = writeCandidates(work, 'exam', exam);
    const steadySpec = (duration: number): LoadSpec => ({
      kind: 'autosave',
      url,
      connections: Math.min(S.steadyConns, exam.length),
      pacedRate: exam.length / 10,
      duration,
      candidatesFile: examFile,
      t0,
    });
    if (has('steady')) {
      result.scenarios.steadyExam = await measured(server, async () => {
        const { figures } = await runLoad(steadySpec(S.steadyS));
        return { figures, rate: exam.length / 10, candidates: exam.length };
      });
      logFigures(
        `${dialect}: steady exam`,
        result.scenarios.steadyExam.figures,
        `, RSS ${result.scenarios.steadyExam.rssMb} MB${cpuNote(result.scenarios.steadyExam, result.scenarios.steadyExam.figures)}`,
      );
    }

    if (has('recruiter')) {
      const cookie = await signInStaff(url, org);
      const route = await recruiterRoute(url, pipelineId);
      if (!route.pipeline)
        log(`${dialect}: no pipeline route on this server; the recruiter load uses ${route.path}`);
      result.scenarios.recruiterLoad = await measured(server, async () => {
        const [autosave, pipeline] = await Promise.all([
          runLoad(steadySpec(S.recruiterS)),
          runLoad({
            kind: 'get',
            url,
            connections: 5,
            pacedRate: S.recruiterRate,
            duration: S.recruiterS,
            path: route.path,
            headers: { cookie, 'x-forwarded-for': ipOf(999_001) },
          }),
        ]);
        const alone = result.scenarios.steadyExam?.figures.p99;
        return {
          route: route.path,
          pipelineRoute: route.pipeline,
          pipeline: pipeline.figures,
          autosave: autosave.figures,
          candidates: S.pipelineN,
          slowdownP99: alone ? round(autosave.figures.p99 / Math.max(1, alone), 2) : undefined,
        };
      });
      const r = result.scenarios.recruiterLoad;
      logFigures(`${dialect}: recruiter pages (${r.route})`, r.pipeline);
      logFigures(
        `${dialect}: autosave beside them`,
        r.autosave,
        ` — p99 ${r.slowdownP99 ?? '?'}× the steady exam's, RSS ${r.rssMb} MB; other processes used ${r.backgroundCpuPct}% of a core`,
      );
    }

    if (has('submit') && stormStarted.length) {
      const cohort = await withPlans(probe, stormStarted);
      result.scenarios.submitStorm = await measured(server, async () => {
        const r = await submitStorm(url, cohort, work, 'submit', probe as Ctx);
        return {
          ack: r.ack,
          ratioToHello: round(r.ack.rps / helloRps, 3),
          submitted: r.submitted,
          grading: gradingFigures(r.rows),
        };
      });
      const r = result.scenarios.submitStorm;
      logFigures(
        `${dialect}: submit storm (acknowledgement)`,
        r.ack,
        ` — ${Math.round(100 * (r.ratioToHello ?? 0))}% of hello-world; other processes used ${r.backgroundCpuPct}% of a core`,
      );
      log(
        `${dialect}: grading ${r.grading.graded}/${r.submitted}: ${r.grading.perSecond} attempts/s, drained ${r.grading.drainS} s after the first submit; submit→result p50 ${r.grading.resultP50Ms} ms, p99 ${r.grading.resultP99Ms} ms; RSS ${r.rssMb} MB`,
      );
    }

    if (has('campus')) {
      const file = writeCandidates(work, 'campus', campusInv);
      const acksFile = path.join(work, 'campus-acks.json');
      const conns = Math.min(S.campusConns, campusInv.length);
      result.scenarios.campusDrive = await measured(server, async () => {
        const r = await runLoad({
          kind: 'campus',
          url,
          connections: conns,
          amount: campusInv.length * CAMPUS_REQUESTS_PER_CANDIDATE,
          pacedRate: S.campusRate,
          timeoutS: 60,
          candidatesFile: file,
          acksFile,
        });
        const counts = await checkCampus(probe as Ctx, campusInv, readAcks(acksFile), 300_000);
        return { figures: r.figures, candidates: campusInv.length, wallS: round(r.wallMs / 1000, 1), counts };
      });
      const r = result.scenarios.campusDrive;
      logFigures(
        `${dialect}: campus drive (${r.candidates} candidates, ${r.wallS} s)`,
        r.figures,
        `, RSS ${r.rssMb} MB${cpuNote(r, r.figures)}`,
      );
      log(`${dialect}: campus counts ${JSON.stringify(r.counts)}`);
    }

    result.peakRssMb = Math.round(server.rss.peak);
    result.serverLog = {
      warnings: server.output.warnings,
      errors: server.output.errors,
      samples: server.output.samples,
    };
    await server.stop();
    server.rss.stop();
    server = undefined;

    // ------------------------------------------------------------------ profiles
    if (opts.profile) {
      const profiles: Record<string, ProfiledRun> = {};
      const stampName = result.startedAt.replace(/[:.]/g, '-');
      // Profiles are megabytes: keep only this run's for this dialect (older runs keep their summaries).
      const keepDir = path.join(ROOT, 'bench', 'results', 'profiles');
      for (const f of fs.existsSync(keepDir) ? fs.readdirSync(keepDir) : [])
        if (f.includes(`-${dialect}-`) && !f.startsWith(stampName)) fs.rmSync(path.join(keepDir, f));
      const profiledRun = async (
        name: string,
        scenario: string,
        fn: (srv: Running) => Promise<LoadFigures>,
      ): Promise<void> => {
        const profDir = path.join(work, `cpu-profile-${name}`);
        const srv = await startServer(scratch.env, { cpuProfDir: profDir });
        let figures: LoadFigures;
        try {
          figures = await fn(srv);
        } finally {
          await srv.stop();
          srv.rss.stop();
        }
        const keep = path.join(ROOT, 'bench', 'results', 'profiles');
        fs.mkdirSync(keep, { recursive: true });
        const run: ProfiledRun = { scenario, figures };
        for (const [thread, file] of Object.entries(threadProfiles(profDir))) {
          const dest = path.join(keep, `${stampName}-${dialect}-${name}-${thread}.cpuprofile`);
          fs.copyFileSync(file, dest);
          run[thread as 'main' | 'worker'] = summariseProfile(dest);
        }
        profiles[name] = run;
        log(`${dialect}: CPU profile of ${scenario} kept in bench/results/profiles/`);
      };
      if (has('capacity'))
        await profiledRun('autosave', 'autosave capacity', async (srv) => {
          const base: LoadSpec = {
            kind: 'autosave',
            url: srv.url,
            connections: 100,
            candidatesFile: capFile,
            t0,
          };
          await runLoad({ ...base, duration: S.warmupS });
          return (await runLoad({ ...base, duration: S.capacityS })).figures;
        });
      let profStarted: Array<BenchCandidate & { attemptId: string }> = [];
      if (profInv.length) {
        await profiledRun('start', 'start storm', async (srv) => {
          const r = await startStorm(srv.url, profInv, work, 'prof', probe as Ctx);
          profStarted = r.started;
          return r.figures;
        });
        await profiledRun('submit', 'submit storm and grading', async (srv) => {
          const r = await submitStorm(
            srv.url,
            await withPlans(probe as Ctx, profStarted),
            work,
            'prof',
            probe as Ctx,
          );
          return r.ack;
        });
      }
      result.profiles = profiles;
    }
  } finally {
    if (server) {
      await server.stop();
      server.rss.stop();
    }
    await probe?.close();
    await scratch.drop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  result.wallS = round((performance.now() - wallStart) / 1000, 1);
  return result;
}

export function resultsFile(r: DialectResult): string {
  return path.join(ROOT, 'bench', 'results', `${r.startedAt.replace(/[:.]/g, '-')}-${r.dialect}.json`);
}

export { writeJson };
