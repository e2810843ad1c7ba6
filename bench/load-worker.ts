// The load generator: a child process of the orchestrator that runs autocannon programmatically,
// so the clients never share an event loop with the server or with the harness. It receives one
// scenario spec over IPC, drives it, and answers with the figures (and, for scenarios whose outcome
// is checked afterwards, what the clients were acknowledged, written to a file).
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import autocannon, { type Client, type Context, type Request, type Result } from 'autocannon';
import { type Acks, type BenchCandidate, CANDIDATE_COOKIE, type LoadFigures, round } from './lib/common.js';

export type LoadKind = 'hello' | 'autosave' | 'start' | 'fill' | 'submit' | 'campus' | 'get';

export type LoadSpec = {
  kind: LoadKind;
  url: string | string[];
  connections: number;
  /** Seconds (closed or paced loop); or `amount` requests in all. */
  duration?: number;
  amount?: number;
  /** Total requests per second, spread evenly over the connections with random phases (open-ish model). */
  pacedRate?: number;
  timeoutS?: number;
  /** JSON file with BenchCandidate[] */
  candidatesFile?: string;
  /** Base of client sequence numbers (ms epoch shared by the whole run). */
  t0?: number;
  /** For `get`: the path and headers to request. */
  path?: string;
  headers?: Record<string, string>;
  /** Where to write the Acks of start / submit / campus runs. */
  acksFile?: string;
};

export type LoadReply = { figures: LoadFigures; wallMs: number; cpuS: number };

const JSON_HEADERS = { 'content-type': 'application/json' };

function candidateHeaders(c: BenchCandidate, json: boolean): Record<string, string> {
  return {
    cookie: `${CANDIDATE_COOKIE}=${c.cookie}`,
    'x-assay-candidate': '1',
    'x-forwarded-for': c.ip,
    ...(json ? JSON_HEADERS : {}),
  };
}

function pickChoice(item: NonNullable<BenchCandidate['items']>[number], k: number): string[] {
  const n = item.options.length;
  if (item.kind === 'multiple') return [item.options[k % n] as string, item.options[(k + 1) % n] as string];
  return [item.options[k % n] as string];
}

function cookieOf(headers: Record<string, string | string[]>): string | undefined {
  const raw = headers['set-cookie'] ?? headers['Set-Cookie'];
  for (const c of [raw ?? []].flat()) {
    const m = new RegExp(`^${CANDIDATE_COOKIE}=([^;]+)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

/** Spreads one connection's requests evenly in time, starting at a random phase. */
function pacer(periodMs: number) {
  return (client: Client) => {
    const send = client._doRequest;
    let next = performance.now() + Math.random() * periodMs;
    client._doRequest = (...args: unknown[]) => {
      const now = performance.now();
      const at = Math.max(next, now);
      next = at + periodMs;
      setTimeout(
        () => {
          if (!client.destroyed) send.apply(client, args);
        },
        Math.max(0, at - now),
      );
    };
  };
}

function toFigures(r: Result, wallMs: number): LoadFigures {
  const codes: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = v.count;
  const durationS = r.duration || wallMs / 1000;
  return {
    requests: r.requests.total,
    durationS: round(durationS, 2),
    rps: round(r.requests.total / durationS, 1),
    p50: r.latency.p50,
    p975: r.latency.p97_5,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: codes,
  };
}

function buildRequests(spec: LoadSpec, acks: Acks): Request[] {
  const cands: BenchCandidate[] = spec.candidatesFile
    ? JSON.parse(fs.readFileSync(spec.candidatesFile, 'utf8'))
    : [];
  const n = cands.length;
  const t0 = spec.t0 ?? Date.now();
  let counter = 0;
  const next = () => counter++;

  switch (spec.kind) {
    case 'hello':
      return [{ method: 'GET', path: '/' }];

    case 'get':
      return [{ method: 'GET', path: spec.path ?? '/', headers: spec.headers ?? {} }];

    case 'autosave':
      // Round-robin over the cohort: each candidate comes back every n requests and saves its next
      // item with a newer sequence number (time-based, so later runs always win).
      return [
        {
          method: 'PUT',
          setupRequest: (req) => {
            const k = next();
            const c = cands[k % n] as BenchCandidate;
            const items = c.items ?? [];
            const item = items[Math.floor(k / n) % items.length];
            if (!item) throw new Error('candidate without items');
            const seq = Math.min(2_147_483_647, (Date.now() - t0) * 100 + (k % 100));
            return {
              ...req,
              path: `/api/v1/take/answers/${item.key}`,
              headers: candidateHeaders(c, true),
              body: JSON.stringify({ choice: pickChoice(item, k), seq }),
            };
          },
        },
      ];

    case 'start':
      return [
        {
          method: 'POST',
          setupRequest: (req, ctx) => {
            const k = next();
            const c = cands[k % n] as BenchCandidate;
            ctx.k = k;
            return {
              ...req,
              path: '/api/v1/take/start',
              headers: { ...JSON_HEADERS, 'x-forwarded-for': c.ip },
              body: JSON.stringify({ token: c.token }),
            };
          },
          onResponse: (status, _body, ctx, headers) => {
            const k = ctx.k as number;
            const cookie = status === 200 ? cookieOf(headers) : undefined;
            if (cookie) {
              acks.started.push(k);
              acks.cookies[k] = cookie;
            }
          },
        },
      ];

    case 'fill':
      // The offline flush: all of a candidate's answers in one batch.
      return [
        {
          method: 'PUT',
          setupRequest: (req) => {
            const c = cands[next() % n] as BenchCandidate;
            const answers = (c.items ?? []).map((it, i) => ({
              itemKey: it.key,
              choice: pickChoice(it, i),
              seq: i + 1,
            }));
            return {
              ...req,
              path: '/api/v1/take/answers',
              headers: candidateHeaders(c, true),
              body: JSON.stringify({ answers }),
            };
          },
        },
      ];

    case 'submit':
      // The deadline: each candidate submits once, with the answer to the last question.
      return [
        {
          method: 'POST',
          setupRequest: (req, ctx) => {
            const k = next();
            const c = cands[k % n] as BenchCandidate;
            ctx.k = k;
            const last = (c.items ?? []).at(-1);
            const answers = last ? [{ itemKey: last.key, choice: pickChoice(last, k), seq: 1000 }] : [];
            return {
              ...req,
              path: '/api/v1/take/submit',
              headers: candidateHeaders(c, true),
              body: JSON.stringify({ answers }),
            };
          },
          onResponse: (status, _body, ctx) => {
            if (status === 200) acks.submitted.push(ctx.k as number);
          },
        },
      ];

    case 'campus':
      return campusFlow(cands, acks, next);
  }
}

/**
 * One candidate's whole sitting per pass over the list: start with the link, load the test, save each
 * of the 40 answers, submit. A step whose prerequisite failed is skipped (setupRequest returns null,
 * which sends the connection to the next candidate), so a failure shows up in the counts afterwards.
 */
function campusFlow(cands: BenchCandidate[], acks: Acks, next: () => number): Request[] {
  const n = cands.length;
  type Ctx = Context & { k?: number; cookie?: string; items?: BenchCandidate['items']; done?: boolean };
  const me = (ctx: Context) => ctx as Ctx;
  const cand = (ctx: Ctx) => cands[ctx.k as number] as BenchCandidate;
  const withCookie = (ctx: Ctx, json: boolean) => ({
    ...candidateHeaders({ ...cand(ctx), cookie: ctx.cookie }, json),
  });

  const start: Request = {
    method: 'POST',
    setupRequest: (req, raw) => {
      const ctx = me(raw);
      const k = next();
      if (k >= n) {
        // More passes than candidates (only after failures): a harmless request keeps counts right.
        ctx.done = true;
        return { ...req, method: 'GET', path: '/healthz', headers: {} };
      }
      ctx.k = k;
      return {
        ...req,
        path: '/api/v1/take/start',
        headers: { ...JSON_HEADERS, 'x-forwarded-for': (cands[k] as BenchCandidate).ip },
        body: JSON.stringify({ token: (cands[k] as BenchCandidate).token }),
      };
    },
    onResponse: (status, _body, raw, headers) => {
      const ctx = me(raw);
      if (ctx.done || status !== 200) return;
      ctx.cookie = cookieOf(headers);
      if (ctx.cookie) {
        acks.started.push(ctx.k as number);
        acks.cookies[ctx.k as number] = ctx.cookie;
      }
    },
  };
  const load: Request = {
    method: 'GET',
    setupRequest: (req, raw) => {
      const ctx = me(raw);
      if (!ctx.cookie) return null;
      return { ...req, path: '/api/v1/take/attempt', headers: withCookie(ctx, false) };
    },
    onResponse: (status, body, raw) => {
      const ctx = me(raw);
      if (status !== 200) return;
      const state = JSON.parse(body) as {
        current?: {
          items?: Array<{ key: string; kind: 'single' | 'multiple'; options: Array<{ id: string }> }>;
        };
      };
      ctx.items = (state.current?.items ?? []).map((it) => ({
        key: it.key,
        kind: it.kind,
        options: it.options.map((o) => o.id),
      }));
    },
  };
  const saves: Request[] = Array.from({ length: 40 }, (_, i) => ({
    method: 'PUT',
    setupRequest: (req, raw) => {
      const ctx = me(raw);
      const item = ctx.items?.[i];
      if (!ctx.cookie || !item) return null;
      return {
        ...req,
        path: `/api/v1/take/answers/${item.key}`,
        headers: withCookie(ctx, true),
        body: JSON.stringify({ choice: pickChoice(item, (ctx.k as number) + i), seq: i + 1 }),
      };
    },
    onResponse: (status, body, raw) => {
      const ctx = me(raw);
      if (status !== 200) return;
      const r = JSON.parse(body) as { itemKey: string; seq: number };
      const k = ctx.k as number;
      const mine = acks.answers[k] ?? {};
      acks.answers[k] = mine;
      mine[r.itemKey] = Math.max(mine[r.itemKey] ?? 0, r.seq);
    },
  }));
  const submit: Request = {
    method: 'POST',
    setupRequest: (req, raw) => {
      const ctx = me(raw);
      if (!ctx.cookie || !ctx.items) return null;
      return {
        ...req,
        path: '/api/v1/take/submit',
        headers: withCookie(ctx, true),
        body: JSON.stringify({ answers: [] }),
      };
    },
    onResponse: (status, _body, raw) => {
      if (status === 200) acks.submitted.push(me(raw).k as number);
    },
  };
  return [start, load, ...saves, submit];
}

export const CAMPUS_REQUESTS_PER_CANDIDATE = 43;

async function run(spec: LoadSpec): Promise<LoadReply> {
  const acks: Acks = { answers: {}, submitted: [], started: [], cookies: {} };
  const requests = buildRequests(spec, acks);
  const connections = spec.connections;
  const periodMs = spec.pacedRate ? (1000 * connections) / spec.pacedRate : undefined;
  const started = performance.now();
  const result = await autocannon({
    url: spec.url,
    connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
    timeout: spec.timeoutS ?? 30,
    requests,
    ...(periodMs ? { setupClient: pacer(periodMs) } : {}),
  });
  const wallMs = performance.now() - started;
  if (spec.acksFile) fs.writeFileSync(spec.acksFile, JSON.stringify(acks));
  const cpu = process.cpuUsage();
  return {
    figures: toFigures(result, wallMs),
    wallMs: Math.round(wallMs),
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

process.on('message', (msg: { type: string; spec: LoadSpec }) => {
  if (msg.type !== 'run') return;
  run(msg.spec).then(
    (reply) => process.send?.({ type: 'result', reply }, () => process.exit(0)),
    (err: Error) => process.send?.({ type: 'error', error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
