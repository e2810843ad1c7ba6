// Shared pieces of the benchmark harness: the shapes that travel between the orchestrator and the
// load process, small statistics helpers and formatting.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CANDIDATE_COOKIE = 'assay_candidate';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One candidate as a load client sees it: the cookie, a stable address, and the questions. */
export type BenchCandidate = {
  /** Link token (for start) or candidate cookie (for everything after). */
  token?: string;
  cookie?: string;
  ip: string;
  items?: Array<{ key: string; kind: 'single' | 'multiple'; options: string[] }>;
};

/** What one autocannon run reports, reduced to what the report needs. */
export type LoadFigures = {
  requests: number;
  durationS: number;
  rps: number;
  p50: number;
  p975: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
};

/** Per-candidate acknowledgements a load run observed (campus drive): what the clients were told. */
export type Acks = {
  /** candidate index → item key → highest acknowledged seq */
  answers: Record<number, Record<string, number>>;
  submitted: number[];
  started: number[];
  cookies: Record<number, string>;
};

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function ipOf(i: number): string {
  // A distinct, stable client address per candidate (10.x.y.z), sent as X-Forwarded-For.
  const n = i + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export const round = (n: number, d = 1) => {
  const f = 10 ** d;
  return Math.round(n * f) / f;
};

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    ramGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[bench ${t}] ${msg}\n`);
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
