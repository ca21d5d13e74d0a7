import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importContent } from '../src/content/course-bundle.js';
import { parseScormManifest } from '../src/content/scorm/manifest.js';
import { evaluateSequencing, loadSequencingEngine, type ScoState } from '../src/learning/scorm.sequencing.js';
import type { ScormService } from '../src/learning/scorm.service.js';
import { scormLaunch } from './helpers/scorm.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { testContext } from './helpers/context.js';

const tmp = mkdtempSync(join(tmpdir(), 'fc-scorm-seq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = join(SCORM_FIXTURES, 'scorm2004-sequencing');
const manifest = parseScormManifest(
  readFileSync(join(dir, 'imsmanifest.xml'), 'utf8'),
  new Set(['content/sco.html']),
);
const tree = {
  id: manifest.organization,
  title: manifest.title,
  sequencing: manifest.sequencing!,
  children: manifest.items.map((i) => ({
    id: i.identifier,
    title: i.title,
    ...(i.sequencing ? { sequencing: i.sequencing } : {}),
    children: [],
  })),
};
const done = (success: 'passed' | 'failed'): ScoState => ({
  attempts: 1,
  completion: 'completed',
  success,
  scaled: success === 'passed' ? 0.9 : 0.2,
});

describe('SCORM 2004 sequencing (scorm-again engine)', () => {
  beforeAll(loadSequencingEngine);

  it('parses imsss rules, objectives with maps, and rollup rules from the manifest', () => {
    const practice = manifest.items.find((i) => i.identifier === 'sco-practice')!;
    expect(practice.sequencing?.rules?.preConditionRules).toEqual([
      {
        action: 'disabled',
        conditionCombination: 'any',
        conditions: [
          { condition: 'satisfied', operator: 'not', referencedObjective: 'rules-known' },
          { condition: 'objectiveStatusKnown', operator: 'not', referencedObjective: 'rules-known' },
        ],
      },
    ]);
    expect(practice.sequencing?.objectives?.[0]?.mapInfo?.[0]).toMatchObject({
      targetObjectiveID: 'g-rules',
      readSatisfiedStatus: true,
      writeSatisfiedStatus: false,
    });
    expect(manifest.sequencing?.rollupRules).toHaveLength(2);
    expect(manifest.items.find((i) => i.identifier === 'sco-extra')!.sequencing?.controls).toEqual({
      rollupObjectiveSatisfied: false,
      rollupProgressCompletion: false,
    });
  });

  it('refuses an unknown rule action, naming it', () => {
    const xml = readFileSync(join(dir, 'imsmanifest.xml'), 'utf8').replace(
      'action="disabled"',
      'action="explode"',
    );
    expect(() => parseScormManifest(xml, new Set(['content/sco.html']))).toThrow(
      /item "sco-practice".*preConditionRule action: "explode" is not one of skip, disabled/,
    );
  });

  it('disables Practice until Rules is passed (global objective), and completes the course by rollup', () => {
    const v0 = evaluateSequencing(tree, new Map());
    expect([...v0.disabled]).toEqual(['sco-practice']);
    expect(v0.completed).toBe(false);

    const failed = evaluateSequencing(tree, new Map([['sco-rules', done('failed')]]));
    expect([...failed.disabled]).toEqual(['sco-practice']);

    const v1 = evaluateSequencing(tree, new Map([['sco-rules', done('passed')]]));
    expect([...v1.disabled]).toEqual([]);
    expect(v1.completed).toBe(false);

    // Further reading is left out of rollup: the course is complete without it.
    const v2 = evaluateSequencing(
      tree,
      new Map([
        ['sco-rules', done('passed')],
        ['sco-practice', done('passed')],
      ]),
    );
    expect(v2).toMatchObject({ completed: true, satisfied: true });
  });
});

describe('ScormService with a sequenced package on a real records.db', () => {
  let ctx: ReturnType<typeof testContext>;
  let scorm: ScormService;
  let person: { id: string; displayName: string };
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(dir, join(tmp, 'seq.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'search' },
    );
    scorm = ctx.scorm;
    person = await ctx.people.addTrainee({ username: 'awa', pin: '2468', displayName: 'Awa Diallo' });
  });
  afterEach(() => ctx.cleanup());

  it('stores the activity tree with the package, refuses a disabled SCO (launch and commit), then opens it', async () => {
    expect(scorm.packageOf('search')?.sequencing?.children.map((c) => c.id)).toEqual([
      'sco-rules',
      'sco-practice',
      'sco-extra',
    ]);
    const before = ctx.records.lastSeq();
    // No launch token is issued for a SCO the rules disable, so nothing can be committed for it.
    await expect(scorm.prepareLaunch(person, 'search', 'sco-practice', 'en')).rejects.toMatchObject({
      code: 'scorm_not_available',
      status: 403,
    });
    expect(ctx.records.lastSeq()).toBe(before);

    const rules = await scormLaunch(scorm, person, 'search', 'sco-rules');
    await rules.commit(
      { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    const opened = await scorm.prepareLaunch(person, 'search', 'sco-practice', 'en');
    expect(opened.sequencing?.disabled.size).toBe(0);
    const outline = ctx.content.getCourse('search', 'en')!;
    expect(ctx.learning.courseProgress(person.id, outline).completed).toBe(false);
    const practice = await scormLaunch(scorm, person, 'search', 'sco-practice');
    await practice.commit(
      { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.exit': 'normal' },
      { terminate: true, exitSet: true },
    );
    expect(ctx.learning.courseProgress(person.id, outline).completed).toBe(true);
  });
});

describe('SCORM 2004 sequencing: a cluster rolled up into a global objective (the post-test pattern)', () => {
  beforeAll(loadSequencingEngine);
  let ctx: ReturnType<typeof testContext>;
  beforeEach(async () => {
    ctx = testContext();
    await importContent(
      ctx.content,
      zipFolder(join(SCORM_FIXTURES, 'scorm2004-cluster'), join(tmp, 'cluster.zip')),
      { trustedKeys: [], allowUnsigned: true },
      { id: 'patrol' },
    );
  });
  afterEach(() => ctx.cleanup());

  it('the post-test opens once both content SCOs are completed (cluster rollup -> global objective -> pre-condition)', () => {
    const tree = ctx.scorm.packageOf('patrol')!.sequencing!;
    const b = tree.children[0]!.children[1]!;
    expect(b.sequencing?.objectives?.[0]?.mapInfo).toEqual([
      expect.objectContaining({
        targetObjectiveID: 'g-a',
        readCompletionStatus: true,
        readSatisfiedStatus: false,
      }),
    ]);
    const completed: ScoState = { attempts: 1, completion: 'completed', success: 'unknown' };
    // Part B reads Part A's completion through a 4th Edition adlseq:objectives map.
    expect([...evaluateSequencing(tree, new Map()).disabled].sort()).toEqual(['sco-b', 'sco-post']);
    expect([...evaluateSequencing(tree, new Map([['sco-a', completed]])).disabled]).toEqual(['sco-post']);
    const both = evaluateSequencing(
      tree,
      new Map([
        ['sco-a', completed],
        ['sco-b', completed],
      ]),
    );
    expect([...both.disabled]).toEqual([]);
  });
});
