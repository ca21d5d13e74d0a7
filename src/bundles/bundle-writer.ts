import type { KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync } from 'node:fs';
import {
  BUNDLE_FORMAT_VERSION,
  zeroCounts,
  JOURNAL_FILE,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  rowLine,
  serializeManifest,
  signManifest,
  type BundleManifest,
  type JournalRowKind,
} from '../contract/bundle-format.js';
import { CanonicalZipWriter, sha256File } from '../contract/bundle-zip.js';

/** A journal row as it comes from records.db: `body` is the stored JSON text. */
export interface SourceRow {
  seq: number;
  epoch: number;
  kind: string;
  ref: string;
  recorded_at: string;
  body: string;
}

export interface WriteBundleInput {
  applianceId: string;
  keyId: string;
  epoch: number;
  bundleSeq: number;
  prevSha256: string | null;
  reexport: boolean;
  createdAt: string;
  privateKey: KeyObject | string;
  /** Rows in sequence order, contiguous. Consumed synchronously in batches between awaits. */
  rows: Iterator<SourceRow>;
  /** Deflate level, 1 by default: the fastest, and journal NDJSON still shrinks ~10x (export time matters on a Pi). */
  level?: number;
}

export interface WrittenBundle {
  manifest: BundleManifest;
  sha256: string;
  bytes: number;
}

const BATCH_CHARS = 256 * 1024;

/**
 * Write one complete, signed bundle to `path` (which must not exist) and fsync it. The caller renames it
 * into place. Returns null (and leaves no file) when `rows` is empty. On error the file is removed.
 */
export async function writeBundleFile(path: string, input: WriteBundleInput): Promise<WrittenBundle | null> {
  const fd = openSync(path, 'wx', 0o644);
  let ok = false;
  try {
    const zip = new CanonicalZipWriter(fd);
    const counts = zeroCounts();
    let fromSeq = 0;
    let toSeq = 0;
    const journal = await zip.addDeflated(
      JOURNAL_FILE,
      async (write) => {
        for (;;) {
          let text = '';
          let done = false;
          while (text.length < BATCH_CHARS) {
            const next = input.rows.next();
            if (next.done) {
              done = true;
              break;
            }
            const r = next.value;
            if (fromSeq === 0) fromSeq = r.seq;
            else if (r.seq !== toSeq + 1) throw new Error(`journal gap: seq ${r.seq} follows ${toSeq}`);
            toSeq = r.seq;
            counts[r.kind as JournalRowKind]++;
            text += rowLine(
              { seq: r.seq, epoch: r.epoch, kind: r.kind, ref: r.ref, recordedAt: r.recorded_at },
              r.body,
            );
          }
          if (text) await write(text);
          if (done) return;
        }
      },
      { level: input.level ?? 1 },
    );
    if (fromSeq === 0) return null;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT_VERSION,
      applianceId: input.applianceId,
      keyId: input.keyId,
      epoch: input.epoch,
      bundleSeq: input.bundleSeq,
      prevSha256: input.prevSha256,
      reexport: input.reexport,
      fromSeq,
      toSeq,
      counts,
      createdAt: input.createdAt,
      files: [
        {
          path: JOURNAL_FILE,
          size: journal.size,
          sha256: journal.sha256,
          compressedSize: journal.compressedSize,
          compressedSha256: journal.compressedSha256,
        },
      ],
    };
    const bytes = serializeManifest(manifest);
    zip.addStored(MANIFEST_FILE, bytes);
    zip.addStored(SIGNATURE_FILE, Buffer.from(signManifest(bytes, input.privateKey), 'latin1'));
    zip.finish();
    fsyncSync(fd);
    ok = true;
    closeSync(fd);
    const h = sha256File(path);
    return { manifest, sha256: h.sha256, bytes: h.bytes };
  } finally {
    if (!ok) {
      closeSync(fd);
      rmSync(path, { force: true });
    }
  }
}
