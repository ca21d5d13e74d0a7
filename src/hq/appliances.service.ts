import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { formatZodError } from '../core/config.js';
import { AppError, notFound } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { keyIdOf, parsePublicKey, publicKeyPem } from '../contract/bundle-format.js';
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

/** An appliance and the health of its sync, as `hq appliance list --json` and the HQ pages show it. */
export interface ApplianceStatus {
  id: string;
  name: string;
  location: string;
  keyId: string;
  enrolledAt: string;
  revokedFromSequence: number | null;
  revokedAt: string | null;
  bundles: number;
  lastBundle: { epoch: number; bundleSeq: number; sha256: string; importedAt: string } | null;
  lastSequence: number;
  lastImportAt: string | null;
  gaps: SeqRange[];
  forks: { epoch: number; bundleSeq: number; sha256: string; reason: string; detectedAt: string }[];
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
  readonly repo: AppliancesRepo;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.repo = new AppliancesRepo(db);
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
        throw new AppError(
          'already_enrolled',
          `appliance ${req.applianceId} is already enrolled with another key (${existing.key_id})`,
          409,
        );
      }
      const other = this.repo.byKeyId(req.keyId);
      if (other)
        throw new AppError(
          'key_in_use',
          `key ${req.keyId} is already enrolled for appliance ${other.id}`,
          409,
        );
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

  /** Refuse bundles from this appliance whose journal range reaches `fromSequence` (default: all). */
  revoke(applianceId: string, fromSequence = 1): ApplianceRow {
    if (!Number.isSafeInteger(fromSequence) || fromSequence < 1)
      throw new AppError('invalid', '--from-sequence must be a positive whole number');
    return this.db.transaction(() => {
      const a = this.require(applianceId);
      this.repo.revoke(a.no, fromSequence, this.clock.now().toISOString());
      return this.repo.byId(applianceId)!;
    })();
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
      revokedFromSequence: a.revoked_from_seq,
      revokedAt: a.revoked_at,
      bundles: imports.length,
      lastBundle: last
        ? { epoch: last.epoch, bundleSeq: last.bundle_seq, sha256: last.sha256, importedAt: last.imported_at }
        : null,
      lastSequence: ranges.reduce((m, r) => Math.max(m, r.toSeq), 0),
      lastImportAt,
      gaps: gapsOf(ranges),
      forks: forks.map((f) => ({
        epoch: f.epoch,
        bundleSeq: f.bundle_seq,
        sha256: f.sha256,
        reason: f.reason,
        detectedAt: f.detected_at,
      })),
    };
  }

  list(): ApplianceStatus[] {
    return this.repo.all().map((a) => this.status(a));
  }
}
