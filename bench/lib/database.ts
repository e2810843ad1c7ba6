// A fresh database for one benchmark run: a SQLite file in a temporary data dir, or a scratch
// PostgreSQL database created on the server named by TEST_DATABASE_URL and dropped afterwards.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../server/config.js';
import { type Ctx, createContext } from '../../server/context.js';
import type { Dialect } from '../../server/db/database.js';
import { createLogger } from '../../server/logger.js';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type Scratch = {
  dialect: Dialect;
  dataDir: string;
  /** The environment every server process and helper of this run uses. */
  env: Record<string, string>;
  databaseUrl?: string;
  /** Opens a context on the scratch database (quiet logger), for seeding and checking counts. */
  openCtx(opts?: { poolSize?: number }): Ctx;
  drop(): Promise<void>;
};

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createScratch(dialect: Dialect, label = 'bench'): Promise<Scratch> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-${label}-`));
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ASSAY_DATA_DIR: dataDir,
    ASSAY_SECRET_KEY: randomBytes(32).toString('hex'),
    // The load clients stand in for candidates behind a proxy: each sends its own address.
    TRUST_PROXY: '127.0.0.1',
    PUBLIC_URL: 'http://assay.bench',
  };
  let databaseUrl: string | undefined;
  let adminUrl: string | undefined;
  let dbName: string | undefined;
  if (dialect === 'postgres') {
    adminUrl = process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
    dbName = `assay_${label}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, '_');
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    databaseUrl = withDatabase(adminUrl, dbName);
    env.DATABASE_URL = databaseUrl;
  }
  return {
    dialect,
    dataDir,
    env,
    databaseUrl,
    openCtx(opts = {}) {
      const config = loadConfig({
        ...env,
        ...(opts.poolSize ? { DATABASE_POOL_SIZE: String(opts.poolSize) } : {}),
      });
      return createContext(config, { log: createLogger('warn') });
    },
    async drop() {
      if (adminUrl && dbName) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [dbName],
        );
        await admin.query(`drop database if exists ${dbName}`);
        await admin.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
