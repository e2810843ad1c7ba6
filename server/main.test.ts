// The `assay` process as an operator runs it: real child processes, real ports, real signals.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const tsxLoader = ['--import', 'tsx'];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...tsxLoader, 'server/main.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(base: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} never became ready`);
}

async function signIn(base: string, email: string, password: string) {
  return fetch(`${base}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

describe('the assay process', () => {
  it('lists every configuration problem and exits 1', async () => {
    const p = run(['serve'], { PORT: 'abc', ASSAY_SIGNUP: 'sometimes' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/PORT/);
    expect(p.output()).toMatch(/ASSAY_SIGNUP/);
  });

  it('creates the first owner once, serves, stops on SIGTERM with 0, and keeps data across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-main-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ASSAY_DATA_DIR: dataDir, PORT: String(port) };

    const first = run(['serve'], env);
    await waitReady(base);
    const credsFile = path.join(dataDir, 'initial-credentials.txt');
    expect(fs.statSync(credsFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    const creds = fs.readFileSync(credsFile, 'utf8');
    const email = /email: (.+)/.exec(creds)![1]!;
    const password = /password: (.+)/.exec(creds)![1]!;
    const res = await signIn(base, email, password);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(
      true,
    );
    expect(first.output()).not.toContain(password); // not a terminal: the password goes only to the file

    const stopAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5_000);

    fs.rmSync(credsFile);
    const second = run(['serve'], env);
    await waitReady(base);
    expect((await signIn(base, email, password)).status).toBe(200);
    expect(fs.existsSync(credsFile)).toBe(false); // no second owner
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('creates users and resets a locked-out owner from the command line', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-'));
    const env = { ASSAY_DATA_DIR: dataDir, PUBLIC_URL: 'https://assess.example.com' };
    const created = run(
      ['user', 'create', '--email', 'Ops.Owner@example.com', '--name', 'Ops Owner', '--org-name', 'Ops Org'],
      env,
    );
    expect(await created.exited).toBe(0);
    const password = /Password: (\S+)/.exec(created.output())![1]!;
    const weak = run(
      ['user', 'create', '--email', 'weak@example.com', '--name', 'Weak', '--password', 'password'],
      env,
    );
    expect(await weak.exited).toBe(1);
    expect(weak.output()).toMatch(/password/i);

    const link = run(['user', 'reset-password', '--email', 'ops.owner@example.com'], env);
    expect(await link.exited).toBe(0);
    expect(link.output()).toMatch(/https:\/\/assess\.example\.com\/reset-password\/[\w-]{40,}/);
    const set = run(
      ['user', 'reset-password', '--email', 'ops.owner@example.com', '--password', 'a brand new passphrase'],
      env,
    );
    expect(await set.exited).toBe(0);

    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(dataDir, 'assay.db'), { readonly: true });
    const user = db
      .prepare('select must_change_password from users where email = ?')
      .get('ops.owner@example.com') as { must_change_password: number };
    expect(user.must_change_password).toBe(1);
    const org = db
      .prepare(
        'select o.name, m.role from organizations o join memberships m on m.org_id = o.id join users u on u.id = m.user_id where u.email = ?',
      )
      .get('ops.owner@example.com') as { name: string; role: string };
    expect(org).toEqual({ name: 'Ops Org', role: 'owner' });
    db.close();
    expect(password.length).toBeGreaterThanOrEqual(15);
  }, 60_000);

  it('runs web and worker roles apart: mail queued by the web role is handled by the worker', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-roles-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ASSAY_DATA_DIR: dataDir, PORT: String(port) };
    const web = run(['serve', '--role', 'web'], env);
    await waitReady(base);
    const email = /email: (.+)/.exec(
      fs.readFileSync(path.join(dataDir, 'initial-credentials.txt'), 'utf8'),
    )![1]!;
    expect(
      (
        await fetch(`${base}/api/v1/auth/password-reset/request`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        })
      ).status,
    ).toBe(202);

    const { default: Database } = await import('better-sqlite3');
    const status = () =>
      (
        new Database(path.join(dataDir, 'assay.db'), { readonly: true })
          .prepare('select status from emails')
          .get() as { status: string }
      ).status;
    await new Promise((r) => setTimeout(r, 800));
    expect(status()).toBe('queued'); // nobody works jobs in the web role

    const worker = run(['serve', '--role', 'worker'], env);
    const until = Date.now() + 20_000;
    while (status() !== 'outbox' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(status()).toBe('outbox');
    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await web.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  }, 60_000);

  it.runIf(!!process.env.TEST_DATABASE_URL)(
    'runs the same migrations on PostgreSQL and serves',
    async () => {
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const dbName = `assay_main_${process.pid}`;
      await admin.query(`drop database if exists ${dbName}`);
      await admin.query(`create database ${dbName}`);
      try {
        const url = new URL(process.env.TEST_DATABASE_URL!);
        url.pathname = `/${dbName}`;
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const p = run(['serve'], {
          DATABASE_URL: url.toString(),
          PORT: String(port),
          ASSAY_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'assay-pg-')),
        });
        await waitReady(base);
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        const check = new pg.Client({ connectionString: url.toString() });
        await check.connect();
        const tables = await check.query(
          "select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name in ('jobs','users','emails')",
        );
        expect(tables.rows[0].n).toBe(3);
        await check.end();
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      } finally {
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
    60_000,
  );
});
