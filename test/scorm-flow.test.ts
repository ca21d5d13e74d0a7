import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScormActivityNode } from '../src/content/scorm/scorm-package.js';
import { importContent } from '../src/content/course-bundle.js';
import { sequence, type FlowRules, type PostAction } from '../src/learning/scorm.sequencing.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-flow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const node = (id: string, ...children: ScormActivityNode[]): ScormActivityNode => ({
  id,
  title: id,
  children,
});
// root: [ m1: [a, b], m2: [c, d], e ]
const tree = node('root', node('m1', node('a'), node('b')), node('m2', node('c'), node('d')), node('e'));

function rules(o: {
  skip?: string[];
  disabled?: string[];
  noFlow?: string[];
  forwardOnly?: string[];
  exit?: string[];
  post?: Record<string, PostAction>;
}): FlowRules {
  return {
    skipped: (id) => o.skip?.includes(id) ?? false,
    disabled: (id) => o.disabled?.includes(id) ?? false,
    flow: (id) => !(o.noFlow?.includes(id) ?? false),
    forwardOnly: (id) => o.forwardOnly?.includes(id) ?? false,
    exitAction: (id) => o.exit?.includes(id) ?? false,
    postAction: (id) => o.post?.[id] ?? null,
  };
}
const any = () => true;

describe('SN flow and post-condition rules (sequence)', () => {
  it('continue / previous walk the tree across clusters; past the last activity the session ends', () => {
    const r = rules({});
    expect(sequence(tree, r, any, 'b', 'continue', true)).toEqual({ deliver: 'c' });
    expect(sequence(tree, r, any, 'c', 'previous', true)).toEqual({ deliver: 'b' });
    expect(sequence(tree, r, any, 'e', 'continue', true)).toEqual({ end: true });
    expect(sequence(tree, r, any, 'a', 'previous', true)).toEqual({ none: true });
    expect(sequence(tree, r, any, '', 'start', false)).toEqual({ deliver: 'a' });
  });

  it('skip: flow passes over skipped SCOs and clusters, both ways; Start too', () => {
    const r = rules({ skip: ['c', 'm1'] });
    expect(sequence(tree, r, any, '', 'start', false)).toEqual({ deliver: 'd' });
    expect(sequence(tree, r, any, 'd', 'previous', true)).toEqual({ none: true });
    const r2 = rules({ skip: ['c', 'd'] });
    expect(sequence(tree, r2, any, 'b', 'continue', true)).toEqual({ deliver: 'e' });
    expect(sequence(tree, r2, any, 'e', 'previous', true)).toEqual({ deliver: 'b' });
  });

  it('a disabled activity stops flow; flow="false" and forwardOnly refuse', () => {
    expect(sequence(tree, rules({ disabled: ['c'] }), any, 'b', 'continue', true)).toEqual({ none: true });
    expect(sequence(tree, rules({ noFlow: ['m1'] }), any, 'a', 'continue', true)).toEqual({ none: true });
    expect(sequence(tree, rules({ forwardOnly: ['m2'] }), any, 'd', 'previous', true)).toEqual({
      none: true,
    });
    // A SCO the caller says may not be delivered (disabled by an ancestor) is not delivered either.
    expect(sequence(tree, rules({}), (id) => id !== 'c', 'b', 'continue', true)).toEqual({ none: true });
  });

  it('retry delivers the SCO again; on a cluster it flows in from the first child that is not skipped', () => {
    expect(sequence(tree, rules({ post: { d: 'retry' } }), any, 'd', '_none_', true)).toEqual({
      deliver: 'd',
    });
    expect(sequence(tree, rules({ post: { d: 'retry' } }), any, 'd', 'continue', true)).toEqual({
      deliver: 'd',
    });
    // A cluster's retry says which cluster began a new attempt (its children's attempts are superseded).
    const climb = rules({ post: { d: 'exitParent', m2: 'retry' }, skip: ['c'] });
    expect(sequence(tree, climb, any, 'd', '_none_', true)).toEqual({ deliver: 'd', retried: 'm2' });
    const climb2 = rules({ post: { b: 'exitParent', m1: 'retry' } });
    expect(sequence(tree, climb2, any, 'b', 'continue', true)).toEqual({ deliver: 'a', retried: 'm1' });
    // Decided when the attempt ended: followed as decided, whatever the rules say now, for any request.
    expect(sequence(tree, rules({}), any, 'b', 'continue', { retry: 'm1' })).toEqual({
      deliver: 'a',
      retried: 'm1',
    });
    expect(sequence(tree, rules({ skip: ['c'] }), any, 'd', '_none_', { retry: 'm2' })).toEqual({
      deliver: 'd',
      retried: 'm2',
    });
  });

  it('retryAll starts again from the root; exitAll ends the session; exitParent up to the root ends it', () => {
    expect(sequence(tree, rules({ post: { c: 'retryAll' } }), any, 'c', '_none_', true)).toEqual({
      deliver: 'a',
      retried: 'root',
    });
    expect(sequence(tree, rules({ post: { c: 'exitAll' } }), any, 'c', 'continue', true)).toEqual({
      end: true,
    });
    expect(sequence(tree, rules({ post: { e: 'exitParent' } }), any, 'e', 'previous', true)).toEqual({
      end: true,
    });
    expect(
      sequence(tree, rules({ post: { b: 'exitParent', m1: 'exitParent' } }), any, 'b', '_none_', true),
    ).toEqual({ end: true });
  });

  it('continue / previous post-conditions replace the request; after exitParent flow leaves the cluster', () => {
    expect(sequence(tree, rules({ post: { a: 'continue' } }), any, 'a', '_none_', true)).toEqual({
      deliver: 'b',
    });
    expect(sequence(tree, rules({ post: { c: 'previous' } }), any, 'c', 'continue', true)).toEqual({
      deliver: 'b',
    });
    expect(sequence(tree, rules({ post: { a: 'exitParent' } }), any, 'a', 'continue', true)).toEqual({
      deliver: 'c',
    });
    // choice / jump give way to a post-condition's request, and are the caller's otherwise
    expect(sequence(tree, rules({ post: { a: 'retry' } }), any, 'a', 'choice', true)).toEqual({
      deliver: 'a',
    });
    expect(sequence(tree, rules({}), any, 'a', 'choice', true)).toBe('as-requested');
  });

  it('an exit condition rule on an ancestor ends there first; a suspended attempt waits (no post-conditions)', () => {
    const r = rules({ exit: ['m1'], post: { m1: 'retry', a: 'continue' } });
    expect(sequence(tree, r, any, 'a', '_none_', true)).toEqual({ deliver: 'a', retried: 'm1' });
    expect(sequence(tree, rules({ post: { a: 'exitAll' } }), any, 'a', 'continue', false)).toEqual({
      deliver: 'b',
    });
    expect(sequence(tree, rules({ post: { a: 'exitAll' } }), any, 'a', '_none_', false)).toEqual({
      none: true,
    });
  });
});

describe('The golf "Simple Remediation" shape on a real records.db: skip, retry, exitParent, exitAll', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-remediation'), join(tmp, 'remediation.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'golf' },
    );
  });
  afterEach(() => ctx.cleanup());

  it('a failed quiz sends the trainee back through its content only, then the course passes', async () => {
    const scorm = ctx.scorm;
    const person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    const pkg = scorm.packageOf('golf')!;
    // The sequencingCollection's rules reached the items through IDRef.
    const wrapper = pkg.sequencing!.children[0]!;
    expect(wrapper.children[0]!.sequencing?.rules?.preConditionRules?.[0]?.action).toBe('skip');
    expect(wrapper.children[7]!.sequencing?.rules?.postConditionRules?.[0]?.action).toBe('exitParent');
    expect(wrapper.sequencing?.rules?.postConditionRules?.map((r) => r.action)).toEqual(['retry', 'exitAll']);

    const content = async (id: string) => {
      const l = await scormLaunch(scorm, person, 'golf', id);
      const a = await l.commit(
        { 'cmi.completion_status': 'completed', 'cmi.exit': '' },
        { terminate: true, exitSet: true },
      );
      expect(a.status).toBeTruthy();
      return scorm.navigate(person.id, 'golf', id, 'en', 'continue', undefined);
    };
    const quiz = async (id: string, pass: boolean) => {
      const l = await scormLaunch(scorm, person, 'golf', id);
      await l.commit(
        {
          'cmi.score.scaled': pass ? '1' : '0',
          'cmi.completion_status': 'completed',
          'cmi.success_status': pass ? 'passed' : 'failed',
          'cmi.exit': '',
        },
        { terminate: true, exitSet: true },
      );
      return scorm.navigation(person.id, 'golf', id, 'en');
    };
    expect(await scorm.entry(person.id, 'golf', 'en')).toBe('playing_item');
    expect(await content('playing_item')).toBe('etuqiette_item');
    expect(await content('etuqiette_item')).toBe('handicapping_item');
    expect(await content('handicapping_item')).toBe('havingfun_item');
    expect(await content('havingfun_item')).toBe('test_1');
    expect((await quiz('test_1', true)).continue).toBe('test_2');
    expect((await quiz('test_2', true)).continue).toBe('test_3');
    const failed = await quiz('test_3', false);
    // No post-condition on test 3: the trainee stays, Next leads on to the last quiz.
    expect(failed.afterEnd).toEqual({ none: true });
    expect(failed.continue).toBe('test_4');
    const last = await quiz('test_4', true);
    // exitParent -> the wrapper is not satisfied -> retry: flow into it, skipping what is mastered.
    expect(last.afterEnd).toEqual({ deliver: 'handicapping_item', retried: 'content_wrapper' });
    const outline = ctx.content.getCourse('golf', 'en')!;
    expect(ctx.learning.courseProgress(person.id, outline).result).not.toBe('passed');
    // Starting the course again (the course page) goes to the same place.
    expect(await scorm.entry(person.id, 'golf', 'en')).toBe('handicapping_item');
    expect(await content('handicapping_item')).toBe('test_3');
    const retaken = await quiz('test_3', true);
    // Everything is satisfied: the quiz after it is skipped, flow walks off the tree, the session ends.
    expect(retaken.afterEnd).toEqual({ none: true });
    expect(retaken.continue).toBeNull();
    expect(await scorm.navigate(person.id, 'golf', 'test_3', 'en', 'continue', undefined)).toBeNull();
    expect(ctx.learning.courseProgress(person.id, outline)).toMatchObject({
      completed: true,
      result: 'passed',
    });
    // The last quiz taken again and passed: its exitParent reaches a satisfied wrapper -> exitAll.
    const again = await quiz('test_4', true);
    expect(again.afterEnd).toEqual({ end: true });
  });
});

describe('attemptLimit: a suspended attempt resumes, a reset gives the attempt back', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    // The sequencing fixture with Rules limited to one attempt.
    const dir = join(tmp, 'limited');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(SCORM_FIXTURES, 'scorm2004-sequencing'), dir, { recursive: true });
    const xml = readFileSync(join(dir, 'imsmanifest.xml'), 'utf8');
    const limited = xml.replace(
      '<title>Rules</title>\n        <imsss:sequencing>',
      '<title>Rules</title>\n        <imsss:sequencing>\n          <imsss:limitConditions attemptLimit="1"/>',
    );
    expect(limited).not.toBe(xml);
    writeFileSync(join(dir, 'imsmanifest.xml'), limited);
    await importContent(
      ctx.content,
      zipFolder(dir, join(tmp, 'limited.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'search' },
    );
  });
  afterEach(() => ctx.cleanup());

  it('the one attempt resumes after a break; a reset does not use it up; a finished one does', async () => {
    const scorm = ctx.scorm;
    const person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    expect(scorm.packageOf('search')!.sequencing!.children[0]!.sequencing?.attemptLimit).toBe(1);
    const l1 = await scormLaunch(scorm, person, 'search', 'sco-rules');
    await l1.commit({ 'cmi.location': 'p3', 'cmi.exit': 'suspend' }, { terminate: true, exitSet: true });
    // Suspended: the attempt is still the first one, so the limit does not stop its resume.
    const resumed = await scorm.prepareLaunch(person, 'search', 'sco-rules', 'en');
    expect(resumed.launch.attemptNo).toBe(1);
    expect(
      scorm.resetAttempt({ username: 'awa', courseId: 'search', activityId: 'sco-rules', by: null })
        .attemptNo,
    ).toBe(1);
    // The reset attempt is not counted: the trainee still has their one attempt.
    const l2 = await scormLaunch(scorm, person, 'search', 'sco-rules');
    expect(l2.data.attemptNo).toBe(2);
    expect(l2.data.cmi['cmi.location'] ?? '').toBe('');
    await l2.commit(
      { 'cmi.completion_status': 'completed', 'cmi.success_status': 'failed', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    // That attempt was used to the end: the limit now holds.
    await expect(scorm.prepareLaunch(person, 'search', 'sco-rules', 'en')).rejects.toMatchObject({
      code: 'scorm_not_available',
      status: 403,
    });
  });
});

describe('a cluster retried by its post-condition starts new attempts for its children', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-cluster-retry'), join(tmp, 'cluster-retry.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'drill' },
    );
  });
  afterEach(() => ctx.cleanup());

  it('a failed check retries the module: its lesson is played again from the start, then the check', async () => {
    const scorm = ctx.scorm;
    const person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    // A retried cluster plays now: the import no longer says it plays differently.
    expect(scorm.packageOf('drill')!.later ?? []).toEqual([]);
    const end = async (id: string, set: Record<string, string>) => {
      const l = await scormLaunch(scorm, person, 'drill', id);
      const a = await l.commit({ ...set, 'cmi.exit': '' }, { terminate: true, exitSet: true });
      expect(a.statements).toContain('terminated');
      return l;
    };
    const check = (pass: boolean) =>
      end('check', {
        'cmi.score.scaled': pass ? '0.9' : '0.2',
        'cmi.completion_status': 'completed',
        'cmi.success_status': pass ? 'passed' : 'failed',
      });

    expect(await scorm.entry(person.id, 'drill', 'en')).toBe('lesson');
    const first = await end('lesson', { 'cmi.location': 'page-9', 'cmi.completion_status': 'completed' });
    expect(first.data.attemptNo).toBe(1);
    expect(await scorm.navigate(person.id, 'drill', 'lesson', 'en', 'continue', undefined)).toBe('check');
    await check(false);
    // exitParent -> the module is not satisfied -> retry: a new attempt of the module, where the lesson
    // is not attempted yet (its earlier "passed" would have skipped it straight to the check).
    const afterFail = await scorm.navigation(person.id, 'drill', 'check', 'en');
    expect(afterFail.afterEnd).toEqual({ deliver: 'lesson', retried: 'module' });
    // The SCO's own request gives way to the decided retry; the course page goes to the same place.
    expect(await scorm.navigate(person.id, 'drill', 'check', 'en', 'continue', undefined)).toBe('lesson');
    expect(await scorm.entry(person.id, 'drill', 'en')).toBe('lesson');
    // The lesson starts a new attempt from its beginning: nothing of the first one is loaded.
    const again = await scormLaunch(scorm, person, 'drill', 'lesson');
    expect(again.data.attemptNo).toBe(2);
    expect(again.data.cmi['cmi.entry']).toBe('ab-initio');
    expect(again.data.cmi['cmi.location']).toBeUndefined();
    await again.commit(
      { 'cmi.completion_status': 'completed', 'cmi.exit': '' },
      { terminate: true, exitSet: true },
    );
    expect(await scorm.navigate(person.id, 'drill', 'lesson', 'en', 'continue', undefined)).toBe('check');
    const retaken = await check(true);
    expect(retaken.data.attemptNo).toBe(2);
    // Satisfied now: no retry; Next leaves the module for the summary.
    const afterPass = await scorm.navigation(person.id, 'drill', 'check', 'en');
    expect(afterPass.afterEnd).toEqual({ none: true });
    expect(afterPass.continue).toBe('summary');
    await end('summary', { 'cmi.completion_status': 'completed' });
    const outline = ctx.content.getCourse('drill', 'en')!;
    expect(ctx.learning.courseProgress(person.id, outline)).toMatchObject({
      completed: true,
      result: 'passed',
    });
  });
});

describe('hiddenFromChoice is not disabled', () => {
  let ctx: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    // The sequencing fixture with Further reading hidden from choice (always).
    const dir = join(tmp, 'hidden');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(SCORM_FIXTURES, 'scorm2004-sequencing'), dir, { recursive: true });
    const xml = readFileSync(join(dir, 'imsmanifest.xml'), 'utf8');
    const hidden = xml.replace(
      '<title>Further reading</title>\n        <imsss:sequencing>',
      `<title>Further reading</title>
        <imsss:sequencing>
          <imsss:sequencingRules><imsss:preConditionRule>
            <imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>
            <imsss:ruleAction action="hiddenFromChoice"/>
          </imsss:preConditionRule></imsss:sequencingRules>`,
    );
    expect(hidden).not.toBe(xml);
    writeFileSync(join(dir, 'imsmanifest.xml'), hidden);
    await importContent(
      ctx.content,
      zipFolder(dir, join(tmp, 'hidden.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'search' },
    );
  });
  afterEach(() => ctx.cleanup());

  it('leaves the contents but is still delivered: launched, and reached by a jump (a choice is refused)', async () => {
    const scorm = ctx.scorm;
    const person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
    const nav = await scorm.navigation(person.id, 'search', 'sco-rules', 'en');
    // Practice is disabled (its pre-condition), Further reading only hidden: neither is in the contents,
    // but only Further reading may be delivered.
    expect(nav.choice).toEqual(['sco-rules']);
    expect(nav.deliverable).toContain('sco-extra');
    expect(nav.deliverable).not.toContain('sco-practice');
    expect(await scorm.navigate(person.id, 'search', 'sco-rules', 'en', 'jump', 'sco-extra')).toBe(
      'sco-extra',
    );
    expect(await scorm.navigate(person.id, 'search', 'sco-rules', 'en', 'choice', 'sco-extra')).toBeNull();
    expect(await scorm.navigate(person.id, 'search', 'sco-rules', 'en', 'jump', 'sco-practice')).toBeNull();
    const l = await scormLaunch(scorm, person, 'search', 'sco-extra');
    expect(l.data.attemptNo).toBe(1);
    await expect(scorm.prepareLaunch(person, 'search', 'sco-practice', 'en')).rejects.toMatchObject({
      code: 'scorm_not_available',
      status: 403,
    });
  });
});
