import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { formatZodError } from '../core/config.js';
import { hqError } from './hq.errors.js';
import { AppError, notFound } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { bundleFileName, keyIdOf, parsePublicKey, publicKeyPem } from '../contract/bundle-format.js';
import { AppliancesRepo, type ApplianceRow, type ForkRow, type ImportRow } from './appliances.repo.js';

/** The box's `fieldclass identity request` output. */
export const enrolRequestSchema = z.object({
  applianceId: z.string().min(1).max(100),
  keyId: z.string().min(1).max(200),
  publicKey: z.string().min(1).max(10_000),
  name: z.string().max(200).default(''),
  location: z.string().max(200).default(''),
  createdAt: z.string().optional(),
});
export type EnrolRequest = z.input<typeof enrolRequestSchema>;

export interface SeqRange {
  fromSeq: number;
  toSeq: number;
}

/** Where a revocation starts: the first (epoch, seq) refused. 1:1 refuses everything (the key is dead). */
export interface RevocationPoint {
  epoch: number;
  seq: number;
}

/**
 * The rule a revoked key's rows are judged by. The epoch is chosen by whoever holds the key (a box starts
 * a new one after restoring a backup), so a sequence alone cannot say what was written after the theft.
 * Revoked from E:S, a row (epoch, seq) is refused when
 *   - epoch > E (any later epoch: a stolen key cannot escape by starting a new one), or
 *   - epoch = E and seq >= S, or
 *   - epoch < E and seq is beyond what HQ held of that epoch when the key was revoked.
 * A bundle written in an epoch after E is refused whole. Rows HQ imported before stay; rows before the
 * point are still taken (a lost stick's bundles can be carried in after the revocation).
 */
export class Revocation {
  constructor(
    readonly applianceId: string,
    readonly from: RevocationPoint,
    readonly at: string,
    /** Highest seq HQ held of each epoch before `from.epoch` when the key was revoked. */
    private readonly held: ReadonlyMap<number, number>,
  ) {}

  /** Revoked from 1:1: nothing signed by this key is accepted. */
  get keyRevoked(): boolean {
    return this.from.epoch <= 1 && this.from.seq <= 1;
  }

  refusesRow(epoch: number, seq: number): boolean {
    if (epoch > this.from.epoch) return true;
    if (epoch === this.from.epoch) return seq >= this.from.seq;
    return seq > (this.held.get(epoch) ?? 0);
  }

  /** Why a row (or a bundle written in `epoch`) is refused, for the import's message. */
  reason(what: string): string {
    return this.keyRevoked
      ? `the key of appliance ${this.applianceId} was revoked on ${this.at}`
      : `appliance ${this.applianceId} was revoked from ${this.from.epoch}:${this.from.seq} on ${this.at}; ${what} is at or after that point`;
  }
}

/** `E:S` (epoch:sequence) as `hq appliance revoke --from` takes it. */
export function parseRevocationPoint(text: string): RevocationPoint {
  const m = /^\s*(\d{1,12})\s*:\s*(\d{1,15})\s*$/.exec(text);
  const epoch = m ? Number(m[1]) : NaN;
  const seq = m ? Number(m[2]) : NaN;
  if (!m || epoch < 1 || seq < 1 || !Number.isSafeInteger(seq))
    throw hqError('revocation_point_invalid', { text });
  return { epoch, seq };
}

const before = (a: RevocationPoint, b: RevocationPoint): boolean =>
  a.epoch < b.epoch || (a.epoch === b.epoch && a.seq < b.seq);

/** An appliance and the health of its sync, as `hq appliance list --json` and the HQ pages show it. */
export interface ApplianceStatus {
  id: string;
  name: string;
  location: string;
  keyId: string;
  enrolledAt: string;
  /** Null while the key is trusted. `importedBefore`: bundles imported before the revocation (they stay). */
  revocation: {
    fromEpoch: number;
    fromSeq: number;
    keyRevoked: boolean;
    at: string;
    importedBefore: number;
  } | null;
  bundles: number;
  lastBundle: { epoch: number; bundleSeq: number; sha256: string; importedAt: string } | null;
  lastSequence: number;
  lastImportAt: string | null;
  gaps: Gap[];
  forks: { epoch: number; bundleSeq: number; sha256: string; reason: string; detectedAt: string }[];
  /** Statements of this appliance held out (`hq statements held`): repeated, forked, another box's id. */
  held: { duplicate: number; fork: number; otherAppliance: number };
}

/**
 * A hole in what HQ holds of an appliance's journal, with the way out: the bundle files the box wrote for
 * it (when HQ holds the bundles on both sides of the hole in one epoch, the numbers in between), and the
 * command the coordinator runs on the box to write them again.
 */
export interface Gap extends SeqRange {
  bundles: {
    epoch: number;
    fromBundle: number;
    toBundle: number;
    firstFile: string;
    lastFile: string;
  } | null;
  command: string;
}

/** The command that writes a gap's rows again on the box (docs/bundle-format.md, "Overlap is normal"). */
export const gapCommand = (fromSeq: number): string =>
  `fieldclass bundle export --since-sequence ${fromSeq} --out <stick>`;

/** Name the bundles and the command for each gap, from the imports around it. */
export function explainGaps(
  applianceId: string,
  gaps: readonly SeqRange[],
  imports: readonly ImportRow[],
): Gap[] {
  return gaps.map((g) => {
    let before: ImportRow | undefined;
    let after: ImportRow | undefined;
    for (const i of imports) {
      if (i.to_seq < g.fromSeq && (!before || i.to_seq > before.to_seq)) before = i;
      if (i.from_seq > g.toSeq && (!after || i.from_seq < after.from_seq)) after = i;
    }
    const epoch = after?.epoch;
    const fromBundle = before && before.epoch === epoch ? before.bundle_seq + 1 : 1;
    const toBundle = after ? after.bundle_seq - 1 : 0;
    const known = after !== undefined && (!before || before.epoch === epoch) && toBundle >= fromBundle;
    return {
      ...g,
      bundles: known
        ? {
            epoch: epoch!,
            fromBundle,
            toBundle,
            firstFile: bundleFileName(applianceId, epoch!, fromBundle),
            lastFile: bundleFileName(applianceId, epoch!, toBundle),
          }
        : null,
      command: gapCommand(g.fromSeq),
    };
  });
}

/** Merge imported journal ranges and return the holes between 1 and the highest sequence seen. */
export function gapsOf(ranges: readonly SeqRange[]): SeqRange[] {
  const sorted = [...ranges].sort((a, b) => a.fromSeq - b.fromSeq);
  const gaps: SeqRange[] = [];
  let covered = 0;
  for (const r of sorted) {
    if (r.toSeq < r.fromSeq) continue;
    if (r.fromSeq > covered + 1) gaps.push({ fromSeq: covered + 1, toSeq: r.fromSeq - 1 });
    covered = Math.max(covered, r.toSeq);
  }
  return gaps;
}

/** Enrolled appliances: enrol from a box's request, revoke, list with the health of their sync. */
export class AppliancesService {
  private readonly repo: AppliancesRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.repo = new AppliancesRepo(db);
  }

  /** The appliance enrolled with this key id, if any. */
  byKeyId(keyId: string): ApplianceRow | undefined {
    return this.repo.byKeyId(keyId);
  }

  /** Enrol a box's public key. The same request again is a no-op; another key for the same id is refused. */
  enrol(input: unknown): { appliance: ApplianceRow; created: boolean } {
    const r = enrolRequestSchema.safeParse(input);
    if (!r.success) throw new AppError('invalid', formatZodError(r.error, 'enrolment request'));
    const req = r.data;
    let pem: string;
    try {
      pem = publicKeyPem(parsePublicKey(req.publicKey));
    } catch (e) {
      throw new AppError('invalid', `enrolment request: publicKey: ${(e as Error).message}`);
    }
    if (keyIdOf(pem) !== req.keyId)
      throw new AppError('invalid', `enrolment request: keyId ${req.keyId} is not the id of this public key`);
    return this.db.transaction(() => {
      const existing = this.repo.byId(req.applianceId);
      if (existing) {
        if (existing.key_id === req.keyId) return { appliance: existing, created: false };
        throw hqError('already_enrolled', { appliance: req.applianceId, key: existing.key_id });
      }
      const other = this.repo.byKeyId(req.keyId);
      if (other) throw hqError('key_in_use', { key: req.keyId, appliance: other.id });
      this.repo.insert({
        id: req.applianceId,
        name: req.name || req.applianceId,
        location: req.location,
        public_key: pem,
        key_id: req.keyId,
        requested_at: req.createdAt ?? null,
        enrolled_at: this.clock.now().toISOString(),
      });
      return { appliance: this.repo.byId(req.applianceId)!, created: true };
    })();
  }

  /**
   * Revoke the appliance's key from a point (see {@link Revocation}); without one the key is dead (1:1).
   * Revoking again can only move the point earlier. What HQ holds of earlier epochs is recorded now.
   */
  revoke(applianceId: string, from: RevocationPoint = { epoch: 1, seq: 1 }): ApplianceRow {
    if (
      !Number.isSafeInteger(from.epoch) ||
      from.epoch < 1 ||
      !Number.isSafeInteger(from.seq) ||
      from.seq < 1
    )
      throw new AppError('invalid', 'a revocation point is <epoch>:<sequence>, both whole numbers from 1');
    return this.db.transaction(() => {
      const a = this.require(applianceId);
      const current = this.revocationOf(a);
      if (current && !before(from, current.from)) return a;
      this.repo.snapshotHeld(a.no, from.epoch);
      this.repo.revoke(a.no, from.epoch, from.seq, this.clock.now().toISOString());
      return this.repo.byId(applianceId)!;
    })();
  }

  /** The rule this appliance's bundles are judged by, or null while its key is trusted. */
  revocationOf(a: ApplianceRow): Revocation | null {
    if (a.revoked_from_seq === null) return null;
    const held = new Map(this.repo.held(a.no).map((h) => [h.epoch, h.held_to_seq]));
    return new Revocation(
      a.id,
      { epoch: a.revoked_from_epoch ?? 1, seq: a.revoked_from_seq },
      a.revoked_at ?? '',
      held,
    );
  }

  /** The highest epoch HQ holds rows of (1 when none): `--from-sequence N` means this epoch's N. */
  latestEpoch(a: ApplianceRow): number {
    return this.repo.imports(a.no).reduce((m, i) => Math.max(m, i.epoch), 1);
  }

  require(applianceId: string): ApplianceRow {
    const a = this.repo.byId(applianceId);
    if (!a) throw notFound(`appliance ${applianceId}`);
    return a;
  }

  status(a: ApplianceRow): ApplianceStatus {
    const imports: ImportRow[] = this.repo.imports(a.no);
    const forks: ForkRow[] = this.repo.forks(a.no);
    let last: ImportRow | undefined;
    let lastImportAt: string | null = null;
    for (const i of imports) {
      if (!last || i.epoch > last.epoch || (i.epoch === last.epoch && i.bundle_seq > last.bundle_seq))
        last = i;
      if (!lastImportAt || i.imported_at > lastImportAt) lastImportAt = i.imported_at;
    }
    const ranges = imports.map((i) => ({ fromSeq: i.from_seq, toSeq: i.to_seq }));
    return {
      id: a.id,
      name: a.name,
      location: a.location,
      keyId: a.key_id,
      enrolledAt: a.enrolled_at,
      revocation:
        a.revoked_from_seq === null
          ? null
          : {
              fromEpoch: a.revoked_from_epoch ?? 1,
              fromSeq: a.revoked_from_seq,
              keyRevoked: (a.revoked_from_epoch ?? 1) <= 1 && a.revoked_from_seq <= 1,
              at: a.revoked_at ?? '',
              importedBefore: imports.filter((i) => i.imported_at <= (a.revoked_at ?? '')).length,
            },
      bundles: imports.length,
      lastBundle: last
        ? { epoch: last.epoch, bundleSeq: last.bundle_seq, sha256: last.sha256, importedAt: last.imported_at }
        : null,
      lastSequence: ranges.reduce((m, r) => Math.max(m, r.toSeq), 0),
      lastImportAt,
      gaps: explainGaps(a.id, gapsOf(ranges), imports),
      forks: forks.map((f) => ({
        epoch: f.epoch,
        bundleSeq: f.bundle_seq,
        sha256: f.sha256,
        reason: f.reason,
        detectedAt: f.detected_at,
      })),
      held: (({ duplicate, fork, other_appliance }) => ({
        duplicate,
        fork,
        otherAppliance: other_appliance,
      }))(this.repo.heldCounts(a.no)),
    };
  }

  list(): ApplianceStatus[] {
    return this.repo.all().map((a) => this.status(a));
  }
}
