import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

/**
 * Two more shapes of the public golf sequencing samples, reproduced as fixtures (the samples' own files
 * are not obtainable here; see each fixture's README): "Forced Sequential Order" (each SCO disabled until
 * the one before is satisfied, through global objectives; going back to review is allowed) and "Post
 * Test Rollup" (the content is left out of the rollup: the post test alone completes, satisfies and
 * scores the course). Real records.db, real launches and commits, the box's own sequencer.
 */
const tmp = mkdtempSync(join(tmpdir(), 'fc-golf-shapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONTENT = ['playing_item', 'etuqiette_item', 'handicapping_item', 'havingfun_item'];

function setup(fixture: string, id: string) {
  let ctx!: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, fixture), join(tmp, `${fixture}.zip`)),
      { trustedKeys: [], allowUnsigned: true },
      { id },
    );
  });
  afterEach(() => ctx.cleanup());
  return {
    ctx: () => ctx,
    /** A trainee, and the two kinds of SCO as the golf pages run them. */
    async trainee() {
      const scorm = ctx.scorm;
      const person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa' });
      const content = async (sco: string) => {
        const l = await scormLaunch(scorm, person, id, sco);
        await l.commit(
          {
            'cmi.completion_status': 'completed',
            'cmi.success_status': 'passed',
            'cmi.exit': '',
            'adl.nav.request': 'continue',
          },
          { terminate: true, exitSet: true },
        );
        return scorm.navigate(person.id, id, sco, 'en', 'continue', undefined);
      };
      const quiz = async (pass: boolean, scaled: string) => {
        const l = await scormLaunch(scorm, person, id, 'assessment_item');
        await l.commit(
          {
            'cmi.score.scaled': scaled,
            'cmi.completion_status': 'completed',
            'cmi.success_status': pass ? 'passed' : 'failed',
            'cmi.exit': '',
          },
          { terminate: true, exitSet: true },
        );
        return scorm.navigation(person.id, id, 'assessment_item', 'en');
      };
      const progress = () => ctx.learning.courseProgress(person.id, ctx.content.getCourse(id, 'en')!);
      return { person, scorm, content, quiz, progress };
    },
  };
}

describe('golf "Forced Sequential Order": in order, back to review, never ahead', () => {
  const s = setup('scorm2004-forced-sequential', 'golf-forced');

  it('only the next SCO opens; a Choice ahead is refused; Previous reviews; the quiz ends the course', async () => {
    const { person, scorm, content, quiz, progress } = await s.trainee();
    expect(await scorm.entry(person.id, 'golf-forced', 'en')).toBe('playing_item');
    let nav = await scorm.navigation(person.id, 'golf-forced', 'playing_item', 'en');
    // Choice is on, but every SCO after the first is disabled until the one before is satisfied.
    expect(nav.choice).toEqual(['playing_item']);
    expect(
      await scorm.navigate(person.id, 'golf-forced', 'playing_item', 'en', 'choice', 'handicapping_item'),
    ).toBeNull();
    await expect(scorm.prepareLaunch(person, 'golf-forced', 'handicapping_item', 'en')).rejects.toMatchObject(
      {
        code: 'scorm_not_available',
      },
    );

    expect(await content('playing_item')).toBe('etuqiette_item');
    nav = await scorm.navigation(person.id, 'golf-forced', 'etuqiette_item', 'en');
    expect(nav.choice).toEqual(['playing_item', 'etuqiette_item']);
    // Going back to review what was passed is allowed.
    expect(
      await scorm.navigate(person.id, 'golf-forced', 'etuqiette_item', 'en', 'previous', undefined),
    ).toBe('playing_item');
    expect(await content('etuqiette_item')).toBe('handicapping_item');
    expect(await content('handicapping_item')).toBe('havingfun_item');
    expect(await content('havingfun_item')).toBe('assessment_item');
    expect(progress().completed).toBe(false);

    const failed = await quiz(false, '0.4');
    expect(failed.choice).toEqual([...CONTENT, 'assessment_item']);
    expect(progress().result).toBe('failed');
    await quiz(true, '0.9');
    expect(progress()).toMatchObject({ completed: true, result: 'passed' });
  });
});

describe('golf "Post Test Rollup": the post test alone completes, satisfies and scores the course', () => {
  const s = setup('scorm2004-post-test-rollup', 'golf-post');

  it('content done is not the course done; the post test decides, its score is the course score', async () => {
    const { person, scorm, content, quiz, progress } = await s.trainee();
    const pkg = scorm.packageOf('golf-post')!;
    // The content's rollup controls came from the sequencingCollection through IDRef.
    expect(pkg.sequencing!.children[0]!.sequencing?.controls).toMatchObject({
      rollupObjectiveSatisfied: false,
      rollupProgressCompletion: false,
      objectiveMeasureWeight: 0,
    });
    let nav = await scorm.navigation(person.id, 'golf-post', 'playing_item', 'en');
    expect(nav.deliverable).not.toContain('assessment_item');

    for (const [i, sco] of CONTENT.entries())
      expect(await content(sco)).toBe(i < CONTENT.length - 1 ? CONTENT[i + 1] : 'assessment_item');
    // Every content SCO completed and passed: the course is neither completed nor passed by them.
    expect(progress()).toMatchObject({ completed: false });
    expect(progress().result).not.toBe('passed');
    nav = await scorm.navigation(person.id, 'golf-post', 'havingfun_item', 'en');
    expect(nav.deliverable).toContain('assessment_item');

    const failed = await quiz(false, '0.35');
    expect(progress().result).toBe('failed');
    expect(failed.sequencing?.measure).toBeCloseTo(0.35, 5);
    const passed = await quiz(true, '0.85');
    expect(progress()).toMatchObject({ completed: true, result: 'passed' });
    // Measure weights: content 0, post test 1 -> the course's measure is the post test's score.
    expect(passed.sequencing?.measure).toBeCloseTo(0.85, 5);
  });
});
