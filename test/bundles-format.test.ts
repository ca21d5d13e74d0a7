import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_ERROR_CODES,
  JOURNAL_FILE,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  generateApplianceKeyPair,
  keyIdOf,
  openBundle,
  parsePublicKey,
  rawPublicKey,
  rowLine,
  serializeManifest,
  signManifest,
  signedMessage,
  singleKeyResolver,
  verifyBundle,
  verifyManifestSignature,
  type BundleManifest,
  type BundleRow,
  type OpenBundleOptions,
} from '../src/contract/bundle-format.js';
import { writeBundleFile, type SourceRow } from '../src/bundles/bundle-writer.js';
import { CanonicalZipWriter, EXTERNAL_ATTRS } from '../src/contract/bundle-zip.js';
import { isAppError } from '../src/core/errors.js';
import { createHash } from 'node:crypto';

const APPLIANCE = '5f0c1e9a-4a51-4a0b-9d7e-0a6f2d3c4b5e';
const keys = generateApplianceKeyPair();
const other = generateApplianceKeyPair();
const keyId = keyIdOf(keys.publicKeyPem);
const opts = (over: Partial<{ publicKey: string; applianceId: string }> = {}): OpenBundleOptions => ({
  resolveKey: singleKeyResolver({ publicKey: keys.publicKeyPem, applianceId: APPLIANCE, ...over }),
});

let dir: string;
let n = 0;
const tmp = (): string => join(dir, `b${++n}.zip`);

function sourceRows(from: number, to: number): SourceRow[] {
  const out: SourceRow[] = [];
  for (let seq = from; seq <= to; seq++) {
    const kind = seq % 10 === 1 ? 'person' : 'statement';
    out.push({
      seq,
      epoch: 1,
      kind,
      ref: `ref-${seq}`,
      recorded_at: '2025-01-02T03:04:05.000Z',
      body: JSON.stringify(
        kind === 'person' ? { id: `p${seq}`, username: `u${seq}` } : { id: `s${seq}`, verb: 'x' },
      ),
    });
  }
  return out;
}

async function validBundle(path = tmp(), rows = sourceRows(1, 25)): Promise<string> {
  await writeBundleFile(path, {
    applianceId: APPLIANCE,
    keyId,
    epoch: 1,
    bundleSeq: 1,
    prevSha256: null,
    reexport: false,
    createdAt: '2025-01-02T03:04:05.000Z',
    privateKey: keys.privateKeyPem,
    rows: rows[Symbol.iterator](),
  });
  return path;
}

interface Craft {
  journal?: string;
  /** Entries placed before the manifest. */
  extra?: { name: string; data: Buffer; attrs?: number; deflate?: boolean }[];
  omitJournal?: boolean;
  omitManifest?: boolean;
  omitSig?: boolean;
  patch?: (m: BundleManifest) => Record<string, unknown>;
  format?: number;
  signWith?: string;
  sigText?: (good: string) => string;
}

/** A bundle built with the canonical writer, with one thing changed and the manifest signed properly. */
async function craft(c: Craft = {}): Promise<string> {
  const path = tmp();
  const fd = openSync(path, 'wx');
  const zip = new CanonicalZipWriter(fd);
  const text =
    c.journal ??
    sourceRows(1, 5)
      .map((r) => rowLine({ ...r, recordedAt: r.recorded_at }, r.body))
      .join('');
  const w = c.omitJournal
    ? { size: 1, sha256: '0'.repeat(64), compressedSize: 1, compressedSha256: '0'.repeat(64) }
    : await zip.addDeflated(JOURNAL_FILE, async (write) => write(text)).then(({ name: _, ...rest }) => rest);
  for (const e of c.extra ?? []) {
    if (e.deflate) await zip.addDeflated(e.name, async (write) => write(e.data));
    else zip.addStored(e.name, e.data, e.attrs !== undefined ? { externalAttrs: e.attrs } : {});
  }
  const base: BundleManifest = {
    format: 2,
    applianceId: APPLIANCE,
    keyId,
    epoch: 1,
    bundleSeq: 1,
    prevSha256: null,
    reexport: false,
    fromSeq: 1,
    toSeq: 5,
    counts: { statement: 4, person: 1, cohort: 0, enrolment: 0, course: 0, adjustment: 0 },
    createdAt: '2025-01-02T03:04:05.000Z',
    files: [{ path: JOURNAL_FILE, ...w }],
  };
  const manifest = c.patch ? c.patch(base) : base;
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  const sig = signManifest(bytes, c.signWith ?? keys.privateKeyPem, c.format ?? 2);
  if (!c.omitManifest) zip.addStored(MANIFEST_FILE, bytes);
  if (!c.omitSig) zip.addStored(SIGNATURE_FILE, Buffer.from(c.sigText ? c.sigText(sig) : sig));
  zip.finish();
  closeSync(fd);
  return path;
}

async function codeOf(path: string, o: OpenBundleOptions = opts()): Promise<string> {
  try {
    await verifyBundle(path, o);
    return 'valid';
  } catch (e) {
    if (!isAppError(e)) throw e;
    return e.code;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldclass-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keys and signatures', () => {
  it('key id is the first 16 hex of sha256 over the raw public key, from PEM or raw base64', () => {
    const raw = rawPublicKey(keys.publicKeyPem);
    expect(raw.length).toBe(32);
    expect(keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(keyIdOf(parsePublicKey(raw.toString('base64')))).toBe(keyId);
    expect(() => parsePublicKey('not a key')).toThrow(/Ed25519/);
  });

  it('signs the domain-separated manifest bytes and refuses any other bytes or key', () => {
    const m = Buffer.from('{"a":1}\n');
    const sig = signManifest(m, keys.privateKeyPem);
    expect(signedMessage(m).toString()).toBe('fieldclass-bundle-v2\n{"a":1}\n');
    expect(signedMessage(m, 1).toString()).toBe('fieldclass-bundle-v1\n{"a":1}\n');
    expect(verifyManifestSignature(m, sig, keys.publicKeyPem)).toBe(true);
    expect(verifyManifestSignature(Buffer.from('{"a":2}\n'), sig, keys.publicKeyPem)).toBe(false);
    expect(verifyManifestSignature(m, sig, other.publicKeyPem)).toBe(false);
  });
});

describe('round trip', () => {
  it('writes a bundle that verifies and reads back every row in order', async () => {
    const src = sourceRows(1, 25);
    const path = await validBundle(tmp(), src);
    const b = await openBundle(path, opts());
    expect(b.manifest).toMatchObject({ format: 2, applianceId: APPLIANCE, keyId, fromSeq: 1, toSeq: 25 });
    expect(b.manifest.counts).toEqual({
      statement: 22,
      person: 3,
      cohort: 0,
      enrolment: 0,
      course: 0,
      adjustment: 0,
    });
    expect(b.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    const rows: BundleRow[] = [];
    for await (const r of b.rows()) rows.push(r);
    expect(rows.map((r) => r.seq)).toEqual(src.map((r) => r.seq));
    expect(rows[0]).toEqual({
      seq: 1,
      epoch: 1,
      kind: 'person',
      ref: 'ref-1',
      recordedAt: '2025-01-02T03:04:05.000Z',
      body: { id: 'p1', username: 'u1' },
    });
    // The manifest inside is exactly what serializeManifest gives (what was signed).
    expect(b.manifestBytes.equals(serializeManifest(b.manifest))).toBe(true);
  });

  it('writes nothing for no rows', async () => {
    const path = tmp();
    const w = await writeBundleFile(path, {
      applianceId: APPLIANCE,
      keyId,
      epoch: 1,
      bundleSeq: 1,
      prevSha256: null,
      reexport: false,
      createdAt: 'x',
      privateKey: keys.privateKeyPem,
      rows: [][Symbol.iterator](),
    });
    expect(w).toBeNull();
    expect(() => readFileSync(path)).toThrow();
  });
});

describe('bad input corpus, generated from a valid bundle', () => {
  const known = new Set<string>(BUNDLE_ERROR_CODES);

  it('refuses one byte flipped at every offset (xor 0x01 and 0xff)', async () => {
    const path = await validBundle(tmp(), sourceRows(1, 8));
    const good = readFileSync(path);
    const codes = new Map<string, number>();
    const bad = tmp();
    for (let i = 0; i < good.length; i++) {
      for (const mask of [0x01, 0xff]) {
        const copy = Buffer.from(good);
        copy[i] = copy[i]! ^ mask;
        writeFileSync(bad, copy);
        const code = await codeOf(bad);
        expect(code, `offset ${i} mask ${mask}`).not.toBe('valid');
        expect(known.has(code), `offset ${i}: ${code}`).toBe(true);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // Flips land in headers, compressed data, the manifest and the signature: several distinct reasons.
    expect(codes.size).toBeGreaterThanOrEqual(4);
  });

  it('refuses the file truncated at every length', async () => {
    const path = await validBundle(tmp(), sourceRows(1, 8));
    const good = readFileSync(path);
    const bad = tmp();
    for (let len = 0; len < good.length; len++) {
      writeFileSync(bad, good.subarray(0, len));
      const code = await codeOf(bad);
      expect(code, `length ${len}`).not.toBe('valid');
      expect(known.has(code), `length ${len}: ${code}`).toBe(true);
    }
    writeFileSync(bad, Buffer.concat([good, Buffer.from('x')]));
    expect(await codeOf(bad)).not.toBe('valid');
  });

  it('gives each kind of problem its own code', async () => {
    const journal = sourceRows(1, 5)
      .map((r) => rowLine({ ...r, recordedAt: r.recorded_at }, r.body))
      .join('');
    const cases: [string, Promise<string>, OpenBundleOptions?][] = [
      ['valid', craft()],
      ['bundle_file_unexpected', craft({ extra: [{ name: 'extra.txt', data: Buffer.from('hi') }] })],
      ['bundle_file_missing', craft({ omitJournal: true })],
      ['bundle_entry_duplicate', craft({ extra: [{ name: JOURNAL_FILE, data: Buffer.from('x') }] })],
      ['bundle_entry_duplicate', craft({ extra: [{ name: 'Journal.NDJSON', data: Buffer.from('x') }] })],
      ['bundle_path_traversal', craft({ extra: [{ name: '../x', data: Buffer.from('x') }] })],
      ['bundle_path_traversal', craft({ extra: [{ name: 'a\\..\\x', data: Buffer.from('x') }] })],
      ['bundle_path_absolute', craft({ extra: [{ name: '/etc/passwd', data: Buffer.from('x') }] })],
      ['bundle_path_absolute', craft({ extra: [{ name: 'C:/x', data: Buffer.from('x') }] })],
      [
        'bundle_symlink',
        craft({ extra: [{ name: 'link', data: Buffer.from('/etc/passwd'), attrs: (0o120777 << 16) >>> 0 }] }),
      ],
      [
        'bundle_compression_ratio',
        craft({ extra: [{ name: 'bomb.bin', data: Buffer.alloc(20 * 1024 * 1024), deflate: true }] }),
      ],
      ['bundle_manifest_missing', craft({ omitManifest: true })],
      ['bundle_signature_missing', craft({ omitSig: true })],
      [
        'bundle_key_unknown',
        craft({ signWith: other.privateKeyPem }),
        opts({ publicKey: other.publicKeyPem }),
      ],
      ['bundle_key_unknown', craft(), opts({ publicKey: other.publicKeyPem })],
      ['bundle_signature_invalid', craft({ signWith: other.privateKeyPem })],
      ['bundle_signature_malformed', craft({ sigText: (s) => s.slice(0, -4) })],
      // base64 with non-zero padding bits decodes to the same bytes: must not verify.
      ['bundle_signature_malformed', craft({ sigText: (s) => s.slice(0, -3) + 'B==' })],
      ['bundle_appliance_mismatch', craft(), opts({ applianceId: 'another-appliance' })],
      ['bundle_appliance_mismatch', craft({ patch: (m) => ({ ...m, applianceId: 'spoofed' }) })],
      ['bundle_format_unsupported', craft({ format: 3, patch: (m) => ({ ...m, format: 3 }) })],
      ['bundle_manifest_invalid', craft({ patch: (m) => ({ ...m, surprise: true }) })],
      [
        'bundle_file_hash_mismatch',
        craft({ patch: (m) => ({ ...m, files: [{ ...m.files[0]!, sha256: 'a'.repeat(64) }] }) }),
      ],
      [
        'bundle_file_size_mismatch',
        craft({ patch: (m) => ({ ...m, files: [{ ...m.files[0]!, size: m.files[0]!.size + 1 }] }) }),
      ],
      ['bundle_payload_invalid', craft({ journal: journal.replace('"seq":3,', '"seq":4,') })],
      [
        'bundle_payload_invalid',
        craft({ patch: (m) => ({ ...m, toSeq: 6, counts: { ...m.counts, statement: 5 } }) }),
      ],
      [
        'bundle_too_many_entries',
        craft({ extra: Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })) }),
      ],
      ['bundle_too_large', craft(), { ...opts(), limits: { maxFileBytes: 100 } }],
      [
        'bundle_uncompressed_too_large',
        craft({ extra: [{ name: 'big', data: Buffer.alloc(5000, 7) }] }),
        { ...opts(), limits: { maxTotalUncompressed: 4000 } },
      ],
    ];
    for (const [expected, pathP, o] of cases) {
      const path = await pathP;
      expect(await codeOf(path, o), expected).toBe(expected);
    }
    // Messages name what is wrong.
    const trav = await craft({ extra: [{ name: '../x', data: Buffer.from('x') }] });
    await expect(verifyBundle(trav, opts())).rejects.toThrow(/"\.\.\/x"/);
    expect(EXTERNAL_ATTRS).toBe((0o100644 << 16) >>> 0);
  });

  it('reports nothing as valid until the rows have all been read', async () => {
    const path = await craft({
      patch: (m) => ({ ...m, files: [{ ...m.files[0]!, sha256: 'b'.repeat(64) }] }),
    });
    const b = await openBundle(path, opts());
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const r of b.rows()) seen.push(r.seq);
      })(),
    ).rejects.toMatchObject({ code: 'bundle_file_hash_mismatch' });
    // Rows were streamed, but the iterator threw before finishing: a caller commits nothing.
    expect(seen.length).toBe(5);
  });
});
