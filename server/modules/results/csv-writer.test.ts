import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv-writer.js';

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('=HYPERLINK("http://x","a, b")')).toBe(`"'=HYPERLINK(""http://x"",""a, b"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers, booleans and empty values plainly, and ends records with CRLF', () => {
    expect(csvRow([1.5, 0, null, undefined, true, 'x'])).toBe('1.5,0,,,true,x\r\n');
    expect(csvCell(Number.NaN)).toBe('');
  });
});
