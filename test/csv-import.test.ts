import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvSeparatorFor, decodeSpreadsheetText, excelCsv } from '../src/core/csv.js';
import { previewTraineeCsv } from '../src/people/csv-import.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/context.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'csv', name));
const nobody = () => false;

describe('trainee CSV as Excel writes it (fixtures)', () => {
  it('reads "CSV UTF-8" with BOM and semicolons, skipping and counting the separator-only rows', () => {
    const p = previewTraineeCsv(fixture('excel-utf8-bom-semicolon.csv'), nobody);
    expect(p.encoding).toBe('utf-8-bom');
    expect(p.delimiter).toBe(';');
    expect(p.fileErrors).toEqual([]);
    expect(p.skippedEmpty).toBe(4); // three rows of separators and the blank line under them
    expect(p.invalid).toBe(0);
    expect(p.rows.map((r) => [r.line, r.username, r.displayName, r.externalId, r.gender])).toEqual([
      [2, 'elodie', 'Élodie Lefèvre', 'OF-101', 'female'],
      [3, 'noel', '« Noël » Ngoué', 'OF-102', 'male'],
      [4, 'francois', 'François Œuvray', 'OF-103', 'male'],
    ]);
  });

  it('converts Windows-1252 ("CSV" on a French Windows) instead of storing mojibake', () => {
    const p = previewTraineeCsv(fixture('excel-windows-1252.csv'), nobody);
    expect(p.encoding).toBe('windows-1252');
    expect(p.invalid).toBe(0);
    expect(p.rows.map((r) => r.displayName)).toEqual(['Élodie Lefèvre', '« Noël » Ngoué', 'François Œuvray']);
    expect(JSON.stringify(p.rows)).not.toContain('\ufffd');
  });

  it('refuses an Arabic code page with "save as CSV UTF-8", and random bytes as not a CSV', () => {
    const ar = previewTraineeCsv(fixture('excel-windows-1256-arabic.csv'), nobody);
    expect(ar.fileProblems).toEqual([{ code: 'saveAsUtf8', values: {} }]);
    expect(ar.fileErrors[0]).toContain('save it as "CSV UTF-8');
    expect(ar.rows).toEqual([]);
    const junk = previewTraineeCsv(fixture('random-bytes.csv'), nobody);
    expect(junk.fileProblems).toEqual([{ code: 'notText', values: {} }]);
  });

  it('reads UTF-16 "Unicode text"', () => {
    const p = previewTraineeCsv(fixture('excel-utf16.csv'), nobody);
    expect(p.encoding).toBe('utf-16');
    expect(p.rows.map((r) => r.displayName)).toEqual(['Yasmine Ünal']);
  });

  it('skips blank and separator-only rows before the header and between rows; line numbers stay true', () => {
    const p = previewTraineeCsv(
      Buffer.from(';;\r\nusername;pin;name\r\n;;\r\nawa;12;Awa\r\n\r\n;;\r\n'),
      nobody,
    );
    expect(p.skippedEmpty).toBe(4);
    expect(p.rows.map((r) => r.line)).toEqual([4]);
    expect(p.rows[0]!.errors).toEqual(['PIN must be 4 to 8 digits']);
    expect(previewTraineeCsv(Buffer.from(';;;\r\n;;;\r\n'), nobody).fileProblems).toEqual([
      { code: 'empty', values: {} },
    ]);
  });
});

describe('decodeSpreadsheetText', () => {
  it('takes UTF-8 with and without BOM as is', () => {
    expect(decodeSpreadsheetText(Buffer.from('\ufeffÉlodie'))).toEqual({
      text: 'Élodie',
      encoding: 'utf-8-bom',
    });
    expect(decodeSpreadsheetText(Buffer.from('أمينة'))).toEqual({ text: 'أمينة', encoding: 'utf-8' });
  });
  it('refuses text with control bytes even when it is valid UTF-8', () => {
    expect(decodeSpreadsheetText(Buffer.from('PK\u0003\u0004'))).toEqual({ problem: 'notText' });
  });
});

describe('the one CSV writer', () => {
  it('writes a BOM, CRLF, the separator asked for, and neutralises formulas', () => {
    const buf = excelCsv(
      ['name', 'note'],
      [
        ['=HYPERLINK("http://evil")', '+1'],
        ['Chen; Li', null],
        ['-@x', 42],
      ],
      { separator: ';' },
    );
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('name;note');
    const rows: string[][] = parse(text, { delimiter: ';' });
    expect(rows).toEqual([
      ['name', 'note'],
      ['\'=HYPERLINK("http://evil")', "'+1"],
      ['Chen; Li', ''],
      ["'-@x", '42'],
    ]);
  });
  it("uses ';' for French and Arabic spreadsheets, ',' for English", () => {
    expect([csvSeparatorFor('fr'), csvSeparatorFor('ar'), csvSeparatorFor('en')]).toEqual([';', ';', ',']);
  });
});

describe('fieldclass admin import-trainees reads the same files', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('imports the Windows-1252 file converted, says so, and refuses the Arabic code page', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const dataDir = t.dir;
    const file = join(import.meta.dirname, 'fixtures', 'csv', 'excel-windows-1252.csv');
    const r = await runCli('admin', 'import-trainees', file, '--data', dataDir);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('imported 3 trainee(s)');
    expect(r.err.join('')).toContain('Windows-1252');
    expect(r.err.join('')).toContain('4 empty row(s) skipped');
    const ar = await runCli(
      'admin',
      'import-trainees',
      join(import.meta.dirname, 'fixtures', 'csv', 'excel-windows-1256-arabic.csv'),
      '--data',
      dataDir,
    );
    expect(ar.code).not.toBe(0);
    expect(ar.err.join('')).toContain('CSV UTF-8');
    const list = await runCli('trainee', 'list', '--json', '--data', dataDir);
    const names = (JSON.parse(list.out.join('')) as { displayName: string }[]).map((p) => p.displayName);
    expect(names.sort()).toEqual(['« Noël » Ngoué', 'François Œuvray', 'Élodie Lefèvre'].sort());
  });

  it('trainee add takes the PIN from the environment (never argv) and trainee list prints a header', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    process.env['FIELDCLASS_TRAINEE_PIN'] = '4821';
    try {
      const r = await runCli('trainee', 'add', 'awa', '--name', 'Awa Diallo', '--data', t.dir);
      expect(r.code).toBe(0);
    } finally {
      delete process.env['FIELDCLASS_TRAINEE_PIN'];
    }
    const list = await runCli('trainee', 'list', '--data', t.dir);
    expect(list.out[0]).toBe('username\tname\texternal id\tagency\tactive');
    expect(list.out[1]).toBe('awa\tAwa Diallo\t\t\tyes');
  });
});

describe('fieldclass admin password', () => {
  it('sets a coordinator password from the environment (never argv), with the rule, and ends their sessions', async () => {
    const t = tempDir();
    try {
      process.env['FIELDCLASS_ADMIN_PASSWORD'] = 'first good sentence';
      expect((await runCli('admin', 'add', 'amina', '--data', t.dir)).code).toBe(0);
      process.env['FIELDCLASS_ADMIN_PASSWORD'] = 'password';
      const weak = await runCli('admin', 'password', 'amina', '--data', t.dir);
      expect(weak.code).toBe(1);
      expect(weak.err.join('')).toContain('most common');
      process.env['FIELDCLASS_ADMIN_PASSWORD'] = 'second good sentence';
      const r = await runCli('admin', 'password', 'Amina', '--data', t.dir);
      expect(r.code).toBe(0);
      expect(r.out.join('')).toContain('password set for amina');
      const none = await runCli('admin', 'password', 'nobody', '--data', t.dir);
      expect(none.err.join('')).toContain('no coordinator named "nobody"');
    } finally {
      delete process.env['FIELDCLASS_ADMIN_PASSWORD'];
      t.cleanup();
    }
  });
});
