// Test infrastructure: a real database per test file (a SQLite file in a temp dir, or a fresh schema
// on the PostgreSQL server named by TEST_DATABASE_URL), the real app through app.inject, and a log
// that tests can read.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../app.js';
import { type Clock, manualClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { type Ctx, type CtxOverrides, createContext } from '../context.js';
import type { Dialect } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { jobRegistry } from '../job-registry.js';
import { JobRunner } from '../jobs/runner.js';
import { createLogger } from '../logger.js';
import { syncBuiltInContent } from '../modules/bank/content-sync.service.js';

export const dialects: Dialect[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export type TestEnv = {
  dialect: Dialect;
  ctx: Ctx;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
  dataDir: string;
  config: Config;
  close(): Promise<void>;
};

let counter = 0;

/** A migrated database of the given dialect, with its own data dir, a manual clock and captured logs. */
export async function createTestEnv(
  dialect: Dialect,
  opts: {
    env?: Record<string, string>;
    overrides?: CtxOverrides;
    clock?: Clock;
    /** Load the built-in content library (questions, upload tasks) into the database. */
    loadContent?: boolean;
  } = {},
): Promise<TestEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-test-'));
  const clock = manualClock(Date.now());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  let schema: string | undefined;
  const env: Record<string, string> = {
    ASSAY_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://assay.test',
    ...opts.env,
  };
  if (dialect === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    schema = `t_${process.pid}_${randomBytes(4).toString('hex')}_${counter++}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    env.DATABASE_URL = url;
    env.DATABASE_POOL_SIZE = '5';
  }
  const config = loadConfig(env);
  const ctx = createContext(config, {
    clock: opts.clock ?? clock,
    log: createLogger('info', sink),
    mailTransport: undefined,
    ...opts.overrides,
    searchPath: schema,
  });
  await migrateToLatest(ctx.db, { schema });
  if (opts.loadContent) await syncBuiltInContent(ctx);
  return {
    dialect,
    ctx,
    clock,
    logs,
    dataDir,
    config,
    async close() {
      await ctx.close();
      if (schema && process.env.TEST_DATABASE_URL) {
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = TestEnv & {
  app: FastifyInstance;
  /** Runs every due job to completion, as a worker would. */
  runJobs(): Promise<void>;
};

export async function createTestApp(
  dialect: Dialect,
  opts: Parameters<typeof createTestEnv>[1] & {
    webDir?: string;
    beforeReady?: (app: FastifyInstance) => void;
  } = {},
): Promise<TestApp> {
  const env = await createTestEnv(dialect, opts);
  const app = await buildApp(env.ctx, { webDir: opts.webDir });
  opts.beforeReady?.(app);
  await app.ready();
  const runner = new JobRunner(env.ctx, jobRegistry, { workerId: 'test-worker' });
  return {
    ...env,
    app,
    runJobs: () => runner.drain(),
    async close() {
      await app.close();
      await env.close();
    },
  };
}

/** A cookie jar plus CSRF header for one signed-in browser. */
export type Agent = { cookie: string; csrf: string; headers: Record<string, string> };

export function cookieFrom(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [set] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

let ipCounter = 0;
/** A distinct client address per call, so per-IP rate limits don't couple unrelated tests. */
export function nextIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export async function signInAgent(app: FastifyInstance, email: string, password: string): Promise<Agent> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
    remoteAddress: nextIp(),
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = cookieFrom(res);
  const csrf = res.json().csrfToken as string;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

export function agentFromResponse(res: LightMyRequestResponse): Agent {
  const cookie = cookieFrom(res);
  const csrf = res.json().csrfToken as string;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}
