/**
 * Fixtures for the HQ tests: appliances with real Ed25519 keys, journal rows as a box records them, real
 * bundles written with the shared bundle format (and hostile variants of them), and a dump of every HQ
 * table to compare state byte for byte.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUNDLE_FORMAT_VERSION,
  JOURNAL_FILE,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  bundleFileName,
  generateApplianceKeyPair,
  keyIdOf,
  rowLine,
  serializeManifest,
  signManifest,
  type BundleManifest,
  type JournalRowKind,
  zeroCounts,
} from '../src/contract/bundle-format.js';
import { writeBundleFile, type SourceRow } from '../src/bundles/bundle-writer.js';
import { CanonicalZipWriter, sha256File } from '../src/contract/bundle-zip.js';
import { fixedClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { Db } from '../src/db/connection.js';
import { loadHqConfig } from '../src/hq/hq.config.js';
import { HQ_DB_FILE, openHqContext, type HqContext, type HqContextOptions } from '../src/app/hq.context.js';
import { EXT, VERBS, activityIri, courseIri } from '../src/contract/vocabulary.js';
import { Browserless } from './helpers/http.js';

export interface Box {
  applianceId: string;
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  name: string;
  location: string;
  enrolRequest: Record<string, string>;
}

export function makeBox(name = 'Box', location = 'Dakar'): Box {
  const { privateKeyPem, publicKeyPem } = generateApplianceKeyPair();
  const applianceId = randomUUID();
  const keyId = keyIdOf(publicKeyPem);
  return {
    applianceId,
    keyId,
    publicKeyPem,
    privateKeyPem,
    name,
    location,
    enrolRequest: {
      applianceId,
      keyId,
      publicKey: publicKeyPem,
      name,
      location,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  };
}

export const T0 = new Date('2026-03-01T08:00:00.000Z');

/** An HQ on a temp data dir with a fixed clock (so two HQs fed the same bundles have equal dumps). */
export function testHq(
  opts: {
    limits?: HqContextOptions['limits'];
    diskFree?: HqContextOptions['diskFree'];
    /** Config fields (as flags: they win over defaults). */
    config?: Record<string, unknown>;
    /** An existing data dir (HQ opened again on it, migrating it like an upgrade would). */
    dir?: string;
  } = {},
): HqContext & {
  dir: string;
  cleanup(): void;
} {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fc-hq-'));
  const config = loadHqConfig({ ...opts.config, dataDir: dir, port: 0, host: '127.0.0.1' }, {});
  const ctx = openHqContext(config, {
    logger: silentLogger,
    clock: fixedClock(T0),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.diskFree ? { diskFree: opts.diskFree } : {}),
  });
  return Object.assign(ctx, {
    dir,
    cleanup() {
      ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/**
 * `hq` closed and its hq.db turned back into an older schema (`sql`, then user_version = `version`), then
 * HQ opened again on it: the upgrade runs the migrations after `version`, as it would in the field.
 */
export function reopenAsSchema(
  hq: ReturnType<typeof testHq>,
  version: number,
  sql: string,
  config: Record<string, unknown> = {},
): ReturnType<typeof testHq> {
  hq.close();
  const db = new Database(join(hq.dir, HQ_DB_FILE));
  db.exec(sql);
  db.pragma(`user_version = ${version}`);
  db.close();
  return testHq({ dir: hq.dir, config });
}

/** Every table of hq.db, every row, in a stable order: equal strings mean equal state. */
export function dumpDb(db: Db): string {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
  ).filter((t) => !t.startsWith('sqlite_'));
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map(
      (c) => `"${c.name}"`,
    );
    out[t] = db
      .prepare(`SELECT * FROM "${t}" ORDER BY ${cols.join(', ')}`)
      .raw()
      .all();
  }
  return JSON.stringify(out);
}

/**
 * A client of HQ's pages signed in as staff through the form, in `lang` (chosen with the language
 * form before signing in, as a person would). Fails the test when the sign-in is refused.
 */
export async function signedInStaff(
  url: string,
  lang: 'en' | 'fr' | 'ar',
  username = 'amina',
  password = 'correct horse battery',
): Promise<Browserless> {
  const b = new Browserless(url);
  const s = await b.page('/signin');
  await b.post('/language', { _csrf: Browserless.csrfOf(s.html), lang, back: '/signin' });
  const s2 = await b.page('/signin');
  const ok = await b.post('/signin', { _csrf: Browserless.csrfOf(s2.html), username, password });
  if (ok.status !== 303) throw new Error(`sign-in as ${username} refused: ${ok.status}`);
  return b;
}

// ------------------------------------------------------------------------------------- journal rows

export interface StatementSpec {
  person: string;
  course: string;
  activity?: string;
  verb: keyof typeof VERBS;
  score?: number;
  raw?: number;
  at?: string;
}

export function statementBody(s: StatementSpec): string {
  const activity = s.activity ?? '';
  const result: Record<string, unknown> = {};
  if (s.score !== undefined) result['score'] = { scaled: s.score };
  if (s.raw !== undefined) result['score'] = { raw: s.raw, min: 1, max: 5 };
  if (s.verb === 'passed') result['success'] = true;
  if (s.verb === 'failed') result['success'] = false;
  return JSON.stringify({
    id: randomUUID(),
    actor: {
      objectType: 'Agent',
      name: s.person,
      account: { homePage: 'https://fieldclass.invalid/x', name: s.person },
    },
    verb: { id: VERBS[s.verb], display: { 'en-US': s.verb } },
    object: { objectType: 'Activity', id: activityIri(s.course, activity) },
    ...(Object.keys(result).length ? { result } : {}),
    context: {
      platform: 'fieldclass',
      ...(activity
        ? { contextActivities: { parent: [{ id: courseIri(s.course), objectType: 'Activity' }] } }
        : {}),
      extensions: { [EXT.courseId]: s.course, [EXT.activityId]: activity },
    },
    timestamp: s.at ?? '2026-02-01T10:00:00.000Z',
  });
}

export interface PersonSpec {
  id: string;
  username?: string;
  displayName?: string;
  externalId?: string | null;
  agency?: string | null;
  gender?: 'female' | 'male' | 'other' | 'undisclosed' | null;
  updatedAt?: string;
}

export function personBody(p: PersonSpec): string {
  return JSON.stringify({
    id: p.id,
    role: 'trainee',
    username: p.username ?? p.id,
    displayName: p.displayName ?? p.id,
    externalId: p.externalId ?? null,
    agency: p.agency ?? null,
    gender: p.gender ?? null,
    language: 'en',
    active: true,
    updatedAt: p.updatedAt ?? '2026-01-15T09:00:00.000Z',
  });
}

/** A box journal in the making: rows numbered 1, 2, 3... like records.db numbers them. */
export class Journal {
  readonly rows: SourceRow[] = [];
  constructor(public epoch = 1) {}
  private add(kind: JournalRowKind, ref: string, body: string): SourceRow {
    const r: SourceRow = {
      seq: this.rows.length + 1,
      epoch: this.epoch,
      kind,
      ref,
      body,
      recorded_at: '2026-02-01T10:00:00.000Z',
    };
    this.rows.push(r);
    return r;
  }
  person(p: PersonSpec): SourceRow {
    return this.add('person', p.id, personBody(p));
  }
  statement(s: StatementSpec): SourceRow {
    const body = statementBody(s);
    return this.add('statement', (JSON.parse(body) as { id: string }).id, body);
  }
  enrolment(personId: string, courseId: string): SourceRow {
    return this.add(
      'enrolment',
      `${personId}:${courseId}`,
      JSON.stringify({ personId, courseId, cohortId: null, active: true }),
    );
  }
  /** A course definition row (format 2), as a box writes it when a course version is installed. */
  course(
    id: string,
    titles: Record<string, string>,
    activities: string[] = ['l1', 'quiz'],
    version = '1.0.0',
  ): SourceRow {
    // Activities named quiz... are quizzes, and assessed.
    const quiz = (a: string) => a.startsWith('quiz');
    const body = {
      id,
      version,
      kind: 'native',
      titles,
      activities: activities.map((a) => ({ id: a, type: quiz(a) ? 'quiz' : 'lesson', titles })),
      assessed: activities.filter(quiz),
    };
    return this.add('course', `${id}@${version}`, JSON.stringify(body));
  }
  /** A row that repeats `row`'s ref (statement id) at the next sequence, with its body or another. */
  again(row: SourceRow, opts: { body?: string; recordedAt?: string } = {}): SourceRow {
    const r = this.add(row.kind as JournalRowKind, row.ref, opts.body ?? row.body);
    if (opts.recordedAt) r.recorded_at = opts.recordedAt;
    return r;
  }
  range(from: number, to: number): SourceRow[] {
    return this.rows.slice(from - 1, to);
  }
}

export interface WrittenTestBundle {
  path: string;
  sha256: string;
  manifest: BundleManifest;
}

/** A real bundle written by the shared writer. */
export async function writeBundle(
  box: Box,
  dir: string,
  opts: {
    bundleSeq: number;
    rows: SourceRow[];
    epoch?: number;
    prevSha256?: string | null;
    reexport?: boolean;
    name?: string;
  },
): Promise<WrittenTestBundle> {
  const epoch = opts.epoch ?? 1;
  const path = join(dir, opts.name ?? bundleFileName(box.applianceId, epoch, opts.bundleSeq));
  const w = await writeBundleFile(path, {
    applianceId: box.applianceId,
    keyId: box.keyId,
    epoch,
    bundleSeq: opts.bundleSeq,
    prevSha256: opts.prevSha256 ?? null,
    reexport: opts.reexport ?? false,
    createdAt: '2026-02-02T00:00:00.000Z',
    privateKey: box.privateKeyPem,
    rows: opts.rows[Symbol.iterator](),
    level: 1,
  });
  if (!w) throw new Error('no rows');
  return { path, sha256: w.sha256, manifest: w.manifest };
}

export interface CraftOptions {
  bundleSeq?: number;
  rows: SourceRow[];
  /** Change the manifest before it is signed. */
  patch?: (m: Record<string, unknown>) => void;
  /** Sign with this key instead of the box's. */
  signWith?: KeyObject | string;
  /** Extra entries (name, bytes) written stored, after the payload. */
  extra?: { name: string; data: Buffer; deflate?: boolean }[];
  /** Leave the journal entry out (the manifest still lists it). */
  omitJournal?: boolean;
  /** Write the journal entry twice. */
  duplicateJournal?: boolean;
}

/** A bundle built entry by entry, for the hostile corpus: valid unless told otherwise. */
export async function craftBundle(box: Box, path: string, o: CraftOptions): Promise<string> {
  const fd = openSync(path, 'wx');
  try {
    const zip = new CanonicalZipWriter(fd);
    const text = o.rows.map((r) => rowLine({ ...r, recordedAt: r.recorded_at }, r.body)).join('');
    const counts = zeroCounts();
    for (const r of o.rows) counts[r.kind as JournalRowKind]++;
    const writeJournal = () =>
      zip.addDeflated(JOURNAL_FILE, async (write) => {
        await write(text);
      });
    let entry = o.omitJournal ? undefined : await writeJournal();
    if (o.duplicateJournal) await zip.addDeflated('Journal.ndjson', async (w) => w(text));
    if (!entry) {
      // What the entry would have been, for the manifest.
      const tmp = `${path}.j`;
      const fd2 = openSync(tmp, 'wx');
      entry = await new CanonicalZipWriter(fd2).addDeflated(JOURNAL_FILE, async (w) => w(text));
      closeSync(fd2);
      rmSync(tmp);
    }
    for (const e of o.extra ?? []) {
      if (e.deflate) await zip.addDeflated(e.name, async (w) => w(e.data));
      else zip.addStored(e.name, e.data);
    }
    const m: Record<string, unknown> = {
      format: BUNDLE_FORMAT_VERSION,
      applianceId: box.applianceId,
      keyId: box.keyId,
      epoch: o.rows[0]?.epoch ?? 1,
      bundleSeq: o.bundleSeq ?? 1,
      prevSha256: null,
      reexport: false,
      fromSeq: o.rows[0]!.seq,
      toSeq: o.rows[o.rows.length - 1]!.seq,
      counts,
      createdAt: '2026-02-02T00:00:00.000Z',
      files: [
        {
          path: JOURNAL_FILE,
          size: entry.size,
          sha256: entry.sha256,
          compressedSize: entry.compressedSize,
          compressedSha256: entry.compressedSha256,
        },
      ],
    };
    o.patch?.(m);
    const bytes = serializeManifest(m as unknown as BundleManifest);
    zip.addStored(MANIFEST_FILE, bytes);
    zip.addStored(
      SIGNATURE_FILE,
      Buffer.from(signManifest(bytes, o.signWith ?? box.privateKeyPem, Number(m['format']) || 1)),
    );
    zip.finish();
  } finally {
    closeSync(fd);
  }
  return sha256File(path).sha256;
}
