import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib';
import { bundleError, type OpenedBundle } from '../contract/bundle-format.js';

/** One journal row read back from a verified bundle; `body` is the JSON text exactly as the box wrote it. */
export interface ReplayRow {
  seq: number;
  epoch: number;
  kind: string;
  ref: string;
  recordedAt: string;
  body: string;
  parsed: unknown;
}

const CHUNK = 64 * 1024;

/**
 * Inflate one piece synchronously. Node's zlib has no public synchronous streaming API; `_processChunk`
 * without a callback is its synchronous path (what inflateRawSync uses), which closes the stream at the
 * end, so the native handle is kept open across calls: the technique minizlib (npm's own zlib streams)
 * relies on, on Node 20, 22 and 24.
 */
function inflatePiece(inflate: InflateRaw, piece: Buffer): Buffer {
  const engine = inflate as unknown as {
    _handle: { close(): void } | null;
    _processChunk(chunk: Buffer, flush: number): Buffer;
  };
  const native = engine._handle!;
  const close = native.close.bind(native);
  native.close = () => undefined;
  try {
    return engine._processChunk(piece, constants.Z_SYNC_FLUSH);
  } finally {
    engine._handle = native;
    native.close = close;
    inflate.removeAllListeners('error');
  }
}

// The writer's own line layout (rowLine): the body is the last field, so it can be kept as written.
const PREFIX =
  /^\{"seq":(\d+),"epoch":(\d+),"kind":"(statement|person|cohort|enrolment|course|adjustment)","ref":("(?:[^"\\]|\\.)*"),"recordedAt":("(?:[^"\\]|\\.)*"),"body":/;

function parseLine(line: string): ReplayRow {
  const m = PREFIX.exec(line);
  if (m && line.endsWith('}')) {
    const body = line.slice(m[0].length, -1);
    try {
      return {
        seq: Number(m[1]),
        epoch: Number(m[2]),
        kind: m[3]!,
        ref: JSON.parse(m[4]!) as string,
        recordedAt: JSON.parse(m[5]!) as string,
        body,
        parsed: JSON.parse(body),
      };
    } catch {
      // Not the writer's layout after all (say, a field after the body): read it the general way.
    }
  }
  const r = JSON.parse(line) as Omit<ReplayRow, 'parsed'> & { body: unknown };
  return { ...r, body: JSON.stringify(r.body), parsed: r.body };
}

/**
 * The rows of journal.ndjson of a bundle openBundle has verified and whose rows() has been read to the
 * end: read again from the file, synchronously (so HQ can write them inside one SQLite transaction
 * without holding them all in memory), in pieces of 64 KiB. The stored and uncompressed SHA-256 are
 * checked again at the end: a file changed since it was verified throws (and the transaction rolls back).
 */
export function* replayJournal(path: string, payload: OpenedBundle['payload']): Generator<ReplayRow> {
  const fd = openSync(path, 'r');
  const inflate = createInflateRaw();
  const zHash = createHash('sha256');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  // The bytes of a line not finished in the last piece. Lines are cut on the bytes ('\n' is never inside a
  // UTF-8 sequence) and each decoded alone: a line cut out of one big decoded string would be a V8 slice of
  // it, and anything kept from the row (an id in the pending progress) would keep the whole piece alive,
  // so the heap grew with the bundle.
  let pending: Buffer = Buffer.alloc(0);
  let size = 0;
  try {
    for (let done = 0; done < payload.compressedSize;) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, payload.compressedSize - done), payload.offset + done);
      if (n === 0) break;
      done += n;
      const piece = buf.subarray(0, n);
      zHash.update(piece);
      const out = inflatePiece(inflate, piece);
      size += out.length;
      if (size > payload.size) break;
      hash.update(out);
      let start = 0;
      let nl = out.indexOf(10);
      if (nl < 0) {
        pending = Buffer.concat([pending, out]);
        continue;
      }
      if (pending.length) {
        // Only the line cut between two pieces is copied, not the whole piece.
        yield parseLine(Buffer.concat([pending, out.subarray(0, nl)]).toString('utf8'));
        start = nl + 1;
        nl = out.indexOf(10, start);
      }
      for (; nl >= 0; nl = out.indexOf(10, start)) {
        const line = out.toString('utf8', start, nl);
        start = nl + 1;
        yield parseLine(line);
      }
      pending = Buffer.from(out.subarray(start));
    }
    if (
      size !== payload.size ||
      pending.length !== 0 ||
      zHash.digest('hex') !== payload.compressedSha256 ||
      hash.digest('hex') !== payload.sha256
    )
      throw bundleError('bundle_file_hash_mismatch', 'the bundle file changed while it was being imported');
  } finally {
    closeSync(fd);
    inflate.close();
  }
}
