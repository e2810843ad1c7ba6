// A private PostgreSQL cluster for checks that stop or crash the database: initdb and pg_ctl from
// /usr/lib/postgresql/*/bin, on a free port, in a temporary directory. Never the shared server that
// other tests use. PostgreSQL refuses to run as root, so as root it runs as the postgres user.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export function findPgBin(): string | undefined {
  if (process.env.PG_BIN && fs.existsSync(path.join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

const handedOut = new Set<number>();

/** A port nothing listens on, never the same twice in this process (checks may run side by side). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export type PgCluster = {
  url: string;
  port: number;
  dir: string;
  /** Starts (or restarts) the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl stop: `immediate` is a crash (no checkpoint, recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
  settings(): Promise<Record<string, string>>;
};

export async function createCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (/usr/lib/postgresql/*/bin or PG_BIN)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (cmd: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { cwd: dir })
      : run(path.join(bin, cmd), args, { cwd: dir });
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = false;
  const cluster: PgCluster = {
    url,
    port,
    dir,
    async start() {
      await pgRun('pg_ctl', [
        '-D',
        data,
        '-l',
        path.join(dir, 'server.log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
        '-w',
        '-t',
        '60',
        'start',
      ]);
      running = true;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await pgRun('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => {});
      running = false;
    },
    async destroy() {
      await cluster.stop('immediate');
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async settings() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const r = await client.query<{ name: string; setting: string }>(
          `select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'server_version')`,
        );
        return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
      } finally {
        await client.end();
      }
    },
  };
  await cluster.start();
  return cluster;
}

/** Creates a database on a server and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * PostgreSQL for the in-process checks: TEST_DATABASE_URL when set (CI), otherwise a private cluster
 * made for this run. Undefined when neither is available: those checks then run on SQLite only.
 */
export async function ensurePostgres(): Promise<{ describe: string; stop(): Promise<void> } | undefined> {
  const describe = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'server_version')`,
      );
      const s = Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
      return `${s.server_version} (fsync=${s.fsync}, synchronous_commit=${s.synchronous_commit})`;
    } finally {
      await client.end();
    }
  };
  if (process.env.TEST_DATABASE_URL) {
    return {
      describe: `${await describe(process.env.TEST_DATABASE_URL)} via TEST_DATABASE_URL`,
      stop: async () => {},
    };
  }
  if (!findPgBin()) return undefined;
  const cluster = await createCluster();
  process.env.TEST_DATABASE_URL = cluster.url;
  return {
    describe: `${await describe(cluster.url)}, a private cluster on port ${cluster.port}`,
    stop: async () => {
      delete process.env.TEST_DATABASE_URL;
      await cluster.destroy();
    },
  };
}
