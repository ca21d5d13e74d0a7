import type { Response } from 'express';
import { csvSeparatorFor, excelCsv, type Cell, type CsvSeparator } from '../core/csv.js';

/** The separator of a download for this reader: `;` for a French or Arabic page, `,` for English (core/csv.ts). */
export const separatorOf = (res: Response): CsvSeparator => csvSeparatorFor(res.locals.lang);

/**
 * Answer a spreadsheet download: the CSV written by core/csv.ts (the one writer: BOM, CRLF, formulas
 * neutralised) with the separator the reader's spreadsheet splits on (csvSeparatorFor the page's language:
 * a French Excel opens a comma file as one column), as an attachment that is never cached.
 */
export function sendCsv(
  res: Response,
  name: string,
  header: string[],
  rows: Cell[][],
  opts: { separator?: CsvSeparator } = {},
): void {
  sendCsvBytes(res, name, excelCsv(header, rows, { separator: opts.separator ?? separatorOf(res) }));
}

/** The same answer for a CSV already written (a feature's own export, e.g. the trainee list). */
export function sendCsvBytes(res: Response, name: string, body: Buffer): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\w.-]+/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}
