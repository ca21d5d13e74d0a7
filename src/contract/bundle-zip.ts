import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * The canonical zip layout of a progress bundle. fieldclass writes bundles with this small writer (not a
 * general zip library) so that the layout is fully determined by the entries: no timestamps, no extra
 * fields, no comments, no data descriptors. The verifier rebuilds every header from the entries and
 * compares it byte for byte with the file, so a byte changed anywhere outside the compressed data is
 * caught; the compressed data itself is covered by `compressedSha256` in the manifest, and the manifest
 * and signature are stored uncompressed and covered by the signature.
 */

/** 1980-01-01 00:00 in DOS format: the box has no real-time clock and the bytes must be deterministic. */
export const DOS_TIME = 0;
export const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** Regular file, rw-r--r--, in the upper 16 bits (Unix "version made by"). */
export const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0;
export const VERSION_MADE_BY = (3 << 8) | 20;
export const VERSION_NEEDED = 20;
/** General purpose flag bit 11: names are UTF-8. */
export const FLAG_UTF8 = 0x0800;
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;
const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
/** Bundles never use ZIP64: everything must fit in 32-bit fields. */
export const ZIP32_MAX = 0xffffffff;

/** One entry as the canonical layout describes it. */
export interface ZipEntryLayout {
  name: string;
  method: typeof METHOD_STORE | typeof METHOD_DEFLATE;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  /** Only for building hostile test corpora: defaults to EXTERNAL_ATTRS. */
  externalAttrs?: number;
}

export function localHeader(e: ZipEntryLayout): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const b = Buffer.alloc(30 + name.length);
  b.writeUInt32LE(LOCAL_SIG, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  b.writeUInt16LE(FLAG_UTF8, 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  b.writeUInt32LE(e.crc32 >>> 0, 14);
  b.writeUInt32LE(e.compressedSize, 18);
  b.writeUInt32LE(e.uncompressedSize, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(0, 28);
  name.copy(b, 30);
  return b;
}

export function centralHeader(e: ZipEntryLayout): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const b = Buffer.alloc(46 + name.length);
  b.writeUInt32LE(CENTRAL_SIG, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(VERSION_NEEDED, 6);
  b.writeUInt16LE(FLAG_UTF8, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(e.crc32 >>> 0, 16);
  b.writeUInt32LE(e.compressedSize, 20);
  b.writeUInt32LE(e.uncompressedSize, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt16LE(0, 30); // extra
  b.writeUInt16LE(0, 32); // comment
  b.writeUInt16LE(0, 34); // disk
  b.writeUInt16LE(0, 36); // internal attrs
  b.writeUInt32LE(e.externalAttrs ?? EXTERNAL_ATTRS, 38);
  b.writeUInt32LE(e.offset, 42);
  name.copy(b, 46);
  return b;
}

export function endOfCentralDirectory(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(EOCD_SIG, 0);
  b.writeUInt16LE(0, 4);
  b.writeUInt16LE(0, 6);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  b.writeUInt16LE(0, 20);
  return b;
}

/** The central directory + end record for these entries, as the canonical writer emits them. */
export function centralDirectory(entries: readonly ZipEntryLayout[], cdOffset: number): Buffer {
  const parts = entries.map(centralHeader);
  const size = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([...parts, endOfCentralDirectory(entries.length, size, cdOffset)]);
}

/** What a finished entry reports: sizes and hashes of both the stored and the uncompressed bytes. */
export interface WrittenEntry {
  name: string;
  size: number;
  sha256: string;
  compressedSize: number;
  compressedSha256: string;
}

/**
 * Streams entries into an open file descriptor in the canonical layout. Data is written after a
 * placeholder local header, which is patched (positional write) once the sizes and CRC are known. The
 * caller fsyncs and renames; this class only writes bytes.
 */
export class CanonicalZipWriter {
  private offset = 0;
  private readonly entries: ZipEntryLayout[] = [];
  private ended = false;

  constructor(private readonly fd: number) {}

  private writeAt(buf: Buffer, position: number): void {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, position + done);
  }

  private append(buf: Buffer): void {
    this.writeAt(buf, this.offset);
    this.offset += buf.length;
  }

  private checkRoom(): void {
    if (this.offset > ZIP32_MAX) throw new RangeError('bundle larger than 4 GiB (no ZIP64 in format 1)');
  }

  /** A small entry stored uncompressed (manifest, signature). */
  addStored(name: string, data: Buffer, opts: { externalAttrs?: number } = {}): WrittenEntry {
    if (this.ended) throw new Error('zip already finished');
    const e: ZipEntryLayout = {
      name,
      method: METHOD_STORE,
      crc32: crc32(data),
      compressedSize: data.length,
      uncompressedSize: data.length,
      offset: this.offset,
      ...(opts.externalAttrs !== undefined ? { externalAttrs: opts.externalAttrs } : {}),
    };
    this.append(localHeader(e));
    this.append(data);
    this.checkRoom();
    this.entries.push(e);
    const sha = createHash('sha256').update(data).digest('hex');
    return { name, size: data.length, sha256: sha, compressedSize: data.length, compressedSha256: sha };
  }

  /**
   * A deflated entry fed by `produce`, which calls `write(chunk)` and awaits it (backpressure: compression
   * runs in libuv's thread pool while the caller prepares the next chunk). Memory stays flat.
   */
  async addDeflated(
    name: string,
    produce: (write: (chunk: Buffer | string) => Promise<void>) => Promise<void>,
    opts: { level?: number } = {},
  ): Promise<WrittenEntry> {
    if (this.ended) throw new Error('zip already finished');
    const start = this.offset;
    const placeholder: ZipEntryLayout = {
      name,
      method: METHOD_DEFLATE,
      crc32: 0,
      compressedSize: 0,
      uncompressedSize: 0,
      offset: start,
    };
    this.append(localHeader(placeholder));
    const rawHash: Hash = createHash('sha256');
    const zHash: Hash = createHash('sha256');
    let crc = 0;
    let size = 0;
    let csize = 0;
    const deflate = createDeflateRaw({ level: opts.level ?? 6, memLevel: 9 });
    const drained = new Promise<void>((resolve, reject) => {
      deflate.on('data', (chunk: Buffer) => {
        try {
          zHash.update(chunk);
          csize += chunk.length;
          this.append(chunk);
          this.checkRoom();
        } catch (e) {
          deflate.destroy(e as Error);
        }
      });
      deflate.on('end', resolve);
      deflate.on('error', reject);
    });
    const write = async (chunk: Buffer | string): Promise<void> => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      rawHash.update(buf);
      crc = crc32(buf, crc);
      size += buf.length;
      if (size > ZIP32_MAX) throw new RangeError(`entry ${name} larger than 4 GiB`);
      if (!deflate.write(buf)) await new Promise<void>((r) => deflate.once('drain', r));
    };
    try {
      await produce(write);
    } catch (e) {
      deflate.destroy();
      throw e;
    }
    deflate.end();
    await drained;
    const e: ZipEntryLayout = { ...placeholder, crc32: crc, compressedSize: csize, uncompressedSize: size };
    this.writeAt(localHeader(e), start);
    this.entries.push(e);
    return {
      name,
      size,
      sha256: rawHash.digest('hex'),
      compressedSize: csize,
      compressedSha256: zHash.digest('hex'),
    };
  }

  /** Write the central directory and end record; returns the total file size. */
  finish(): number {
    this.ended = true;
    this.append(centralDirectory(this.entries, this.offset));
    this.checkRoom();
    return this.offset;
  }
}

/** sha256 of a whole file, read in chunks (the bundle hash that chains bundles and names receipts). */
export function sha256File(path: string): { sha256: string; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
    return { sha256: h.digest('hex'), bytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}
