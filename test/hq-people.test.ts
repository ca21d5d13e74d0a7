/**
 * People across boxes: a roster row from another box claiming a person's (agency, external id) can
 * neither rename them nor credit them with passes. The two stay two people, a pending match is listed
 * (`hq people matches`, the People page), and HQ staff merge or keep them apart. Through the CLI and
 * POST /api/bundles, with the genuine person's state compared before and after.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { Browserless } from './helpers/http.js';
import {
  Journal,
  makeBox,
  signedInStaff,
  T0,
  testHq,
  writeBundle,
  type Box,
  type WrittenTestBundle,
} from './hq.fixtures.js';

let hq: ReturnType<typeof testHq>;
let dir: string;
let boxA: Box;
let boxB: Box;
let impostor: WrittenTestBundle;

beforeEach(async () => {
  hq = testHq();
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-people-'));
  boxA = makeBox('Box A', 'Dakar');
  boxB = makeBox('Box B', 'Thiès');
  hq.appliances.enrol(boxA.enrolRequest);
  hq.appliances.enrol(boxB.enrolRequest);
  const a = new Journal();
  a.person({ id: 'p1', externalId: 'OFF-1', agency: 'Police', displayName: 'Awa Diop', gender: 'female' });
  for (let i = 0; i < 3; i++)
    a.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'experienced' });
  const a1 = await writeBundle(boxA, dir, { bundleSeq: 1, rows: a.rows });
  expect((await hq.imports.importFile(a1.path)).status).toBe('imported');
  // Box B, later: "Impostor" with A's trainee's agency and external id (spelt with other case and spaces),
  // and the course passed.
  const b = new Journal();
  b.person({
    id: 'x1',
    externalId: ' OFF-1 ',
    agency: 'police',
    displayName: 'Impostor',
    gender: 'male',
    updatedAt: '2026-03-01T00:00:00.000Z',
  });
  b.statement({ person: 'x1', course: 'c1', activity: 'quiz', verb: 'passed', score: 1 });
  b.statement({ person: 'x1', course: 'c1', verb: 'completed' });
  impostor = await writeBundle(boxB, dir, { bundleSeq: 1, rows: b.rows });
});
afterEach(() => {
  hq.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI on HQ's data dir (closing HQ's connection first), then reopen HQ on it. */
async function cli(...args: string[]) {
  hq.close();
  try {
    return await runCli(...args, '--data', hq.dir);
  } finally {
    const ctx = openHqContext(loadHqConfig({ dataDir: hq.dir, port: 0, host: '127.0.0.1' }, {}), {
      logger: silentLogger,
      clock: fixedClock(T0),
    });
    const d = hq.dir;
    hq = Object.assign(ctx, {
      dir: d,
      cleanup() {
        ctx.close();
        rmSync(d, { recursive: true, force: true });
      },
    });
  }
}

/** What HQ says about box A's trainee: the person row, their progress, their report rows. */
function genuineState() {
  const person = hq.db.hq
    .prepare("SELECT p.* FROM people p JOIN appliances a ON a.no = p.appliance_no WHERE a.name = 'Box A'")
    .get() as { person_id: string };
  return JSON.stringify({
    person,
    progress: hq.db.hq
      .prepare('SELECT * FROM progress WHERE person_id = ? ORDER BY 2, 3')
      .all(person.person_id),
    report: hq.reports.trainees().filter((r) => r.person === person.person_id),
  });
}

describe('a roster row from another box cannot take a person', () => {
  it('through `hq import`: Awa Diop keeps her name and has not passed; the impostor is a person of their own; a pending match is listed', async () => {
    const before = genuineState();
    expect((JSON.parse(before) as { report: unknown[] }).report[0]).toMatchObject({
      name: 'Awa Diop',
      passed: false,
    });
    const r = await cli('hq', 'import', impostor.path);
    expect(r.code).toBe(0);
    expect(genuineState()).toBe(before);
    const rows = hq.reports.trainees();
    expect(rows.map((x) => [x.name, x.appliances, x.passed]).sort()).toEqual([
      ['Awa Diop', 'Box A', false],
      ['Impostor', 'Box B', true],
    ]);
    const list = await cli('hq', 'people', 'matches');
    const text = list.out.join('\n');
    expect(text).toMatch(/^[0-9a-f]{12} {2}Police \/ OFF-1: PENDING - kept apart until merged$/m);
    expect(text).toContain('Box A (' + boxA.applianceId + '): Awa Diop [p1], 3 statements');
    expect(text).toContain('Box B (' + boxB.applianceId + '): Impostor [x1], 2 statements');

    // Staff keep them apart: decided, still two people, A's trainee unchanged.
    const id = /^([0-9a-f]{12})/m.exec(text)![1]!;
    const rej = await cli('hq', 'people', 'reject', id, '--box', boxB.applianceId, '--by', 'amina');
    expect(rej.out.join('')).toBe(`match ${id}: 1 claim(s) rejected`);
    expect(genuineState()).toBe(before);
    expect(hq.people.list()[0]!.claims.map((c) => c.decision)).toEqual([null, 'rejected']);
    // Nothing merged: no name conflict to list.
    expect(hq.people.list()[0]!.nameConflict).toBeNull();
  });

  it('through POST /api/bundles, then the People page (fr): staff merge them, and only then is it one person', async () => {
    const before = genuineState();
    await hq.users.add('amina', 'correct horse battery');
    const server = await startHqServer(hq);
    try {
      const res = await fetch(server.url + UPLOAD_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/zip' },
        body: new Uint8Array(readFileSync(impostor.path)),
      });
      expect(res.status).toBe(200);
      expect(genuineState()).toBe(before);

      const b = await signedInStaff(server.url, 'fr');
      const page = await b.page('/people');
      expect(page.status).toBe(200);
      expect(page.html).toContain('Personnes à confirmer');
      expect(page.html).toContain('À décider');
      expect(page.html).toContain('Awa Diop');
      expect(page.html).toContain('Impostor');
      expect(page.html).toContain('Homme');
      // The checkboxes' column: which claims the decision applies to (undecided ones ticked).
      expect(page.html).toContain('<th>Inclure dans la décision</th>');
      expect(page.html.match(/<input type="checkbox" name="box"[^>]* checked/g)).toHaveLength(2);
      const id = /action="\/people\/([0-9a-f]{12})"/.exec(page.html)![1]!;
      const merged = await b.post(`/people/${id}`, {
        _csrf: Browserless.csrfOf(page.html),
        box: [boxA.applianceId, boxB.applianceId],
        decision: 'merged',
      });
      expect(merged.status).toBe(303);
      const after = await b.page('/people');
      expect(after.html).toContain('Même personne (par amina');
      // Decided: the column still says what ticking a claim does (nothing ticked until staff choose).
      expect(after.html).toContain('<th>Inclure dans la décision</th>');
      expect(after.html).not.toMatch(/<input type="checkbox" name="box"[^>]* checked/);
      for (const [lang, heading] of [
        ['en', 'Include in the decision'],
        ['ar', 'إدراج في القرار'],
      ] as const) {
        const other = await (await signedInStaff(server.url, lang)).page('/people');
        expect(other.html).toContain(`<th>${heading}</th>`);
      }
      // The merged claims carry two names: listed for staff, with the one HQ shows (the later roster row).
      expect(after.html).toMatch(
        /Les noms diffèrent entre les boîtiers fusionnés\s:\s*<bdi>Awa Diop<\/bdi> · <bdi>Impostor<\/bdi>\. HQ affiche la dernière fiche reçue\s:\s*<bdi>Impostor<\/bdi>/,
      );
      expect(hq.people.list()[0]!.nameConflict).toEqual({
        names: ['Awa Diop', 'Impostor'],
        shown: 'Impostor',
      });
      // One person now, with both boxes' progress: the decision was staff's, not the bundle's.
      const rows = hq.reports.trainees();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ passed: true });
      expect(rows[0]!.appliances.split('; ').sort()).toEqual(['Box A', 'Box B']);
    } finally {
      await server.close();
    }
  });
});
