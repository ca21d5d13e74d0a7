import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  fsyncSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { z } from 'zod';
import { fsyncDir, publishAtomically, tempPathFor, writeFileAtomic } from '../core/atomic-file.js';
import { languageSchema } from '../core/config.js';
import {
  domainMessage,
  generateKeyPairPem,
  keyIdOf,
  loadPrivateKey,
  parsePublicKey,
  rawPublicKey,
  signWithDomain,
  verifyWithDomain,
} from '../core/ed25519.js';
import type { AppError } from '../core/errors.js';
import { contentError } from './content.errors.js';
import type { ContentService, InstallResult } from './content.service.js';
import { FolderSource, type CourseSource } from './course-source.js';
import { prepareNativeCourse, type PreparedCourse } from './course.importer.js';
import { extOf, mediaTypeOf } from './media-types.js';
import { isScormSource, prepareScormCourse, type ScormPrepareOptions } from './scorm/scorm-package.js';
import { ZipSource, type ZipLimits } from './zip-reader.js';
import { runInstall } from './install-worker.js';

/**
 * Course bundles: how HQ ships courses to the boxes (see content-bundles/README.md, "Course bundles").
 *
 * A bundle is a zip holding
 * - `manifest.json` (stored): {@link CourseBundleManifest}: format, course id, version, kind, languages,
 *   title, key id, and every file with its path, size and SHA-256;
 * - `manifest.sig` (stored): base64 Ed25519 signature over `"fieldclass-course-bundle-v1\n"` followed by
 *   the exact bytes of manifest.json (the prefix keeps a course signature from ever passing as any other
 *   fieldclass signature, e.g. a progress bundle's);
 * - `files/<path>`: the course itself (a native course folder or the contents of a SCORM package).
 *
 * Import checks, before anything is written: zip limits and names (zip-reader), the signature against the
 * box's trusted keys, the manifest schema, the exact file set, each file's size and hash, and that the
 * course inside is valid and is the one the manifest names. Then the content store installs it in one
 * transaction (lower version refused, same version with different content refused).
 */
export const COURSE_BUNDLE_FORMAT = 1;
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const FILES_DIR = 'files/';
const SIGNATURE_PREFIX = `fieldclass-course-bundle-v${COURSE_BUNDLE_FORMAT}\n`;
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

export const courseBundleManifestSchema = z
  .object({
    format: z.literal(COURSE_BUNDLE_FORMAT),
    type: z.literal('fieldclass-course-bundle'),
    course: z
      .object({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/),
        version: z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/),
        kind: z.enum(['native', 'scorm12', 'scorm2004']),
        languages: z.array(languageSchema).min(1),
        title: z.string(),
      })
      .strict(),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    files: z
      .array(
        z
          .object({
            path: z.string().min(1).max(1024),
            size: z.number().int().min(0),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type CourseBundleManifest = z.infer<typeof courseBundleManifestSchema>;

// ---- keys -------------------------------------------------------------------------------------------

/** Key id: the first 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key. */
export const contentKeyId = keyIdOf;

/** An Ed25519 public key from SPKI PEM or base64 of the raw 32 bytes (what config trustedKeys holds). */
export function parseContentPublicKey(text: string): KeyObject {
  return parsePublicKey(text, 'content_key_invalid');
}

export interface KeygenResult {
  privateKeyPath: string;
  publicKeyPath: string;
  keyId: string;
  /** base64 of the raw public key: what goes into content.trustedKeys. */
  publicKeyBase64: string;
}

/** Make an HQ content-signing key pair in `dir` (private key mode 0600, never overwritten). */
export function generateContentKey(dir: string): KeygenResult {
  mkdirSync(dir, { recursive: true });
  const privateKeyPath = join(dir, 'content-signing.key');
  const publicKeyPath = join(dir, 'content-signing.pub');
  if (existsSync(privateKeyPath)) throw contentError('key_exists', { file: privateKeyPath });
  const { privateKeyPem, publicKeyPem } = generateKeyPairPem();
  const publicKey = createPublicKey(publicKeyPem);
  const keyId = contentKeyId(publicKey);
  const publicKeyBase64 = rawPublicKey(publicKey).toString('base64');
  writeFileAtomic(privateKeyPath, privateKeyPem, 0o600);
  writeFileAtomic(publicKeyPath, publicKeyPem, 0o644);
  return { privateKeyPath, publicKeyPath, keyId, publicKeyBase64 };
}

export function signedMessage(manifestBytes: Buffer): Buffer {
  return domainMessage(SIGNATURE_PREFIX, manifestBytes);
}

// ---- sources ----------------------------------------------------------------------------------------

/** Prepare whatever a source holds: a SCORM package (imsmanifest.xml) or a native course (course.json). */
export function prepareAny(source: CourseSource, scorm: ScormPrepareOptions = {}): PreparedCourse {
  return isScormSource(source) ? prepareScormCourse(source, scorm) : prepareNativeCourse(source);
}

async function openSource(
  path: string,
  limits?: Partial<ZipLimits>,
): Promise<{ source: CourseSource; close(): void; zip?: ZipSource }> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw contentError('course_source_missing', { file: path });
  }
  if (st.isDirectory()) return { source: new FolderSource(path), close: () => undefined };
  const zip = await ZipSource.open(path, limits);
  return { source: zip, close: () => zip.close(), zip };
}

// ---- build ------------------------------------------------------------------------------------------

export interface BuildResult {
  path: string;
  manifest: CourseBundleManifest;
  bytes: number;
}

/**
 * Build a signed course bundle from a native course folder or a SCORM zip. The course is checked first
 * (an invalid course is never signed). Media that is already compressed is stored, text deflated. The
 * file is written atomically as `<dir>/<id>-<version>.course.zip`.
 */
export async function buildCourseBundle(
  input: string,
  keyPath: string,
  outDir: string,
  scorm: ScormPrepareOptions = {},
): Promise<BuildResult> {
  const key = loadPrivateKey(keyPath, 'content_key_invalid');
  const keyId = contentKeyId(createPublicKey(key));
  const opened = await openSource(input);
  try {
    const p = prepareAny(opened.source, scorm);
    const manifest: CourseBundleManifest = {
      format: COURSE_BUNDLE_FORMAT,
      type: 'fieldclass-course-bundle',
      course: {
        id: p.id,
        version: p.version,
        kind: p.kind,
        languages: p.languages,
        title: p.titles[p.language] ?? p.id,
      },
      keyId,
      files: p.files
        .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    const signature = signWithDomain(SIGNATURE_PREFIX, manifestBytes, key);
    mkdirSync(outDir, { recursive: true });
    const finalPath = join(outDir, `${p.id}-${p.version}.course.zip`);
    const tmp = tempPathFor(finalPath);
    const zip = new yazl.ZipFile();
    const mtime = new Date(Date.UTC(1980, 0, 1));
    zip.addBuffer(manifestBytes, MANIFEST_FILE, { compress: false, mtime, mode: 0o100644 });
    zip.addBuffer(Buffer.from(`${signature}\n`), SIGNATURE_FILE, { compress: false, mtime, mode: 0o100644 });
    for (const f of manifest.files) {
      const compress =
        mediaTypeOf(f.path)?.compress ??
        !['png', 'jpg', 'jpeg', 'webp', 'gif', 'webm', 'mp4', 'mp3', 'ogg', 'woff', 'woff2', 'zip'].includes(
          extOf(f.path),
        );
      // Read through the source (a folder or a checked zip); never a path built from a zip entry name.
      // Copied: a stream queues pieces, and a ZipSource reuses its piece buffer.
      const pieces = opened.source.pieces(f.path, 1024 * 1024);
      const stream = Readable.from(
        (function* () {
          for (const p of pieces) yield Buffer.from(p);
        })(),
        { objectMode: false },
      );
      zip.addReadStream(stream, FILES_DIR + f.path, { compress, mtime, mode: 0o100644, size: f.size });
    }
    zip.end();
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(tmp, { mode: 0o644 });
      out.on('error', reject);
      zip.outputStream.on('error', reject);
      out.on('close', resolve);
      zip.outputStream.pipe(out);
    });
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    try {
      publishAtomically(tmp, finalPath);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    fsyncDir(outDir);
    return { path: finalPath, manifest, bytes: statSync(finalPath).size };
  } finally {
    opened.close();
  }
}

// ---- verify and import ------------------------------------------------------------------------------

export interface ContentPolicy {
  /** HQ content public keys (SPKI PEM or base64 raw). */
  trustedKeys: readonly string[];
  allowUnsigned: boolean;
}

/** A course bundle refused: why, naming the bundle file (the code says whether a key or the file is at fault). */
function bundleRefused(path: string, detail: string): AppError {
  return contentError('course_bundle_invalid', { file: basename(path), detail }, { source: path });
}

/** Is this zip a course bundle (manifest.json + manifest.sig at the root)? */
function isBundle(zip: ZipSource): boolean {
  return zip.has(MANIFEST_FILE) && zip.has(SIGNATURE_FILE);
}

export interface VerifiedBundle {
  manifest: CourseBundleManifest;
  keyId: string;
  prepared: PreparedCourse;
  source: CourseSource;
}

/**
 * Verify an opened course bundle completely (signature, manifest, exact file set, sizes, hashes, the
 * course inside) without writing anything. Throws a content error (course_bundle_*) naming the problem.
 */
export function verifyCourseBundle(zip: ZipSource, policy: ContentPolicy): VerifiedBundle {
  const path = zip.name;
  if (!isBundle(zip)) throw bundleRefused(path, 'not a course bundle (no manifest.json + manifest.sig)');
  if (zip.size(MANIFEST_FILE) > MAX_MANIFEST_BYTES) throw bundleRefused(path, 'manifest.json is too large');
  if (zip.size(SIGNATURE_FILE) > 1024) throw bundleRefused(path, 'manifest.sig is too large');
  const manifestBytes = zip.read(MANIFEST_FILE);
  const sigText = zip.read(SIGNATURE_FILE).toString('utf8').trim();
  const sig = Buffer.from(sigText, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== sigText)
    throw bundleRefused(path, 'manifest.sig is not the base64 of a 64-byte Ed25519 signature');
  const keys = policy.trustedKeys.map(parseContentPublicKey);
  if (keys.length === 0)
    throw contentError('course_bundle_untrusted', { file: basename(path) }, { source: path });
  const signer = keys.find((k) => verifyWithDomain(SIGNATURE_PREFIX, manifestBytes, sig, k));
  if (!signer)
    throw contentError('course_bundle_signature_invalid', { file: basename(path) }, { source: path });
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw bundleRefused(path, 'manifest.json is not JSON');
  }
  const parsed = courseBundleManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw bundleRefused(
      path,
      `manifest.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const m = parsed.data;
  const keyId = contentKeyId(signer);
  if (m.keyId !== keyId)
    throw bundleRefused(path, `manifest names key ${m.keyId} but was signed by ${keyId}`);

  // Exact file set: manifest.json, manifest.sig and files/<each manifest path>, nothing else.
  const listed = new Map(m.files.map((f) => [f.path, f]));
  if (listed.size !== m.files.length) throw bundleRefused(path, 'manifest.json lists a file twice');
  for (const name of zip.files()) {
    if (name === MANIFEST_FILE || name === SIGNATURE_FILE) continue;
    if (!name.startsWith(FILES_DIR) || !listed.has(name.slice(FILES_DIR.length)))
      throw bundleRefused(path, `${name}: in the zip but not in the manifest`);
  }
  const source = zip.under(FILES_DIR);
  for (const f of m.files) {
    if (!zip.has(FILES_DIR + f.path))
      throw bundleRefused(path, `${f.path}: in the manifest but not in the zip`);
    if (source.size(f.path) !== f.size)
      throw bundleRefused(path, `${f.path}: ${source.size(f.path)} bytes, the manifest says ${f.size}`);
    const h = createHash('sha256');
    for (const piece of source.pieces(f.path, 1024 * 1024)) h.update(piece);
    if (h.digest('hex') !== f.sha256)
      throw bundleRefused(path, `${f.path}: SHA-256 differs from the manifest (altered file)`);
  }
  const prepared = prepareAny(
    source,
    m.course.kind === 'native'
      ? {}
      : { id: m.course.id, version: m.course.version, language: m.course.languages[0]! },
  );
  if (prepared.id !== m.course.id || prepared.version !== m.course.version || prepared.kind !== m.course.kind)
    throw bundleRefused(
      path,
      `the course inside is ${prepared.kind} ${prepared.id} ${prepared.version}, the manifest says ${m.course.kind} ${m.course.id} ${m.course.version}`,
    );
  return { manifest: m, keyId, prepared, source };
}

export interface ImportResult extends InstallResult {
  kind: PreparedCourse['kind'];
  signed: boolean;
  signedBy?: string;
}

export type ImportOptions = ScormPrepareOptions & { limits?: Partial<ZipLimits> };

/**
 * `content import` and the admin's install (upload or USB stick): a signed course bundle, a SCORM zip,
 * or a native course folder. Bundles must verify against a trusted key; anything unsigned is refused
 * unless `policy.allowUnsigned`, and is then stored marked unsigned. Nothing is written unless every check
 * passes; the install is one transaction.
 *
 * The work (inflating, hashing, chunking, writing) runs in the install worker on its own content.db
 * connection (install-worker.ts), so a 500 MB package does not stop the box answering its trainees; this
 * thread then tells `content` (its cache, the journal's course row). A refusal comes back as the same
 * typed content error.
 */
export async function importContent(
  content: ContentService,
  input: string,
  policy: ContentPolicy,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const result = await runInstall<ImportResult>({
    ...content.installTarget(),
    input,
    policy: { trustedKeys: [...policy.trustedKeys], allowUnsigned: policy.allowUnsigned },
    opts,
  });
  content.installed(result);
  return result;
}

/**
 * The import itself, on whatever thread calls it: the install worker's body (`importContent` is how the
 * rest of the box imports).
 */
export async function importHere(
  content: ContentService,
  input: string,
  policy: ContentPolicy,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const opened = await openSource(input, opts.limits);
  try {
    if (opened.zip && isBundle(opened.zip)) {
      const v = verifyCourseBundle(opened.zip, policy);
      const r = content.installPreparedCourse(v.prepared, v.source, {
        signed: true,
        signedBy: v.keyId,
        source: basename(input),
      });
      return { ...r, kind: v.prepared.kind, signed: true, signedBy: v.keyId };
    }
    const what = opened.zip ? (isScormSource(opened.source) ? 'SCORM package' : 'zip') : 'course folder';
    if (!policy.allowUnsigned) throw contentError('unsigned_refused', { file: input, what });
    // A zip that is not a bundle must be a SCORM package (the preparer names what is missing).
    const p = opened.zip ? prepareScormCourse(opened.source, opts) : prepareNativeCourse(opened.source);
    const r = content.installPreparedCourse(p, opened.source, { signed: false, source: basename(input) });
    return { ...r, kind: p.kind, signed: false };
  } finally {
    opened.close();
  }
}
