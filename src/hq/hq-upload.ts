import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AppError } from '../core/errors.js';
import { bundleError } from '../contract/bundle-format.js';
import { hqError } from './hq.errors.js';
import { newToken } from '../core/ids.js';
import type { HqConfig } from './hq.config.js';

/** Where uploads are spooled before import (inside the HQ data dir; removed after the import). */
export function incomingDir(dataDir: string): string {
  const dir = join(dataDir, 'incoming');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Stream an upload to a temp file, refusing more than `maxBytes` (413) as the bytes arrive, and a body
 * that stalls for `idleMs` (its slot and reservation are freed). Returns its path; the caller removes it
 * (`discard`).
 */
export async function spoolUpload(
  source: Readable,
  dataDir: string,
  maxBytes: number,
  idleMs = 60_000,
): Promise<string> {
  const path = join(incomingDir(dataDir), `.upload-${newToken(12)}.zip`);
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes)
        cb(bundleError('bundle_too_large', `the upload is larger than ${maxBytes} bytes`, 413));
      else cb(null, chunk);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      arm();
      cb(null, chunk);
    },
  });
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stalled.destroy(hqError('upload_stalled', { seconds: idleMs / 1000 })), idleMs);
  };
  arm();
  try {
    await pipeline(source, stalled, limit, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (e) {
    discard(path);
    throw e;
  } finally {
    clearTimeout(timer);
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

/** A refusal to take an upload now: 429 or 503 with Retry-After, which a box retries later. */
export class UploadBusy extends AppError {
  constructor(
    code: string,
    message: string,
    status: 429 | 503,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, status);
  }
}

export interface UploadClaim {
  /** The client's address (req.ip). */
  address: string;
  /** Bytes the upload will be allowed to write (Content-Length, or the size its signed manifest gives). */
  bytes: number;
  /** Set when the headers carried a valid signed manifest. */
  applianceId?: string;
}

/**
 * Admission of POST /api/bundles, decided before a byte of the body is read (config `uploads`). Unsigned
 * uploads: at most `perAddress` per address and `total` at once, their declared bytes reserved against
 * `spoolQuotaBytes`. Signed ones: `perAppliance` per appliance, outside that quota. Every upload: the disk
 * keeps `minFreeDiskBytes` free once every upload in flight is written. Over a limit: UploadBusy (429
 * for too many at once, 503 for space), never another 4xx (a box takes those as a refusal for good).
 */
export class UploadGate {
  private readonly byAddress = new Map<string, number>();
  private readonly byAppliance = new Map<string, number>();
  private unsigned = 0;
  private unsignedBytes = 0;
  private inFlightBytes = 0;

  constructor(
    private readonly limits: HqConfig['uploads'],
    private readonly diskFree: () => number | null,
  ) {}

  /** Take a slot or throw UploadBusy; call the returned function exactly once when the upload is over. */
  admit(c: UploadClaim): () => void {
    const l = this.limits;
    const busy = (code: string, message: string, status: 429 | 503): UploadBusy =>
      new UploadBusy(code, message, status, l.retryAfterSeconds);
    if (c.applianceId !== undefined) {
      if ((this.byAppliance.get(c.applianceId) ?? 0) >= l.perAppliance)
        throw busy(
          'upload_busy',
          `appliance ${c.applianceId} already has ${l.perAppliance} uploads in progress`,
          429,
        );
    } else {
      if ((this.byAddress.get(c.address) ?? 0) >= l.perAddress)
        throw busy('upload_busy', `at most ${l.perAddress} uploads at once from one address`, 429);
      if (this.unsigned >= l.total) throw busy('upload_busy', `at most ${l.total} uploads at once`, 429);
      if (this.unsignedBytes + c.bytes > l.spoolQuotaBytes)
        throw busy('upload_quota', 'HQ is receiving as much as it can hold now: try again later', 503);
    }
    const free = this.diskFree();
    if (free !== null && free - this.inFlightBytes - c.bytes < l.minFreeDiskBytes)
      throw busy('disk_low', 'HQ is short of disk space: try again later', 503);

    if (c.applianceId !== undefined) this.bump(this.byAppliance, c.applianceId, 1);
    else {
      this.bump(this.byAddress, c.address, 1);
      this.unsigned++;
      this.unsignedBytes += c.bytes;
    }
    this.inFlightBytes += c.bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightBytes -= c.bytes;
      if (c.applianceId !== undefined) this.bump(this.byAppliance, c.applianceId, -1);
      else {
        this.bump(this.byAddress, c.address, -1);
        this.unsigned--;
        this.unsignedBytes -= c.bytes;
      }
    };
  }

  private bump(m: Map<string, number>, key: string, by: number): void {
    const n = (m.get(key) ?? 0) + by;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  }
}
