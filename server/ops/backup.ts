// `assay backup [--to file]`: a consistent copy of the SQLite database while the server keeps
// running. SQLite's online backup API copies every page inside one read transaction (one step), so
// the copy is the database as of one commit, and in WAL mode writers are not held up meanwhile. The
// copy is then made self-contained (no -wal file) and checked with PRAGMA integrity_check.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

export type BackupResult = { file: string; bytes: number; pages: number; ms: number; tables: number };

export class BackupRefused extends Error {}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

/** Where a backup goes when the operator names no file: <data dir>/backups/assay-<UTC time>.db */
export function defaultBackupFile(dataDir: string, now = new Date()): string {
  return path.join(dataDir, 'backups', `assay-${stamp(now)}.db`);
}

export async function backupSqlite(sourceFile: string, dest: string): Promise<BackupResult> {
  const started = Date.now();
  if (!fs.existsSync(sourceFile)) throw new BackupRefused(`There is no database at ${sourceFile}`);
  const target = path.resolve(dest);
  if (fs.existsSync(target)) throw new BackupRefused(`${target} exists already; choose another file`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });

  let pages = 0;
  let tables = 0;
  try {
    const src = new SQLite(sourceFile, { fileMustExist: true });
    try {
      src.pragma('busy_timeout = 5000');
      // All remaining pages in one step: one read transaction, so one consistent snapshot.
      const r = await src.backup(partial, { progress: () => 0x7fffffff });
      pages = r.totalPages;
    } finally {
      src.close();
    }
    const copy = new SQLite(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
      tables = (
        copy.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number }
      ).n;
    } finally {
      copy.close();
    }
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  fs.renameSync(partial, target);
  fs.chmodSync(target, 0o600);
  return { file: target, bytes: fs.statSync(target).size, pages, ms: Date.now() - started, tables };
}
