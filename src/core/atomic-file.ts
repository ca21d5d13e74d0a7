import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { newToken } from './ids.js';

/** fsync a directory so that a rename inside it survives a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A temp path in the same directory as `finalPath` (rename is only atomic within one file system). */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${newToken(6)}.tmp`);
}

/**
 * Publish a file that was written (and closed) at `tempPath` under `finalPath`: fsync it, rename, fsync the
 * directory. A power cut or a pulled stick leaves either the old state or the complete file, never a
 * partial file under the final name.
 */
export function publishAtomically(tempPath: string, finalPath: string): void {
  const fd = openSync(tempPath, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tempPath, finalPath);
  fsyncDir(dirname(finalPath));
}

/** Write a whole file atomically (keys, config, small manifests). */
export function writeFileAtomic(finalPath: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = tempPathFor(finalPath);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, finalPath);
  fsyncDir(dirname(finalPath));
}
