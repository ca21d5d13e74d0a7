import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, toCsv } from '../src/hq/reports.service.js';
import {
  dumpDb,
  Journal,
  makeBox,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

let dir: string;
let boxA: Box;
let boxB: Box;
let bundles: WrittenTestBundle[];

/**
 * Box A and box B both train officer OFF-9 (local ids a2 and b2). On A, a2 first has no external id; a
 * later roster change (seq 22) gives it OFF-9, so HQ must move a2's progress onto the shared person.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-prop-'));
  boxA = makeBox('Box A', 'Dakar');
  boxB = makeBox('Box B', 'Thiès');
  const a = new Journal();
  a.person({ id: 'a1', externalId: 'OFF-1', gender: 'female', agency: 'Police' }); // 1
  a.person({ id: 'a2', gender: 'male', agency: 'Gendarmerie' }); // 2
  a.enrolment('a1', 'c1'); // 3
  a.enrolment('a2', 'c1'); // 4
  for (let i = 0; i < 8; i++)
    a.statement({
      person: i % 2 ? 'a2' : 'a1',
      course: 'c1',
      activity: `l${i % 3}`,
      verb: 'experienced',
      at: `2026-02-01T10:0${i}:00.000Z`,
    }); // 5-12
  a.statement({ person: 'a2', course: 'c1', activity: 'quiz', verb: 'failed', score: 0.3 }); // 13
  a.statement({ person: 'a1', course: 'c1', activity: 'quiz', verb: 'passed', score: 0.8 }); // 14
  a.statement({ person: 'a1', course: 'c1', verb: 'completed' }); // 15
  a.statement({ person: 'a1', course: 'c1', verb: 'rated', raw: 5 }); // 16
  for (let i = 0; i < 5; i++)
    a.statement({ person: 'a2', course: 'c2', activity: 'l1', verb: 'experienced' }); // 17-21
  a.person({
    id: 'a2',
    externalId: 'OFF-9',
    gender: 'male',
    agency: 'Gendarmerie',
    updatedAt: '2026-02-10T00:00:00.000Z',
  }); // 22
  for (let i = 0; i < 8; i++)
    a.statement({
      person: 'a2',
      course: 'c1',
      activity: 'quiz',
      verb: i === 7 ? 'passed' : 'answered',
      score: i === 7 ? 0.7 : undefined,
    }); // 23-30

  const b = new Journal();
  b.person({
    id: 'b2',
    externalId: 'OFF-9',
    gender: 'male',
    agency: 'Gendarmerie',
    updatedAt: '2026-01-20T00:00:00.000Z',
  }); // 1
  b.person({ id: 'b3', gender: 'female', agency: 'Customs' }); // 2
  for (let i = 0; i < 10; i++)
    b.statement({ person: i % 2 ? 'b3' : 'b2', course: 'c1', activity: 'l0', verb: 'experienced' }); // 3-12
  b.statement({ person: 'b2', course: 'c1', activity: 'quiz', verb: 'passed', score: 0.95 }); // 13
  b.statement({ person: 'b2', course: 'c1', verb: 'completed' }); // 14
  b.statement({ person: 'b2', course: 'c1', verb: 'rated', raw: 3 }); // 15
  for (let i = 0; i < 10; i++)
    b.statement({
      person: 'b3',
      course: 'c1',
      activity: 'quiz',
      verb: i === 9 ? 'failed' : 'answered',
      score: i === 9 ? 0.2 : undefined,
    }); // 16-25
  b.statement({ person: 'b3', course: 'c1', verb: 'rated', raw: 4 }); // 26

  const a1 = await writeBundle(boxA, dir, { bundleSeq: 1, rows: a.range(1, 10) });
  const a2 = await writeBundle(boxA, dir, { bundleSeq: 2, rows: a.range(11, 20), prevSha256: a1.sha256 });
  const a3 = await writeBundle(boxA, dir, { bundleSeq: 3, rows: a.range(21, 30), prevSha256: a2.sha256 });
  const a4 = await writeBundle(boxA, dir, {
    bundleSeq: 4,
    rows: a.range(5, 30),
    prevSha256: a3.sha256,
    reexport: true,
  });
  const b1 = await writeBundle(boxB, dir, { bundleSeq: 1, rows: b.range(1, 15) });
  const b2 = await writeBundle(boxB, dir, { bundleSeq: 2, rows: b.range(16, 26), prevSha256: b1.sha256 });
  bundles = [a1, a2, a3, a4, b1, b2];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface XStatement {
  actor: { account: { homePage: string; name: string } };
  verb: { id: string };
  context: { extensions: Record<string, unknown> };
}

async function hqAfter(order: readonly number[]) {
  const hq = testHq();
  hq.appliances.enrol(boxA.enrolRequest);
  hq.appliances.enrol(boxB.enrolRequest);
  for (const i of order) {
    const o = await hq.imports.importFile(bundles[i]!.path);
    if (o.status === 'refused') throw new Error(`${i}: ${o.reason}`);
  }
  return hq;
}

describe('HQ records', () => {
  it('any order and any repetition of overlapping bundles gives the same HQ state', async () => {
    const ref = await hqAfter([0, 1, 2, 3, 4, 5]);
    const expected = dumpDb(ref.db.hq);
    ref.cleanup();
    const ids = [0, 1, 2, 3, 4, 5];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(ids, { minLength: ids.length }),
        fc.array(fc.tuple(fc.nat(5), fc.nat(20)), { maxLength: 6 }),
        async (perm, extras) => {
          const order = [...perm];
          for (const [b, at] of extras) order.splice(at % (order.length + 1), 0, b);
          const hq = await hqAfter(order);
          try {
            expect(dumpDb(hq.db.hq)).toBe(expected);
          } finally {
            hq.cleanup();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('two boxes claiming one (agency, external id) stay two people until HQ staff merge them; then one, with the union', async () => {
    // Import B first, then A in reverse: the external id arrives on A only in its last bundle.
    const hq = await hqAfter([5, 4, 2, 1, 0]);
    try {
      const people = () =>
        hq.db.hq.prepare('SELECT DISTINCT person_id FROM people WHERE external_id = ?').pluck().all('OFF-9');
      // Unconfirmed: two people. B's passes are not A's person's, A's progress is not B's.
      expect(people()).toHaveLength(2);
      const before = hq.reports.trainees().filter((r) => r.externalId === 'OFF-9' && r.course === 'c1');
      expect(before.map((r) => [r.appliances, r.passed]).sort()).toEqual([
        ['Box A', true],
        ['Box B', true],
      ]);
      expect(before.find((r) => r.appliances === 'Box A')!.score).toBe(0.7);
      const [match, ...others] = hq.people.list();
      expect(others).toEqual([]);
      expect(match).toMatchObject({ externalId: 'OFF-9', agency: 'Gendarmerie', pending: true });
      expect(match!.claims.map((c) => [c.applianceName, c.localId, c.decision])).toEqual([
        ['Box A', 'a2', null],
        ['Box B', 'b2', null],
      ]);

      expect(hq.people.decide(match!.id, 'merged', { by: 'staff' })).toBe(2);
      expect(hq.people.list()[0]!.pending).toBe(false);
      const rows = hq.reports.trainees().filter((r) => r.externalId === 'OFF-9');
      expect(rows.map((r) => r.course).sort()).toEqual(['c1', 'c2']);
      const c1 = rows.find((r) => r.course === 'c1')!;
      expect(c1).toMatchObject({
        started: true,
        completed: true,
        passed: true,
        result: 'passed',
        score: 0.95,
        enrolled: true,
      });
      expect(c1.appliances.split('; ').sort()).toEqual(['Box A', 'Box B']);
      expect(c1).toMatchObject({ gender: 'male', agency: 'Gendarmerie' });
      expect(people()).toHaveLength(1);
      // No progress is left on a person nobody resolves to any more.
      const orphan = hq.db.hq
        .prepare('SELECT count(*) FROM progress WHERE person_id NOT IN (SELECT person_id FROM people)')
        .pluck()
        .get();
      expect(orphan).toBe(0);

      // Rejected again: two people again, each with their own box's figures.
      hq.people.decide(match!.id, 'rejected', { by: 'staff', applianceIds: [boxB.applianceId] });
      expect(people()).toHaveLength(2);
    } finally {
      hq.cleanup();
    }
  });

  it('a merge decided before the rest of the bundles arrive gives the state of a merge after all of them', async () => {
    const after = await hqAfter([0, 1, 2, 3, 4, 5]);
    after.people.decide(after.people.list()[0]!.id, 'merged', { by: 'staff' });
    const expected = dumpDb(after.db.hq);
    after.cleanup();
    const early = await hqAfter([4, 2]);
    try {
      early.people.decide(early.people.list()[0]!.id, 'merged', { by: 'staff' });
      for (const i of [1, 0, 5, 3]) await early.imports.importFile(bundles[i]!.path);
      expect(dumpDb(early.db.hq)).toBe(expected);
      early.records.rebuildDerived();
      expect(dumpDb(early.db.hq)).toBe(expected);
    } finally {
      early.cleanup();
    }
  });

  it('reports courses overall, per appliance, by gender and agency, with ratings; CSV for Excel', async () => {
    const hq = await hqAfter([0, 1, 2, 3, 4, 5]);
    try {
      hq.people.decide(hq.people.list()[0]!.id, 'merged', { by: 'staff' });
      const rows = hq.reports.courses();
      const c1 = rows.find((r) => r.course === 'c1' && r.breakdown === 'all')!;
      // a1 (OFF-1), OFF-9 (a2 + b2, merged by staff), b3: three people in c1, two of them enrolled (a1, a2). These rows
      // carry no course definition (as from a format 1 box): the course-level 'completed' says completed,
      // and the attempted quiz decides pass/fail. b3 failed: HQ must not count them as passed.
      expect(c1).toMatchObject({
        enrolled: 2,
        started: 3,
        completed: 2,
        passed: 2,
        failed: 1,
        ratings: 3,
      });
      expect(c1.passRate).toBeCloseTo(2 / 3, 2);
      expect(c1.ratingAverage).toBe(4); // 5, 3, 4
      expect(c1.ratingGoodShare).toBeCloseTo(2 / 3, 2);
      // Ratings are a survey: without reports.showRatingNames no trainee's own rating is reported.
      const own = hq.reports.trainees().filter((t) => t.course === 'c1');
      expect(own).toHaveLength(3);
      expect(own.map((t) => t.rating)).toEqual([null, null, null]);
      const byApp = rows.filter((r) => r.course === 'c1' && r.breakdown === 'appliance');
      expect(byApp.map((r) => [r.group, r.location, r.started, r.completed])).toEqual([
        ['Box A', 'Dakar', 2, 1],
        ['Box B', 'Thiès', 2, 1],
      ]);
      const byGender = rows.filter((r) => r.course === 'c1' && r.breakdown === 'gender');
      expect(byGender.map((r) => [r.group, r.started])).toEqual([
        ['female', 2],
        ['male', 1],
      ]);
      const byAgency = rows.filter((r) => r.course === 'c1' && r.breakdown === 'agency');
      expect(byAgency.map((r) => r.group)).toEqual(['Customs', 'Gendarmerie', 'Police']);
      const csv = toCsv(REPORT_COLUMNS.courses, rows).toString('utf8');
      expect(csv.startsWith('\ufeffcourse,breakdown,group,location,enrolled')).toBe(true);
      expect(csv).toContain('\r\n');
      expect(csv).toContain('Thiès');
    } finally {
      hq.cleanup();
    }
  });

  it('exports the statements as xAPI NDJSON with the actor rewritten to the resolved person', async () => {
    const hq = await hqAfter([0, 1, 2, 4, 5]);
    try {
      const chunks: string[] = [];
      const out = new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c.toString());
          cb();
        },
      });
      const n = await hq.xapi.write(out);
      const lines = chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as XStatement);
      const expected = hq.db.hq
        .prepare("SELECT count(*) FROM journal WHERE kind = 'statement'")
        .pluck()
        .get();
      expect(n).toBe(expected);
      expect(lines).toHaveLength(n);
      // The actor is HQ's person (OFF-9 on two boxes, not merged: two people); the external id rides along.
      const persons = new Set(hq.db.hq.prepare('SELECT person_id FROM people').pluck().all() as string[]);
      for (const s of lines) {
        expect(s.actor.account.homePage).toBe(hq.config.homePage);
        expect(persons.has(s.actor.account.name)).toBe(true);
      }
      const ext = (id: string) =>
        new Set(
          lines
            .filter((s) => s.context.extensions['urn:fieldclass:ext:external-id'] === id)
            .map((s) => s.actor.account.name),
        );
      expect(ext('OFF-9').size).toBe(2);
      expect(ext('OFF-1').size).toBe(1);
      expect(lines[0]!.context.extensions['urn:fieldclass:ext:appliance-id']).toMatch(/[0-9a-f-]{36}/);
      expect(lines[0]!.verb.id).toMatch(/^http:\/\/adlnet\.gov\/expapi\/verbs\//);
    } finally {
      hq.cleanup();
    }
  });
});
