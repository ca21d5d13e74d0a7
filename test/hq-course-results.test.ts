/**
 * person_courses, local_courses and persons (hq/course-results.ts) are kept by the import, one key at a time; the
 * reports count and page them. Whatever arrives (bundles in any order and repeated, a statement again
 * from the same box, a statement id copied by another box, a new course definition mid-way, a roster row
 * that moves a person, a revocation, a merge or a rejection by staff), the rows must equal a recompute
 * from scratch: from the derived activity rows (rebuildCourseResults) and from the journal itself
 * (rebuildDerived). Real parts: signed bundles written by the shared writer, a real HQ on SQLite.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRow } from '../src/bundles/bundle-writer.js';
import type { Db } from '../src/db/connection.js';
import { Journal, makeBox, testHq, writeBundle, type Box, type WrittenTestBundle } from './hq.fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'fc-hq-results-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dump = (db: Db) =>
  JSON.stringify([
    db.prepare('SELECT * FROM person_courses ORDER BY person_id, course_id').raw().all(),
    db.prepare('SELECT * FROM local_courses ORDER BY appliance_no, local_id, course_id').raw().all(),
    db.prepare('SELECT * FROM persons ORDER BY person_id').raw().all(),
    db.prepare('SELECT * FROM people ORDER BY appliance_no, local_id').raw().all(),
  ]);

type Op =
  | { t: 'st'; p: number; course: number; act: number; verb: number; score: number }
  | { t: 'enrol'; p: number; course: number }
  | { t: 'roster'; p: number; ext: number; gender: number }
  | { t: 'def'; v2: boolean }
  | { t: 'again'; k: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('st' as const),
      p: fc.nat(2),
      course: fc.nat(1),
      act: fc.nat(4),
      verb: fc.nat(5),
      score: fc.nat(10),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('enrol' as const), p: fc.nat(2), course: fc.nat(1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('roster' as const),
      p: fc.nat(2),
      ext: fc.nat(2),
      gender: fc.nat(1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('def' as const), v2: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('again' as const), k: fc.nat(40) }) },
);

const COURSES = ['c1', 'c2'];
const ACTS = ['l1', 'l2', 'quiz', 'quiz2', ''];
const VERBS = ['experienced', 'completed', 'passed', 'failed', 'rated', 'progressed'] as const;
const EXTS = ['OFF-1', 'OFF-2', null];

/** A box's journal from ops: 3 people (their roster rows first), then the ops in order. */
function journalOf(prefix: string, ops: Op[], copyFrom: SourceRow[]): SourceRow[] {
  const j = new Journal();
  const person = (p: number, ext: string | null, gender: 'female' | 'male', at: string) =>
    j.person({ id: `${prefix}${p}`, externalId: ext, agency: 'Police', gender, updatedAt: at });
  for (let p = 0; p < 3; p++) person(p, EXTS[p]!, 'female', '2026-01-01T00:00:00.000Z');
  let minute = 0;
  for (const o of ops) {
    const at = `2026-02-01T10:${String(minute++ % 60).padStart(2, '0')}:00.000Z`;
    if (o.t === 'st') {
      const verb = VERBS[o.verb]!;
      const activity = verb === 'rated' ? '' : ACTS[o.act]!;
      j.statement({
        person: `${prefix}${o.p}`,
        course: COURSES[o.course]!,
        activity,
        verb,
        at,
        ...(verb === 'rated' ? { raw: 1 + (o.score % 5) } : {}),
        ...(verb === 'passed' || verb === 'failed' || verb === 'completed' ? { score: o.score / 10 } : {}),
      });
    } else if (o.t === 'enrol') j.enrolment(`${prefix}${o.p}`, COURSES[o.course]!);
    else if (o.t === 'roster') person(o.p, EXTS[o.ext]!, o.gender ? 'male' : 'female', at);
    else if (o.t === 'def')
      // c1 is declared (v1: l1 + quiz), then maybe upgraded (v2: l1, l2, quiz2 assessed); c2 never is.
      j.course('c1', { en: 'C1' }, o.v2 ? ['l1', 'l2', 'quiz2'] : ['l1', 'quiz'], o.v2 ? '2.0.0' : '1.0.0');
    else {
      // The same statement again (a duplicate), or one copied from the other box (another appliance's id).
      const own = j.rows.filter((r) => r.kind === 'statement');
      const pool = o.k % 2 ? copyFrom : own;
      const src = pool.filter((r) => r.kind === 'statement')[o.k % Math.max(1, pool.length)];
      if (src) j.again(src);
    }
  }
  return j.rows;
}

/** A journal cut into `n` chained bundles at the given points. */
async function bundlesOf(
  box: Box,
  dir: string,
  rows: SourceRow[],
  cuts: number[],
): Promise<WrittenTestBundle[]> {
  const points = [...new Set(cuts.map((c) => 1 + (c % rows.length)))].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  let from = 1;
  for (const p of [...points, rows.length + 1]) {
    if (p > from) ranges.push([from, p - 1]);
    from = Math.max(from, p);
  }
  const out: WrittenTestBundle[] = [];
  let prev: string | null = null;
  for (const [i, [a, b]] of ranges.entries()) {
    const w = await writeBundle(box, dir, { bundleSeq: i + 1, rows: rows.slice(a - 1, b), prevSha256: prev });
    out.push(w);
    prev = w.sha256;
  }
  return out;
}

describe('HQ course results (person_courses, local_courses)', () => {
  it('equal a recompute from scratch after any imports, duplicates, copies, revocation, merges', async () => {
    let run = 0;
    let sawRows = 0;
    let sawRevocation = 0;
    let sawMerge = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 30 }),
        fc.array(op, { minLength: 5, maxLength: 30 }),
        fc.array(fc.nat(100), { maxLength: 3 }),
        fc.array(fc.nat(100), { maxLength: 3 }),
        fc.array(fc.nat(20), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(40)),
        fc.array(fc.tuple(fc.nat(12), fc.boolean()), { maxLength: 2 }),
        async (opsA, opsB, cutsA, cutsB, order, revokeAt, decisions) => {
          const dir = join(root, String(run++));
          const boxA = makeBox('Box A', 'Dakar');
          const boxB = makeBox('Box B', 'Thiès');
          const rowsA = journalOf('a', opsA, []);
          const rowsB = journalOf('b', opsB, rowsA);
          mkdirSync(dir);
          const bundles = [
            ...(await bundlesOf(boxA, dir, rowsA, cutsA)),
            ...(await bundlesOf(boxB, dir, rowsB, cutsB)),
          ];
          const hq = testHq();
          try {
            hq.appliances.enrol(boxA.enrolRequest);
            hq.appliances.enrol(boxB.enrolRequest);
            // Every bundle at least once, in the drawn order first, then the rest; some twice.
            const seq = [...order.map((k) => k % bundles.length), ...bundles.keys()];
            for (const [step, i] of seq.entries()) {
              if (revokeAt !== null && step === revokeAt % seq.length) {
                hq.appliances.revoke(boxB.applianceId, { epoch: 1, seq: 1 + (revokeAt % rowsB.length) });
                sawRevocation++;
              }
              for (const [at, merge] of decisions) {
                const m = hq.people.list()[0];
                if (at === step && m) {
                  hq.people.decide(m.id, merge ? 'merged' : 'rejected', { by: 'staff' });
                  if (merge) sawMerge++;
                }
              }
              const o = await hq.imports.importFile(bundles[i]!.path);
              if (o.status === 'refused') expect(o.reason).toMatch(/revoked/);
            }
            const kept = dump(hq.db.hq);
            if (hq.db.hq.prepare('SELECT count(*) FROM person_courses').pluck().get() !== 0) sawRows++;
            // The trainee report reads person_courses through persons (reports.repo.ts): none without one.
            const orphans =
              'SELECT count(*) FROM person_courses WHERE person_id NOT IN (SELECT person_id FROM persons)';
            expect(hq.db.hq.prepare(orphans).pluck().get()).toBe(0);
            hq.records.rebuildCourseResults();
            expect(dump(hq.db.hq)).toBe(kept);
            hq.records.rebuildDerived();
            expect(dump(hq.db.hq)).toBe(kept);
          } finally {
            hq.cleanup();
          }
        },
      ),
      // A fixed seed by default: the coverage checks below hold for its runs, where a random seed left
      // some runs without a merge (the test then failed by chance). FC_SEED=<n> explores other runs.
      { numRuns: 25, seed: Number(process.env['FC_SEED'] ?? 1) },
    );
    // The runs exercised what they claim to.
    expect(sawRows).toBeGreaterThan(10);
    expect(sawRevocation).toBeGreaterThan(0);
    expect(sawMerge).toBeGreaterThan(0);
  });

  it('forget a person seen only in a statement copied from another box once the genuine row holds its id', async () => {
    // The box whose id sorts first holds a contested id (same recorded_at), so the copy is the one held out.
    const [first, second] = [makeBox('Box A', 'Dakar'), makeBox('Box B', 'Thiès')].sort((a, b) =>
      a.applianceId < b.applianceId ? -1 : 1,
    );
    const genuine = new Journal();
    genuine.person({ id: 'p1', externalId: 'OFF-1', agency: 'Police', displayName: 'Awa Diop' });
    const st = genuine.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'completed' });
    const copier = new Journal();
    copier.again(st);
    const dir = join(root, 'copy');
    mkdirSync(dir);
    const g = await writeBundle(first!, dir, { bundleSeq: 1, rows: genuine.rows });
    const c = await writeBundle(second!, dir, { bundleSeq: 1, rows: copier.rows });
    const hq = testHq();
    try {
      hq.appliances.enrol(first!.enrolRequest);
      hq.appliances.enrol(second!.enrolRequest);
      // The copy first: it holds the id and its actor is a person of the copying box; then the genuine row
      // takes the id back, and that person has nothing left.
      expect((await hq.imports.importFile(c.path)).status).toBe('imported');
      expect(hq.db.hq.prepare('SELECT count(*) FROM persons').pluck().get()).toBe(1);
      expect((await hq.imports.importFile(g.path)).status).toBe('imported');
      const persons = hq.db.hq.prepare('SELECT display_name, appliances FROM persons').all();
      expect(persons).toEqual([{ display_name: 'Awa Diop', appliances: first!.name }]);
      expect(hq.records.heldStatements()).toHaveLength(1);
      const kept = dump(hq.db.hq);
      hq.records.rebuildDerived();
      expect(dump(hq.db.hq)).toBe(kept);
    } finally {
      hq.cleanup();
    }
  });
});
