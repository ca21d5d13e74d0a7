/**
 * CSV as a coordinator's (or HQ's) spreadsheet really reads and writes it. The one CSV writer of the box
 * and of HQ, and the one reader of the bytes a spreadsheet saved: in core/ so both can use it.
 */

export type CsvSeparator = ',' | ';';

/**
 * The separator the reader's spreadsheet expects. Excel splits a CSV on the list separator of the
 * Windows region: `;` wherever the decimal mark is a comma (French) and, by Windows' defaults, in the
 * Arabic regions too; `,` in English ones. The page language stands for the region (the box cannot see it).
 */
export function csvSeparatorFor(lang: string): CsvSeparator {
  return lang === 'en' ? ',' : ';';
}

export type Cell = string | number | null | undefined;

/**
 * Text that Excel opens as UTF-8: a BOM, then RFC 4180 CSV with CRLF line ends. A text cell starting with
 * = + - @ (or a tab / carriage return) would be run as a formula by a spreadsheet: it is written with a
 * leading apostrophe, so it stays text (CSV injection).
 */
export function excelCsv(
  header: string[],
  rows: Iterable<readonly Cell[]>,
  opts: { separator?: CsvSeparator; notes?: readonly string[] } = {},
): Buffer {
  const sep = opts.separator ?? ',';
  // Notes (what the figures mean) come first, one cell each starting with '#': a reader sees them above
  // the header, and tools that skip comment lines (pandas' comment='#', R's comment.char) still find it.
  const lines = (opts.notes ?? []).map((n) => csvField(`# ${n}`, sep));
  lines.push(header.map((h) => csvField(h, sep)).join(sep));
  // Written by hand rather than through a CSV library: HQ's whole trainee report is 20 columns per
  // (person, course), and the library's per-cell option handling was most of its time. The output is
  // the library's (csv-stringify) for these options, byte for byte (src/core/csv.test.ts).
  for (const r of rows) lines.push(r.map((v) => csvField(v, sep)).join(sep));
  lines.push('');
  // U+FEFF is the byte-order mark (EF BB BF in UTF-8): one encoding of the text, no copy after it.
  return Buffer.from('\ufeff' + lines.join('\r\n'), 'utf8');
}

/** One RFC 4180 field: quoted when it holds the separator, a quote or a line break; formulas kept as text. */
function csvField(v: Cell, sep: CsvSeparator): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const s = neutraliseFormula(v);
  if (s.includes('"')) return `"${s.replaceAll('"', '""')}"`;
  return s.includes(sep) || s.includes('\n') || s.includes('\r') ? `"${s}"` : s;
}

export function neutraliseFormula(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** How the bytes of a CSV were read. */
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16' | 'windows-1252';

/**
 * Why bytes could not be read as a spreadsheet's text: `notText` (control bytes: not a CSV at all, e.g. an
 * .xlsx renamed), `saveAsUtf8` (a legacy code page other than Western European, e.g. Arabic Windows-1256,
 * which cannot be told apart from Windows-1252 reliably: the coordinator saves as "CSV UTF-8").
 */
export type CsvDecodeProblem = 'notText' | 'saveAsUtf8';

export type DecodedText = { text: string; encoding: CsvEncoding } | { problem: CsvDecodeProblem };

// Bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D have no character in Windows-1252.
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * Decode what a spreadsheet saved: UTF-8 with or without BOM, UTF-16 with BOM ("Unicode text"), or
 * Windows-1252 (Excel's "CSV (comma delimited)" on a Western European Windows) converted. Windows-1252 is
 * accepted only when it looks like Latin text (accented letters alone between ASCII ones); runs of high
 * bytes are what Arabic or Cyrillic code pages look like, and are refused rather than stored as mojibake.
 */
export function decodeSpreadsheetText(buf: Buffer): DecodedText {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return checkText(new TextDecoder('utf-16le').decode(buf.subarray(2)), 'utf-16');
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    return checkText(new TextDecoder('utf-16be').decode(buf.subarray(2)), 'utf-16');
  }
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const body = bom ? buf.subarray(3) : buf;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    return checkText(text, bom ? 'utf-8-bom' : 'utf-8');
  } catch {
    // Not UTF-8: a legacy code page, or not text at all.
  }
  let run = 0;
  for (const b of body) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return { problem: 'notText' };
    if (UNDEFINED_1252.has(b)) return { problem: 'notText' };
    // Only letters count toward a run: French « Élodie » puts a guillemet and a no-break space before É.
    run = isLetter1252(b) ? run + 1 : 0;
    if (run >= 3) return { problem: 'saveAsUtf8' };
  }
  return checkText(decode1252(body), 'windows-1252');
}

// 0x80-0x9F of Windows-1252 (Node's TextDecoder('windows-1252') decodes them as Latin-1's C1 controls).
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decode1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** Bytes that are letters in Windows-1252 (and in every other single-byte Windows code page). */
function isLetter1252(b: number): boolean {
  return (b >= 0xc0 && b !== 0xd7 && b !== 0xf7) || [0x8a, 0x8c, 0x8e, 0x9a, 0x9c, 0x9e, 0x9f].includes(b);
}

function checkText(text: string, encoding: CsvEncoding): DecodedText {
  // NUL and other C0 controls never appear in a spreadsheet's text (random bytes, a zip, an .xlsx).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) return { problem: 'notText' };
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding };
}
