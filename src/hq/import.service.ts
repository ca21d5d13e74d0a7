import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { isAppError } from '../core/errors.js';
import type { Params } from '../core/language.js';
import { hqError } from './hq.errors.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/connection.js';
import {
  bundleError,
  canonicalBundleSize,
  openBundle,
  verifyManifest,
  type BundleManifest,
  type BundleLimits,
  type KeyResolver,
  type OpenedBundle,
} from '../contract/bundle-format.js';
import { AppliancesRepo, type ApplianceRow } from './appliances.repo.js';
import type { AppliancesService, Gap } from './appliances.service.js';
import { replayJournal } from './bundle-replay.js';
import { factsOf, JournalForkError, type HqRecordsService } from './hq-records.service.js';

/**
 * SQLite's page cache (KiB) while an import's transaction writes. Each statement takes one insert at a
 * random place in statement_ids (its id is a random UUID); once that b-tree outgrows the cache, nearly
 * every insert reads a page back and spills another, which was the import's largest cost at a million
 * statements. Given back after the import (the server keeps SQLite's default of 2 MiB otherwise).
 */
const IMPORT_CACHE_KIB = 32 * 1024;

/** The outcome of importing one bundle file, as `hq import` prints it and the upload endpoint answers it. */
export interface ImportOutcome {
  file: string;
  status: 'imported' | 'already_imported' | 'refused';
  /** For refusals: a stable code (bundle_*), and a message naming what is wrong. */
  code?: string;
  reason?: string;
  /** The refusal's parameters, for its text in a reader's language (the code's catalog text). */
  params?: Params;
  applianceId?: string;
  epoch?: number;
  bundleSeq?: number;
  sha256?: string;
  fromSeq?: number;
  toSeq?: number;
  rows?: number;
  newRows?: number;
  statements?: number;
  /** New rows repeating a statement this appliance sent before (same id, same body): stored, not counted. */
  duplicates?: number;
  /** New statements held out of reports and the xAPI export: their id is held by another row. */
  heldOut?: number;
  /** Journal ranges still missing for this appliance after this import. */
  gaps?: Gap[];
}

/** A gap as the CLI says it: which rows and bundle files are missing, and how to get them from the box. */
export function gapLine(g: Gap): string {
  const rows = g.fromSeq === g.toSeq ? `row ${g.fromSeq}` : `rows ${g.fromSeq}-${g.toSeq}`;
  const b = g.bundles;
  const bundles = b
    ? b.fromBundle === b.toBundle
      ? ` (bundle ${b.fromBundle}: ${b.firstFile})`
      : ` (bundles ${b.fromBundle}-${b.toBundle}: ${b.firstFile} to ${b.lastFile})`
    : '';
  return `missing ${rows}${bundles}: on the box run \`${g.command}\`, or copy ${b ? 'these files' : 'its bundles'} from its outbox folder`;
}

/** A printable line: `<file>: imported (...)`, `<file>: already imported`, `<file>: refused: <reason>`. */
export function outcomeLine(o: ImportOutcome): string {
  if (o.status === 'refused') return `${o.file}: refused: ${o.reason ?? o.code ?? 'unknown reason'}`;
  if (o.status === 'already_imported')
    return `${o.file}: already imported (appliance ${o.applianceId}, bundle ${o.bundleSeq})`;
  const gaps = o.gaps?.length ? `; ${o.gaps.map(gapLine).join('; ')}` : '';
  const dups = o.duplicates
    ? `, ${o.duplicates} duplicate statement${o.duplicates === 1 ? '' : 's'} not counted`
    : '';
  const held = o.heldOut
    ? `, ${o.heldOut} statement${o.heldOut === 1 ? '' : 's'} held out (id held by another row: \`hq statements held\`)`
    : '';
  return `${o.file}: imported (appliance ${o.applianceId}, bundle ${o.bundleSeq}, rows ${o.fromSeq}-${o.toSeq}, ${o.newRows} new${dups}${held}${gaps})`;
}

/** Every `.zip` under the given files and directories (directories recursively), sorted by path. */
export function collectBundleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (explicit) out.push(p); // reported as unreadable by the import
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue; // temp files of an export in progress
        walk(join(p, name), false);
      }
    } else if (explicit || p.toLowerCase().endsWith('.zip')) out.push(p);
  };
  for (const p of paths) walk(resolve(p), true);
  return out;
}

/**
 * Imports signed progress bundles. Checks run in this order, stopping at the first failure: size and
 * entry limits; the key is enrolled and not revoked; the signature; the appliance id is the key's; the
 * format version; the exact file set with sizes and hashes (all in openBundle, the format module both
 * sides share); a revocation from a point (epoch, seq), judged row by row (see Revocation); then the sequence rules: the same
 * bundle again is a no-op, the same bundle sequence with other content (or a broken hash chain, or a row
 * that differs from a stored one) is refused and recorded as a fork. Only then does one transaction write.
 * A refused bundle leaves hq.db exactly as it was (a fork adds only its `forks` row).
 */
export class ImportService {
  /** Imports run one at a time (the CLI and the upload endpoint share one database connection). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Imports and forks by appliance (the appliances service keeps enrolment and revocation). */
  private readonly imports: AppliancesRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly appliances: AppliancesService,
    private readonly records: HqRecordsService,
    private readonly limits: Partial<BundleLimits> = {},
  ) {
    this.imports = new AppliancesRepo(db);
  }

  /**
   * Import one bundle file. Never throws for a bad bundle: the outcome says why it was refused.
   * `manifestBytes`: the manifest an upload's headers announced (see preflight); the file's must equal it.
   */
  importFile(path: string, displayName = path, manifestBytes?: Buffer): Promise<ImportOutcome> {
    const run = this.queue.then(() => this.importOne(path, displayName, manifestBytes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The checks that need only a manifest and its signature (an upload's headers, before its body is read):
   * key enrolled and not dead, signature, appliance, format, schema, and a revocation that refuses the
   * manifest's epoch. Returns the manifest and the exact size the bundle file must have. Throws AppError.
   */
  async preflight(
    manifestBytes: Buffer,
    signature: string,
  ): Promise<{ manifest: BundleManifest; bytes: number }> {
    const manifest = await verifyManifest(manifestBytes, signature, this.resolveKey);
    const revocation = this.appliances.revocationOf(this.appliances.require(manifest.applianceId));
    if (revocation && manifest.epoch > revocation.from.epoch)
      throw bundleError(
        'bundle_key_revoked',
        revocation.reason(`this bundle, written in epoch ${manifest.epoch},`),
      );
    return {
      manifest,
      bytes: canonicalBundleSize(manifest, manifestBytes.length, Buffer.byteLength(signature, 'latin1')),
    };
  }

  private readonly resolveKey: KeyResolver = ({ keyId }) => {
    const a = this.appliances.byKeyId(keyId);
    if (!a) throw bundleError('bundle_key_unknown', `key ${keyId} is not enrolled at this HQ`);
    const revocation = this.appliances.revocationOf(a);
    if (revocation?.keyRevoked) throw bundleError('bundle_key_revoked', revocation.reason('this bundle'));
    return { publicKey: a.public_key, applianceId: a.id };
  };

  private async importOne(path: string, file: string, announced?: Buffer): Promise<ImportOutcome> {
    let opened: OpenedBundle | undefined;
    const base: ImportOutcome = { file, status: 'refused' };
    try {
      opened = await openBundle(path, { resolveKey: this.resolveKey, limits: this.limits });
      const m = opened.manifest;
      if (announced && !announced.equals(opened.manifestBytes)) throw hqError('bundle_manifest_mismatch');
      Object.assign(base, {
        applianceId: m.applianceId,
        epoch: m.epoch,
        bundleSeq: m.bundleSeq,
        sha256: opened.sha256,
        fromSeq: m.fromSeq,
        toSeq: m.toSeq,
      });
      const appliance = this.appliances.require(m.applianceId);
      const revocation = this.appliances.revocationOf(appliance);
      if (revocation && m.epoch > revocation.from.epoch)
        throw bundleError(
          'bundle_key_revoked',
          revocation.reason(`this bundle, written in epoch ${m.epoch},`),
        );
      const same = this.imports.importAt(appliance.no, m.epoch, m.bundleSeq);
      if (same && same.sha256 === opened.sha256) {
        // Byte for byte the bundle already imported (and verified then): nothing to check or write.
        opened.close();
        return { ...base, status: 'already_imported', gaps: this.appliances.status(appliance).gaps };
      }
      // Pass 1: read and verify the whole payload (hashes, row rules, revocation) before deciding anything
      // else, keeping nothing: a damaged copy must be refused for its damage, not flagged as a fork.
      for await (const r of opened.rows()) {
        if (revocation?.refusesRow(r.epoch, r.seq))
          throw bundleError('bundle_key_revoked', revocation.reason(`its row ${r.epoch}:${r.seq}`));
        // Each body read through its kind's schema here too, so a malformed row refuses the bundle
        // for what it is before a fork is decided (nothing is kept).
        factsOf(r.kind, r.ref, r.body, r.seq);
      }
      const forkReason = same
        ? `bundle ${m.bundleSeq} of epoch ${m.epoch} was already imported with other content (sha256 ${same.sha256.slice(0, 12)}...)`
        : this.chainBreak(appliance, m.epoch, m.bundleSeq, m.prevSha256, opened.sha256);
      if (forkReason) {
        this.recordFork(appliance, opened, forkReason, same?.sha256 ?? null, null);
        throw hqError('bundle_fork', { detail: forkReason });
      }
      const result = this.db.transaction(() => {
        // Pass 2: the same rows read again from the file, synchronously inside the transaction, written
        // as they come (memory does not grow with the bundle); the hashes are checked again at the end.
        const batch = this.records.begin(appliance.no, appliance.id);
        for (const r of replayJournal(path, opened!.payload)) {
          batch.add(
            { seq: r.seq, epoch: r.epoch, kind: r.kind, ref: r.ref, body: r.body, recorded_at: r.recordedAt },
            factsOf(r.kind, r.ref, r.parsed, r.seq, true),
          );
        }
        const r = batch.finish();
        this.imports.addImport({
          appliance_no: appliance.no,
          epoch: m.epoch,
          bundle_seq: m.bundleSeq,
          sha256: opened!.sha256,
          prev_sha256: m.prevSha256,
          from_seq: m.fromSeq,
          to_seq: m.toSeq,
          rows_total: r.rows,
          imported_at: this.clock.now().toISOString(),
          outcome: 'imported',
        });
        return r;
      });
      let r;
      const cache = this.db.pragma('cache_size', { simple: true }) as number;
      this.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
      try {
        r = result();
      } catch (e) {
        if (e instanceof JournalForkError) {
          const reason = `journal row ${e.epoch}:${e.seq} differs from the one already imported`;
          this.recordFork(appliance, opened, reason, null, e.seq);
          throw hqError('bundle_fork', { detail: reason });
        }
        throw e;
      } finally {
        this.db.pragma(`cache_size = ${cache}`);
      }
      return {
        ...base,
        status: 'imported',
        rows: r.rows,
        newRows: r.inserted,
        statements: r.statements,
        duplicates: r.duplicates,
        heldOut: r.heldOut,
        gaps: this.appliances.status(appliance).gaps,
      };
    } catch (e) {
      opened?.close();
      if (!isAppError(e)) {
        this.logger.error({ err: e, file }, 'import failed');
        return { ...base, status: 'refused', code: 'internal', reason: (e as Error).message };
      }
      const code = e.code === 'not_found' ? 'bundle_key_unknown' : e.code;
      return {
        ...base,
        status: 'refused',
        code,
        reason: e.message,
        ...(e.params ? { params: e.params } : {}),
      };
    }
  }

  /** The previous or next bundle HQ holds (same epoch) disagrees with this one's place in the hash chain. */
  private chainBreak(
    a: ApplianceRow,
    epoch: number,
    bundleSeq: number,
    prevSha256: string | null,
    sha256: string,
  ): string | null {
    const prev = bundleSeq > 1 ? this.imports.importAt(a.no, epoch, bundleSeq - 1) : undefined;
    if (prev && prevSha256 !== prev.sha256)
      return `bundle ${bundleSeq} does not follow bundle ${bundleSeq - 1} already imported (hash chain broken)`;
    const next = this.imports.importAt(a.no, epoch, bundleSeq + 1);
    if (next && next.prev_sha256 !== null && next.prev_sha256 !== sha256)
      return `bundle ${bundleSeq + 1} already imported does not follow this bundle ${bundleSeq} (hash chain broken)`;
    return null;
  }

  private recordFork(
    a: ApplianceRow,
    b: OpenedBundle,
    reason: string,
    existingSha: string | null,
    journalSeq: number | null,
  ): void {
    this.db.transaction(() =>
      this.imports.addFork({
        appliance_no: a.no,
        epoch: b.manifest.epoch,
        bundle_seq: b.manifest.bundleSeq,
        sha256: b.sha256,
        existing_sha256: existingSha,
        journal_seq: journalSeq,
        reason,
        detected_at: this.clock.now().toISOString(),
      }),
    )();
    this.logger.warn({ applianceId: a.id, bundleSeq: b.manifest.bundleSeq, reason }, 'fork detected');
  }
}
