/**
 * A coordinator resets a trainee's SCORM attempt: `fieldclass trainee reset <username> <course> <sco>`
 * ends the attempt in progress (the open launch is closed, its late commits refused), the next launch
 * starts over; journal `adjustment` (scorm_reset) that HQ keeps, audit row; a pass is never undone; bad
 * input is a clear error and writes nothing. The CLI opens the running box's data dir, as an operator would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { VERBS } from '../src/contract/vocabulary.js';
import { SCORM_EXT } from '../src/contract/vocabulary.js';
import { runCli } from './helpers/cli.js';
import { testServer } from './helpers/context.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testHq } from './hq.fixtures.js';
import { startHqServer } from '../src/app/hq.app.js';
import { Browserless } from './helpers/http.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-reset-'));

describe('SCORM attempt reset', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    s = await testServer();
    await importContent(
      s.ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 'radio.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'radio' },
    );
  });
  afterAll(async () => {
    await s.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });
  const reset = (...args: string[]) => runCli('trainee', 'reset', ...args, '-d', s.ctx.config.dataDir);
  const journalRows = () => s.ctx.db.records.prepare('SELECT count(*) FROM journal').pluck().get() as number;

  it('the CLI ends the attempt in progress; the next launch starts over; HQ keeps the adjustment', async () => {
    const p = await s.ctx.people.addTrainee({ username: 'awa', pin: '1234', displayName: 'Awa' });
    const l1 = await scormLaunch(s.ctx.scorm, p, 'radio', 'radio-sco');
    await l1.commit({
      'cmi.core.lesson_location': 'page-7',
      'cmi.suspend_data': 'stuck',
      'cmi.core.lesson_status': 'incomplete',
    });

    const r = await reset('awa', 'radio', 'radio-sco');
    expect(r.code, r.err.join('')).toBe(0);
    expect(r.out.join('')).toMatch(
      /reset awa's attempt 1 at radio\/radio-sco; the next launch starts attempt 2/,
    );

    // The open launch was closed by the reset; a commit still on its way from it is refused.
    const closed = s.ctx.records.statementsFor(p.id, 50)[0]!;
    expect(closed.verb.id).toBe(VERBS.terminated);
    expect(closed.context.extensions?.[SCORM_EXT.closedBy]).toBe('reset');
    const before = journalRows();
    await expect(l1.commit({ 'cmi.core.lesson_location': 'page-8' })).rejects.toMatchObject({
      code: 'launch_superseded',
      status: 409,
    });
    expect(journalRows()).toBe(before);

    const l2 = await scormLaunch(s.ctx.scorm, p, 'radio', 'radio-sco');
    expect(l2.data.attemptNo).toBe(2);
    expect(l2.data.cmi['cmi.core.entry']).toBe('ab-initio');
    expect(l2.data.cmi['cmi.core.lesson_location']).toBeUndefined();
    expect(l2.data.cmi['cmi.suspend_data']).toBeUndefined();

    const adj = s.ctx.db.records
      .prepare("SELECT body FROM journal WHERE kind = 'adjustment'")
      .pluck()
      .all() as string[];
    expect(adj.map((x) => JSON.parse(x) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        type: 'scorm_reset',
        personId: p.id,
        courseId: 'radio',
        activityId: 'radio-sco',
      }),
    ]);
    expect(
      s.ctx.db.records
        .prepare("SELECT actor_id, action, target FROM audit WHERE action = 'scorm.reset'")
        .all(),
    ).toEqual([{ actor_id: null, action: 'scorm.reset', target: p.id }]);

    const written = await s.ctx.bundles.exporter.export({ outDir: join(s.ctx.config.dataDir, 'stick') });
    const hq = testHq();
    try {
      hq.appliances.enrol(s.ctx.identity.request());
      for (const w of written) expect((await hq.imports.importFile(w.path)).status).toBe('imported');
      expect(
        hq.db.hq
          .prepare("SELECT type, course_id, activity_id FROM adjustments WHERE type = 'scorm_reset'")
          .all(),
      ).toEqual([{ type: 'scorm_reset', course_id: 'radio', activity_id: 'radio-sco' }]);
      // HQ shows the count where it shows the trainee's course: the report, its CSV and the page.
      const row = hq.reports.trainees().find((t) => t.username === 'awa' && t.course === 'radio');
      expect(row).toMatchObject({ scormResets: 1, attemptsGranted: 0 });
      const server = await startHqServer(hq);
      try {
        await hq.users.add('amina', 'correct horse battery');
        const staff = new Browserless(server.url);
        const signin = await staff.page('/signin');
        const ok = await staff.post('/signin', {
          _csrf: Browserless.csrfOf(signin.html),
          username: 'amina',
          password: 'correct horse battery',
        });
        expect(ok.status).toBe(303);
        const { html } = await staff.page('/reports/trainees?q=awa');
        expect(html).toContain('SCORM resets');
        expect(html).toMatch(/data-col="scormResets"[^>]*>\s*1\s*</);
        const csv = await (await staff.get('/reports/trainees.csv')).text();
        // What the figures mean comes first, as '#' lines; then the header and the rows.
        const [head, line] = csv
          .replace(/^\uFEFF/, '')
          .split('\r\n')
          .filter((l) => !/^"?#/.test(l));
        const cols = head!.split(',');
        expect(cols).toContain('scormResets');
        expect(line!.split(',')[cols.indexOf('scormResets')]).toBe('1');
      } finally {
        await server.close();
      }
    } finally {
      hq.cleanup();
    }
  });

  it('a reset never undoes a recorded pass', async () => {
    const p = await s.ctx.people.addTrainee({ username: 'bintou', pin: '1234' });
    const l = await scormLaunch(s.ctx.scorm, p, 'radio', 'radio-sco');
    // Passed (85 >= mastery 80) but still open: the attempt is in progress.
    await l.commit({ 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '85' });
    expect((await reset('bintou', 'radio', 'radio-sco')).code).toBe(0);
    const course = s.ctx.content.getCourse('radio', 'en')!;
    expect(s.ctx.learning.courseProgress(p.id, course)).toMatchObject({ result: 'passed' });
    expect(s.ctx.learning.courseProgress(p.id, course).activities['radio-sco']).toMatchObject({
      status: 'passed',
      bestScore: 0.85,
    });
  });

  it('unknown trainee, unknown SCO, no attempt in progress: a clear error, nothing written', async () => {
    const p = await s.ctx.people.addTrainee({ username: 'chloe', pin: '1234' });
    const before = journalRows();
    const cases: [string[], RegExp][] = [
      [['nobody', 'radio', 'radio-sco'], /trainee "nobody".*not found/i],
      [['chloe', 'radio', 'nope'], /SCO radio\/nope.*not found/i],
      [['chloe', 'radio', 'radio-sco'], /chloe has no attempt in progress at radio\/radio-sco/],
    ];
    for (const [args, message] of cases) {
      const r = await reset(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.join(''), args.join(' ')).toMatch(message);
    }
    // A finished attempt: the next launch already starts a new one.
    const l = await scormLaunch(s.ctx.scorm, p, 'radio', 'radio-sco');
    await l.commit(
      { 'cmi.core.lesson_status': 'completed', 'cmi.core.exit': '' },
      { terminate: true, exitSet: true },
    );
    const after = journalRows();
    expect((await reset('chloe', 'radio', 'radio-sco')).code).toBe(1);
    expect(journalRows()).toBe(after);
    expect(after).toBeGreaterThan(before);
  });
});
