/**
 * SCORM outcomes through the one emitter and projector: a SCORM 2004 course's pass/fail is the root's
 * rollup, journalled as course-level statements (the box's course page and HQ read them; HQ runs no
 * sequencer); a SCORM 1.2 course's by its SCOs. Real records.db, real bundle, real HQ import.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { VERBS, type XapiStatement } from '../src/contract/vocabulary.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext, testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';
import { testHq } from './hq.fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const verbOf = (s: XapiStatement) => Object.entries(VERBS).find(([, v]) => v === s.verb.id)?.[0];

describe('SCORM course outcomes', () => {
  let ctx: ReturnType<typeof testContext>;
  let person: { id: string; displayName: string };
  beforeEach(async () => {
    ctx = testContext();
    person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
  });
  afterEach(() => ctx.cleanup());

  const install = (fixture: string, id: string) =>
    importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, fixture), join(tmp, `${id}.zip`)),
      { trustedKeys: [], allowUnsigned: true },
      { id },
    );
  /** Course-level statements in journal order (statementsFor gives the newest first). */
  const courseVerbs = () =>
    ctx.records
      .statementsFor(person.id, 500)
      .filter((s) => s.object.id === 'urn:fieldclass:course:checkpoint')
      .reverse()
      .map(verbOf);

  it('2004: the root rollup (SN defaults) fails the course when a SCO fails, passes it when every SCO is satisfied; box and HQ agree', async () => {
    await install('scorm2004-multi', 'checkpoint');
    const outline = () => ctx.content.getCourse('checkpoint', 'en')!;

    const brief = await scormLaunch(ctx.scorm, person, 'checkpoint', 'sco-brief');
    await brief.commit(
      { 'cmi.progress_measure': '0.9', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    // The handout is an asset: opening it completes it, and the End Attempt Process satisfies it.
    const handout = await scormLaunch(ctx.scorm, person, 'checkpoint', 'handout');
    await ctx.scorm.commitLaunch({ token: handout.token, seq: 1, asset: true }, 'en');
    expect(ctx.learning.courseProgress(person.id, outline()).result).toBe('not_assessed');

    const check = await scormLaunch(ctx.scorm, person, 'checkpoint', 'sco-check');
    await check.commit(
      { 'cmi.completion_status': 'completed', 'cmi.score.scaled': '0.4', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    // Check's measure 0.4 is under its minNormalizedMeasure 0.6: not satisfied, so the root is not.
    expect(ctx.learning.courseProgress(person.id, outline())).toMatchObject({
      completed: true,
      result: 'failed',
    });
    expect(courseVerbs()).toEqual(['launched', 'completed', 'failed']);

    const again = await scormLaunch(ctx.scorm, person, 'checkpoint', 'sco-check');
    expect(again.data.attemptNo).toBe(2);
    await again.commit(
      { 'cmi.completion_status': 'completed', 'cmi.score.scaled': '0.9', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    expect(ctx.learning.courseProgress(person.id, outline())).toMatchObject({
      completed: true,
      result: 'passed',
    });
    expect(courseVerbs()).toEqual(['launched', 'completed', 'failed', 'passed']);
    const passed = ctx.records
      .statementsFor(person.id, 500)
      .find((s) => s.object.id === 'urn:fieldclass:course:checkpoint' && verbOf(s) === 'passed')!;
    expect(passed.result).toMatchObject({ success: true, completion: true });

    // A later failing attempt does not undo the recorded pass, and writes no course-level statement.
    const third = await scormLaunch(ctx.scorm, person, 'checkpoint', 'sco-check');
    await third.commit(
      { 'cmi.completion_status': 'completed', 'cmi.score.scaled': '0.1', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    expect(courseVerbs()).toEqual(['launched', 'completed', 'failed', 'passed']);
    expect(ctx.learning.courseProgress(person.id, outline()).result).toBe('passed');

    // Derived state rebuilt from the journal (any order) says the same.
    ctx.learning.rebuildDerived((rows) => [...rows].reverse());
    expect(ctx.learning.courseProgress(person.id, outline()).result).toBe('passed');

    // HQ reads the same statements and shows the course passed without running a sequencer.
    const written = await ctx.bundles.exporter.export({ outDir: join(ctx.dir, 'stick') });
    const hq = testHq();
    try {
      hq.appliances.enrol(ctx.identity.request());
      for (const w of written) expect((await hq.imports.importFile(w.path)).status).toBe('imported');
      expect(
        hq.reports.trainees().find((t) => t.username === 'awa' && t.course === 'checkpoint'),
      ).toMatchObject({ result: 'passed' });
      expect(
        hq.reports.courses().find((r) => r.course === 'checkpoint' && r.breakdown === 'all'),
      ).toMatchObject({ passed: 1, failed: 0, completed: 1 });
    } finally {
      hq.cleanup();
    }
  });

  it('2004 with sequencing rules: the course passes by the package rollup (Further reading left out)', async () => {
    await install('scorm2004-sequencing', 'search');
    const outline = ctx.content.getCourse('search', 'en')!;
    for (const sco of ['sco-rules', 'sco-practice']) {
      const l = await scormLaunch(ctx.scorm, person, 'search', sco);
      await l.commit(
        { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.exit': 'normal' },
        { terminate: true, exitSet: true },
      );
    }
    expect(ctx.learning.courseProgress(person.id, outline)).toMatchObject({
      completed: true,
      result: 'passed',
    });
  });

  it('1.2: a SCO under its mastery score fails the course; the page shows it', async () => {
    await install('scorm12-single', 'radio');
    const outline = ctx.content.getCourse('radio', 'en')!;
    const l = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    await l.commit({ 'cmi.core.lesson_status': 'incomplete', 'cmi.core.exit': 'suspend' });
    // Assessed (the manifest has a mastery score) but not decided yet.
    expect(ctx.learning.courseProgress(person.id, outline).result).toBe('pending');
    await l.commit(
      { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '50', 'cmi.core.exit': '' },
      { terminate: true, exitSet: true },
    );
    expect(ctx.learning.courseProgress(person.id, outline).result).toBe('failed');
  });
});

describe('isvisible="false"', () => {
  it('leaves the item out of the outline and the contents; flow still delivers it', async () => {
    const dir = join(tmp, 'invisible');
    cpSync(join(SCORM_FIXTURES, 'scorm2004-multi'), dir, { recursive: true });
    const xml = join(dir, 'imsmanifest.xml');
    writeFileSync(
      xml,
      readFileSync(xml, 'utf8').replace(
        '<item identifier="handout" identifierref="R-handout">',
        '<item identifier="handout" identifierref="R-handout" isvisible="false">',
      ),
    );
    const s = await testServer();
    try {
      await importContent(
        s.ctx.content,
        zipFolder(dir, join(tmp, 'invisible.zip')),
        { trustedKeys: [], allowUnsigned: true },
        { id: 'checkpoint' },
      );
      const p = await s.ctx.people.addTrainee({ username: 'awa', pin: '2468' });
      expect([...s.ctx.scorm.invisible('checkpoint')]).toEqual(['handout']);
      const b = new Browserless(s.url);
      expect((await b.submit('/', '/signin', { username: 'awa', pin: '2468' })).status).toBe(303);
      const outline = (await b.page('/courses/checkpoint')).html;
      expect(outline).toContain('data-activity="sco-check"');
      expect(outline).not.toContain('data-activity="handout"');
      const player = (await b.page('/courses/checkpoint/scorm/sco-check')).html;
      expect(player).toContain('Briefing');
      expect(player).not.toContain('Handout');
      // Still delivered: Next from the last visible SCO leads to it.
      const nav = await s.ctx.scorm.navigation(p.id, 'checkpoint', 'sco-check', 'en');
      expect(nav.continue).toBe('handout');
      expect(nav.deliverable).toContain('handout');
    } finally {
      await s.cleanup();
    }
  });
});
