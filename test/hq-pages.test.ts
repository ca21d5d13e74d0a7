/**
 * HQ's pages for staff, through a real server: course titles from the `course` rows, dates in HQ's time
 * zone, search / filters / paging on Trainees, "figures as of", definitions, rating comments without
 * names; in French and Arabic. On a phone in Chromium: test/e2e/hq-phone.e2e.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHqServer, type RunningHqServer } from '../src/app/hq.app.js';
import { formatInstant } from '../src/core/time-zone.js';
import { Journal, makeBox, signedInStaff, testHq, writeBundle } from './hq.fixtures.js';

let hq: ReturnType<typeof testHq>;
let server: RunningHqServer;
let dir: string;

beforeAll(async () => {
  hq = testHq({ config: { timeZone: 'Africa/Casablanca', reports: { pageSize: 10 } } });
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-pages-'));
  const box = makeBox('Box A', 'Dakar');
  hq.appliances.enrol(box.enrolRequest);
  await hq.users.add('amina', 'correct horse battery');
  const j = new Journal(1);
  j.course('c1', { en: 'Crime scene basics', fr: 'Bases de la scène de crime', ar: 'أساسيات مسرح الجريمة' });
  for (let i = 0; i < 25; i++) {
    j.person({
      id: `p${i}`,
      displayName: i === 7 ? 'Élodie Ndiaye' : `Trainee ${i}`,
      externalId: `OFF-${i}`,
      agency: i % 2 ? 'Police' : 'Customs',
      // The last trainee gave no gender: "not specified" in the breakdowns, and a choice of the filter.
      ...(i === 24 ? {} : { gender: i % 2 ? 'female' : 'male' }),
    });
    j.statement({
      person: `p${i}`,
      course: 'c1',
      activity: 'l1',
      verb: 'experienced',
      at: '2026-02-01T23:30:00.000Z',
    });
  }
  const b = await writeBundle(box, dir, { bundleSeq: 1, rows: j.rows });
  expect((await hq.imports.importFile(b.path)).status).toBe('imported');
  server = await startHqServer(hq);
});
afterAll(async () => {
  await server.close();
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const signedIn = (lang: 'en' | 'fr' | 'ar') => signedInStaff(server.url, lang);

describe('HQ pages for staff', () => {
  it('formats an instant in the configured zone and the reader’s language, naming the zone', () => {
    const at = '2026-02-01T23:30:00.000Z';
    expect(formatInstant(at, 'en', 'UTC')).toBe('01/02/2026, 23:30 UTC');
    expect(formatInstant(at, 'fr', 'Europe/Paris')).toMatch(/^02\/02\/2026 00:30 UTC\+1$/);
    expect(formatInstant(at, 'ar', 'Africa/Dakar')).toMatch(/2026/);
    expect(formatInstant('', 'en', 'UTC')).toBe('');
    expect(formatInstant('not a date', 'en', 'UTC')).toBe('not a date');
  });

  it('Courses (fr): the course title, figures as of, definitions; dates in HQ’s zone', async () => {
    const b = await signedIn('fr');
    const { status, html } = await b.page('/reports/courses');
    expect(status).toBe(200);
    expect(html).toContain('Bases de la scène de crime');
    expect(html).toContain('Chiffres à jour au');
    expect(html).toContain('dernier lot importé le');
    expect(html).toContain('Ce que signifient les chiffres');
    expect(html).toContain('Taux de réussite');
    // The box's epicene French: the nav says "Personnes en formation", the column "Inscriptions".
    expect(html).toContain('>Personnes en formation</a>');
    expect(html).toContain('<th>Inscriptions</th>');
    expect(html).not.toContain('Apprenants');
  });

  it('Trainees (en): search, filters and paging; gender in the reader’s language (ar)', async () => {
    const b = await signedIn('en');
    let { html } = await b.page('/reports/trainees');
    expect(html).toContain('Page 1 of 3 · 25 rows');
    expect(html).toContain('Crime scene basics');
    // The last activity at 23:30 UTC is 00:30 the next day in Casablanca (UTC+1).
    expect(html).toContain('02/02/2026, 00:30');
    ({ html } = await b.page('/reports/trainees?page=3'));
    expect(html).toContain('Page 3 of 3 · 25 rows');
    ({ html } = await b.page('/reports/trainees?q=elodie'));
    expect(html).toContain('Élodie Ndiaye');
    expect(html).toContain('Page 1 of 1 · 1 rows');
    ({ html } = await b.page('/reports/trainees?agency=Police&gender=female'));
    expect(html).toContain('Page 1 of 2 · 12 rows');
    expect(html).toMatch(/<option value="undisclosed"[^>]*>Not said</);
    ({ html } = await b.page('/reports/trainees?gender=undisclosed'));
    expect(html).toContain('Page 1 of 1 · 1 rows');
    expect(html).toContain('Trainee 24');
    const ar = await signedIn('ar');
    ({ html } = await ar.page('/reports/trainees?agency=Police'));
    expect(html).toContain('dir="rtl"');
    expect(html).toContain('أنثى');
    expect(html).toContain('أساسيات مسرح الجريمة');
  });
});
