// The operator commands `assay db copy` and `assay backup`: argument handling and output around
// db-copy.ts and backup.ts. Each returns the process exit code.
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BackupRefused, backupSqlite, defaultBackupFile } from './backup.js';
import { CopyRefused, copySqliteToPostgres, formatCopyReport } from './db-copy.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export async function dbCopyCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } } });
  if (!values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
    err('Usage: assay db copy --to postgres://user:password@host:5432/database');
    return 1;
  }
  if (config.database.kind !== 'sqlite') {
    err('assay db copy reads the SQLite database; unset DATABASE_URL so the configuration points at it.');
    return 1;
  }
  out(`Copying ${config.database.file} to ${redact(values.to)}`);
  try {
    const report = await copySqliteToPostgres({
      sqliteFile: config.database.file,
      targetUrl: values.to,
      onProgress: out,
    });
    out(formatCopyReport(report));
    if (report.ok)
      out(
        `\nNext: set DATABASE_URL=${redact(values.to)} (keep ASSAY_SECRET_KEY or the key file in ${config.dataDir}, and the uploaded files in ${config.dataDir}/blobs), then start Assay.`,
      );
    return report.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof CopyRefused) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}

export async function backupCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } } });
  if (config.database.kind !== 'sqlite') {
    err(
      'assay backup copies the SQLite database. For PostgreSQL use pg_dump, e.g.\n' +
        '  pg_dump --format=custom --file=assay.dump "$DATABASE_URL"\n(see docs/deployment.md).',
    );
    return 1;
  }
  try {
    const r = await backupSqlite(config.database.file, values.to ?? defaultBackupFile(config.dataDir));
    out(
      `Backed up ${(r.bytes / 1024 / 1024).toFixed(1)} MB (${r.tables} tables) to ${r.file} in ${r.ms} ms; integrity check ok.`,
    );
    out(
      `Uploaded files are not in the database: copy ${config.dataDir}/blobs as well (see docs/deployment.md).`,
    );
    return 0;
  } catch (e) {
    if (e instanceof BackupRefused) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}
