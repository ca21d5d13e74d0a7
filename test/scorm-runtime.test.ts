import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { durationSeconds, flattenCmi, judge, ScormService } from '../src/learning/scorm.service.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-rt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SESSION = '0b7e5b1e-8d3c-4a8e-9c61-3f0c3b2a1d00';
const SESSION2 = '0b7e5b1e-8d3c-4a8e-9c61-3f0c3b2a1d01';

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
    expect(() => flattenCmi({})).toThrow(/no cmi object/);
    expect(() => flattenCmi({ cmi: { 'bad key!': 'x' } })).toThrow(/not valid/);
    expect(() => flattenCmi({ cmi: { suspend_data: 'x'.repeat(70_000) } })).toThrow(/longer than/);
    expect(
      flattenCmi({ cmi: { core: { lesson_location: 'p2' }, interactions: { 0: { id: 'q' } } } }),
    ).toEqual({
      'cmi.core.lesson_location': 'p2',
      'cmi.interactions.0.id': 'q',
    });
  });
});

describe('ScormService on a real records.db', () => {
  let ctx: ReturnType<typeof testContext>;
  let scorm: ScormService;
  let person: { id: string; displayName: string };
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(tmp, 's.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'radio' },
    );
    scorm = new ScormService(ctx.db.records, ctx.records, ctx.content, ctx.learning);
    person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
  });
  afterEach(() => ctx.cleanup());

  it('keeps LMS-owned elements out of the stored state, sums session times, and starts a new attempt after a finished one', async () => {
    const l1 = scorm.launch(person, 'radio', 'radio-sco', 'en');
    expect(l1.cmi).toMatchObject({
      'cmi.core.entry': 'ab-initio',
      'cmi.student_data.mastery_score': '80',
      'cmi.core.student_name': 'Awa Diallo',
    });
    await scorm.commit(person, 'radio', 'radio-sco', 'en', {
      sessionId: SESSION,
      attemptNo: 1,
      body: {
        cmi: {
          core: {
            lesson_location: 'p2',
            student_name: 'Mallory',
            total_time: '9999:00:00',
            session_time: '00:00:30',
            exit: 'suspend',
            lesson_status: 'incomplete',
          },
        },
      },
    });
    const s1 = scorm.attemptState(person.id, 'radio', 'radio-sco')!;
    expect(s1.state.cmi['cmi.core.student_name']).toBeUndefined();
    expect(s1.state.cmi['cmi.core.total_time']).toBeUndefined();
    const l2 = scorm.launch(person, 'radio', 'radio-sco', 'en');
    expect(l2.cmi).toMatchObject({
      'cmi.core.entry': 'resume',
      'cmi.core.lesson_location': 'p2',
      'cmi.core.total_time': '0000:00:30',
      'cmi.core.student_name': 'Awa Diallo',
    });
    const r = await scorm.commit(person, 'radio', 'radio-sco', 'en', {
      sessionId: SESSION2,
      attemptNo: 1,
      terminate: true,
      body: {
        cmi: {
          core: {
            lesson_status: 'completed',
            exit: '',
            session_time: '00:01:00',
            score: { raw: '85', min: '0', max: '100' },
          },
        },
      },
    });
    expect(r).toMatchObject({
      attemptNo: 1,
      status: 'passed',
      statements: ['initialized', 'completed', 'passed', 'terminated'],
    });
    const l3 = scorm.launch(person, 'radio', 'radio-sco', 'en');
    expect(l3.attemptNo).toBe(2);
    expect(l3.cmi['cmi.core.lesson_location']).toBeUndefined();
    expect(l3.cmi['cmi.core.entry']).toBe('ab-initio');
    // Best status and score are kept in progress across attempts.
    expect(
      ctx.learning.courseProgress(person.id, ctx.content.getCourse('radio', 'en')!).activities['radio-sco'],
    ).toMatchObject({ status: 'passed', bestScore: 0.85 });
  });

  it('rebuilds the same SCORM progress from the journal as live commits made (initialized included)', async () => {
    // A session that only initializes (no location, no status): the SCO is started by 'initialized' alone.
    const r = await scorm.commit(person, 'radio', 'radio-sco', 'en', {
      sessionId: SESSION,
      attemptNo: 1,
      body: { cmi: { core: { session_time: '00:00:05' } } },
    });
    expect(r.statements).toEqual(['initialized']);
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
  });

  it('refuses a commit for an unknown SCO or with a bad session id, recording nothing', async () => {
    const before = ctx.records.lastSeq();
    await expect(
      scorm.commit(person, 'radio', 'nope', 'en', { sessionId: SESSION, attemptNo: 1, body: { cmi: {} } }),
    ).rejects.toThrow(/not found/i);
    await expect(
      scorm.commit(person, 'radio', 'radio-sco', 'en', { sessionId: 'x', attemptNo: 1, body: { cmi: {} } }),
    ).rejects.toThrow(/not a session id/);
    expect(ctx.records.lastSeq()).toBe(before);
  });
});
