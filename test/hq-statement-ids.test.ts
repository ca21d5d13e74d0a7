/**
 * A statement id is counted once at HQ: a box repeating a statement (same id, same body) is stored and
 * not counted again; the same id with another body (a fork) or another box's id (a stolen key, a copied
 * bundle) is kept in the journal but held out of the reports and the xAPI export, and listed. Through the
 * CLI and POST /api/bundles; any import order gives one state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_PATH } from '../src/contract/bundle-format.js';
import { startHqServer } from '../src/app/hq.app.js';
import { fixedClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { loadHqConfig } from '../src/hq/hq.config.js';
import { openHqContext } from '../src/app/hq.context.js';
import { runCli } from './helpers/cli.js';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { migrate } from '../src/db/migrate.js';
import { hqMigrations } from '../src/db/migrations/hq.js';
import { HqJournalRepo, statementIdOfKey, statementKey } from '../src/hq/hq-journal.repo.js';
import {
  dumpDb,
  Journal,
  makeBox,
  statementBody,
  T0,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

let dir: string;
let boxA: Box;
let boxB: Box;
let a1: WrittenTestBundle;
let bStolen: WrittenTestBundle;
let quizId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-ids-'));
  boxA = makeBox('Box A', 'Dakar');
  boxB = makeBox('Box B', 'Thiès');
  const a = new Journal();
  a.person({ id: 'a1', externalId: 'OFF-1' }); // 1
  const lesson = a.statement({ person: 'a1', course: 'c1', activity: 'l1', verb: 'experienced' }); // 2
  const quiz = a.statement({ person: 'a1', course: 'c1', activity: 'quiz', verb: 'failed', score: 0.4 }); // 3
  quizId = quiz.ref;
  a.again(lesson); // 4: the same statement again (a replay): stored, not counted
  // 5: the quiz's id again with another body (now "passed"), written later: a fork, held out
  const forkBody = JSON.parse(
    statementBody({ person: 'a1', course: 'c1', activity: 'quiz', verb: 'passed', score: 1 }),
  ) as { id: string };
  forkBody.id = quiz.ref;
  a.again(quiz, { body: JSON.stringify(forkBody), recordedAt: '2026-02-01T10:05:00.000Z' });
  a1 = await writeBundle(boxA, dir, { bundleSeq: 1, rows: a.range(1, 5) });

  // Box B (its key stolen): its own trainee passes the quiz with box A's statement id, written later.
  const b = new Journal();
  b.person({ id: 'b1', externalId: 'OFF-7' });
  const stolen = JSON.parse(
    statementBody({ person: 'b1', course: 'c1', activity: 'quiz', verb: 'passed', score: 1 }),
  ) as { id: string };
  stolen.id = quiz.ref;
  b.again(quiz, { body: JSON.stringify(stolen), recordedAt: '2026-02-01T11:00:00.000Z' });
  b.statement({ person: 'b1', course: 'c1', activity: 'l1', verb: 'experienced' });
  bStolen = await writeBundle(boxB, dir, { bundleSeq: 1, rows: b.range(1, 3) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshHq() {
  const hq = testHq();
  hq.appliances.enrol(boxA.enrolRequest);
  hq.appliances.enrol(boxB.enrolRequest);
  return hq;
}

const progressOf = (hq: ReturnType<typeof testHq>, localId: string) =>
  hq.db.hq
    .prepare(
      `SELECT lp.activity_id, lp.statements, lp.passed, lp.failed FROM local_progress lp
        WHERE lp.local_id = ? ORDER BY lp.activity_id`,
    )
    .all(localId);

describe('statement ids at HQ', () => {
  it('within a box: a repeat is stored once and counted once, a fork is held out; both are said and listed (CLI)', async () => {
    let hq = freshHq();
    const data = hq.dir;
    hq.close();
    try {
      let r = await runCli('hq', 'import', a1.path, '--data', data);
      expect(r.code).toBe(0);
      expect(r.out.join('\n')).toMatch(
        /imported \(.*5 new, 1 duplicate statement not counted, 1 statement held out \(id held by another row: `hq statements held`\)/,
      );
      r = await runCli('hq', 'statements', 'held', '--data', data);
      const listed = r.out.join('\n');
      expect(listed).toMatch(/Box A row 1:4 statement .*: the same statement again from the same appliance/);
      expect(listed).toContain(`Box A row 1:5 statement ${quizId}: the same statement id with another body`);
      expect(listed).toMatch(/held by Box A row 1:3\)/);
      const out = join(dir, 'a.ndjson');
      r = await runCli('hq', 'export', '--xapi', '-o', out, '--data', data);
      expect(r.code).toBe(0);
      const ids = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      // Two distinct statements, each once (the repeat and the fork are not exported).
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      hq = Object.assign(
        openHqContext(loadHqConfig({ dataDir: data, port: 0, host: '127.0.0.1' }, {}), {
          logger: silentLogger,
          clock: fixedClock(T0),
        }),
        { dir: data, cleanup: () => undefined },
      );
      // Counted once; the fork's "passed" does not count.
      expect(progressOf(hq, 'a1')).toEqual([
        { activity_id: 'l1', statements: 1, passed: 0, failed: 0 },
        { activity_id: 'quiz', statements: 1, passed: 0, failed: 1 },
      ]);
      expect(hq.appliances.list().find((x) => x.name === 'Box A')!.held).toEqual({
        duplicate: 1,
        fork: 1,
        otherAppliance: 0,
      });
      // The journal keeps every row (the box's sequence stays whole).
      expect(hq.db.hq.prepare('SELECT count(*) FROM journal').pluck().get()).toBe(5);
    } finally {
      hq.close();
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('across boxes: another box claiming an id is held out, in either import order (POST /api/bundles); one state', async () => {
    const ref = freshHq();
    expect(await ref.imports.importFile(a1.path)).toMatchObject({ status: 'imported' });
    const beforeB = dumpDb(ref.db.hq);
    const server = await startHqServer(ref);
    try {
      const res = await fetch(server.url + UPLOAD_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/zip' },
        body: new Uint8Array(readFileSync(bStolen.path)),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'imported', newRows: 3, heldOut: 1 });
    } finally {
      await server.close();
    }
    expect(dumpDb(ref.db.hq)).not.toBe(beforeB);
    // Box B's trainee is not credited with the pass; box A's trainee keeps its own figures.
    expect(progressOf(ref, 'b1')).toEqual([{ activity_id: 'l1', statements: 1, passed: 0, failed: 0 }]);
    expect(progressOf(ref, 'a1')).toContainEqual({
      activity_id: 'quiz',
      statements: 1,
      passed: 0,
      failed: 1,
    });
    expect(ref.records.heldStatements()).toContainEqual(
      expect.objectContaining({
        appliance_name: 'Box B',
        seq: 2,
        statement_id: quizId,
        reason: 'other_appliance',
        holder_appliance_name: 'Box A',
        holder_seq: 3,
      }),
    );
    const passed = ref.reports.trainees().filter((t) => t.passed);
    expect(passed).toEqual([]);
    const expected = dumpDb(ref.db.hq);
    ref.cleanup();

    // B first: its row holds the id until A's earlier row arrives and takes it; B's trainee is derived again.
    const other = freshHq();
    try {
      expect(await other.imports.importFile(bStolen.path)).toMatchObject({ status: 'imported', heldOut: 0 });
      expect(progressOf(other, 'b1')).toContainEqual({
        activity_id: 'quiz',
        statements: 1,
        passed: 1,
        failed: 0,
      });
      expect(await other.imports.importFile(a1.path)).toMatchObject({ status: 'imported', heldOut: 2 });
      expect(progressOf(other, 'b1')).toEqual([{ activity_id: 'l1', statements: 1, passed: 0, failed: 0 }]);
      expect(dumpDb(other.db.hq)).toBe(expected);
      // Rebuilding every derived table from the journal gives the same state again.
      other.records.rebuildDerived();
      expect(dumpDb(other.db.hq)).toBe(expected);
    } finally {
      other.cleanup();
    }
  });
});

describe('statement ids stored as keys (migration 8)', () => {
  it('turns canonical UUIDs into 16 bytes and keeps any other id as text; the held list still says the ids', () => {
    const db = new Database(':memory:');
    migrate(db, hqMigrations.slice(0, 7));
    const lower = randomUUID();
    const upper = randomUUID().toUpperCase();
    db.exec(`INSERT INTO appliances (no, id, name, public_key, key_id, enrolled_at) VALUES
               (1, 'box-a', 'Box A', 'k1', 'k1', 'now'), (2, 'box-b', 'Box B', 'k2', 'k2', 'now')`);
    const ids = db.prepare('INSERT INTO statement_ids VALUES (?, ?, 1, ?)');
    const held = db.prepare('INSERT INTO held_statements VALUES (2, 1, ?, ?, ?)');
    for (const [seq, id] of [lower, upper, 'urn:other:7'].entries()) {
      ids.run(id, 1, seq + 1);
      held.run(seq + 1, id, 'other_appliance');
    }
    migrate(db, hqMigrations);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = db.prepare('SELECT typeof(id) AS type, seq FROM statement_ids ORDER BY seq').all();
    expect(stored).toEqual([
      { type: 'blob', seq: 1 },
      { type: 'text', seq: 2 },
      { type: 'text', seq: 3 },
    ]);
    expect(db.prepare('SELECT length(id) FROM statement_ids WHERE seq = 1').pluck().get()).toBe(16);
    // The held list (hq statements held, the Appliances page) says the ids as the boxes wrote them.
    const repo = new HqJournalRepo(db);
    expect(repo.heldStatements().map((h) => [h.seq, h.statement_id, h.holder_seq])).toEqual([
      [1, lower, 1],
      [2, upper, 2],
      [3, 'urn:other:7', 3],
    ]);
    // The same id again is found by its key; the upper-case spelling stays another id, as before.
    expect(repo.claimId(statementKey(lower), 2, 2, 1)).toBe(false);
    expect(repo.claimId(statementKey(lower.toUpperCase()), 2, 2, 2)).toBe(true);
    expect(statementIdOfKey(statementKey(lower))).toBe(lower);
    db.close();
  });
});
