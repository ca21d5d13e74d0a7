import { describe, expect, it } from 'vitest';
import type { CourseBody } from './journal.js';
import {
  activityOutcome,
  courseOutcome,
  foldEffect,
  noFacts,
  statementEffect,
  tally,
  unionJournals,
  type ActivityFacts,
} from './outcomes.js';
import { EXT, SCORM_EXT, VERBS, type XapiStatement } from './vocabulary.js';

function stmt(
  verb: keyof typeof VERBS,
  activityId: string,
  result?: XapiStatement['result'],
  ext: Record<string, unknown> = {},
): XapiStatement {
  return {
    id: 'x',
    actor: { objectType: 'Agent', account: { homePage: 'h', name: 'p1' } },
    verb: { id: VERBS[verb], display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: 'urn:x' },
    ...(result ? { result } : {}),
    context: {
      platform: 'fieldclass',
      extensions: { [EXT.courseId]: 'c', [EXT.activityId]: activityId, ...ext },
    },
    timestamp: '2026-01-01T00:00:00.000Z',
  };
}

function facts(...statements: XapiStatement[]): ActivityFacts {
  let f = noFacts();
  for (const s of statements) {
    const e = statementEffect(s);
    if (e?.type === 'activity') f = foldEffect(f, e.effect);
  }
  return f;
}

const native: CourseBody = {
  id: 'c',
  version: '1.0.0',
  kind: 'native',
  titles: { en: 'C' },
  activities: [
    { id: 'l1', type: 'lesson', titles: {} },
    { id: 'q1', type: 'quiz', titles: {}, passMark: 0.75 },
    { id: 'q2', type: 'quiz', titles: {}, passMark: 0.5 },
  ],
  assessed: ['q1', 'q2'],
};

describe('activity outcome', () => {
  it('a passed or failed without a score has no score (not 0); the best score otherwise', () => {
    expect(activityOutcome(facts(stmt('passed', 'q1', { success: true }))).score).toBeNull();
    const f = facts(
      stmt('failed', 'q1', { score: { scaled: 0.4 }, completion: true }, { [EXT.attempt]: 1 }),
      stmt('passed', 'q1', { score: { scaled: 0.9 }, completion: true }, { [EXT.attempt]: 2 }),
      stmt('failed', 'q1', { score: { scaled: 0.6 }, completion: true }, { [EXT.attempt]: 3 }),
    );
    expect(activityOutcome(f)).toEqual({
      status: 'passed',
      completed: true,
      passed: true,
      failed: false,
      score: 0.9,
      attempts: 3,
    });
  });

  it('failed outranks completed: a SCO that completed and failed shows failed, and is completed', () => {
    const f = facts(
      stmt('completed', 'sco1', { completion: true }),
      stmt(
        'failed',
        'sco1',
        { success: false, completion: true, score: { scaled: 0.2 } },
        { [SCORM_EXT.attempt]: 1 },
      ),
    );
    expect(activityOutcome(f)).toMatchObject({
      status: 'failed',
      completed: true,
      failed: true,
      attempts: 1,
    });
  });

  it('answered questions and terminated add nothing; rated is a rating', () => {
    expect(statementEffect(stmt('answered', 'q1/a', { success: true }))).toBeNull();
    expect(statementEffect(stmt('terminated', 'sco1'))).toBeNull();
    expect(statementEffect(stmt('rated', '', { score: { raw: 4 } }))).toMatchObject({
      type: 'rating',
      effect: { rating: 4 },
    });
  });

  it('the same facts whatever the order; attempts add up over boxes', () => {
    const a = stmt('failed', 'q1', { completion: true }, { [EXT.attempt]: 1 });
    const b = stmt('passed', 'q1', { completion: true, score: { scaled: 0.8 } }, { [EXT.attempt]: 2 });
    expect(facts(a, b)).toEqual(facts(b, a));
    expect(unionJournals([facts(a, b), facts(a)]).attempts).toBe(3);
  });
});

describe('course outcome', () => {
  const acts = (o: Record<string, XapiStatement[]>) =>
    new Map(Object.entries(o).map(([k, v]) => [k, facts(...v)]));
  const done = (id: string) => stmt('completed', id, { completion: true });
  const pass = (id: string) => stmt('passed', id, { completion: true, success: true, score: { scaled: 1 } });
  const fail = (id: string) =>
    stmt('failed', id, { completion: true, success: false, score: { scaled: 0.5 } });

  it('native: passes when every assessed activity passed, fails when one failed, completed when every item is', () => {
    expect(
      courseOutcome(native, acts({ l1: [done('l1')], q1: [pass('q1')], q2: [pass('q2')] })),
    ).toMatchObject({
      completed: true,
      result: 'passed',
      score: 1,
    });
    // A failed quiz is completed (submitted) but fails the course.
    expect(
      courseOutcome(native, acts({ l1: [done('l1')], q1: [pass('q1')], q2: [fail('q2')] })),
    ).toMatchObject({
      completed: true,
      result: 'failed',
    });
    expect(courseOutcome(native, acts({ q1: [pass('q1')] }))).toMatchObject({
      completed: false,
      result: 'pending',
    });
    expect(courseOutcome({ ...native, assessed: [] }, acts({ q1: [fail('q1')] }))?.result).toBe(
      'not_assessed',
    );
    expect(courseOutcome(native, new Map())).toBeNull();
  });

  it('SCORM 1.2: assessed by a mastery score or a reported pass/fail; passes with every SCO passed or completed', () => {
    const s12: CourseBody = {
      ...native,
      kind: 'scorm12',
      activities: [
        { id: 's1', type: 'sco', titles: {} },
        { id: 's2', type: 'sco', titles: {} },
      ],
      assessed: [],
    };
    expect(courseOutcome(s12, acts({ s1: [done('s1')], s2: [done('s2')] }))?.result).toBe('not_assessed');
    expect(courseOutcome(s12, acts({ s1: [done('s1')], s2: [pass('s2')] }))?.result).toBe('passed');
    expect(courseOutcome(s12, acts({ s1: [done('s1'), fail('s1')], s2: [pass('s2')] }))?.result).toBe(
      'failed',
    );
    const mastery = {
      ...s12,
      activities: [{ id: 's1', type: 'sco' as const, titles: {}, masteryScore: 0.8 }],
    };
    expect(courseOutcome(mastery, acts({ s1: [stmt('initialized', 's1')] }))?.result).toBe('pending');
  });

  it('SCORM 2004: the root rollup from course-level statements', () => {
    const s04: CourseBody = {
      ...native,
      kind: 'scorm2004',
      activities: [{ id: 's1', type: 'sco', titles: {} }],
      assessed: [],
    };
    expect(courseOutcome(s04, acts({ s1: [done('s1')], '': [done(''), fail('')] }))).toMatchObject({
      completed: true,
      result: 'failed',
    });
  });

  it('rates: pass rate over decided trainees, good or excellent over ratings, enrolled apart', () => {
    const o = (result: 'passed' | 'failed' | 'pending') => ({
      started: true,
      completed: result !== 'pending',
      result,
      score: null,
      done: 0,
      items: 0,
      attempts: 1,
    });
    const f = tally([
      { enrolled: true, outcome: o('passed'), rating: 5 },
      { enrolled: true, outcome: o('failed'), rating: 2 },
      { enrolled: false, outcome: o('pending'), rating: 4 },
      { enrolled: true, outcome: null, rating: null },
    ]);
    expect(f).toMatchObject({ enrolled: 3, started: 3, completed: 2, passed: 1, failed: 1, passRate: 0.5 });
    expect(f.ratingGoodShare).toBeCloseTo(2 / 3);
  });
});
