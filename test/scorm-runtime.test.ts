import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { checkCmiSet, durationSeconds, judge } from '../src/learning/scorm.service.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-rt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('SCORM CMI rules', () => {
  it('reads SCORM 1.2 timespans and SCORM 2004 durations', () => {
    expect(durationSeconds('0001:02:03.5')).toBe(3723.5);
    expect(durationSeconds('PT1H2M3.5S')).toBe(3723.5);
    expect(durationSeconds('P1DT1S')).toBe(86401);
    expect(durationSeconds('nonsense')).toBe(0);
  });

  it('judges 1.2 by mastery score and 2004 by thresholds', () => {
    expect(
      judge(
        'scorm12',
        { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '70' },
        { scormType: 'sco', launch: 'a', masteryScore: 80 },
      ),
    ).toMatchObject({
      completed: true,
      success: 'failed',
      scaled: 0.7,
    });
    expect(
      judge('scorm12', { 'cmi.core.lesson_status': 'incomplete' }, { scormType: 'sco', launch: 'a' }),
    ).toMatchObject({ completed: false, status: 'incomplete' });
    const info = {
      scormType: 'sco' as const,
      launch: 'a',
      completionThreshold: 0.75,
      scaledPassingScore: 0.6,
    };
    expect(
      judge('scorm2004', { 'cmi.completion_status': 'completed', 'cmi.progress_measure': '0.5' }, info),
    ).toMatchObject({ completed: false });
    expect(
      judge('scorm2004', { 'cmi.progress_measure': '0.8', 'cmi.score.scaled': '0.59' }, info),
    ).toMatchObject({ completed: true, success: 'failed' });
  });

  it('refuses commits that are not CMI data', () => {
    expect(() => checkCmiSet([])).toThrow(/no CMI values/);
    expect(() => checkCmiSet({ 'bad key!': 'x' })).toThrow(/not valid/);
    expect(() => checkCmiSet({ 'cmi..x': 'x' })).toThrow(/not valid/);
    expect(() => checkCmiSet({ 'cmi.suspend_data': 'x'.repeat(70_000) })).toThrow(/longer than/);
    expect(checkCmiSet({ 'cmi.core.lesson_location': 'p2', 'cmi.interactions.0.id': 'q' })).toEqual({
      'cmi.core.lesson_location': 'p2',
      'cmi.interactions.0.id': 'q',
    });
  });
});

describe('ScormService on a real records.db', () => {
  let ctx: ReturnType<typeof testContext>;
  let person: { id: string; displayName: string };
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 's.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'radio' },
    );
    person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
  });
  afterEach(() => ctx.cleanup());

  it('keeps LMS-owned elements out of the stored state, sums session times, and starts a new attempt after a finished one', async () => {
    const l1 = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    expect(l1.data.cmi).toMatchObject({
      'cmi.core.entry': 'ab-initio',
      'cmi.student_data.mastery_score': '80',
      'cmi.core.student_name': 'Awa Diallo',
    });
    await l1.commit({
      'cmi.core.lesson_location': 'p2',
      'cmi.core.student_name': 'Mallory',
      'cmi.core.total_time': '9999:00:00',
      'cmi.core.session_time': '00:00:30',
      'cmi.core.exit': 'suspend',
      'cmi.core.lesson_status': 'incomplete',
    });
    const s1 = ctx.scorm.attemptState(person.id, 'radio', 'radio-sco')!;
    expect(s1.state.cmi['cmi.core.student_name']).toBeUndefined();
    expect(s1.state.cmi['cmi.core.total_time']).toBeUndefined();
    const l2 = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    expect(l2.data.cmi).toMatchObject({
      'cmi.core.entry': 'resume',
      'cmi.core.lesson_location': 'p2',
      'cmi.core.total_time': '0000:00:30',
      'cmi.core.student_name': 'Awa Diallo',
    });
    const r = await l2.commit(
      {
        'cmi.core.lesson_status': 'completed',
        'cmi.core.exit': '',
        'cmi.core.session_time': '00:01:00',
        'cmi.core.score.raw': '85',
        'cmi.core.score.min': '0',
        'cmi.core.score.max': '100',
      },
      { terminate: true, exitSet: true },
    );
    expect(r).toMatchObject({
      attemptNo: 1,
      status: 'passed',
      statements: ['completed', 'passed', 'terminated'],
    });
    const l3 = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    expect(l3.data.attemptNo).toBe(2);
    expect(l3.data.cmi['cmi.core.lesson_location']).toBeUndefined();
    expect(l3.data.cmi['cmi.core.entry']).toBe('ab-initio');
    // Best status and score are kept in progress across attempts.
    expect(
      ctx.learning.courseProgress(person.id, ctx.content.getCourse('radio', 'en')!).activities['radio-sco'],
    ).toMatchObject({ status: 'passed', bestScore: 0.85 });
  });

  it('applies a commit only when its number is higher: a resent or overtaken commit gets the stored answer and writes nothing', async () => {
    const l = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    const token = l.token;
    const c2 = await ctx.scorm.commitLaunch(
      { token, seq: 2, set: { 'cmi.core.lesson_location': 'p2' } },
      'en',
    );
    const seq = ctx.records.lastSeq();
    // Commit 1 arrives late (overtaken), then 2 is resent: both answered with 2's answer, nothing written.
    expect(
      await ctx.scorm.commitLaunch({ token, seq: 1, set: { 'cmi.core.lesson_location': 'p1' } }, 'en'),
    ).toEqual(c2);
    expect(
      await ctx.scorm.commitLaunch({ token, seq: 2, set: { 'cmi.core.lesson_location': 'p2' } }, 'en'),
    ).toEqual(c2);
    expect(ctx.records.lastSeq()).toBe(seq);
    expect(
      ctx.scorm.attemptState(person.id, 'radio', 'radio-sco')!.state.cmi['cmi.core.lesson_location'],
    ).toBe('p2');
    // A forged token, another activity's: refused.
    await expect(
      ctx.scorm.commitLaunch({ token: token.slice(0, -2) + 'xx', seq: 3, set: {} }, 'en'),
    ).rejects.toMatchObject({ code: 'launch_invalid', status: 401 });
    // A newer launch of the same activity supersedes this one.
    await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    await expect(ctx.scorm.commitLaunch({ token, seq: 3, set: {} }, 'en')).rejects.toMatchObject({
      code: 'launch_superseded',
      status: 409,
    });
  });

  it('closes a launch that never terminated: suspended at the next launch, or by the 30-minute sweep; a later commit reopens it', async () => {
    const l = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    await l.commit({ 'cmi.core.lesson_location': 'p3' });
    expect(await ctx.scorm.closeStaleLaunches(30)).toBe(0);
    ctx.db.records.prepare(`UPDATE attempts SET updated_at = '2000-01-01T00:00:00.000Z'`).run();
    expect(await ctx.scorm.closeStaleLaunches(30)).toBe(1);
    const st = ctx.scorm.attemptState(person.id, 'radio', 'radio-sco')!.state;
    expect(st.open).toBeNull();
    // The SCO set no exit: closed as suspended, so the trainee resumes.
    const verbs = ctx.records.statementsFor(person.id, 50).map((s) => Object.entries(s.verb.display)[0]![1]);
    expect(verbs).toContain('suspended');
    await l.commit({ 'cmi.core.lesson_location': 'p4' });
    expect(ctx.scorm.attemptState(person.id, 'radio', 'radio-sco')!.state.open).toBe(l.data.sessionId);
    const next = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    expect(next.data.cmi).toMatchObject({ 'cmi.core.entry': 'resume', 'cmi.core.lesson_location': 'p4' });
  });

  it('rebuilds the same SCORM progress from the journal as live commits made (initialized included)', async () => {
    // A session that only initializes (no location, no status): the SCO is started by 'initialized' alone.
    const l = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    const r = await l.commit({ 'cmi.core.session_time': '00:00:05' });
    expect(r.statements).toEqual([]);
    const rows = () => ctx.db.records.prepare(`SELECT * FROM progress ORDER BY course_id, activity_id`).all();
    const live = rows();
    expect(live).toEqual([
      expect.objectContaining({ activity_id: '', status: 'started' }),
      expect.objectContaining({ activity_id: 'radio-sco', status: 'started', position: 'radio-sco' }),
    ]);
    ctx.learning.rebuildDerived();
    expect(rows()).toEqual(live);
    ctx.learning.rebuildDerived((all) => [...all].reverse());
    expect(rows()).toEqual(live);
    // Each statement of the SCORM course (the course's launched, the SCO's initialized) names the ADL
    // SCORM profile as its category.
    const bodies = ctx.db.records
      .prepare(`SELECT body FROM journal WHERE kind = 'statement'`)
      .pluck()
      .all() as string[];
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const b of bodies)
      expect(
        (JSON.parse(b) as { context: { contextActivities: { category?: unknown } } }).context
          .contextActivities.category,
      ).toEqual([{ id: 'https://w3id.org/xapi/scorm', objectType: 'Activity' }]);
  });

  it('refuses a launch for an unknown SCO or a malformed commit, recording nothing', async () => {
    const before = ctx.records.lastSeq();
    await expect(ctx.scorm.prepareLaunch(person, 'radio', 'nope', 'en')).rejects.toThrow(/not found/i);
    await expect(ctx.scorm.startLaunch('nonsense', 'en')).rejects.toMatchObject({ code: 'launch_invalid' });
    expect(ctx.records.lastSeq()).toBe(before);
    const l = await scormLaunch(ctx.scorm, person, 'radio', 'radio-sco');
    const after = ctx.records.lastSeq();
    await expect(ctx.scorm.commitLaunch({ token: l.token, seq: 0, set: {} }, 'en')).rejects.toThrow(
      /not a commit number/,
    );
    await expect(
      ctx.scorm.commitLaunch({ token: l.token, seq: 1, set: { 'cmi.x y': '1' } }, 'en'),
    ).rejects.toThrow(/not valid/);
    expect(ctx.records.lastSeq()).toBe(after);
  });
});
