import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AppError } from '../core/errors.js';
import { newToken } from '../core/ids.js';

/** Where uploads are spooled before import (inside the HQ data dir; removed after the import). */
export function incomingDir(dataDir: string): string {
  const dir = join(dataDir, 'incoming');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Stream an upload to a temp file, refusing more than `maxBytes` (413). Returns its path; the caller
 * removes it (`discard`).
 */
export async function spoolUpload(source: Readable, dataDir: string, maxBytes: number): Promise<string> {
  const path = join(incomingDir(dataDir), `.upload-${newToken(12)}.zip`);
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes)
        cb(new AppError('bundle_too_large', `the upload is larger than ${maxBytes} bytes`, 413));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(source, limit, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (e) {
    discard(path);
    throw e;
  }
  return path;
}

export function discard(path: string): void {
  rmSync(path, { force: true });
}

/** HTTP status of a refused bundle (docs/bundle-format.md, "Upload"). */
export function statusForRefusal(code: string | undefined): number {
  if (code === 'bundle_too_large') return 413;
  if (code === 'bundle_key_unknown' || code === 'bundle_key_revoked') return 403;
  if (code === 'bundle_fork') return 409;
  if (code === 'internal') return 500;
  return 422;
}
