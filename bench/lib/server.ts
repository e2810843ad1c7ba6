// Starting and watching the processes under test: the built Assay server (production mode), the
// hello-world baseline, and `npm start` for the time-to-ready figure. Peak RSS is polled from
// /proc/<pid>/status (VmRSS), falling back to `ps` where /proc is missing.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { log, ROOT, sleep } from './common.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Builds the server and web app when their output is missing or stale (scripts/build.mjs). */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('build failed');
}

export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    try {
      return (
        Number(
          execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
            .toString()
            .trim(),
        ) / 1024
      );
    } catch {
      return 0;
    }
  }
}

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat; 0 where unavailable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat; 0 where unavailable. */
export function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...v] = line.trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (v[3] ?? 0) - (v[4] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/** Polls a process's RSS; `window()` returns the peak since the last call, `peak` the peak overall. */
export class RssMonitor {
  peak = 0;
  private windowPeak = 0;
  private timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  sample(): number {
    const mb = rssMb(this.pid);
    this.peak = Math.max(this.peak, mb);
    this.windowPeak = Math.max(this.windowPeak, mb);
    return mb;
  }
  window(): number {
    this.sample();
    const w = this.windowPeak;
    this.windowPeak = 0;
    return Math.round(w);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

export type Running = {
  pid: number;
  url: string;
  port: number;
  proc: ChildProcess;
  rss: RssMonitor;
  output: OutputWatch;
  /** Milliseconds from spawn to the "running" line on stdout. */
  readyMs: number;
  stop(): Promise<void>;
};

/** Server output: kept short, with warnings and errors counted (pino levels 40 and 50+). */
export class OutputWatch {
  tail = '';
  warnings = 0;
  errors = 0;
  samples: string[] = [];
  constructor(proc: ChildProcess) {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.tail = (this.tail + text).slice(-8000);
      for (const line of text.split('\n')) {
        const m = /"level":(\d+)/.exec(line);
        if (!m) continue;
        const level = Number(m[1]);
        if (level === 40) this.warnings++;
        if (level >= 50) this.errors++;
        if (level >= 40 && this.samples.length < 20) this.samples.push(line.slice(0, 500));
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
  }
}

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8000);
      if (pattern.test(out)) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        proc.stderr?.off('data', onData);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

function stopper(proc: ChildProcess, what: string, output?: OutputWatch): () => Promise<void> {
  let stopping = false;
  // A server that dies mid-run says why: its last output goes to the bench's log.
  proc.once('exit', (code, signal) => {
    if (!stopping)
      log(
        `${what} exited unexpectedly (${signal ?? `code ${code}`}); its last output:\n${output?.tail.slice(-3000) ?? ''}`,
      );
  });
  return () =>
    new Promise<void>((resolve) => {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const kill = setTimeout(() => {
        log(`${what} did not stop within 20 s; killing it`);
        proc.kill('SIGKILL');
      }, 20_000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.kill('SIGTERM');
    });
}

/** The heap limit `npm start` sets (package.json), so the bench measures the server as it ships. */
const SERVER_NODE_FLAGS = ['--max-old-space-size=256'];

/** The real server: `node dist/server/main.js serve`, with the run's environment. */
export async function startServer(
  env: Record<string, string>,
  opts: { role?: 'web' | 'worker' | 'all'; cpuProfDir?: string; extraEnv?: Record<string, string> } = {},
): Promise<Running> {
  const port = await freePort();
  const args = [
    ...SERVER_NODE_FLAGS,
    ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
    path.join(ROOT, 'dist', 'server', 'main.js'),
    'serve',
    '--role',
    opts.role ?? 'all',
  ];
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, ...opts.extraEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new OutputWatch(proc);
  await waitForLine(proc, /Assay is running/, 120_000, 'the server');
  const readyMs = Math.round(performance.now() - t0);
  const url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${url}/readyz`);
  if (!res.ok) throw new Error(`the server is not ready: ${res.status}`);
  const pid = proc.pid as number;
  return {
    pid,
    url,
    port,
    proc,
    rss: new RssMonitor(pid),
    output,
    readyMs,
    stop: stopper(proc, 'the server', output),
  };
}

/** The baseline: a bare Fastify hello-world in its own process. */
export async function startHello(): Promise<Running> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'baselines', 'hello.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = new OutputWatch(proc);
  await waitForLine(proc, /listening/, 30_000, 'the hello-world server');
  const pid = proc.pid as number;
  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    rss: new RssMonitor(pid),
    output,
    readyMs: Math.round(performance.now() - t0),
    stop: stopper(proc, 'the hello-world server'),
  };
}

/**
 * `npm start` to ready, already built and migrated: spawns it in its own process group (npm runs a
 * shell that runs node), times the "running" line, then ends that group. With `direct`, times
 * `node dist/server/main.js serve` instead (what `npm start` runs once it finds the build fresh).
 */
export async function timeNpmStart(env: Record<string, string>, direct = false): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const [cmd, args] = direct
    ? [process.execPath, [...SERVER_NODE_FLAGS, path.join(ROOT, 'dist', 'server', 'main.js'), 'serve']]
    : ['npm', ['start', '--silent']];
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  new OutputWatch(proc);
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (proc.pid) process.kill(-proc.pid, sig);
    } catch {
      // already gone
    }
  };
  try {
    await waitForLine(proc, /Assay is running/, 60_000, direct ? 'assay serve' : 'npm start');
    return Math.round(performance.now() - t0);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      signal('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (proc.exitCode === null && proc.signalCode === null) signal('SIGKILL');
    }
  }
}
