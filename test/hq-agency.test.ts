/**
 * An agency written two ways by two boxes ("Police" on one, " police " on another) is one agency at HQ,
 * folded as the claim key folds it: one group in the course report, one choice in the Trainees filter,
 * and the filter finds every spelling. The name shown is the spelling most persons wrote, whatever the
 * import order. An HQ database of schema 8 gets the keys from migration 9. Real hq.db files, real
 * bundles, the pages through a real server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHqServer } from '../src/app/hq.app.js';
import {
  Journal,
  makeBox,
  reopenAsSchema,
  signedInStaff,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

type Hq = ReturnType<typeof testHq>;
const TITLES = { en: 'Crime scene basics', fr: 'Bases de la scène de crime', ar: 'أساسيات مسرح الجريمة' };

let dir: string;
let boxes: Box[];
let bundles: WrittenTestBundle[];
const open: Hq[] = [];

/** A box's bundle: its trainees (agency as the box wrote it), each started c1, the `passed` ones passed it. */
async function boxBundle(
  box: Box,
  people: { id: string; name: string; agency: string; passed?: boolean }[],
): Promise<WrittenTestBundle> {
  const j = new Journal();
  j.course('c1', TITLES);
  for (const p of people) {
    j.person({ id: p.id, displayName: p.name, externalId: `ID-${p.id}`, agency: p.agency });
    j.statement({ person: p.id, course: 'c1', activity: 'l1', verb: 'experienced' });
    if (p.passed) j.statement({ person: p.id, course: 'c1', activity: 'quiz', verb: 'passed', score: 1 });
  }
  return writeBundle(box, dir, { bundleSeq: 1, rows: j.rows });
}

async function hqWith(order: number[]): Promise<Hq> {
  const hq = testHq();
  open.push(hq);
  for (const b of boxes) hq.appliances.enrol(b.enrolRequest);
  for (const i of order) expect((await hq.imports.importFile(bundles[i]!.path)).status).toBe('imported');
  return hq;
}

const agencyGroups = (hq: Hq) =>
  hq.reports
    .courses()
    .filter((r) => r.breakdown === 'agency')
    .map((r) => ({ group: r.group, started: r.started, passed: r.passed }));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-agency-'));
  boxes = [makeBox('Box A', 'Dakar'), makeBox('Box B', 'Thiès'), makeBox('Box C', 'Rabat')];
  bundles = [
    await boxBundle(boxes[0]!, [
      { id: 'a1', name: 'Awa Diop', agency: 'Police', passed: true },
      { id: 'a2', name: 'Bintou Sow', agency: 'Police' },
      { id: 'a3', name: 'Chérif Fall', agency: 'Douanes' },
    ]),
    await boxBundle(boxes[1]!, [{ id: 'b1', name: 'Dame Ba', agency: ' police ', passed: true }]),
    await boxBundle(boxes[2]!, [
      { id: 'c1p', name: 'Fatou Kane', agency: 'police' },
      { id: 'c2p', name: 'Gora Ndiaye', agency: 'police  ' },
    ]),
  ];
});
afterEach(() => {
  for (const hq of open.splice(0)) hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('one agency, however the boxes spelt it', () => {
  it('is one group of the course report and one choice of the Trainees filter, which finds every spelling', async () => {
    const hq = await hqWith([0, 1]);
    // "Police" (2 persons on box A) and " police " (1 on box B): one group, named as most persons wrote it.
    expect(agencyGroups(hq)).toEqual([
      { group: 'Douanes', started: 1, passed: 0 },
      { group: 'Police', started: 3, passed: 2 },
    ]);
    const page = hq.reports.traineePage({}, 1, 50);
    expect(page.options.agencies).toEqual(['Douanes', 'Police']);
    for (const agency of ['Police', 'police', ' POLICE ', 'ＰＯＬＩＣＥ'])
      expect(hq.reports.traineePage({ agency }, 1, 50).rows.map((r) => r.name)).toEqual([
        'Awa Diop',
        'Bintou Sow',
        'Dame Ba',
      ]);
    // Each person's row still says the agency as their box wrote it.
    expect(hq.reports.trainees().find((r) => r.name === 'Dame Ba')!.agency).toBe(' police ');

    // The pages, through a real server, in French.
    await hq.users.add('amina', 'correct horse battery');
    const server = await startHqServer(hq);
    try {
      const b = await signedInStaff(server.url, 'fr');
      const courses = await b.page('/reports/courses');
      expect(courses.status).toBe(200);
      expect(courses.html).toContain('<td>Police</td>');
      expect(courses.html).not.toMatch(/<td>\s*police\s*<\/td>/);
      const trainees = await b.page('/reports/trainees?agency=Police');
      expect(trainees.status).toBe(200);
      expect(trainees.html).toMatch(/<option value="Police"[^>]*selected/);
      expect(trainees.html).not.toMatch(/<option value="\s*police\s*"/);
      expect(trainees.html).toContain('Dame Ba');
      expect(trainees.html).not.toContain('Chérif Fall');
      // What a person would type by hand in the address finds the same rows.
      const typed = await b.page('/reports/trainees?agency=%20police%20');
      expect(typed.html).toMatch(/<option value="Police"[^>]*selected/);
      expect(typed.html).toContain('Dame Ba');
      expect(typed.html).toContain('Awa Diop');
      expect(typed.html).not.toContain('Chérif Fall');
    } finally {
      await server.close();
    }
  });

  it('is named by the spelling most persons wrote, in any import order', async () => {
    // With box C: "police" 3 persons (B's " police " tidied, C's two), "Police" 2.
    const forward = await hqWith([0, 1, 2]);
    const backward = await hqWith([2, 1, 0]);
    const groups = agencyGroups(forward);
    expect(groups).toEqual([
      { group: 'Douanes', started: 1, passed: 0 },
      { group: 'police', started: 5, passed: 2 },
    ]);
    expect(agencyGroups(backward)).toEqual(groups);
    expect(backward.reports.traineePage({}, 1, 50).options.agencies).toEqual(['Douanes', 'police']);
  });

  it('gets its keys on an HQ of schema 8 (migration 9), computed in place', async () => {
    const hq = await hqWith([0, 1]);
    const before = agencyGroups(hq);
    open.splice(open.indexOf(hq), 1);
    // hq.db as schema 8 had it: persons without agency_key.
    const upgraded = reopenAsSchema(hq, 8, 'ALTER TABLE persons DROP COLUMN agency_key');
    open.push(upgraded);
    expect(upgraded.db.hq.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(9);
    expect(
      upgraded.db.hq.prepare('SELECT agency, agency_key FROM persons ORDER BY 1, 2').raw().all(),
    ).toEqual([
      [' police ', 'police'],
      ['Douanes', 'douanes'],
      ['Police', 'police'],
      ['Police', 'police'],
    ]);
    expect(agencyGroups(upgraded)).toEqual(before);
    expect(upgraded.reports.traineePage({ agency: 'Police' }, 1, 50).total).toBe(3);
  });
});
