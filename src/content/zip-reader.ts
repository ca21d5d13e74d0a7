import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
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
 * synchronously (the store installs a course in one synchronous SQLite transaction): stored entries in
 * pieces straight from the file, deflated ones inflated with a hard output cap equal to their declared
 * size, and both checked against the declared size and CRC-32, so a lying header is refused.
 */
export interface ZipLimits {
  /** Size of the zip file itself. */
  maxFileBytes: number;
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry, uncompressed (deflated entries are inflated whole, so this bounds memory). */
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

  private inflate(e: Entry): Buffer {
    const raw = this.readAt(this.dataStart(e), e.compressedSize);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      const m = (err as Error).message;
      throw zipInvalid(
        this.name,
        /larger than|maxOutputLength|buffer/i.test(m)
          ? `${e.name}: inflates to more than its declared ${e.size} bytes (lying header)`
          : `${e.name}: corrupt compressed data (${m})`,
      );
    }
    this.check(e, out.length, crc32(out));
    return out;
  }

  read(path: string): Buffer {
    const e = this.entry(path);
    if (e.method === 8) return this.inflate(e);
    const out = e.size === 0 ? Buffer.alloc(0) : this.readAt(this.dataStart(e), e.size);
    this.check(e, out.length, crc32(out));
    return out;
  }

  /** The entry in pieces. A piece is valid only until the next one is asked for: hash or copy it. */
  *pieces(path: string, pieceSize: number): Iterable<Buffer> {
    const e = this.entry(path);
    if (e.method === 8) {
      const all = this.inflate(e);
      for (let off = 0; off < all.length; off += pieceSize) yield all.subarray(off, off + pieceSize);
      return;
    }
    const start = this.dataStart(e);
    let crc = 0;
    // One scratch buffer per read: a piece is valid until the next one is asked for (every caller hashes
    // or copies it at once), so installing a 200 MB bundle does not churn hundreds of MB of garbage.
    const scratch = Buffer.allocUnsafe(Math.min(pieceSize, Math.max(1, e.size)));
    for (let off = 0; off < e.size; off += pieceSize) {
      const piece = this.readInto(scratch, start + off, Math.min(pieceSize, e.size - off));
      crc = crc32(piece, crc);
      if (off + piece.length >= e.size) this.check(e, e.size, crc);
      yield piece;
    }
    if (e.size === 0) this.check(e, 0, 0);
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
