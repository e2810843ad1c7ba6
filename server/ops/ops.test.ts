// The operator commands on real databases: `assay backup` while another process keeps writing, and
// `assay db copy` from a populated SQLite instance into an empty PostgreSQL schema, after which the
// app serves the same answers from both.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { createLogger } from '../logger.js';
import {
  attemptOf,
  call,
  inviteCandidate,
  resultsScenario,
  takeAssessment,
} from '../modules/results/test-scenario.js';
import { createTestApp, nextIp, type TestApp } from '../test/harness.js';
import { BackupRefused, backupSqlite, defaultBackupFile } from './backup.js';
import { CopyRefused, copySqliteToPostgres, formatCopyReport } from './db-copy.js';

const sqliteFile = (t: TestApp) => path.join(t.dataDir, 'assay.db');

/**
 * A reply with its numbers at 6 significant digits: attempts.score and percentile are `real` columns,
 * 8 bytes in SQLite but 4 in PostgreSQL, so a score of 0.7499999999999999 reads back as 0.75 there.
 */
function sixDigits(v: unknown): unknown {
  if (typeof v === 'number') return Number(v.toPrecision(6));
  if (Array.isArray(v)) return v.map(sixDigits);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sixDigits(x)]));
  return v;
}

describe('assay backup (SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { loadContent: true });
  });
  afterAll(() => t.close());

  it('takes a consistent copy while another process keeps writing', async () => {
    const count = (db: SQLite.Database) =>
      (db.prepare("select count(*) as n from events where type = 'bench.write'").get() as { n: number }).n;
    // A second process inserts events as fast as it can until it is stopped.
    const writer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import SQLite from 'better-sqlite3';
         const db = new SQLite(process.argv[1]); db.pragma('busy_timeout = 5000');
         const ins = db.prepare("insert into events (id, org_id, type, subject_id, data, created_at) values (?, 'org', 'bench.write', 's', '{}', ?)");
         let i = 0; process.stdout.write('go\\n');
         for (;;) { ins.run(String(++i).padStart(12, '0'), Date.now()); if (i % 200 === 0) await new Promise((r) => setImmediate(r)); }`,
        sqliteFile(t),
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 200));
    const live = new SQLite(sqliteFile(t), { readonly: true });
    const before = count(live);
    const dest = defaultBackupFile(t.dataDir);
    const r = await backupSqlite(sqliteFile(t), dest);
    const after = count(live);
    writer.kill('SIGTERM');
    await new Promise((resolve) => writer.once('exit', resolve));

    expect(r.file).toBe(dest);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${dest}-wal`)).toBe(false);
    const copy = new SQLite(dest, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    // The copy is the database as of one moment: every write up to some point and none after it.
    const n = count(copy);
    expect(n).toBeGreaterThanOrEqual(before);
    expect(n).toBeLessThanOrEqual(after);
    const last = copy.prepare("select max(id) as id from events where type = 'bench.write'").get() as {
      id: string;
    };
    expect(Number(last.id)).toBe(n);
    expect(after).toBeGreaterThan(before); // writes did continue during the backup
    // The bank came along whole.
    const q = 'select count(*) as n from question_versions';
    expect(copy.prepare(q).get()).toEqual(live.prepare(q).get());
    copy.close();
    live.close();

    await expect(backupSqlite(sqliteFile(t), dest)).rejects.toBeInstanceOf(BackupRefused);
  });

  it('serves the same data from the backup', async () => {
    const team = await resultsScenario(t, { upload: false });
    const dest = path.join(t.dataDir, 'restore', 'assay.db');
    await backupSqlite(sqliteFile(t), dest);
    // A second instance on the restored file (same instance key: it sits in the data dir).
    fs.copyFileSync(path.join(t.dataDir, 'secret.key'), path.join(path.dirname(dest), 'secret.key'));
    const restored = createContext(
      loadConfig({
        ASSAY_DATA_DIR: path.dirname(dest),
        LOG_LEVEL: 'silent',
        PUBLIC_URL: 'http://assay.test',
      }),
      { log: createLogger('silent') },
    );
    const app = await buildApp(restored);
    try {
      for (const url of ['/api/v1/team/members', '/api/v1/questions?limit=100']) {
        const a = await t.app.inject({
          method: 'GET',
          url,
          headers: team.agents.owner.headers,
          remoteAddress: nextIp(),
        });
        const b = await app.inject({
          method: 'GET',
          url,
          headers: team.agents.owner.headers,
          remoteAddress: nextIp(),
        });
        expect(a.statusCode).toBe(200);
        expect(b.json()).toEqual(a.json());
      }
    } finally {
      await app.close();
      await restored.close();
    }
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!pgUrl)('assay db copy (SQLite to PostgreSQL)', () => {
  let t: TestApp;
  const schema = `copy_${process.pid}_${Date.now().toString(36)}`;
  const admin = () => new pg.Client({ connectionString: pgUrl });

  beforeAll(async () => {
    t = await createTestApp('sqlite', { loadContent: true });
    const c = admin();
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  });
  afterAll(async () => {
    await t.close();
    const c = admin();
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  });

  it('copies every table, verifies it, and the app serves the same data from PostgreSQL', async () => {
    // A populated instance: the bank, a team, an assessment, candidates who took it (with uploads),
    // graded results, events, emails and jobs.
    const s = await resultsScenario(t);
    const invited = [];
    for (const [i, name] of ['Ada', 'Grace', 'Linus'].entries()) {
      const inv = await inviteCandidate(t, s, { name: `${name} Candidate` });
      await takeAssessment(t, inv.token, { correct: i + 1 });
      invited.push(inv);
    }
    await t.runJobs();
    await inviteCandidate(t, s, { name: 'Not Started' });

    const lines: string[] = [];
    const report = await copySqliteToPostgres({
      sqliteFile: sqliteFile(t),
      targetUrl: pgUrl as string,
      searchPath: schema,
      batchRows: 7, // many small batches, so batching is exercised
      onProgress: (m) => lines.push(m),
    });
    const printed = formatCopyReport(report);
    expect(report.ok, printed).toBe(true);
    const byName = new Map(report.tables.map((r) => [r.table, r]));
    for (const table of [
      'question_versions',
      'attempts',
      'answers',
      'uploads',
      'events',
      'jobs',
      'audit_log',
    ])
      expect(byName.get(table)?.sourceRows, table).toBeGreaterThan(0);
    for (const r of report.tables) {
      expect(r.targetRows, r.table).toBe(r.sourceRows);
      expect(r.targetSha256, r.table).toBe(r.sourceSha256);
    }
    expect(printed).toContain('every count and checksum matches');

    // The same data dir (instance key, uploaded files) on PostgreSQL: the owner's session moved too.
    const moved = createContext(
      loadConfig({
        ASSAY_DATA_DIR: t.dataDir,
        DATABASE_URL: pgUrl,
        DATABASE_POOL_SIZE: '2',
        LOG_LEVEL: 'silent',
        PUBLIC_URL: 'http://assay.test',
      }),
      { log: createLogger('silent'), searchPath: schema },
    );
    const app = await buildApp(moved);
    try {
      const attempt = await attemptOf(t, invited[0]?.invitationId as string);
      const urls = [
        '/api/v1/team/members',
        '/api/v1/questions?limit=100',
        `/api/v1/assessments/${s.assessmentId}`,
        `/api/v1/assessments/${s.assessmentId}/invitations?limit=50`,
        `/api/v1/assessments/${s.assessmentId}/pipeline?limit=50`,
        `/api/v1/attempts/${attempt.id}`,
      ];
      const owner = call(t, s.agents.owner);
      for (const url of urls) {
        const a = await owner.get(url);
        const b = await app.inject({
          method: 'GET',
          url,
          headers: s.agents.owner.headers,
          remoteAddress: nextIp(),
        });
        expect(a.statusCode, url).toBe(200);
        expect(b.statusCode, url).toBe(200);
        expect(sixDigits(b.json()), url).toEqual(sixDigits(a.json()));
      }
    } finally {
      await app.close();
      await moved.close();
    }

    // A second copy into the same database is refused: it is not empty any more.
    await expect(
      copySqliteToPostgres({ sqliteFile: sqliteFile(t), targetUrl: pgUrl as string, searchPath: schema }),
    ).rejects.toBeInstanceOf(CopyRefused);
  });
});
