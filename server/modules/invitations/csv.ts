// A small RFC 4180 reader for candidate lists, and the rules that turn its records into invitations
// or rejections. Pure: the import job and the upload route share it.
import { z } from 'zod';

/**
 * Splits CSV text into records of fields. Handles quoted fields with commas, line breaks and doubled
 * quotes, CRLF or LF line ends, and a leading byte-order mark. A quote inside an unquoted field is
 * kept as text (spreadsheets write such files), and an unterminated quote runs to the end of the file.
 */
export function parseCsv(input: string): string[][] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let i = 0;
  const n = text.length;
  const endField = () => {
    record.push(field);
    field = '';
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c;
    atFieldStart = false;
    i++;
  }
  // The last record, unless the file ended with a line break.
  if (field !== '' || record.length > 0 || quoted) endRecord();
  return records;
}

export const MAX_IMPORT_ROWS = 10_000;

export type CandidateColumn = 'email' | 'name' | 'externalId' | 'extraTime';

const headerAliases: Record<string, CandidateColumn> = {
  email: 'email',
  emailaddress: 'email',
  name: 'name',
  fullname: 'name',
  externalid: 'externalId',
  extratime: 'extraTime',
};

const normaliseHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

export type CsvRow = {
  row: number;
  email: string;
  name: string;
  externalId: string | null;
  extraTime: number;
};
export type CsvRejection = { row: number; email: string; reason: string };
export type CheckedCsv = {
  /** Rows in file order; `row` counts the header as row 1, as a spreadsheet shows it. */
  rows: Array<{ row: number; accepted: CsvRow } | { row: number; rejected: CsvRejection }>;
  accepted: number;
  rejected: number;
};

export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
}

const emailCheck = z.email();

/**
 * Maps the header (case, spaces, hyphens and underscores ignored; unknown columns ignored), then
 * checks each record: a valid email, a name, an optional external id, an optional extra-time
 * multiplier of at most `maxExtraTime`, and no email twice in the file (the first one wins).
 * Records whose fields are all empty are skipped. Throws CsvFormatError when the file itself is
 * unusable: no header, no email or name column, or more than MAX_IMPORT_ROWS rows.
 */
export function checkCandidateCsv(text: string, opts: { maxExtraTime: number }): CheckedCsv {
  const records = parseCsv(text);
  const header = records[0];
  if (!header) throw new CsvFormatError('The file is empty');
  const columns = new Map<CandidateColumn, number>();
  for (const [i, h] of header.entries()) {
    const col = headerAliases[normaliseHeader(h)];
    if (col && !columns.has(col)) columns.set(col, i);
  }
  const missing = (['email', 'name'] as const).filter((c) => !columns.has(c));
  if (missing.length)
    throw new CsvFormatError(`The header row needs ${missing.map((c) => `a "${c}" column`).join(' and ')}`);
  const at = (r: string[], col: CandidateColumn) => {
    const i = columns.get(col);
    return i === undefined ? '' : (r[i] ?? '').trim();
  };

  const out: CheckedCsv = { rows: [], accepted: 0, rejected: 0 };
  const seen = new Map<string, number>();
  let dataRows = 0;
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    if (record.every((f) => f.trim() === '')) continue;
    if (++dataRows > MAX_IMPORT_ROWS)
      throw new CsvFormatError(`The file has more than ${MAX_IMPORT_ROWS} rows; split it into smaller files`);
    const row = r + 1;
    const rawEmail = at(record, 'email');
    const email = rawEmail.toLowerCase();
    const name = at(record, 'name');
    const externalId = at(record, 'externalId');
    const extraRaw = at(record, 'extraTime');
    const reject = (reason: string) => {
      out.rows.push({ row, rejected: { row, email: rawEmail.slice(0, 254), reason } });
      out.rejected++;
    };
    if (!email) {
      reject('The email is missing');
      continue;
    }
    if (email.length > 254 || !emailCheck.safeParse(email).success) {
      reject('The email is not a valid address');
      continue;
    }
    if (!name) {
      reject('The name is missing');
      continue;
    }
    if (name.length > 200) {
      reject('The name is longer than 200 characters');
      continue;
    }
    if (externalId.length > 200) {
      reject('The external id is longer than 200 characters');
      continue;
    }
    let extraTime = 1;
    if (extraRaw) {
      const x = Number(extraRaw.replace(/x$/i, ''));
      if (!Number.isFinite(x) || x < 1 || x > opts.maxExtraTime) {
        reject(`The extra time must be a multiplier from 1 to ${opts.maxExtraTime}`);
        continue;
      }
      extraTime = x;
    }
    const first = seen.get(email);
    if (first !== undefined) {
      reject(`The email appears again; row ${first} was used`);
      continue;
    }
    seen.set(email, row);
    out.rows.push({ row, accepted: { row, email, name, externalId: externalId || null, extraTime } });
    out.accepted++;
  }
  return out;
}
