// The real server as a separate process (`node --import tsx server/main.ts serve`, or the built
// dist/server/main.js with ASSAY_SCORECARD_SERVER=dist), so checks can kill -9 it, measure its
// memory from /proc and read the log it writes. Plus a small keep-alive HTTP client with cookies.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export type ServerProcess = {
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
  child: ChildProcess;
  /** Current and peak resident memory of the process, in bytes (Linux /proc). */
  rss(): { current: number; peak: number };
  kill9(): Promise<void>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
};

function serverCommand(): string[] {
  const dist = path.join(ROOT, 'dist', 'server', 'main.js');
  if (process.env.ASSAY_SCORECARD_SERVER === 'dist') {
    if (!fs.existsSync(dist))
      throw new Error('ASSAY_SCORECARD_SERVER=dist, but dist/server/main.js is missing');
    return [dist, 'serve'];
  }
  return ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts'), 'serve'];
}

function readProcKb(pid: number, field: string): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A minimal environment: nothing of the caller's (no TEST_DATABASE_URL, no secrets) leaks in. */
export function serverEnv(extra: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  const base = Object.fromEntries(
    keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]),
  );
  return { ...base, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', ...extra };
}

export async function startServer(opts: {
  env: Record<string, string>;
  port: number;
  logFile: string;
  /** Give up waiting for readiness after this long. */
  timeoutMs?: number;
  /** Return as soon as the process is spawned (to kill it during boot). */
  noWait?: boolean;
}): Promise<ServerProcess> {
  const out = fs.openSync(opts.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, serverCommand(), {
    cwd: ROOT,
    env: serverEnv({ ...opts.env, PORT: String(opts.port) }),
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const pid = child.pid;
  if (!pid) throw new Error('could not start the server');
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const proc: ServerProcess = {
    pid,
    url,
    readyMs: 0,
    child,
    rss: () => ({ current: readProcKb(pid, 'VmRSS'), peak: readProcKb(pid, 'VmHWM') }),
    async kill9() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(t);
    },
  };
  if (opts.noWait) return proc;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited during start; see ${opts.logFile}`);
    try {
      const r = await request(url, { method: 'GET', path: '/readyz', timeoutMs: 1_000 });
      if (r.status === 200) {
        proc.readyMs = performance.now() - started;
        return proc;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await proc.kill9();
  throw new Error(`the server did not become ready in time; see ${opts.logFile}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function request(
  base: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    json?: unknown;
    timeoutMs?: number;
  },
): Promise<HttpResponse> {
  const u = new URL(opts.path, base);
  const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method,
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The cookie pairs a response sets, as one Cookie header value. */
export function cookiesOf(res: HttpResponse): string {
  const set = res.headers['set-cookie'] ?? [];
  return set.map((c) => c.split(';')[0]).join('; ');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
