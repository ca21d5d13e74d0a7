/**
 * HQ's Trainees list in a natural name order ("Stagiaire 2" before "stagiaire 10", "Élodie" among the
 * e's), still read in order from the persons_sort index; an HQ of schema 9 gets the new keys from
 * migration 10. Real hq.db files, a real bundle, the page and the CSV through a real server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHqServer } from '../src/app/hq.app.js';
import { Journal, makeBox, reopenAsSchema, signedInStaff, testHq, writeBundle } from './hq.fixtures.js';

type Hq = ReturnType<typeof testHq>;

/** As the box wrote them, in no order. */
const NAMES = [
  'Zoé Faye',
  'stagiaire 10',
  'Élodie Ndiaye',
  'Stagiaire 2',
  'أمينة بنعلي',
  'Aminata Sy',
  'Stagiaire 1',
  'Stagiaire 20',
  'Stagiaire 3',
  'Bintou Sow',
  'élise Diallo',
  'Zaïd Alaoui',
  'Édouard Ba',
];
/** What staff expect to read, top to bottom. */
const EXPECTED = [
  'Aminata Sy',
  'Bintou Sow',
  'Édouard Ba',
  'élise Diallo',
  'Élodie Ndiaye',
  'Stagiaire 1',
  'Stagiaire 2',
  'Stagiaire 3',
  'stagiaire 10',
  'Stagiaire 20',
  'Zaïd Alaoui',
  'Zoé Faye',
  'أمينة بنعلي',
];

let dir: string;
const open: Hq[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-names-'));
});
afterEach(() => {
  for (const hq of open.splice(0)) hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function hqWithNames(): Promise<Hq> {
  const hq = testHq({ config: { reports: { pageSize: 10 } } });
  open.push(hq);
  const box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  const j = new Journal();
  j.course('c1', { en: 'Crime scene basics', fr: 'Bases de la scène de crime', ar: 'أساسيات مسرح الجريمة' });
  NAMES.forEach((name, i) => {
    j.person({ id: `p${i}`, displayName: name, externalId: `ID-${i}`, agency: 'Police' });
    j.statement({ person: `p${i}`, course: 'c1', activity: 'l1', verb: 'experienced' });
  });
  const b = await writeBundle(box, dir, { bundleSeq: 1, rows: j.rows });
  expect((await hq.imports.importFile(b.path)).status).toBe('imported');
  return hq;
}

const pageNames = (hq: Hq, page: number) => hq.reports.traineePage({}, page, 10).rows.map((r) => r.name);

describe('the Trainees list in a natural name order', () => {
  it('orders digit runs by value, folds case and accents, pages in that order, from persons_sort', async () => {
    const hq = await hqWithNames();
    expect(hq.reports.trainees().map((r) => r.name)).toEqual(EXPECTED);
    expect([...pageNames(hq, 1), ...pageNames(hq, 2)]).toEqual(EXPECTED);
    // Still read in order from the index: SQLite sorts no persons for the list (only a person's courses).
    const plan = (
      hq.db.hq
        .prepare(
          `EXPLAIN QUERY PLAN SELECT pa.person_id FROM persons pa CROSS JOIN person_courses pc
             ON pc.person_id = pa.person_id ORDER BY pa.sort_name, pa.person_id, pc.course_id LIMIT 10`,
        )
        .all() as { detail: string }[]
    ).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/SCAN pa USING (COVERING )?INDEX persons_sort/);

    // The page (fr) and the CSV, through a real server.
    await hq.users.add('amina', 'correct horse battery');
    const server = await startHqServer(hq);
    try {
      const b = await signedInStaff(server.url, 'fr');
      const at = (html: string, names: string[]) => names.map((n) => html.indexOf(n));
      const p1 = await b.page('/reports/trainees');
      expect(p1.status).toBe(200);
      const first = at(p1.html, EXPECTED.slice(0, 10));
      expect(first.every((i) => i > 0)).toBe(true);
      expect([...first].sort((x, y) => x - y)).toEqual(first);
      expect(p1.html).not.toContain('Zaïd Alaoui');
      const p2 = await b.page('/reports/trainees?page=2');
      const second = at(p2.html, EXPECTED.slice(10));
      expect(second.every((i) => i > 0)).toBe(true);
      expect([...second].sort((x, y) => x - y)).toEqual(second);
      const csv = await b.get('/reports/trainees.csv');
      expect(csv.status).toBe(200);
      const text = await csv.text();
      const inCsv = at(text, EXPECTED);
      expect(inCsv.every((i) => i > 0)).toBe(true);
      expect([...inCsv].sort((x, y) => x - y)).toEqual(inCsv);
    } finally {
      await server.close();
    }
  });

  it('gets the new keys on an HQ of schema 9 (migration 10), computed in place', async () => {
    const hq = await hqWithNames();
    open.splice(open.indexOf(hq), 1);
    // hq.db as schema 9 had it: persons sorted by the display name as written.
    const upgraded = reopenAsSchema(hq, 9, 'UPDATE persons SET sort_name = display_name', {
      reports: { pageSize: 10 },
    });
    open.push(upgraded);
    expect(upgraded.db.hq.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(10);
    expect(upgraded.db.hq.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(upgraded.reports.trainees().map((r) => r.name)).toEqual(EXPECTED);
  });
});
