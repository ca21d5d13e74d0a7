import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fsyncDir, tempPathFor } from '../core/atomic-file.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { invalid, isAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JournalReading, RecordsService } from '../records/records.service.js';
import {
  MAX_ROWS_PER_BUNDLE,
  bundleFileName,
  singleKeyResolver,
  verifyBundle,
  type BundleManifest,
} from '../contract/bundle-format.js';
import { writeBundleFile, type SourceRow } from './bundle-writer.js';
import type { BundleRecord, BundlesRepo } from './bundles.repo.js';
import type { IdentityService } from './identity.service.js';
import { bundlesError } from './bundles.errors.js';

/** Meta key of the export cursor: the last journal seq written to a (non re-export) bundle. */
export const EXPORT_CURSOR = 'export_cursor';
/** Meta key: the bundle file being published and not yet recorded (crash recovery). */
export const EXPORT_PENDING = 'export_pending';

export interface ExportOptions {
  /** Write into this folder instead of the outbox. */
  outDir?: string;
  /** Re-export journal rows from this seq up to the cursor, as new bundles flagged `reexport`. */
  sinceSequence?: number;
}

export interface ExportedBundle {
  path: string;
  manifest: BundleManifest;
  sha256: string;
  bytes: number;
  /** True when a complete file from an interrupted export was found and recorded instead of rewritten. */
  adopted: boolean;
}

export interface ExportServiceDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  records: RecordsService;
  /** The bundles table (the module builds one repo for the exporter, USB copy and upload). */
  bundles: BundlesRepo;
  identity: IdentityService;
}

const TEMP_PATTERN = /^\.fieldclass-.*\.zip\.[A-Za-z0-9_-]+\.tmp$/;
const LOCK_FILE = '.export.lock';
/** Lock files this process holds now (paths). */
const LOCKED_HERE = new Set<string>();

/**
 * Writes progress bundles: every journal row after the export cursor, at most MAX_ROWS_PER_BUNDLE per
 * file, each file written to a temp name, fsynced, linked under its final name (never over an existing
 * file), the directory fsynced, and only then recorded in `bundles` together with the cursor move (one
 * transaction). A crash at any moment leaves either nothing under the final name or a complete bundle
 * that the next export verifies and adopts, so there is never a gap or a duplicate.
 */
export class ExportService {
  private readonly bundles: BundlesRepo;
  private running = false;

  constructor(
    private readonly deps: ExportServiceDeps,
    private readonly opts: { maxRowsPerBundle?: number; level?: number } = {},
  ) {
    this.bundles = deps.bundles;
  }

  /** The outbox: config export.outboxDir, or <dataDir>/outbox. */
  outboxDir(): string {
    return resolve(this.deps.config.export.outboxDir ?? join(this.deps.config.dataDir, 'outbox'));
  }

  cursor(): number {
    return Number(this.deps.records.getMeta(EXPORT_CURSOR) ?? '0');
  }

  /** Rows recorded but not yet in a bundle. */
  pendingRows(): number {
    return Math.max(0, this.deps.records.lastSeq() - this.cursor());
  }

  list(): (BundleRecord & { present: boolean })[] {
    return this.bundles.list().map((b) => ({ ...b, present: existsSync(b.file) }));
  }

  /** Write every pending bundle (and re-exports when asked). Returns what was written, oldest first. */
  async export(options: ExportOptions = {}): Promise<ExportedBundle[]> {
    if (this.running) throw bundlesError('export_busy', { detail: 'an export is already running' });
    this.running = true;
    let unlock: (() => void) | undefined;
    let reader: JournalReading | undefined;
    const dir = resolve(options.outDir ?? this.outboxDir());
    try {
      mkdirSync(dir, { recursive: true });
      unlock = this.lock(this.deps.config.dataDir);
      reader = this.deps.records.openJournalReader();
      this.cleanTemps(dir);
      const out: ExportedBundle[] = [];
      const adopted = await this.recoverPending();
      out.push(...adopted);
      if (options.sinceSequence !== undefined) {
        const since = options.sinceSequence;
        if (!Number.isInteger(since) || since < 1) {
          throw invalid(`--since-sequence must be a positive integer, not ${since}`);
        }
        let after = since - 1;
        const until = this.cursor();
        while (after < until) {
          const b = await this.writeNext(dir, reader, after, until, true);
          if (!b) break;
          out.push(b);
          after = b.manifest.toSeq;
        }
      }
      for (;;) {
        const after = this.cursor();
        const b = await this.writeNext(dir, reader, after, Number.MAX_SAFE_INTEGER, false);
        if (!b) break;
        out.push(b);
      }
      this.prune();
      return out;
    } finally {
      reader?.close();
      unlock?.();
      this.running = false;
    }
  }

  /** One bundle of the rows in (after, until], at most maxRowsPerBundle; null when there are none. */
  private async writeNext(
    dir: string,
    reader: JournalReading,
    after: number,
    until: number,
    reexport: boolean,
  ): Promise<ExportedBundle | null> {
    const { records, identity, clock } = this.deps;
    const max = this.opts.maxRowsPerBundle ?? MAX_ROWS_PER_BUNDLE;
    const last = reader.lastSeq();
    const to = Math.min(after + max, until, last);
    if (to <= after) return null;
    const prev = this.bundles.last();
    const bundleSeq = (prev?.seq ?? 0) + 1;
    const epoch = records.epoch;
    const applianceId = records.applianceId;
    const finalPath = join(dir, bundleFileName(applianceId, epoch, bundleSeq));
    const tmp = tempPathFor(finalPath);
    const rows: IterableIterator<SourceRow> = reader.iterate(after, to);
    let written;
    try {
      written = await writeBundleFile(tmp, {
        applianceId,
        keyId: identity.show().keyId,
        epoch,
        bundleSeq,
        prevSha256: prev?.sha256 ?? null,
        reexport,
        createdAt: clock.now().toISOString(),
        privateKey: identity.privateKey(),
        rows,
        ...(this.opts.level !== undefined ? { level: this.opts.level } : {}),
      });
    } finally {
      rows.return?.();
    }
    if (!written) return null;
    this.publish(tmp, finalPath);
    this.record(finalPath, written.manifest, written.sha256, written.bytes);
    this.deps.logger.info(
      {
        file: finalPath,
        bundleSeq,
        fromSeq: written.manifest.fromSeq,
        toSeq: written.manifest.toSeq,
        reexport,
      },
      'bundle written',
    );
    return {
      path: finalPath,
      manifest: written.manifest,
      sha256: written.sha256,
      bytes: written.bytes,
      adopted: false,
    };
  }

  /** Link the fsynced temp file under its final name (fails rather than replace a file), fsync the dir. */
  private publish(tmp: string, finalPath: string): void {
    // Say which file is about to appear before it appears, so that a crash before `record` is recovered.
    this.deps.records.writeNow(() => this.deps.records.setMeta(EXPORT_PENDING, finalPath));
    try {
      linkSync(tmp, finalPath);
    } finally {
      rmSync(tmp, { force: true });
    }
    fsyncDir(dirname(finalPath));
  }

  /** Record the bundle and (for a normal export) move the cursor, in one transaction. */
  private record(path: string, m: BundleManifest, sha256: string, bytes: number): void {
    this.deps.records.writeNow(() => {
      this.bundles.insert({
        seq: m.bundleSeq,
        epoch: m.epoch,
        from_seq: m.fromSeq,
        to_seq: m.toSeq,
        sha256,
        prev_sha256: m.prevSha256,
        file: path,
        bytes,
        reexport: m.reexport ? 1 : 0,
        created_at: m.createdAt,
      });
      if (!m.reexport) {
        if (m.fromSeq !== this.cursor() + 1) {
          throw bundlesError('export_conflict', { from: m.fromSeq, cursor: this.cursor() });
        }
        this.deps.records.setMeta(EXPORT_CURSOR, String(m.toSeq));
      }
      this.deps.records.setMeta(EXPORT_PENDING, '');
    });
  }

  /**
   * A crash between the link and the database commit leaves a complete bundle nobody recorded; its path is
   * in meta `export_pending` (written just before the link). If it is the very next bundle (valid under our
   * key, next bundle seq, chained to the last recorded one, starting right after the cursor), record it;
   * otherwise remove it (its rows are still after the cursor and go into the next bundle). Either way no
   * signed file with a bundle seq that is not recorded survives, so a later bundle cannot fork it.
   */
  private async recoverPending(): Promise<ExportedBundle[]> {
    const pending = this.deps.records.getMeta(EXPORT_PENDING);
    if (!pending) return [];
    const path = pending;
    const out: ExportedBundle[] = [];
    if (existsSync(dirname(path))) this.cleanTemps(dirname(path));
    if (existsSync(path) && !this.bundles.byFile(path)) {
      const prev = this.bundles.last();
      let ok = false;
      try {
        const v = await verifyBundle(path, {
          resolveKey: singleKeyResolver({
            publicKey: this.deps.identity.show().publicKey,
            applianceId: this.deps.records.applianceId,
          }),
        });
        const m = v.manifest;
        ok =
          m.bundleSeq === (prev?.seq ?? 0) + 1 &&
          m.prevSha256 === (prev?.sha256 ?? null) &&
          m.epoch === this.deps.records.epoch &&
          (m.reexport || m.fromSeq === this.cursor() + 1) &&
          m.toSeq <= this.deps.records.lastSeq();
        if (ok) {
          this.record(path, m, v.sha256, v.bytes);
          out.push({ path, manifest: m, sha256: v.sha256, bytes: v.bytes, adopted: true });
          this.deps.logger.warn({ file: path }, 'adopted a bundle left unrecorded by an interrupted export');
        }
      } catch (e) {
        if (!isAppError(e)) throw e;
      }
      if (!ok) {
        rmSync(path, { force: true });
        fsyncDir(dirname(path));
        this.deps.logger.warn({ file: path }, 'removed an unrecorded bundle left by an interrupted export');
      }
    }
    this.deps.records.writeNow(() => this.deps.records.setMeta(EXPORT_PENDING, ''));
    return out;
  }

  private cleanTemps(dir: string): void {
    for (const n of readdirSync(dir)) if (TEMP_PATTERN.test(n)) rmSync(join(dir, n), { force: true });
  }

  /** Keep the newest `export.keep` bundle files; older ones go only once copied or acknowledged. */
  private prune(): void {
    const keep = this.deps.config.export.keep;
    const all = this.bundles.list().filter((b) => existsSync(b.file));
    const old = all.slice(0, Math.max(0, all.length - keep));
    for (const b of old) if (b.state !== 'written') rmSync(b.file, { force: true });
  }

  /**
   * One exporter per folder across processes (CLI beside `serve`): a lock file naming its process. Inside
   * this process the folders locked are known (LOCKED_HERE), so a file with our own pid is ours when we
   * hold it (busy), and stale otherwise: left before a reboot that happened to give us the same pid.
   */
  private lock(dir: string): () => void {
    const path = join(dir, LOCK_FILE);
    if (LOCKED_HERE.has(path)) throw bundlesError('export_busy', { detail: 'an export is already running' });
    for (let i = 0; i < 2; i++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        LOCKED_HERE.add(path);
        return () => {
          LOCKED_HERE.delete(path);
          rmSync(path, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(path, 'utf8').trim());
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw bundlesError('export_busy', {
            detail: `another export (process ${pid}) is writing to ${dir}`,
          });
        }
        // Stale: left by a process that died (SIGKILL, power cut).
        rmSync(path, { force: true });
      }
    }
    throw bundlesError('export_busy', { detail: `cannot take the export lock in ${dir}` });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
