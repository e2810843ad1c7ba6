// `assay db copy --to postgres://…`: moves an instance from SQLite to PostgreSQL. The target is
// migrated first and must be empty; every table is copied in foreign-key order, in batches, inside one
// PostgreSQL transaction (all or nothing) from one SQLite read snapshot; then row counts and a SHA-256
// per table, over rows ordered by primary key with values normalised, are compared on both sides.
import { createHash } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { type Db, openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { migrations } from '../db/migrations/index.js';

/** Kysely's bookkeeping: each side keeps its own. */
const SKIPPED = new Set(['kysely_migration', 'kysely_migration_lock']);
const MAX_PARAMS = 60_000;

export type TableReport = {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceSha256: string;
  targetSha256: string;
  ok: boolean;
};

export type CopyReport = {
  ok: boolean;
  tables: TableReport[];
  /** How the copy ran: with triggers and foreign-key checks of the target disabled (a verbatim copy), or not. */
  mode: 'verbatim' | 'with-triggers';
  ms: number;
};

export class CopyRefused extends Error {}

type ColumnInfo = { name: string; pgType: string };
type TableInfo = { name: string; columns: ColumnInfo[]; primaryKey: string[] };

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The SQLite tables to copy, parents before children (foreign keys), with their primary keys. */
function sourceTables(
  src: SQLite.Database,
): Array<{ name: string; primaryKey: string[]; columns: string[] }> {
  const names = (
    src
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all() as Array<{
      name: string;
    }>
  )
    .map((r) => r.name)
    .filter((n) => !SKIPPED.has(n));
  const info = new Map(
    names.map((name) => {
      const cols = src.prepare(`pragma table_info(${quoteIdent(name)})`).all() as Array<{
        name: string;
        pk: number;
      }>;
      const primaryKey = cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      const parents = (
        src.prepare(`pragma foreign_key_list(${quoteIdent(name)})`).all() as Array<{ table: string }>
      )
        .map((f) => f.table)
        .filter((t) => t !== name && names.includes(t));
      return [name, { primaryKey, columns: cols.map((c) => c.name), parents }] as const;
    }),
  );
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') throw new Error(`foreign keys form a cycle through ${n}`);
    state.set(n, 'visiting');
    for (const p of info.get(n)?.parents ?? []) visit(p);
    state.set(n, 'done');
    ordered.push(n);
  };
  for (const n of [...names].sort()) visit(n);
  return ordered.map((name) => {
    const t = info.get(name) as { primaryKey: string[]; columns: string[] };
    return { name, primaryKey: t.primaryKey.length ? t.primaryKey : t.columns, columns: t.columns };
  });
}

async function targetColumns(db: Db): Promise<Map<string, ColumnInfo[]>> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
  const out = new Map<string, ColumnInfo[]>();
  for (const r of rows.rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ name: r.column_name, pgType: r.data_type });
    out.set(r.table_name, list);
  }
  return out;
}

/**
 * One value as both sides print it: integers and doubles by JavaScript's shortest round-trip form,
 * `real` (4-byte) columns rounded to single precision first (PostgreSQL stores them so), bytes as hex.
 */
function normalise(v: unknown, pgType: string): string {
  if (v === null || v === undefined) return '\u0000';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return String(pgType === 'real' ? Math.fround(v) : v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (v instanceof Date) return String(v.getTime());
  return String(v);
}

type Entry = { key: unknown[]; h: Buffer };

function entryOf(row: Record<string, unknown>, t: TableInfo): Entry {
  const h = createHash('sha256')
    .update(JSON.stringify(t.columns.map((c) => normalise(row[c.name], c.pgType))))
    .digest();
  return { key: t.primaryKey.map((k) => row[k]), h };
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // SQLite's BINARY collation: the bytes of the UTF-8 text.
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

/**
 * SHA-256 over the rows in primary-key order (byte order for text, as SQLite sorts), each row being
 * the SHA-256 of its normalised values. Sorting here rather than in SQL keeps PostgreSQL's collation
 * out of it, so both sides are computed the same way.
 */
function digestOf(entries: Entry[]): string {
  entries.sort((x, y) => {
    for (let i = 0; i < x.key.length; i++) {
      const c = compareValues(x.key[i], y.key[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  const hash = createHash('sha256');
  for (const e of entries) hash.update(e.h);
  return hash.digest('hex');
}

function sourceDigest(src: SQLite.Database, t: TableInfo): { rows: number; sha: string } {
  const entries: Entry[] = [];
  for (const row of src.prepare(`select * from ${quoteIdent(t.name)}`).iterate())
    entries.push(entryOf(row as Record<string, unknown>, t));
  return { rows: entries.length, sha: digestOf(entries) };
}

async function targetDigest(db: Db, t: TableInfo, batch: number): Promise<{ rows: number; sha: string }> {
  const entries: Entry[] = [];
  const pk = t.primaryKey.map(quoteIdent).join(', ');
  // Keyset pages along the primary key's index.
  let after: unknown[] | undefined;
  for (;;) {
    const where = after ? sql`where (${sql.raw(pk)}) > (${sql.join(after)})` : sql``;
    const page = await sql<Record<string, unknown>>`select * from ${sql.raw(quoteIdent(t.name))} ${where}
      order by ${sql.raw(pk)} limit ${batch}`.execute(db);
    for (const row of page.rows) entries.push(entryOf(row, t));
    const last = page.rows.at(-1);
    if (!last || page.rows.length < batch) break;
    after = t.primaryKey.map((k) => last[k]);
  }
  return { rows: entries.length, sha: digestOf(entries) };
}

export type CopyOptions = {
  sqliteFile: string;
  targetUrl: string;
  /** A PostgreSQL schema to copy into instead of the default (tests). */
  searchPath?: string;
  batchRows?: number;
  onProgress?: (message: string) => void;
};

export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopyReport> {
  const started = Date.now();
  const say = opts.onProgress ?? (() => {});
  const src = new SQLite(opts.sqliteFile, { fileMustExist: true });
  src.pragma('busy_timeout = 5000');
  const target = openDatabase(
    { database: { kind: 'postgres', url: opts.targetUrl, poolSize: 2 } },
    { searchPath: opts.searchPath },
  );
  try {
    const applied = new Set(
      src.prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'").get()
        ? (src.prepare('select name from kysely_migration').all() as Array<{ name: string }>).map(
            (r) => r.name,
          )
        : [],
    );
    const missing = Object.keys(migrations).filter((m) => !applied.has(m));
    if (missing.length)
      throw new CopyRefused(
        `The SQLite database is not up to date (missing ${missing.join(', ')}); run \`assay migrate\` with the new version first.`,
      );

    say('Migrating the target database…');
    await migrateToLatest(target.db, opts.searchPath ? { schema: opts.searchPath } : {});
    const pgColumns = await targetColumns(target.db);
    const tables: TableInfo[] = sourceTables(src).map((t) => {
      const cols = pgColumns.get(t.name);
      if (!cols) throw new CopyRefused(`The target has no table ${t.name}; is it the same Assay version?`);
      const extra = t.columns.filter((c) => !cols.some((p) => p.name === c));
      if (extra.length) throw new CopyRefused(`The target table ${t.name} lacks columns ${extra.join(', ')}`);
      return {
        name: t.name,
        primaryKey: t.primaryKey,
        columns: cols.filter((c) => t.columns.includes(c.name)),
      };
    });
    for (const t of tables) {
      const r = await sql<{
        n: number;
      }>`${sql.raw(`select count(*)::int as n from ${quoteIdent(t.name)}`)}`.execute(target.db);
      if ((r.rows[0]?.n ?? 0) > 0)
        throw new CopyRefused(
          `The target is not empty: ${t.name} has rows. Copy into a new, empty database (it is migrated for you).`,
        );
    }

    // One read snapshot of the source for the copy, and one transaction on the target.
    src.prepare('begin').run();
    let mode: CopyReport['mode'] = 'verbatim';
    await target.db.transaction().execute(async (trx) => {
      // Rows are copied as they are: derived columns were computed by the source's triggers already,
      // and parents come before children. Needs a superuser; without one, triggers fire, harmlessly.
      try {
        await sql`savepoint assay_copy`.execute(trx);
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`release savepoint assay_copy`.execute(trx);
      } catch {
        await sql`rollback to savepoint assay_copy`.execute(trx);
        mode = 'with-triggers';
      }
      for (const t of tables) {
        const per = Math.max(1, Math.min(opts.batchRows ?? 1000, Math.floor(MAX_PARAMS / t.columns.length)));
        let batch: Record<string, unknown>[] = [];
        let copied = 0;
        const flush = async () => {
          if (!batch.length) return;
          await trx
            .insertInto(t.name as never)
            .values(batch as never)
            .execute();
          copied += batch.length;
          batch = [];
        };
        const names = t.columns.map((c) => c.name);
        for (const row of src
          .prepare(`select ${names.map(quoteIdent).join(', ')} from ${quoteIdent(t.name)}`)
          .iterate()) {
          batch.push(row as Record<string, unknown>);
          if (batch.length >= per) await flush();
        }
        await flush();
        say(`  copied ${t.name}: ${copied} rows`);
      }
    });
    src.prepare('commit').run();

    say('Verifying row counts and checksums…');
    const reports: TableReport[] = [];
    for (const t of tables) {
      const s = sourceDigest(src, t);
      const d = await targetDigest(target.db, t, opts.batchRows ?? 1000);
      reports.push({
        table: t.name,
        sourceRows: s.rows,
        targetRows: d.rows,
        sourceSha256: s.sha,
        targetSha256: d.sha,
        ok: s.rows === d.rows && s.sha === d.sha,
      });
    }
    return { ok: reports.every((r) => r.ok), tables: reports, mode, ms: Date.now() - started };
  } finally {
    if (src.inTransaction) src.prepare('rollback').run();
    src.close();
    await target.close();
  }
}

export function formatCopyReport(r: CopyReport): string {
  const w = Math.max(5, ...r.tables.map((t) => t.table.length));
  const lines = [
    `${'table'.padEnd(w)}  ${'rows (SQLite)'.padStart(13)}  ${'rows (PostgreSQL)'.padStart(17)}  sha256 (SQLite / PostgreSQL)      result`,
  ];
  for (const t of r.tables) {
    lines.push(
      `${t.table.padEnd(w)}  ${String(t.sourceRows).padStart(13)}  ${String(t.targetRows).padStart(17)}  ${t.sourceSha256.slice(0, 12)} / ${t.targetSha256.slice(0, 12)}   ${t.ok ? 'ok' : 'MISMATCH'}`,
    );
  }
  const rows = r.tables.reduce((s, t) => s + t.sourceRows, 0);
  lines.push(
    r.ok
      ? `\nCopied ${rows} rows in ${r.tables.length} tables in ${(r.ms / 1000).toFixed(1)} s; every count and checksum matches.`
      : `\nMISMATCH in ${r.tables
          .filter((t) => !t.ok)
          .map((t) => t.table)
          .join(', ')}: do not switch to the copy.`,
  );
  if (r.mode === 'with-triggers')
    lines.push(
      'Note: the target user may not disable triggers (not a superuser), so they ran during the copy; the checksums above say whether that changed anything.',
    );
  return lines.join('\n');
}
