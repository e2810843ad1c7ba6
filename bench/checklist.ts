// Runs the production checklist of docs/deployment.md against the built server, so the checklist is
// tested rather than believed: TLS ends at a proxy (X-Forwarded-Proto) and TRUST_PROXY makes cookies
// Secure and records the client's address; PUBLIC_URL is what links in emails point at; instances
// sharing ASSAY_SECRET_KEY accept each other's sessions and CSRF tokens (and a different key does
// not); `assay backup`, sqlite3 .backup and pg_dump/pg_restore give usable copies; `assay migrate` is
// repeatable; `assay db copy` moves an instance to PostgreSQL, which then serves it.
//
//   npx tsx bench/checklist.ts [--no-build]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { log, ROOT, writeJson } from './lib/common.js';
import { createScratch, DEFAULT_PG_URL } from './lib/database.js';
import { createBenchAssessment, seedBase } from './lib/seed.js';
import { ensureBuilt, type Running, startServer } from './lib/server.js';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false } } });
if (!values['no-build']) ensureBuilt();

type Check = { item: string; ok: boolean; detail: string };
const checks: Check[] = [];
const check = (item: string, ok: boolean, detail: string) => {
  checks.push({ item, ok, detail });
  log(`${ok ? 'ok  ' : 'FAIL'}  ${item}: ${detail}`);
};

const PUBLIC_URL = 'https://assess.example.test';
const PROXY = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };

function assay(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

async function signIn(url: string, email: string, password: string, headers: Record<string, string>) {
  const res = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const setCookie = res.headers.getSetCookie();
  const body = (await res.json()) as { csrfToken?: string };
  return {
    status: res.status,
    setCookie,
    cookie: setCookie.map((c) => c.split(';')[0]).join('; '),
    csrf: body.csrfToken ?? '',
  };
}

async function adminQuery(url: string, q: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

const servers: Running[] = [];
const pgScratch = await createScratch('postgres', 'checklist');
const sqliteScratch = await createScratch('sqlite', 'checklist');
const extraDbs: string[] = [];
const adminUrl = process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
const dbUrl = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};
try {
  // ----------------------------------------------------------------------- PostgreSQL instances
  const env = { ...pgScratch.env, PUBLIC_URL, TRUST_PROXY: '127.0.0.1' };
  const ctx = pgScratch.openCtx();
  const org = await seedBase(ctx);
  const assessmentId = await createBenchAssessment(ctx, org, 'Checklist');
  await ctx.close();
  const a = await startServer(env);
  const b = await startServer(env);
  const other = await startServer({ ...env, ASSAY_SECRET_KEY: randomBytes(32).toString('hex') });
  const direct = await startServer({ ...env, TRUST_PROXY: 'false' });
  servers.push(a, b, other, direct);

  // TLS at the proxy + TRUST_PROXY
  const s = await signIn(a.url, org.email, org.password, PROXY);
  const secure = s.setCookie.some((c) => /;\s*secure/i.test(c));
  check(
    'TLS via the proxy, TRUST_PROXY set',
    s.status === 200 && secure,
    `sign-in cookie ${secure ? 'is' : 'is NOT'} Secure behind X-Forwarded-Proto: https`,
  );
  const sessions = (await (
    await fetch(`${a.url}/api/v1/account/sessions`, { headers: { cookie: s.cookie, ...PROXY } })
  ).json()) as {
    items?: Array<{ ip: string | null; current?: boolean }>;
  };
  const ips = (sessions.items ?? []).map((x) => x.ip);
  check(
    'TRUST_PROXY: client address',
    ips.includes('203.0.113.7'),
    `session recorded from ${ips.join(', ') || '?'}`,
  );
  const d = await signIn(direct.url, org.email, org.password, PROXY);
  const dSecure = d.setCookie.some((c) => /;\s*secure/i.test(c));
  check(
    'Without TRUST_PROXY the forwarded headers are ignored',
    d.status === 200 && !dSecure,
    `cookie ${dSecure ? 'Secure (wrong)' : 'not Secure'}, as on plain HTTP`,
  );

  // One key for all instances
  const create = (url: string) =>
    fetch(`${url}/api/v1/assessments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf, ...PROXY },
      body: JSON.stringify({ name: 'From another instance' }),
    });
  const onB = await create(b.url);
  check(
    'ASSAY_SECRET_KEY shared',
    onB.status === 201,
    `a write with instance A's session and CSRF token on instance B: ${onB.status}`,
  );
  const onOther = await create(other.url);
  check(
    'A different key is refused',
    onOther.status === 403,
    `the same write on an instance with another key: ${onOther.status}`,
  );

  // PUBLIC_URL in email links: invite a candidate through instance A, read the email on instance B.
  const invite = await fetch(`${a.url}/api/v1/assessments/${assessmentId}/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf, ...PROXY },
    body: JSON.stringify({ email: 'casey@candidates.example', name: 'Casey Candidate' }),
  });
  if (invite.status >= 300) throw new Error(`inviting failed: ${invite.status} ${await invite.text()}`);
  const outbox = (await (
    await fetch(`${a.url}/api/v1/outbox?limit=50`, { headers: { cookie: s.cookie, ...PROXY } })
  ).json()) as {
    items?: Array<{ id: string; kind: string }>;
  };
  const invitation = (outbox.items ?? []).find((m) => m.kind === 'candidate-invitation');
  const mail = invitation
    ? ((await (
        await fetch(`${b.url}/api/v1/outbox/${invitation.id}`, { headers: { cookie: s.cookie, ...PROXY } })
      ).json()) as {
        text?: string | null;
      })
    : {};
  const linkOk = (mail.text ?? '').includes(`${PUBLIC_URL}/i/`);
  check(
    'PUBLIC_URL',
    linkOk,
    linkOk
      ? `the invitation email links to ${PUBLIC_URL}/i/…`
      : 'no link with PUBLIC_URL in the invitation email',
  );

  // Upgrades: migrations are forward-only, run at start, and `assay migrate` is repeatable.
  const m1 = assay(env, 'migrate');
  const m2 = assay(env, 'migrate');
  check(
    'Upgrades: assay migrate',
    m1.status === 0 && m2.status === 0,
    `exit ${m1.status} then ${m2.status}: ${m2.stdout.trim()}`,
  );

  // PostgreSQL backup: pg_dump, pg_restore into a new database, same rows.
  const dump = path.join(pgScratch.dataDir, 'assay.dump');
  execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, pgScratch.databaseUrl as string]);
  const restoredName = `assay_restore_${process.pid}`;
  await adminQuery(adminUrl, `create database ${restoredName}`);
  extraDbs.push(restoredName);
  execFileSync('pg_restore', ['--no-owner', `--dbname=${dbUrl(restoredName)}`, dump]);
  const count = async (url: string) =>
    (
      await adminQuery(
        url,
        'select (select count(*) from question_versions) + (select count(*) from invitations) + (select count(*) from sessions) as n',
      )
    ).rows[0].n as string;
  const [orig, restored] = [await count(pgScratch.databaseUrl as string), await count(dbUrl(restoredName))];
  check(
    'Backups: pg_dump / pg_restore',
    orig === restored,
    `${orig} rows checked in the original, ${restored} in the restore`,
  );

  // ----------------------------------------------------------------------- SQLite instance
  const senv = sqliteScratch.env;
  const sctx = sqliteScratch.openCtx();
  const sorg = await seedBase(sctx);
  await createBenchAssessment(sctx, sorg, 'Before the move');
  await sctx.close();
  const single = await startServer(senv);
  servers.push(single);
  const backupFile = path.join(sqliteScratch.dataDir, 'backups', 'checklist.db');
  const bk = assay(senv, 'backup', '--to', backupFile);
  const integrity = execFileSync('sqlite3', [backupFile, 'pragma integrity_check;'], {
    encoding: 'utf8',
  }).trim();
  check(
    'Backups: assay backup (server running)',
    bk.status === 0 && integrity === 'ok',
    `${bk.stdout.split('\n')[0]} integrity_check: ${integrity}`,
  );
  const dotBackup = path.join(sqliteScratch.dataDir, 'backups', 'dot-backup.db');
  execFileSync('sqlite3', [path.join(sqliteScratch.dataDir, 'assay.db'), `.backup '${dotBackup}'`]);
  const integrity2 = execFileSync('sqlite3', [dotBackup, 'pragma integrity_check;'], {
    encoding: 'utf8',
  }).trim();
  check('Backups: sqlite3 .backup (server running)', integrity2 === 'ok', `integrity_check: ${integrity2}`);
  await single.stop();

  // Moving from SQLite: db copy into a new database, then serve from it with the same data dir.
  const movedName = `assay_moved_${process.pid}`;
  await adminQuery(adminUrl, `create database ${movedName}`);
  extraDbs.push(movedName);
  const cp = assay(senv, 'db', 'copy', '--to', dbUrl(movedName));
  check(
    'Moving from SQLite: assay db copy',
    cp.status === 0 && /every count and checksum matches/.test(cp.stdout),
    cp.stdout.trim().split('\n').at(-3) ?? '',
  );
  const moved = await startServer({ ...senv, DATABASE_URL: dbUrl(movedName) });
  servers.push(moved);
  const ms = await signIn(moved.url, sorg.email, sorg.password, {});
  const list = (await (
    await fetch(`${moved.url}/api/v1/assessments`, { headers: { cookie: ms.cookie } })
  ).json()) as {
    items?: Array<{ name: string }>;
  };
  const names = (list.items ?? []).map((x) => x.name);
  check(
    '…and PostgreSQL serves the moved instance',
    ms.status === 200 && names.includes('Before the move'),
    `sign-in ${ms.status}; assessments: ${names.join(', ')}`,
  );
} catch (err) {
  check('checklist run', false, err instanceof Error ? err.message : String(err));
} finally {
  for (const s of servers) {
    await s.stop();
    s.rss.stop();
  }
  for (const name of extraDbs) {
    await adminQuery(
      adminUrl,
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`,
    );
    await adminQuery(adminUrl, `drop database if exists ${name}`);
  }
  await pgScratch.drop();
  await sqliteScratch.drop();
}
const ok = checks.every((c) => c.ok);
const file = path.join(
  ROOT,
  'bench',
  'results',
  `${new Date().toISOString().replace(/[:.]/g, '-')}-checklist.json`,
);
writeJson(file, { ok, checks });
log(`${ok ? 'every check passed' : 'SOME CHECKS FAILED'}; ${path.relative(ROOT, file)}`);
process.exit(ok ? 0 : 1);
