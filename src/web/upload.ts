import busboy from 'busboy';
import type { Request } from 'express';
import { webError } from './web.errors.js';

export interface Upload {
  fields: Record<string, string>;
  file?: { field: string; name: string; data: Buffer };
}

/**
 * Read a multipart/form-data POST (one file, a few fields) into memory, refusing more than `maxBytes`
 * with 413. The CSRF token of such a form travels in its action URL (`?_csrf=`), which the CSRF
 * middleware checks before this runs.
 */
export function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 10_000 },
      });
    } catch {
      reject(webError('not_multipart'));
      return;
    }
    const out: Upload = { fields: {} };
    let tooLarge = false;
    bb.on('field', (name, value) => {
      out.fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        tooLarge = true;
      });
      stream.on('end', () => {
        if (info.filename) out.file = { field, name: info.filename, data: Buffer.concat(chunks) };
      });
    });
    bb.on('error', (e) => reject(webError('upload_unreadable', { detail: (e as Error).message })));
    bb.on('close', () => {
      if (tooLarge) reject(webError('file_too_large', { maxMb: Math.round(maxBytes / 1048576) }));
      else resolve(out);
    });
    req.pipe(bb);
  });
}
