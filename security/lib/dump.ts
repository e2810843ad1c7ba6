// What an attacker, an auditor or a subpoena would see: a logical dump of every table, the files in
// the blob store, and the logs. Checks grep these for tokens, keys and personal data.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Ctx } from '../../server/context.js';

export type DumpedRow = { table: string; text: string };

/** Every table the database holds (the app's schema only). */
export async function listTables(ctx: Ctx): Promise<string[]> {
  if (ctx.dialect === 'sqlite') {
    const r = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
      ctx.db,
    );
    return r.rows.map((x) => x.name);
  }
  const r = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(ctx.db);
  return r.rows.map((x) => x.table_name);
}

/**
 * A logical dump: one line of JSON per row of every table. With `openSealed`, values sealed under
 * the instance key (mail bodies, stored responses) are opened too: encrypted personal data is still
 * personal data, and whoever holds the key can read it.
 */
export async function dumpDatabase(ctx: Ctx, opts: { openSealed?: boolean } = {}): Promise<DumpedRow[]> {
  const out: DumpedRow[] = [];
  for (const table of await listTables(ctx)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(ctx.db);
    for (const row of rows.rows) {
      let text = JSON.stringify(row);
      if (opts.openSealed) {
        for (const v of Object.values(row)) {
          if (typeof v !== 'string' || !v.startsWith('v1.')) continue;
          try {
            text += `\n${ctx.sealer.open(v)}`;
          } catch {
            // not sealed after all
          }
        }
      }
      out.push({ table, text });
    }
  }
  return out;
}

/** Every file under a directory, as bytes, with its path relative to it. */
export function readFilesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.push({ file: path.relative(dir, full), bytes: fs.readFileSync(full) });
  }
  return out;
}

/** Where each needle occurs, case-insensitively: "table emails", "blob uploads/ab/…", "log line 12". */
export function findNeedles(needles: string[], haystacks: Array<{ where: string; text: string }>): string[] {
  const hits: string[] = [];
  const lowered = needles.filter(Boolean).map((n) => n.toLowerCase());
  for (const h of haystacks) {
    const text = h.text.toLowerCase();
    for (const n of lowered) if (text.includes(n)) hits.push(`${h.where}: …${excerpt(h.text, n)}…`);
  }
  return hits;
}

function excerpt(text: string, needle: string): string {
  const i = text.toLowerCase().indexOf(needle);
  return text.slice(Math.max(0, i - 60), i + needle.length + 60).replace(/\s+/g, ' ');
}

/** Dump, blobs and logs as haystacks for findNeedles. */
export async function everything(
  ctx: Ctx,
  opts: {
    dataDir: string;
    logs: string[];
    openSealed?: boolean;
    extra?: Array<{ where: string; text: string }>;
  },
) {
  const rows = await dumpDatabase(ctx, { openSealed: opts.openSealed });
  return [
    ...rows.map((r) => ({ where: `table ${r.table}`, text: r.text })),
    ...readFilesUnder(path.join(opts.dataDir, 'blobs')).map((f) => ({
      where: `blob ${f.file}`,
      text: f.bytes.toString('latin1'),
    })),
    ...opts.logs.map((l, i) => ({ where: `log line ${i + 1}`, text: l })),
    ...(opts.extra ?? []),
  ];
}
