// CSV output for spreadsheets: RFC 4180 quoting (a field with a comma, a quote, CR or LF is quoted,
// quotes doubled, CRLF between records) and formula-injection neutralisation: a text cell that
// starts with = + - @ TAB or CR gets a leading apostrophe, so a spreadsheet shows it as text instead
// of running it (OWASP "CSV Injection").

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    s = String(value);
    // Numbers are written by us and never negative here; a negative one is still a number, not a
    // formula, so it is left alone.
    return s;
  }
  s = typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
