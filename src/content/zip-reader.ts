import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';
import yauzl from 'yauzl';
import type { AppError } from '../core/errors.js';
import { contentError } from './content.errors.js';
import type { CourseSource } from './course-source.js';

/**
 * A safe, read-only view of a zip (course bundle or SCORM package) as a `CourseSource`. Nothing is ever
 * extracted to disk: the content store reads the bytes straight into SQLite.
 *
 * yauzl reads and checks the central directory before any byte is decompressed; every entry is checked
 * against the limits (entry count, total uncompressed size, per-entry size and compression ratio) and
 * the name rules (no absolute path, no `..`, no backslash or control character, no symlink, no
 * encryption, no two names equal after Unicode NFC and case folding). Entry data is then read
 * synchronously (the store installs a course in one synchronous SQLite transaction, on the install
 * worker's thread: install-worker.ts), always in pieces:
 * stored entries straight from the file, deflated ones inflated as a stream (fflate's synchronous
 * streaming inflater: Node's zlib has no synchronous incremental API), so memory stays bounded by the
 * piece size whatever the entry's size (a 500 MB deflated video once peaked at 1.15 GB inflated whole,
 * twice). Both are checked against the declared size as the bytes come (more is refused at once) and
 * against the CRC-32 at the end, so a lying header is refused.
 */
export interface ZipLimits {
  /** Size of the zip file itself. */
  maxFileBytes: number;
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry, uncompressed (entries are read in pieces, so this bounds storage, not memory). */
  maxEntryBytes: number;
  /** Uncompressed / compressed for an entry above 1 MiB; real text stays under ~20, a zip bomb is ~1000. */
  maxEntryRatio: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxFileBytes: 4 * 1024 * 1024 * 1024 - 1,
  maxEntries: 20_000,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxEntryBytes: 512 * 1024 * 1024,
  maxEntryRatio: 100,
});

interface Entry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** The refusal of a zip that breaks a rule: code `zip_invalid`, naming the entry and the rule. */
export function zipInvalid(source: string, message: string): AppError {
  return contentError('zip_invalid', { file: source, detail: message }, { source });
}

/**
 * A collection the install worker asks for every `bytes` of entry data read (see install-worker.entry.ts):
 * what the inflater leaves behind is short-lived memory outside V8's heap, which V8 collects on its own
 * only once tens of MB have piled up.
 */
let reclaim: { bytes: number; collect: () => void } | undefined;
export function reclaimEvery(bytes: number, collect: () => void): void {
  reclaim = { bytes, collect };
}

/** Compressed bytes read per step of a deflated entry. */
const INFLATE_READ = 16 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return utf8.decode(raw);
  // Not flagged UTF-8: most tools write UTF-8 anyway; anything else is read as Latin-1 (never fatal).
  try {
    return utf8.decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** Why a name may not be in a zip, or undefined when it is fine. */
export function badName(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.length > 1024) return 'a name longer than 1024 characters';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character in the name';
  if (name.includes('\\')) return 'a backslash in the name (use /)';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'an absolute path';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((p) => p === '..')) return 'a ".." path';
  if (parts.some((p) => p === '' || p === '.')) return 'an empty or "." path segment';
  return undefined;
}

/** The key under which two names count as the same (NFC, then case folding). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

function readDirectory(path: string, limits: ZipLimits): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (err, zip) => {
        if (err || !zip)
          return reject(zipInvalid(path, `not a readable zip file (${err?.message ?? 'no zip'})`));
        const entries: Entry[] = [];
        const seen = new Map<string, string>();
        let total = 0;
        const fail = (message: string) => {
          zip.close();
          reject(zipInvalid(path, message));
        };
        if (zip.entryCount > limits.maxEntries)
          return fail(`${zip.entryCount} entries (at most ${limits.maxEntries})`);
        zip.on('error', (e: Error) => fail(`broken zip (${e.message})`));
        zip.on('end', () => {
          zip.close();
          resolve(entries);
        });
        zip.on('entry', (e: yauzl.Entry) => {
          const raw = e.fileName as unknown as Buffer;
          let name: string;
          try {
            name = decodeName(raw, e.generalPurposeBitFlag);
          } catch {
            return fail('an entry name is not valid text');
          }
          const show = JSON.stringify(name);
          const bad = badName(name);
          if (bad) return fail(`entry ${show}: ${bad} is not allowed`);
          const mode = (e.externalFileAttributes >>> 16) & 0o170000;
          if (mode === 0o120000) return fail(`entry ${show}: symbolic links are not allowed`);
          if (e.generalPurposeBitFlag & 0x1)
            return fail(`entry ${show}: encrypted entries are not supported`);
          const key = nameKey(name.replace(/\/$/, ''));
          const prev = seen.get(key);
          if (prev !== undefined)
            return fail(
              `entry ${show}: duplicate name (same as ${JSON.stringify(prev)} after normalisation)`,
            );
          seen.set(key, name);
          if (name.endsWith('/')) return zip.readEntry();
          if (mode !== 0 && mode !== 0o100000) return fail(`entry ${show}: not a regular file`);
          if (e.compressionMethod !== 0 && e.compressionMethod !== 8)
            return fail(`entry ${show}: compression method ${e.compressionMethod} is not supported`);
          if (e.uncompressedSize > limits.maxEntryBytes)
            return fail(
              `entry ${show}: ${e.uncompressedSize} bytes (at most ${limits.maxEntryBytes} per file)`,
            );
          total += e.uncompressedSize;
          if (total > limits.maxTotalBytes)
            return fail(`the entries hold more than ${limits.maxTotalBytes} bytes uncompressed`);
          const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
          if (e.uncompressedSize > 1024 * 1024 && ratio > limits.maxEntryRatio)
            return fail(
              `entry ${show} expands ${Math.round(ratio)} times (at most ${limits.maxEntryRatio}): a zip bomb`,
            );
          if (e.compressionMethod === 0 && e.compressedSize !== e.uncompressedSize)
            return fail(`entry ${show}: stored entry with different declared sizes`);
          entries.push({
            name,
            method: e.compressionMethod,
            crc32: e.crc32,
            compressedSize: e.compressedSize,
            size: e.uncompressedSize,
            offset: e.relativeOffsetOfLocalHeader,
          });
          zip.readEntry();
        });
        zip.readEntry();
      },
    );
  });
}

/** A checked zip, readable synchronously. Close it when done (`close()`), even after an error. */
export class ZipSource implements CourseSource {
  private readonly byName = new Map<string, Entry>();
  private fd: number | null;

  private constructor(
    readonly name: string,
    fd: number,
    entries: Entry[],
  ) {
    this.fd = fd;
    for (const e of entries) this.byName.set(e.name, e);
  }

  /** Open and check a zip file. Throws AppError('zip_invalid') naming the first broken rule. */
  static async open(path: string, limits: Partial<ZipLimits> = {}): Promise<ZipSource> {
    const l: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      throw contentError('zip_invalid', { file: path, detail: 'no such file' });
    }
    try {
      const size = fstatSync(fd).size;
      if (size > l.maxFileBytes)
        throw zipInvalid(path, `the file is ${size} bytes (at most ${l.maxFileBytes})`);
      const entries = await readDirectory(path, l);
      return new ZipSource(path, fd, entries);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  files(): readonly string[] {
    return [...this.byName.keys()].sort();
  }

  has(path: string): boolean {
    return this.byName.has(path);
  }

  private entry(path: string): Entry {
    const e = this.byName.get(path);
    if (!e) throw zipInvalid(this.name, `${path}: missing`);
    return e;
  }

  size(path: string): number {
    return this.entry(path).size;
  }

  private readAt(position: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(length), position, length);
  }

  private readInto(buf: Buffer, position: number, length: number): Buffer {
    if (this.fd === null) throw new Error('zip closed');
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) throw zipInvalid(this.name, 'the file ends early (truncated zip)');
      done += n;
    }
    return buf.subarray(0, length);
  }

  private dataStart(e: Entry): number {
    const h = this.readAt(e.offset, 30);
    if (h.readUInt32LE(0) !== 0x04034b50) throw zipInvalid(this.name, `${e.name}: bad local header`);
    return e.offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  }

  private check(e: Entry, size: number, crc: number): void {
    if (size !== e.size)
      throw zipInvalid(this.name, `${e.name}: holds ${size} bytes but declares ${e.size} (lying header)`);
    if (crc >>> 0 !== e.crc32 >>> 0)
      throw zipInvalid(this.name, `${e.name}: CRC-32 mismatch (corrupt entry)`);
  }

  /**
   * The entry's bytes as they come, in pieces of any size: stored entries read `step` bytes at a time,
   * deflated ones inflated from 16 KiB reads of the compressed data (one read inflates to at most ~16 MB,
   * deflate's 1032:1 ceiling, however large the entry).
   */
  private *raw(e: Entry, step: number): Generator<Uint8Array> {
    const start = this.dataStart(e);
    if (e.method !== 8) {
      const buf = Buffer.allocUnsafe(Math.min(step, Math.max(1, e.size)));
      for (let off = 0; off < e.size; off += step)
        yield this.readInto(buf, start + off, Math.min(step, e.size - off));
      return;
    }
    const out: Uint8Array[] = [];
    const inflater = new Inflate((data) => {
      if (data.length) out.push(data);
    });
    let off = 0;
    do {
      const n = Math.min(INFLATE_READ, e.compressedSize - off);
      // A fresh buffer per read: the inflater may keep the unread tail of its input.
      const input = n > 0 ? this.readInto(Buffer.allocUnsafe(n), start + off, n) : Buffer.alloc(0);
      off += n;
      try {
        inflater.push(input, off >= e.compressedSize);
      } catch (err) {
        throw zipInvalid(this.name, `${e.name}: corrupt compressed data (${(err as Error).message})`);
      }
      while (out.length) yield out.shift()!;
    } while (off < e.compressedSize);
  }

  /** A whole entry (the manifest, a page to scan, a text file to compress): read in pieces too. */
  read(path: string): Buffer {
    const e = this.entry(path);
    const all = Buffer.allocUnsafe(e.size);
    let at = 0;
    for (const piece of this.pieces(path, Math.max(1, Math.min(e.size, 1024 * 1024)))) {
      all.set(piece, at);
      at += piece.length;
    }
    return all;
  }

  /**
   * The entry in pieces of exactly `pieceSize` bytes (the last one shorter): the store numbers its chunks
   * by offset. A piece is valid only until the next one is asked for: hash or copy it. One scratch
   * buffer serves every piece, so installing a 500 MB entry does not churn hundreds of MB of garbage.
   */
  *pieces(path: string, pieceSize: number): Iterable<Buffer> {
    const e = this.entry(path);
    const scratch = Buffer.allocUnsafe(Math.min(pieceSize, Math.max(1, e.size)));
    let fill = 0;
    let size = 0;
    let crc = 0;
    let sinceCollect = 0;
    for (const data of this.raw(e, pieceSize)) {
      size += data.length;
      sinceCollect += data.length;
      if (reclaim && sinceCollect >= reclaim.bytes) {
        sinceCollect = 0;
        reclaim.collect();
      }
      if (size > e.size)
        throw zipInvalid(
          this.name,
          `${e.name}: inflates to more than its declared ${e.size} bytes (lying header)`,
        );
      crc = crc32(data, crc);
      for (let at = 0; at < data.length;) {
        const n = Math.min(pieceSize - fill, data.length - at);
        scratch.set(data.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === pieceSize) {
          if (size === e.size && at === data.length) this.check(e, size, crc);
          fill = 0;
          yield scratch;
        }
      }
    }
    this.check(e, size, crc);
    if (fill > 0) yield scratch.subarray(0, fill);
  }

  /** The files under `prefix/` as a source of their own (a bundle's `files/` folder). */
  under(prefix: string): CourseSource {
    const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
    const names = this.files()
      .filter((f) => f.startsWith(p))
      .map((f) => f.slice(p.length));
    return {
      name: this.name,
      files: () => names,
      size: (f) => this.size(p + f),
      read: (f) => this.read(p + f),
      pieces: (f, n) => this.pieces(p + f, n),
    };
  }
}
