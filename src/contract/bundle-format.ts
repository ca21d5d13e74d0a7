/**
 * Progress bundle format, version 1: THE contract between an appliance (which writes bundles) and HQ
 * (which verifies and imports them). Both sides import this module; `docs/bundle-format.md` describes the
 * same thing in prose. Change it only with a new format version.
 *
 * A bundle is a zip (canonical layout, see bundle-zip.ts) holding, in this order:
 * - `journal.ndjson` (deflated): one journal row per line, in sequence order, exactly `fromSeq..toSeq`;
 * - `manifest.json` (stored): {@link BundleManifest}, UTF-8 JSON;
 * - `manifest.sig` (stored): base64 Ed25519 signature over {@link signedMessage} of the exact manifest bytes.
 *
 * Verification (in {@link openBundle}) runs in this order and stops at the first failure, each with its own
 * AppError code (see {@link BundleErrorCode}): file size and entry limits; entry names (absolute, `..`,
 * symlink, duplicates after NFC + case folding); uncompressed size and compression ratio; canonical layout
 * (every header byte); manifest present and parseable; the key (resolved by the caller from the claimed
 * key id: unknown, revoked); the signature; the appliance id is the key's; the format version; the exact
 * file set; sizes; then, while the payload streams, the SHA-256 of the stored and uncompressed bytes and
 * the rows themselves (contiguous sequence, counts). Nothing is trustworthy until the row iterator has
 * finished without throwing: commit only then.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { crc32, createInflateRaw } from 'node:zlib';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { z } from 'zod';
import {
  domainMessage,
  generateKeyPairPem,
  keyIdOf as keyId,
  parsePublicKey as parseKey,
  rawPublicKey as rawKey,
  signWithDomain,
  verifyWithDomain,
} from '../core/ed25519.js';
import { AppError, defineErrors, type CodeOf } from '../core/errors.js';
import { JOURNAL_KINDS, type JournalKind } from './journal.js';
import {
  EXTERNAL_ATTRS,
  METHOD_DEFLATE,
  METHOD_STORE,
  centralDirectory,
  localHeader,
  type ZipEntryLayout,
} from './bundle-zip.js';

/**
 * The format version this code writes. Format 2 added the journal kinds `course` and `adjustment`
 * (src/contract/journal.ts); HQ reads formats 1 and 2, so boxes already in the field keep importing,
 * and HQ must be upgraded before the boxes (an older HQ refuses format 2 as unsupported).
 */
export const BUNDLE_FORMAT_VERSION = 2;
/** Every format version this code reads, and the journal kinds each may carry. */
export const KINDS_BY_FORMAT: Readonly<Record<number, readonly JournalKind[]>> = {
  1: ['statement', 'person', 'cohort', 'enrolment'],
  2: JOURNAL_KINDS,
};
/** Entry names inside a bundle. */
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const JOURNAL_FILE = 'journal.ndjson';
/** Payload files a format 1 manifest may (and must) list. */
export const PAYLOAD_FILES: readonly string[] = [JOURNAL_FILE];
/** The upload endpoint, relative to `hq.url` (see docs/bundle-format.md, "Upload"). */
export const UPLOAD_PATH = '/api/bundles';
/**
 * Upload headers: the manifest's exact bytes (base64) and its signature, so that HQ can check key,
 * signature, appliance, revocation and the declared size before reading the body (the manifest sits at
 * the end of the zip). The body's manifest must equal this one byte for byte.
 */
export const MANIFEST_HEADER = 'x-fieldclass-manifest';
export const SIGNATURE_HEADER = 'x-fieldclass-signature';

export { JOURNAL_KINDS };
/** Every kind counted 0 (a bundle writer's start). */
export const zeroCounts = (): Record<JournalKind, number> =>
  Object.fromEntries(JOURNAL_KINDS.map((k) => [k, 0])) as Record<JournalKind, number>;

/** Journal row kinds (src/contract/journal.ts): statements, roster changes, courses, adjustments. */
export type JournalRowKind = JournalKind;

/**
 * One line of `journal.ndjson`. `body` is the JSON the box recorded (an xAPI statement for kind
 * 'statement', the roster entity for the others), embedded as an object. Identity at HQ:
 * (applianceId, epoch, seq).
 */
export interface BundleRow {
  seq: number;
  epoch: number;
  kind: JournalRowKind;
  /** Statement id (UUID) or the roster entity's id. */
  ref: string;
  /** Box clock when recorded (may be wrong: the box has no real-time clock). Order by seq, never by time. */
  recordedAt: string;
  body: unknown;
}

/** Path, sizes and hashes of one payload file (sha256 = lowercase hex). */
export interface BundleFileEntry {
  path: string;
  /** Uncompressed bytes. */
  size: number;
  /** SHA-256 of the uncompressed bytes. */
  sha256: string;
  /** Bytes stored in the zip (deflated). */
  compressedSize: number;
  /** SHA-256 of the stored (deflated) bytes: catches changes deflate would ignore. */
  compressedSha256: string;
}

/** `manifest.json`. All fields are required; unknown fields are refused. */
export interface BundleManifest {
  /** Always 1 for this module. */
  format: number;
  /** The appliance's UUID (records meta `appliance_id`). */
  applianceId: string;
  /** {@link keyIdOf} the appliance's public key. */
  keyId: string;
  /** The appliance's epoch when the bundle was written (rows carry their own epoch, which may be lower). */
  epoch: number;
  /** 1, 2, 3... per appliance; re-exports take the next number too. Identity at HQ: (applianceId, epoch, bundleSeq). */
  bundleSeq: number;
  /** SHA-256 of the previous bundle file this appliance wrote (its whole zip), null for the first. */
  prevSha256: string | null;
  /** True for `bundle export --since-sequence N`: rows HQ may already hold (overlap is expected). */
  reexport: boolean;
  /** First and last journal seq in the payload (inclusive); the payload holds every seq between. */
  fromSeq: number;
  toSeq: number;
  /** Rows per kind; they add up to toSeq - fromSeq + 1. */
  counts: Record<JournalRowKind, number>;
  /** Box clock, ISO 8601. Informational only. */
  createdAt: string;
  /** Payload files, exactly the zip's entries other than manifest.json and manifest.sig. */
  files: BundleFileEntry[];
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const count = z.number().int().min(0);
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Rows per kind in a manifest of `format`: exactly the kinds that format carries. */
const countsSchema = (format: number) =>
  z.strictObject(Object.fromEntries((KINDS_BY_FORMAT[format] ?? []).map((k) => [k, count])));

/** zod schema of a manifest of `format` (strict: unknown fields are refused). */
export const manifestSchemaFor = (format: number) =>
  z
    .object({
      format: z.literal(format),
      applianceId: z.string().min(1).max(64),
      keyId: z.string().regex(/^[0-9a-f]{16}$/),
      epoch: seq,
      bundleSeq: seq,
      prevSha256: hex64.nullable(),
      reexport: z.boolean(),
      fromSeq: seq,
      toSeq: seq,
      counts: countsSchema(format),
      createdAt: z.string().min(1).max(64),
      files: z
        .array(
          z
            .object({
              path: z.string().min(1).max(255),
              size: count,
              sha256: hex64,
              compressedSize: count,
              compressedSha256: hex64,
            })
            .strict(),
        )
        .min(1)
        .max(16),
    })
    .strict()
    .refine((m) => m.toSeq >= m.fromSeq, { message: 'toSeq is below fromSeq', path: ['toSeq'] })
    .refine(
      (m) =>
        Object.values(m.counts as Record<string, number>).reduce((a, b) => a + b, 0) ===
        m.toSeq - m.fromSeq + 1,
      { message: 'counts do not add up to the sequence range', path: ['counts'] },
    );
/** The schema of the format this code writes. */
export const manifestSchema = manifestSchemaFor(BUNDLE_FORMAT_VERSION);

/**
 * Every way a bundle is refused, each a stable AppError code (HTTP status 422 unless noted in the doc).
 * HQ adds `bundle_key_revoked`, `bundle_fork` and `bundle_replay`-style outcomes of its own.
 */
export const bundleErrors = defineErrors({
  // not a zip / truncated / cannot be opened
  bundle_unreadable: {
    status: 422,
    en: '{detail}',
    fr: 'Ce fichier n’est pas un paquet lisible (zip abîmé ou tronqué).',
    ar: 'هذا الملف ليس حزمة قابلة للقراءة (ملف zip تالف أو ناقص).',
  },
  // file larger than limits.maxFileBytes
  bundle_too_large: {
    status: 413,
    en: '{detail}',
    fr: 'Ce paquet est trop volumineux.',
    ar: 'هذه الحزمة كبيرة جداً.',
  },
  bundle_too_many_entries: {
    status: 422,
    en: '{detail}',
    fr: 'Ce paquet contient trop de fichiers.',
    ar: 'تحتوي هذه الحزمة على ملفات كثيرة جداً.',
  },
  bundle_path_absolute: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier du paquet a un chemin absolu.',
    ar: 'مرفوض: أحد ملفات الحزمة له مسار مطلق.',
  },
  // `..` segment, backslash, empty segment
  bundle_path_traversal: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier du paquet sort de son dossier (..).',
    ar: 'مرفوض: أحد ملفات الحزمة يخرج من مجلده (..).',
  },
  // not UTF-8, control characters
  bundle_path_invalid: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un nom de fichier du paquet n’est pas valable.',
    ar: 'مرفوض: اسم أحد ملفات الحزمة غير صالح.',
  },
  bundle_symlink: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet contient un lien symbolique.',
    ar: 'مرفوض: تحتوي الحزمة على رابط رمزي.',
  },
  // same name after NFC + case folding
  bundle_entry_duplicate: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier apparaît deux fois dans le paquet.',
    ar: 'مرفوض: يظهر أحد الملفات مرتين في الحزمة.',
  },
  bundle_entry_encrypted: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet contient un fichier chiffré.',
    ar: 'مرفوض: تحتوي الحزمة على ملف مشفّر.',
  },
  // sum of uncompressed sizes above limits.maxTotalUncompressed
  bundle_uncompressed_too_large: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le contenu décompressé du paquet est trop volumineux.',
    ar: 'مرفوض: محتوى الحزمة بعد فك الضغط كبير جداً.',
  },
  // zip bomb: one entry's ratio above limits.maxEntryRatio
  bundle_compression_ratio: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier du paquet est anormalement compressé.',
    ar: 'مرفوض: أحد ملفات الحزمة مضغوط بشكل غير طبيعي.',
  },
  // a header byte differs from the canonical layout (altered or damaged)
  bundle_noncanonical: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet a été modifié ou abîmé après sa création.',
    ar: 'مرفوض: عُدّلت الحزمة أو تلفت بعد إنشائها.',
  },
  bundle_manifest_missing: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet n’a pas de manifeste.',
    ar: 'مرفوض: لا تحتوي الحزمة على بيان.',
  },
  bundle_signature_missing: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet n’est pas signé.',
    ar: 'مرفوض: الحزمة غير موقّعة.',
  },
  // not JSON, or fails the schema after the signature checked out
  bundle_manifest_invalid: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le manifeste du paquet n’est pas valable.',
    ar: 'مرفوض: بيان الحزمة غير صالح.',
  },
  bundle_key_unknown: {
    status: 403,
    en: '{detail}',
    fr: 'Refusé : ce boîtier n’est pas enregistré au siège (clé inconnue).',
    ar: 'مرفوض: هذا الجهاز غير مسجّل في المقر (مفتاح غير معروف).',
  },
  bundle_key_revoked: {
    status: 403,
    en: '{detail}',
    fr: 'Refusé : la clé de ce boîtier a été révoquée.',
    ar: 'مرفوض: أُلغي مفتاح هذا الجهاز.',
  },
  bundle_signature_malformed: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : la signature du paquet est mal formée.',
    ar: 'مرفوض: توقيع الحزمة مشوّه.',
  },
  bundle_signature_invalid: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : la signature ne correspond pas (paquet modifié ou d’un autre boîtier).',
    ar: 'مرفوض: التوقيع غير مطابق (حزمة معدّلة أو من جهاز آخر).',
  },
  bundle_appliance_mismatch: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet ne vient pas du boîtier de cette clé.',
    ar: 'مرفوض: الحزمة ليست من الجهاز صاحب هذا المفتاح.',
  },
  bundle_format_unsupported: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : ce format de paquet n’est pas pris en charge ici (mettez à jour).',
    ar: 'مرفوض: صيغة الحزمة هذه غير مدعومة هنا (حدّث البرنامج).',
  },
  // an entry the manifest does not list
  bundle_file_unexpected: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet contient un fichier que son manifeste ne liste pas.',
    ar: 'مرفوض: تحتوي الحزمة على ملف لا يذكره بيانها.',
  },
  // a listed file absent from the zip
  bundle_file_missing: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier listé par le manifeste manque.',
    ar: 'مرفوض: ملف مذكور في البيان مفقود.',
  },
  bundle_file_size_mismatch: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : la taille d’un fichier ne correspond pas au manifeste.',
    ar: 'مرفوض: حجم أحد الملفات لا يطابق البيان.',
  },
  bundle_file_hash_mismatch: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : un fichier du paquet a été modifié (empreinte différente).',
    ar: 'مرفوض: عُدّل أحد ملفات الحزمة (بصمة مختلفة).',
  },
  // deflate stream or CRC broken
  bundle_corrupt: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : le paquet est abîmé (données compressées illisibles).',
    ar: 'مرفوض: الحزمة تالفة (بيانات مضغوطة غير مقروءة).',
  },
  // a row is not valid, out of order, or counts differ
  bundle_payload_invalid: {
    status: 422,
    en: '{detail}',
    fr: 'Refusé : une ligne du journal du paquet n’est pas valable ({detail}).',
    ar: 'مرفوض: أحد أسطر سجل الحزمة غير صالح ({detail}).',
  },
});
export type BundleErrorCode = CodeOf<typeof bundleErrors>;
export const BUNDLE_ERROR_CODES = Object.keys(bundleErrors.specs) as BundleErrorCode[];

/**
 * An AppError with a bundle code (status 422 unless given; the upload endpoint answers with it). The
 * English message names what is wrong; pages show the code's text in the reader's language.
 */
export function bundleError(code: BundleErrorCode, message: string, status = 422): AppError {
  return new AppError(code, message, status, undefined, { detail: message });
}

/** Limits checked before anything is decompressed. Defaults fit 100,000 rows per bundle comfortably. */
export interface BundleLimits {
  maxFileBytes: number;
  maxEntries: number;
  maxTotalUncompressed: number;
  /** uncompressed / compressed of any one entry. Real NDJSON stays under 30; a zip bomb is ~1000. */
  maxEntryRatio: number;
  maxManifestBytes: number;
}

export const DEFAULT_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxFileBytes: 256 * 1024 * 1024,
  maxEntries: 8,
  maxTotalUncompressed: 1024 * 1024 * 1024,
  maxEntryRatio: 200,
  maxManifestBytes: 64 * 1024,
});

/** The most rows a writer puts in one bundle (more pending rows make several bundles). */
export const MAX_ROWS_PER_BUNDLE = 100_000;

// ---------------------------------------------------------------------------------------------- keys

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export const generateApplianceKeyPair = generateKeyPairPem;

/**
 * Parse a public key given as SPKI PEM (what `identity show` prints) or base64 of the raw 32 bytes.
 * Throws AppError('bundle_key_invalid').
 */
export function parsePublicKey(text: string | KeyObject): KeyObject {
  return parseKey(text, 'bundle_key_invalid');
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject | string): Buffer {
  return rawKey(parsePublicKey(key));
}

/** SPKI PEM of a public key (the form identity files and enrolment requests carry). */
export function publicKeyPem(key: KeyObject | string): string {
  return parsePublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

/** Key id: the first 16 hex digits of SHA-256 over the raw 32-byte public key. */
export function keyIdOf(key: KeyObject | string): string {
  return keyId(parsePublicKey(key));
}

// ------------------------------------------------------------------------------------------ signing

/** Domain separation: a bundle signature can never be mistaken for any other fieldclass signature. */
export function signaturePrefix(format: number): string {
  return `fieldclass-bundle-v${format}\n`;
}

/** The bytes that are signed: `"fieldclass-bundle-v1\n"` followed by the exact manifest bytes. */
export function signedMessage(manifestBytes: Buffer, format = BUNDLE_FORMAT_VERSION): Buffer {
  return domainMessage(signaturePrefix(format), manifestBytes);
}

/** The exact bytes of `manifest.json` as the writer emits them (2-space JSON plus a newline). */
export function serializeManifest(m: BundleManifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

/** Sign manifest bytes with the appliance's private key (PEM or KeyObject); base64 of 64 bytes. */
export function signManifest(
  manifestBytes: Buffer,
  privateKey: KeyObject | string,
  format = BUNDLE_FORMAT_VERSION,
): string {
  return signWithDomain(signaturePrefix(format), manifestBytes, privateKey);
}

/**
 * Check a signature text against manifest bytes. The base64 must be canonical (re-encoding the decoded
 * bytes gives the same text, so no ignored bits can be flipped) and decode to exactly 64 bytes.
 */
export function verifyManifestSignature(
  manifestBytes: Buffer,
  signatureText: string,
  publicKey: KeyObject | string,
  format = BUNDLE_FORMAT_VERSION,
): boolean {
  const sig = decodeSignature(signatureText);
  return verifyWithDomain(signaturePrefix(format), manifestBytes, sig, parsePublicKey(publicKey));
}

function decodeSignature(text: string): Buffer {
  const t = text.endsWith('\n') ? text.slice(0, -1) : text;
  const sig = Buffer.from(t, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== t) {
    throw bundleError('bundle_signature_malformed', 'manifest.sig is not the base64 of a 64-byte signature');
  }
  return sig;
}

/** `fieldclass-<first 8 of appliance id>-e<epoch>-b<bundle seq, 6 digits>.zip` */
export function bundleFileName(applianceId: string, epoch: number, bundleSeq: number): string {
  return `fieldclass-${applianceId.slice(0, 8)}-e${epoch}-b${String(bundleSeq).padStart(6, '0')}.zip`;
}
/** Matches names made by {@link bundleFileName}. */
export const BUNDLE_FILE_PATTERN = /^fieldclass-[0-9a-zA-Z-]{1,8}-e\d+-b\d{6,}\.zip$/;

/** One journal row as an NDJSON line; `bodyJson` is inserted as is (it is JSON already). */
export function rowLine(
  r: { seq: number; epoch: number; kind: string; ref: string; recordedAt: string },
  bodyJson: string,
): string {
  return `{"seq":${r.seq},"epoch":${r.epoch},"kind":${JSON.stringify(r.kind)},"ref":${JSON.stringify(r.ref)},"recordedAt":${JSON.stringify(r.recordedAt)},"body":${bodyJson}}\n`;
}

// ------------------------------------------------------------------------------------- verification

/** What the caller knows about the key a bundle claims. */
export interface TrustedKey {
  publicKey: KeyObject | string;
  /** The appliance this key is enrolled for; undefined skips the appliance check (a bare key file). */
  applianceId?: string;
}

/**
 * Given the key id and appliance id a (not yet verified) manifest claims, return the trusted key or throw
 * AppError('bundle_key_unknown' | 'bundle_key_revoked'). HQ looks the key id up in its registry.
 */
export type KeyResolver = (claim: { keyId: string; applianceId: string }) => TrustedKey | Promise<TrustedKey>;

/** A resolver for one known key (a key file, an enrolment request). */
export function singleKeyResolver(key: TrustedKey): KeyResolver {
  const id = keyIdOf(key.publicKey);
  return (claim) => {
    if (claim.keyId !== id) {
      throw bundleError(
        'bundle_key_unknown',
        `bundle signed by key ${claim.keyId}, not by the given key ${id}`,
      );
    }
    return key;
  };
}

export interface OpenBundleOptions {
  resolveKey: KeyResolver;
  limits?: Partial<BundleLimits>;
}

/** A bundle whose structure, key, signature, manifest and file set are verified; payload not yet. */
export interface OpenedBundle {
  manifest: BundleManifest;
  /** Exact bytes of manifest.json and the signature text (HQ may keep them as evidence). */
  manifestBytes: Buffer;
  signature: string;
  /** SHA-256 of the whole bundle file (hex) and its size: what chains bundles and names a receipt. */
  sha256: string;
  bytes: number;
  /**
   * The payload rows in sequence order. Hashes, sizes and row rules are checked as the rows stream; the
   * generator throws (bundle_file_hash_mismatch, bundle_payload_invalid, ...) before it finishes if
   * anything is wrong. Commit what you read only after it has finished without throwing. Call once.
   */
  rows(): AsyncGenerator<BundleRow, void, undefined>;
  /**
   * Where journal.ndjson's deflated bytes are in the file and what they must hash to (from the verified
   * manifest): lets HQ read the payload a second time, synchronously, inside its write transaction.
   */
  payload: { offset: number; compressedSize: number; size: number; sha256: string; compressedSha256: string };
  /** Release the file (done automatically when rows() finishes or throws). */
  close(): void;
}

/** The result of {@link verifyBundle}: everything checked, payload included. */
export interface VerifiedBundle {
  manifest: BundleManifest;
  sha256: string;
  bytes: number;
}

interface RawEntry {
  name: string;
  entry: yauzl.Entry;
}

function openZip(fd: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromFd(
      fd,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (err, zip) => (err ? reject(wrapZipError(err)) : resolve(zip)),
    );
  });
}

function wrapZipError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return bundleError('bundle_unreadable', `not a readable zip: ${(e as Error).message}`);
}

function readEntries(zip: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  if (zip.entryCount > maxEntries) {
    return Promise.reject(
      bundleError(
        'bundle_too_many_entries',
        `the zip holds ${zip.entryCount} entries (at most ${maxEntries})`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', (err: Error) => reject(wrapZipError(err)));
    zip.readEntry();
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Name rules: UTF-8, relative, no `..`/empty segments, no backslash or control characters. */
function checkName(raw: Buffer | string): string {
  let name: string;
  try {
    name = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    throw bundleError('bundle_path_invalid', 'an entry name is not valid UTF-8');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw bundleError('bundle_path_invalid', `entry name ${JSON.stringify(name)} holds control characters`);
  }
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.startsWith('\\')) {
    throw bundleError('bundle_path_absolute', `entry ${JSON.stringify(name)} has an absolute path`);
  }
  if (name.includes('\\') || name.split('/').some((s) => s === '..' || s === '' || s === '.')) {
    throw bundleError(
      'bundle_path_traversal',
      `entry ${JSON.stringify(name)} has a path that leaves its folder`,
    );
  }
  return name;
}

const foldKey = (name: string): string => name.normalize('NFC').toLowerCase();

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

function streamOf(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, { decompress: false } as yauzl.ZipFileOptions, (err, s) =>
      err ? reject(wrapZipError(err)) : resolve(s),
    );
  });
}

function hashFd(fd: number, size: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest('hex');
}

/**
 * Checks 5 (manifest JSON) to 10 (schema) on a manifest's exact bytes and its signature: the key is
 * enrolled (the resolver), the signature verifies, the appliance is the key's, the format and the schema.
 * openBundle runs it on the bytes inside the zip; HQ also runs it on the copy a box sends in the upload's
 * headers, to refuse a stranger before reading the body.
 */
export async function verifyManifest(
  manifestBytes: Buffer,
  signature: string,
  resolveKey: KeyResolver,
): Promise<BundleManifest> {
  let claimed: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(utf8.decode(manifestBytes));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    claimed = parsed as Record<string, unknown>;
  } catch (e) {
    throw bundleError(
      'bundle_manifest_invalid',
      `manifest.json is not a JSON object: ${(e as Error).message}`,
    );
  }
  const claimedKeyId = typeof claimed['keyId'] === 'string' ? claimed['keyId'] : '';
  const claimedAppliance = typeof claimed['applianceId'] === 'string' ? claimed['applianceId'] : '';
  const claimedFormat = claimed['format'];
  if (!claimedKeyId) throw bundleError('bundle_manifest_invalid', 'manifest.json names no keyId');
  if (typeof claimedFormat !== 'number' || !Number.isInteger(claimedFormat) || claimedFormat < 1) {
    throw bundleError('bundle_manifest_invalid', 'manifest.json has no integer format version');
  }

  const trusted = await resolveKey({ keyId: claimedKeyId, applianceId: claimedAppliance });
  if (keyIdOf(trusted.publicKey) !== claimedKeyId) {
    throw bundleError('bundle_key_unknown', `the key found for ${claimedKeyId} has a different key id`);
  }
  if (!verifyManifestSignature(manifestBytes, signature, trusted.publicKey, claimedFormat)) {
    throw bundleError(
      'bundle_signature_invalid',
      `the signature does not match the manifest for key ${claimedKeyId}`,
    );
  }
  if (trusted.applianceId !== undefined && trusted.applianceId !== claimedAppliance) {
    throw bundleError(
      'bundle_appliance_mismatch',
      `the bundle says appliance ${claimedAppliance} but key ${claimedKeyId} belongs to appliance ${trusted.applianceId}`,
    );
  }
  if (!KINDS_BY_FORMAT[claimedFormat]) {
    throw bundleError(
      'bundle_format_unsupported',
      `bundle format ${claimedFormat} is not supported (this fieldclass reads formats ${Object.keys(KINDS_BY_FORMAT).join(', ')}: upgrade HQ first)`,
    );
  }
  const parsed = manifestSchemaFor(claimedFormat).safeParse(claimed);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw bundleError(
      'bundle_manifest_invalid',
      `manifest.json: ${i.path.join('.') || '(root)'}: ${i.message}`,
    );
  }
  // In memory every manifest counts every kind (a format 1 bundle has no course or adjustment rows).
  return {
    ...parsed.data,
    counts: { ...zeroCounts(), ...(parsed.data.counts as Record<string, number>) },
  };
}

/**
 * The exact size of the canonical bundle file (three entries, no extras or comments: local headers of 30
 * bytes, central directory records of 46, end record of 22) with this manifest and signature: HQ compares
 * it with an upload's Content-Length before reading the body.
 */
export function canonicalBundleSize(
  manifest: BundleManifest,
  manifestBytes: number,
  signatureBytes: number,
): number {
  const entries: [string, number][] = [
    [JOURNAL_FILE, manifest.files.find((f) => f.path === JOURNAL_FILE)?.compressedSize ?? 0],
    [MANIFEST_FILE, manifestBytes],
    [SIGNATURE_FILE, signatureBytes],
  ];
  return entries.reduce((n, [name, data]) => n + 30 + 46 + 2 * Buffer.byteLength(name) + data, 22);
}

/**
 * Open and verify a bundle file up to its payload (see the module comment for the order of checks), and
 * return a streaming reader of its rows. Throws an AppError with a bundle_* code naming the problem.
 */
export async function openBundle(path: string, opts: OpenBundleOptions): Promise<OpenedBundle> {
  const limits: BundleLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw bundleError('bundle_unreadable', `cannot open ${path}: ${(e as Error).message}`);
  }
  let zip: yauzl.ZipFile | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    // yauzl owns the descriptor once it has opened the zip (its close() closes it when no stream reads).
    if (zip) zip.close();
    else closeSync(fd);
  };
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxFileBytes) {
      throw bundleError(
        'bundle_too_large',
        `the file is ${size} bytes (at most ${limits.maxFileBytes})`,
        413,
      );
    }
    zip = await openZip(fd);
    const entries = await readEntries(zip, limits.maxEntries);

    // Names, types and sizes: all from the central directory, before any data is read.
    const seen = new Map<string, string>();
    const named: RawEntry[] = [];
    let total = 0;
    for (const entry of entries) {
      const name = checkName(entry.fileName);
      const fileType = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (fileType === 0o120000)
        throw bundleError('bundle_symlink', `entry ${JSON.stringify(name)} is a symbolic link`);
      const key = foldKey(name);
      const prev = seen.get(key);
      if (prev !== undefined) {
        throw bundleError(
          'bundle_entry_duplicate',
          `entries ${JSON.stringify(prev)} and ${JSON.stringify(name)} have the same name`,
        );
      }
      seen.set(key, name);
      if (entry.isEncrypted())
        throw bundleError('bundle_entry_encrypted', `entry ${JSON.stringify(name)} is encrypted`);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalUncompressed) {
        throw bundleError(
          'bundle_uncompressed_too_large',
          `the entries hold more than ${limits.maxTotalUncompressed} bytes uncompressed`,
        );
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > 1024 * 1024 && ratio > limits.maxEntryRatio) {
        throw bundleError(
          'bundle_compression_ratio',
          `entry ${JSON.stringify(name)} expands ${Math.round(ratio)} times (at most ${limits.maxEntryRatio}): a zip bomb`,
        );
      }
      named.push({ name, entry });
    }

    // Canonical layout: rebuild every header from the entries and compare byte for byte.
    const layouts: ZipEntryLayout[] = [];
    let offset = 0;
    for (const { name, entry } of named) {
      if (entry.compressionMethod !== METHOD_STORE && entry.compressionMethod !== METHOD_DEFLATE) {
        throw bundleError(
          'bundle_noncanonical',
          `entry ${JSON.stringify(name)} uses compression method ${entry.compressionMethod}`,
        );
      }
      const l: ZipEntryLayout = {
        name,
        method: entry.compressionMethod,
        crc32: entry.crc32,
        compressedSize: entry.compressedSize,
        uncompressedSize: entry.uncompressedSize,
        offset,
        externalAttrs: EXTERNAL_ATTRS,
      };
      const expected = localHeader(l);
      const actual = readAt(fd, offset, expected.length);
      if (entry.relativeOffsetOfLocalHeader !== offset || !expected.equals(actual)) {
        throw bundleError(
          'bundle_noncanonical',
          `the local header of ${JSON.stringify(name)} at byte ${offset} was altered`,
        );
      }
      layouts.push(l);
      offset += expected.length + entry.compressedSize;
    }
    const cd = centralDirectory(layouts, offset);
    if (offset + cd.length !== size || !cd.equals(readAt(fd, offset, cd.length))) {
      throw bundleError(
        'bundle_noncanonical',
        `the central directory (from byte ${offset}) was altered or the file was extended`,
      );
    }

    // Manifest and signature.
    const byName = new Map(named.map((n) => [n.name, n.entry]));
    const manifestEntry = byName.get(MANIFEST_FILE);
    if (!manifestEntry) throw bundleError('bundle_manifest_missing', 'the bundle holds no manifest.json');
    const sigEntry = byName.get(SIGNATURE_FILE);
    if (!sigEntry) throw bundleError('bundle_signature_missing', 'the bundle holds no manifest.sig');
    if (manifestEntry.compressionMethod !== METHOD_STORE || sigEntry.compressionMethod !== METHOD_STORE) {
      throw bundleError('bundle_noncanonical', 'manifest.json and manifest.sig must be stored uncompressed');
    }
    if (manifestEntry.uncompressedSize > limits.maxManifestBytes || sigEntry.uncompressedSize > 1024) {
      throw bundleError('bundle_manifest_invalid', 'manifest.json or manifest.sig is too large');
    }
    const storedBytes = (l: ZipEntryLayout): Buffer => {
      const start = l.offset + 30 + Buffer.byteLength(l.name);
      const data = readAt(fd, start, l.compressedSize);
      if (crc32(data) >>> 0 !== l.crc32 >>> 0) {
        throw bundleError('bundle_corrupt', `the CRC of ${l.name} does not match its bytes`);
      }
      return data;
    };
    const manifestBytes = storedBytes(layouts.find((l) => l.name === MANIFEST_FILE)!);
    const signature = storedBytes(layouts.find((l) => l.name === SIGNATURE_FILE)!).toString('latin1');

    const manifest = await verifyManifest(manifestBytes, signature, opts.resolveKey);

    // The exact file set.
    const listed = new Map(manifest.files.map((f) => [f.path, f]));
    for (const f of manifest.files) {
      if (!PAYLOAD_FILES.includes(f.path)) {
        throw bundleError(
          'bundle_manifest_invalid',
          `manifest.json lists ${JSON.stringify(f.path)}, not a format 1 payload file`,
        );
      }
    }
    if (listed.size !== manifest.files.length)
      throw bundleError('bundle_manifest_invalid', 'manifest.json lists a file twice');
    for (const { name } of named) {
      if (name !== MANIFEST_FILE && name !== SIGNATURE_FILE && !listed.has(name)) {
        throw bundleError(
          'bundle_file_unexpected',
          `the zip holds ${JSON.stringify(name)}, which the manifest does not list`,
        );
      }
    }
    for (const f of manifest.files) {
      const e = byName.get(f.path);
      if (!e)
        throw bundleError('bundle_file_missing', `${f.path} is listed in the manifest but not in the zip`);
      if (e.uncompressedSize !== f.size || e.compressedSize !== f.compressedSize) {
        throw bundleError(
          'bundle_file_size_mismatch',
          `${f.path} is ${e.uncompressedSize} bytes (${e.compressedSize} stored), the manifest says ${f.size} (${f.compressedSize})`,
        );
      }
      if (e.compressionMethod !== METHOD_DEFLATE) {
        throw bundleError('bundle_noncanonical', `${f.path} must be deflated`);
      }
    }

    const sha256 = hashFd(fd, size);
    const journalEntry = byName.get(JOURNAL_FILE)!;
    const journalMeta = listed.get(JOURNAL_FILE)!;
    const journalLayout = layouts.find((l) => l.name === JOURNAL_FILE)!;
    const z = zip;
    let started = false;
    return {
      manifest,
      manifestBytes,
      signature,
      sha256,
      bytes: size,
      close,
      payload: {
        offset: journalLayout.offset + 30 + Buffer.byteLength(JOURNAL_FILE),
        compressedSize: journalMeta.compressedSize,
        size: journalMeta.size,
        sha256: journalMeta.sha256,
        compressedSha256: journalMeta.compressedSha256,
      },
      rows() {
        if (started) throw new Error('rows() may be called once');
        started = true;
        return streamRows(z, journalEntry, journalMeta, manifest, close);
      },
    };
  } catch (e) {
    close();
    throw e;
  }
}

async function* streamRows(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  meta: BundleFileEntry,
  manifest: BundleManifest,
  close: () => void,
): AsyncGenerator<BundleRow, void, undefined> {
  const raw = await streamOf(zip, entry);
  const zHash = createHash('sha256');
  const hash = createHash('sha256');
  let crc = 0;
  let size = 0;
  const inflate = createInflateRaw();
  raw.on('data', (c: Buffer) => zHash.update(c));
  raw.on('error', (e) => inflate.destroy(e));
  raw.pipe(inflate);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let expect = manifest.fromSeq;
  const counts = zeroCounts();
  const kinds = KINDS_BY_FORMAT[manifest.format] ?? [];
  const parseLine = (line: string): BundleRow => {
    let r: BundleRow;
    try {
      r = JSON.parse(line) as BundleRow;
    } catch {
      throw bundleError('bundle_payload_invalid', `journal.ndjson row after seq ${expect - 1} is not JSON`);
    }
    if (
      typeof r !== 'object' ||
      r === null ||
      r.seq !== expect ||
      !Number.isInteger(r.epoch) ||
      r.epoch < 1 ||
      r.epoch > manifest.epoch ||
      !kinds.includes(r.kind) ||
      typeof r.ref !== 'string' ||
      typeof r.recordedAt !== 'string' ||
      typeof r.body !== 'object' ||
      r.body === null
    ) {
      throw bundleError(
        'bundle_payload_invalid',
        `journal.ndjson: row ${expect} is missing, out of order or malformed`,
      );
    }
    if (expect > manifest.toSeq)
      throw bundleError('bundle_payload_invalid', `journal.ndjson holds rows after toSeq ${manifest.toSeq}`);
    counts[r.kind]++;
    expect++;
    return r;
  };
  try {
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        hash.update(chunk);
        crc = crc32(chunk, crc);
        size += chunk.length;
        if (size > meta.size) {
          throw bundleError(
            'bundle_file_size_mismatch',
            `${meta.path} inflates to more than the ${meta.size} bytes listed`,
          );
        }
        const text = pending + decoder.write(chunk);
        const lines = text.split('\n');
        pending = lines.pop()!;
        for (const line of lines) yield parseLine(line);
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw bundleError('bundle_corrupt', `${meta.path} cannot be decompressed: ${(e as Error).message}`);
    }
    pending += decoder.end();
    if (size !== meta.size) {
      throw bundleError(
        'bundle_file_size_mismatch',
        `${meta.path} inflates to ${size} bytes, the manifest says ${meta.size}`,
      );
    }
    if (zHash.digest('hex') !== meta.compressedSha256 || hash.digest('hex') !== meta.sha256) {
      throw bundleError(
        'bundle_file_hash_mismatch',
        `the SHA-256 of ${meta.path} does not match the manifest`,
      );
    }
    if (crc >>> 0 !== entry.crc32 >>> 0)
      throw bundleError('bundle_corrupt', `the CRC of ${meta.path} does not match`);
    if (pending !== '')
      throw bundleError('bundle_payload_invalid', `${meta.path} does not end with a newline`);
    if (expect !== manifest.toSeq + 1) {
      throw bundleError(
        'bundle_payload_invalid',
        `journal.ndjson ends at seq ${expect - 1}, the manifest says ${manifest.toSeq}`,
      );
    }
    for (const k of JOURNAL_KINDS) {
      if (counts[k] !== manifest.counts[k]) {
        throw bundleError(
          'bundle_payload_invalid',
          `journal.ndjson holds ${counts[k]} ${k} rows, the manifest says ${manifest.counts[k]}`,
        );
      }
    }
  } finally {
    raw.destroy();
    inflate.destroy();
    close();
  }
}

/** Verify a whole bundle (payload included) without keeping its rows. */
export async function verifyBundle(
  path: string,
  opts: OpenBundleOptions,
  checkRow?: (epoch: number, seq: number) => void,
): Promise<VerifiedBundle> {
  const b = await openBundle(path, opts);
  // Draining the rows runs every payload check.
  for await (const row of b.rows()) checkRow?.(row.epoch, row.seq);
  return { manifest: b.manifest, sha256: b.sha256, bytes: b.bytes };
}

/**
 * The upload headers of a bundle file's bytes (see MANIFEST_HEADER): the stored manifest.json and
 * manifest.sig found through the canonical zip's central directory. No verification here: HQ verifies.
 * Returns {} when the bytes are not a bundle this code wrote (HQ then takes the upload as an older box's).
 */
export function uploadHeaders(bytes: Buffer): Record<string, string> {
  const stored = (name: string): Buffer | undefined => {
    if (bytes.length < 22) return undefined;
    const end = bytes.length - 22;
    if (bytes.readUInt32LE(end) !== 0x06054b50) return undefined;
    let at = bytes.readUInt32LE(end + 16);
    for (let i = 0, n = bytes.readUInt16LE(end + 10); i < n && at + 46 <= end; i++) {
      const nameLen = bytes.readUInt16LE(at + 28);
      const size = bytes.readUInt32LE(at + 20);
      const local = bytes.readUInt32LE(at + 42);
      if (bytes.toString('utf8', at + 46, at + 46 + nameLen) === name) {
        const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
        return start + size <= bytes.length ? bytes.subarray(start, start + size) : undefined;
      }
      at += 46 + nameLen + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    }
    return undefined;
  };
  const manifest = stored(MANIFEST_FILE);
  const sig = stored(SIGNATURE_FILE);
  if (!manifest || !sig) return {};
  return { [MANIFEST_HEADER]: manifest.toString('base64'), [SIGNATURE_HEADER]: sig.toString('latin1') };
}

/** Receipt HQ answers an upload with (HTTP 200). */
export interface UploadReceipt {
  status: 'imported' | 'already_imported';
  applianceId: string;
  bundleSeq: number;
  /** SHA-256 of the bundle file HQ received; the box checks it equals its own. */
  sha256: string;
}

/** zod schema of the receipt (the box ignores extra fields HQ may add). */
export const uploadReceiptSchema = z.object({
  status: z.enum(['imported', 'already_imported']),
  applianceId: z.string(),
  bundleSeq: z.number().int(),
  sha256: hex64,
});
