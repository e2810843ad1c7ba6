// Chooses the dialect once: SQLite (better-sqlite3, WAL) by default, PostgreSQL when DATABASE_URL
// says so. Everything above this file sees one Kysely<Database>.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;
export type Dialect = 'sqlite' | 'postgres';

// int8 (bigint) carries epoch-millisecond timestamps; they fit a JS number exactly.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric is used for scores; a JS number has the precision we need.
pg.types.setTypeParser(1700, (v) => Number(v));

export type DbHandle = { db: Db; dialect: Dialect; close(): Promise<void> };

export function openDatabase(config: Pick<Config, 'database'>, opts: { searchPath?: string } = {}): DbHandle {
  const dbc = config.database;
  if (dbc.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: dbc.url,
      max: dbc.poolSize,
      connectionTimeoutMillis: 5_000,
      ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath}` } : {}),
    });
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    // Nor may a checked-out one (a transaction between statements when the server goes away): pg
    // emits 'error' on the client itself, and an 'error' event without a listener kills the process.
    // The query in progress fails on its own, and the pool drops the broken client when it is released.
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(path.dirname(dbc.file), { recursive: true });
  const sqlite = cachePreparedStatements(openSqliteFile(dbc.file, dbc.synchronous));
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * Transactions start with BEGIN IMMEDIATE: they take the write lock at once and wait their turn
 * (busy_timeout). A deferred transaction that reads and then writes fails at once with SQLITE_BUSY
 * when the other connection (the job thread, a CLI command) committed in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.settings);
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement anew, and preparing is about a third of what a
 * small query costs (the autosave's upsert: 97 µs as written, 73 µs with this cache). Statements are
 * reused by SQL text, least recently used dropped first. Safe on one connection: the driver runs one
 * statement at a time and reads every row before the next (it streams only when asked, and nothing
 * here asks), and SQLite re-prepares a cached statement by itself after a schema change.
 */
export function cachePreparedStatements(sqlite: SQLite.Database): SQLite.Database {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
    } else {
      stmt = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, stmt);
    return stmt;
  }) as typeof sqlite.prepare;
  return sqlite;
}

/**
 * WAL keeps readers off the writer's back; the busy timeout lets a second connection (the job worker
 * thread, a CLI command) wait its turn. synchronous=NORMAL in WAL mode: a committed transaction
 * survives the process dying (kill -9) because it is in the WAL file before COMMIT returns; only an OS
 * crash or power cut can lose the last commits. SQLITE_SYNCHRONOUS=full fsyncs every commit instead.
 */
export function openSqliteFile(file: string, synchronous: 'normal' | 'full' = 'normal'): SQLite.Database {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}
