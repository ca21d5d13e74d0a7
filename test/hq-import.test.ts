import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApplianceKeyPair } from '../src/contract/bundle-format.js';
import { testContext } from './helpers/context.js';
import { outcomeLine } from '../src/hq/import.service.js';
import { craftBundle, dumpDb, Journal, makeBox, testHq, writeBundle, type Box } from './hq.fixtures.js';

let hq: ReturnType<typeof testHq>;
let dir: string;
let box: Box;
let journal: Journal;

beforeEach(() => {
  hq = testHq({ limits: { maxFileBytes: 8 * 1024 * 1024 } });
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-bundles-'));
  box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  journal = new Journal();
  journal.person({ id: 'p1', externalId: 'OFF-1', gender: 'female', agency: 'Police' });
  journal.enrolment('p1', 'c1');
  for (let i = 0; i < 20; i++)
    journal.statement({ person: 'p1', course: 'c1', activity: `l${i % 4}`, verb: 'experienced' });
  journal.statement({ person: 'p1', course: 'c1', activity: 'quiz', verb: 'failed', score: 0.4 });
  journal.statement({ person: 'p1', course: 'c1', activity: 'quiz', verb: 'passed', score: 0.9 });
  journal.statement({ person: 'p1', course: 'c1', verb: 'completed' });
});
afterEach(() => {
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const all = () => journal.range(1, journal.rows.length);

describe('hq import', () => {
  it('imports a valid bundle once; the same bundle again is a no-op', async () => {
    const b = await writeBundle(box, dir, { bundleSeq: 1, rows: all() });
    const o = await hq.imports.importFile(b.path);
    expect(o).toMatchObject({
      status: 'imported',
      applianceId: box.applianceId,
      bundleSeq: 1,
      newRows: 25,
      gaps: [],
    });
    const after = dumpDb(hq.db.hq);
    const again = await hq.imports.importFile(b.path);
    expect(again.status).toBe('already_imported');
    expect(dumpDb(hq.db.hq)).toBe(after);
    const [row] = hq.reports.trainees();
    expect(row).toMatchObject({
      externalId: 'OFF-1',
      course: 'c1',
      completed: true,
      passed: true,
      score: 0.9,
    });
    const status = hq.appliances.list()[0]!;
    expect(status).toMatchObject({ bundles: 1, lastSequence: 25, gaps: [], forks: [] });
  });

  it('imports a gap, reports it until it is filled, and accepts an overlapping re-export', async () => {
    const b1 = await writeBundle(box, dir, { bundleSeq: 1, rows: journal.range(1, 8) });
    const b2 = await writeBundle(box, dir, {
      bundleSeq: 2,
      rows: journal.range(9, 16),
      prevSha256: b1.sha256,
    });
    const b3 = await writeBundle(box, dir, {
      bundleSeq: 3,
      rows: journal.range(17, 25),
      prevSha256: b2.sha256,
    });
    expect(await hq.imports.importFile(b1.path)).toMatchObject({ status: 'imported', gaps: [] });
    const o3 = await hq.imports.importFile(b3.path);
    const gap = {
      fromSeq: 9,
      toSeq: 16,
      bundles: {
        epoch: 1,
        fromBundle: 2,
        toBundle: 2,
        firstFile: b2.path.slice(dir.length + 1),
        lastFile: b2.path.slice(dir.length + 1),
      },
      command: 'fieldclass bundle export --since-sequence 9 --out <stick>',
    };
    expect(o3).toMatchObject({ status: 'imported', gaps: [gap] });
    expect(outcomeLine(o3)).toBe(
      `${b3.path}: imported (appliance ${box.applianceId}, bundle 3, rows 17-25, 9 new; missing rows 9-16 (bundle 2: ${gap.bundles.firstFile}): on the box run \`fieldclass bundle export --since-sequence 9 --out <stick>\`, or copy these files from its outbox folder)`,
    );
    expect(hq.appliances.list()[0]!.gaps).toEqual([gap]);
    // The lost bundle 2 comes back as a re-export of 5..25 (a new bundle number).
    const re = await writeBundle(box, dir, {
      bundleSeq: 4,
      rows: journal.range(5, 25),
      prevSha256: b3.sha256,
      reexport: true,
    });
    expect(await hq.imports.importFile(re.path)).toMatchObject({ status: 'imported', newRows: 8, gaps: [] });
    expect(hq.appliances.list()[0]!.gaps).toEqual([]);
    // Bundle 2 itself turning up later changes nothing but its own bookkeeping row.
    expect(await hq.imports.importFile(b2.path)).toMatchObject({ status: 'imported', newRows: 0 });
  });
});

describe('hq import: the bad-input corpus (each refused with its own reason, HQ state unchanged)', () => {
  let valid: string;
  let before: string;

  beforeEach(async () => {
    // HQ already holds bundle 1; the corpus is made from bundle 2.
    const b1 = await writeBundle(box, dir, { bundleSeq: 1, rows: journal.range(1, 10) });
    await hq.imports.importFile(b1.path);
    valid = (
      await writeBundle(box, dir, { bundleSeq: 2, rows: journal.range(11, 25), prevSha256: b1.sha256 })
    ).path;
    before = dumpDb(hq.db.hq);
  });

  async function refused(path: string, code: string | RegExp): Promise<void> {
    const o = await hq.imports.importFile(path);
    expect(o.status, `${path}: ${o.reason}`).toBe('refused');
    if (typeof code === 'string') expect(o.code).toBe(code);
    else expect(o.code).toMatch(code);
    expect(o.reason).toBeTruthy();
    expect(dumpDb(hq.db.hq)).toBe(before);
  }

  const variant = (name: string, bytes: Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('one byte flipped anywhere', async () => {
    const bytes = readFileSync(valid);
    const codes = new Set<string>();
    // Every byte of the headers, manifest and signature, and a sample of the compressed payload.
    const step = Math.max(1, Math.floor(bytes.length / 400));
    for (let i = 0; i < bytes.length; i += i < 200 || i > bytes.length - 1500 ? 1 : step) {
      const b = Buffer.from(bytes);
      b[i] = b[i]! ^ 0x01;
      const o = await hq.imports.importFile(variant(`flip-${i}.zip`, b));
      expect(o.status, `byte ${i}`).toBe('refused');
      expect(o.code, `byte ${i}`).toMatch(/^bundle_/);
      codes.add(o.code!);
    }
    expect(dumpDb(hq.db.hq)).toBe(before);
    expect(codes.size).toBeGreaterThan(2);
  });

  it('truncated at any length', async () => {
    const bytes = readFileSync(valid);
    for (const n of [0, 1, 4, 22, 30, 100, Math.floor(bytes.length / 2), bytes.length - 23, bytes.length - 1])
      await refused(variant(`trunc-${n}.zip`, bytes.subarray(0, n)), /^bundle_(unreadable|noncanonical)/);
  });

  it('a file added, missing or duplicated', async () => {
    const rows = journal.range(11, 25);
    await refused(
      await craft('added.zip', { rows, extra: [{ name: 'notes.txt', data: Buffer.from('hi') }] }),
      'bundle_file_unexpected',
    );
    await refused(await craft('missing.zip', { rows, omitJournal: true }), 'bundle_file_missing');
    await refused(await craft('dup.zip', { rows, duplicateJournal: true }), 'bundle_entry_duplicate');
  });

  it('an unknown key, and a revoked key', async () => {
    const stranger = makeBox('Stranger');
    await refused(await craftAs(stranger, 'unknown.zip'), 'bundle_key_unknown');
    hq.appliances.revoke(box.applianceId, { epoch: 1, seq: 11 });
    before = dumpDb(hq.db.hq);
    await refused(valid, 'bundle_key_revoked');
    hq.appliances.revoke(box.applianceId);
    before = dumpDb(hq.db.hq);
    await refused(valid, 'bundle_key_revoked');
  });

  it('a signature by another key, an appliance id that is not the key’s, an unsupported format', async () => {
    const rows = journal.range(11, 25);
    await refused(
      await craft('badsig.zip', { rows, bundleSeq: 2, signWith: generateApplianceKeyPair().privateKeyPem }),
      'bundle_signature_invalid',
    );
    const other = makeBox('Box B');
    hq.appliances.enrol(other.enrolRequest);
    before = dumpDb(hq.db.hq);
    await refused(
      await craft('wrong-appliance.zip', {
        rows,
        bundleSeq: 2,
        patch: (m) => (m['applianceId'] = other.applianceId),
      }),
      'bundle_appliance_mismatch',
    );
    await refused(
      await craft('format3.zip', { rows, bundleSeq: 2, patch: (m) => (m['format'] = 3) }),
      'bundle_format_unsupported',
    );
  });

  it('a replay is a no-op; a fork is refused and recorded', async () => {
    const replay = join(dir, 'replay.zip');
    copyFileSync(join(dir, readdirName(1)), replay);
    const o = await hq.imports.importFile(replay);
    expect(o.status).toBe('already_imported');
    expect(dumpDb(hq.db.hq)).toBe(before);

    // Same bundle number 1, other content: a fork.
    const forked = new Journal();
    forked.person({ id: 'p1', externalId: 'OFF-1' });
    for (let i = 0; i < 9; i++) forked.statement({ person: 'p1', course: 'c1', verb: 'launched' });
    const f = await writeBundle(box, dir, { bundleSeq: 1, rows: forked.range(1, 10), name: 'fork.zip' });
    const fo = await hq.imports.importFile(f.path);
    expect(fo).toMatchObject({ status: 'refused', code: 'bundle_fork' });
    expect(fo.reason).toMatch(/fork/);
    const after = JSON.parse(dumpDb(hq.db.hq)) as Record<string, unknown[]>;
    const prev = JSON.parse(before) as Record<string, unknown[]>;
    expect(after['forks']).toHaveLength(1);
    expect({ ...after, forks: [] }).toEqual({ ...prev, forks: [] });
    expect(hq.appliances.list()[0]!.forks).toHaveLength(1);
    // Again: still refused, still one fork row.
    expect((await hq.imports.importFile(f.path)).code).toBe('bundle_fork');
    expect(dumpDb(hq.db.hq)).toBe(JSON.stringify(after));

    // A new bundle number whose rows contradict stored rows is a fork too.
    const g = await writeBundle(box, dir, { bundleSeq: 7, rows: forked.range(1, 10), name: 'rowfork.zip' });
    const go = await hq.imports.importFile(g.path);
    expect(go).toMatchObject({ status: 'refused', code: 'bundle_fork' });
    expect(go.reason).toMatch(/journal row 1:1 differs/);
  });

  it('a zip bomb and a path such as ../x', async () => {
    const rows = journal.range(11, 25);
    await refused(
      await craft('bomb.zip', {
        rows,
        extra: [{ name: 'journal2.ndjson', data: Buffer.alloc(64 * 1024 * 1024), deflate: true }],
      }),
      /^bundle_(compression_ratio|uncompressed_too_large)$/,
    );
    await refused(
      await craft('dotdot.zip', { rows, extra: [{ name: '../x', data: Buffer.from('x') }] }),
      'bundle_path_traversal',
    );
    await refused(
      await craft('abs.zip', { rows, extra: [{ name: '/etc/x', data: Buffer.from('x') }] }),
      'bundle_path_absolute',
    );
  });

  it('not a zip at all, and a file that does not exist', async () => {
    await refused(variant('text.zip', Buffer.from('hello, not a bundle')), 'bundle_unreadable');
    await refused(join(dir, 'nope.zip'), 'bundle_unreadable');
  });

  const craft = (name: string, o: Parameters<typeof craftBundle>[2]) =>
    craftBundle(box, join(dir, name), { bundleSeq: 2, ...o }).then(() => join(dir, name));
  const craftAs = (b: Box, name: string) =>
    craftBundle(b, join(dir, name), { bundleSeq: 1, rows: journal.range(1, 10) }).then(() => join(dir, name));
  const readdirName = (seq: number) =>
    `fieldclass-${box.applianceId.slice(0, 8)}-e1-b${String(seq).padStart(6, '0')}.zip`;
});

describe('hq import of a real box export', () => {
  it('imports what a box exports (and its re-export), enrolled from its identity request', async () => {
    const boxCtx = testContext();
    try {
      const r = boxCtx.records;
      r.writeNow(() => {
        r.appendJournal('person', 'p9', {
          id: 'p9',
          role: 'trainee',
          username: 'awa',
          displayName: 'Awa',
          externalId: 'OFF-77',
          agency: 'Police',
          gender: 'female',
          language: 'fr',
          active: true,
          updatedAt: r.now(),
        });
        for (const verb of ['launched', 'experienced', 'completed'] as const)
          r.appendStatement(
            r.buildStatement({
              person: { id: 'p9', displayName: 'Awa' },
              verb,
              courseId: 'c1',
              activityId: verb === 'completed' ? '' : 'l1',
              activityType: verb === 'completed' ? 'course' : 'lesson',
            }),
          );
      });
      const out = join(dir, 'outbox');
      const { exporter } = boxCtx.bundles;
      const written = await exporter.export({ outDir: out });
      expect(written).toHaveLength(1);
      hq.appliances.enrol(boxCtx.identity.request());
      expect(await hq.imports.importFile(written[0]!.path)).toMatchObject({ status: 'imported', newRows: 4 });
      const re = await exporter.export({ outDir: out, sinceSequence: 1 });
      expect(await hq.imports.importFile(re[0]!.path)).toMatchObject({ status: 'imported', newRows: 0 });
      expect(hq.reports.trainees()[0]).toMatchObject({ externalId: 'OFF-77', name: 'Awa', completed: true });
    } finally {
      boxCtx.cleanup();
    }
  });
});
