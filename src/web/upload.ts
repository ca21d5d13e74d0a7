import { createWriteStream, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { newToken } from '../core/ids.js';
import { webError } from './web.errors.js';

export interface Upload {
  fields: Record<string, string>;
  file?: { field: string; name: string; data: Buffer };
}

/** An upload whose file went to disk: `path` is the caller's to remove. */
export interface SpooledUpload {
  fields: Record<string, string>;
  file?: { field: string; name: string; path: string; size: number };
}

/**
 * Read a multipart/form-data POST (one file, a few fields), refusing more than `maxBytes` with 413. The
 * CSRF token of such a form travels in its action URL (`?_csrf=`), which the CSRF middleware checks
 * before this runs. `keep` decides where the file's bytes go (memory or a file) as they arrive.
 */
function readMultipart<F>(
  req: Request,
  maxBytes: number,
  keep: (stream: Readable, field: string, name: string) => Promise<F>,
  drop: (file: F) => void,
): Promise<{ fields: Record<string, string>; file?: F }> {
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
    const fields: Record<string, string> = {};
    let tooLarge = false;
    let kept: Promise<F | undefined> = Promise.resolve(undefined);
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      // Stop reading: busboy destroys the file part's stream, so its writer stops; the file part, if
      // any, is removed once it has.
      req.unpipe(bb);
      bb.destroy();
      void kept.then((f) => f !== undefined && drop(f)).catch(() => undefined);
      reject(e);
    };
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      stream.on('limit', () => {
        tooLarge = true;
      });
      if (!info.filename) {
        stream.resume();
        return;
      }
      kept = keep(stream, field, info.filename);
      // A failed write (disk full) fails the upload; the promise is awaited at close.
      kept.catch(() => stream.resume());
    });
    bb.on('error', (e) => fail(webError('upload_unreadable', { detail: (e as Error).message })));
    bb.on('close', () => {
      kept.then(
        (file) => {
          if (done) return void (file !== undefined && drop(file));
          if (tooLarge) return fail(webError('file_too_large', { maxMb: Math.round(maxBytes / 1048576) }));
          done = true;
          resolve(file === undefined ? { fields } : { fields, file });
        },
        (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
      );
    });
    // A dropped connection never closes the form: fail it (and remove what was written).
    req.on('close', () => {
      if (!req.complete) fail(webError('upload_unreadable', { detail: 'the connection was closed' }));
    });
    req.pipe(bb);
  });
}

/** A small upload (a CSV) read into memory. */
export function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  return readMultipart(
    req,
    maxBytes,
    async (stream, field, name) => {
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return { field, name, data: Buffer.concat(chunks) };
    },
    () => undefined,
  );
}

/**
 * A large upload (a course zip) streamed to a private file in `dir` as it arrives, never held in memory.
 * The caller removes `file.path` when done; a refused or dropped upload leaves nothing behind.
 */
export function spoolUploadTo(req: Request, maxBytes: number, dir: string): Promise<SpooledUpload> {
  return readMultipart(
    req,
    maxBytes,
    async (stream, field, name) => {
      // The sender's file name stays readable at the end (messages name the file), made safe.
      const safe =
        basename(name)
          .replace(/[^\w.-]+/g, '_')
          .slice(-80) || 'upload';
      const path = join(dir, `${newToken(8)}-${safe}`);
      const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      try {
        await pipeline(stream, out);
      } catch (e) {
        rmSync(path, { force: true });
        throw e;
      }
      return { field, name, path, size: out.bytesWritten };
    },
    (f) => rmSync(f.path, { force: true }),
  );
}
