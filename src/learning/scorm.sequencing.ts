import type { ScormActivityNode, ScormPackageInfo } from '../content/scorm/scorm-package.js';

/**
 * SCORM 2004 sequencing on the server, by scorm-again's own sequencing engine (the same code the player
 * runs). Each SCO launch is a new page, so the engine keeps no state between requests: the activity
 * tree is built from the manifest's sequencing (stored with the package), each leaf is given the state
 * of its latest stored attempt (completion, success, scaled score, attempt count), and the engine rolls
 * it up (rollup rules, global objective maps) and checks each leaf's pre-condition rules (disabled,
 * hiddenFromChoice) and limit conditions (attemptLimit). The engine module (~6 MB) is loaded on the
 * first sequenced course only (`loadSequencingEngine`).
 */

/** What the stored attempt of one SCO says. */
export interface ScoState {
  attempts: number;
  completion?: 'completed' | 'incomplete' | 'not attempted' | 'unknown';
  success?: 'passed' | 'failed' | 'unknown';
  scaled?: number;
}

export interface SequencingView {
  /** Leaves that may not be launched now (a disabled pre-condition, an exceeded attempt limit), self or ancestor. */
  disabled: Set<string>;
  /** Leaves a hiddenFromChoice pre-condition hides from the table of contents. */
  hidden: Set<string>;
  /** The root (course) as rolled up. */
  completed: boolean;
  satisfied: boolean;
  /** The root's objective is known and not satisfied (a child failed, by the rollup rules). */
  notSatisfied: boolean;
  /** The root's rolled-up normalized measure (-1..1), when known. */
  measure?: number;
}

/* The parts of scorm-again's (untyped, internal) sequencing objects this module uses. */
interface EngineActivity {
  id: string;
  children: EngineActivity[];
  parent: EngineActivity | null;
  attemptCount: number;
  completionStatus: string;
  successStatus: string;
  isCompleted: boolean;
  objectiveSatisfiedStatus: boolean;
  objectiveSatisfiedStatusKnown: boolean;
  objectiveMeasureStatus: boolean;
  objectiveNormalizedMeasure: number;
  attemptProgressStatus: boolean;
  primaryObjective: {
    satisfiedStatus: boolean;
    satisfiedStatusKnown?: boolean;
    measureStatus: boolean;
    normalizedMeasure: number;
    progressStatus: boolean;
    completionStatus: string;
  } | null;
  sequencingRules: { preConditionRules: { action: string }[] };
}
interface Engine {
  _sequencing: {
    activityTree: { root: EngineActivity | null; getAllActivities(): EngineActivity[] };
    overallSequencingProcess: {
      rollupProcess: { overallRollupProcess(a: EngineActivity, globals: unknown): void };
      getGlobalObjectiveMap(): unknown;
      synchronizeGlobalObjectives(): void;
      sequencingProcess: {
        ruleEngine: { checkSequencingRules(a: EngineActivity, rules: unknown[]): string | null };
        traversalService: {
          checkActivityProcess(a: EngineActivity): boolean;
          getActivityForEvaluation(a: EngineActivity): EngineActivity;
        };
      };
    } | null;
  };
}
type EngineCtor = new (settings: object) => Engine;

let engineCtor: EngineCtor | undefined;

/**
 * The activity tree the root's rollup runs over: the package's own (with its sequencing), or, for a
 * package that sequences by control mode only, its organization with the SN default rules (completed
 * when every child is, satisfied when every child is, not satisfied when one is not).
 */
export function rollupTree(pkg: Pick<ScormPackageInfo, 'sequencing' | 'toc' | 'manifestIdentifier'>) {
  if (pkg.sequencing) return pkg.sequencing;
  const node = (t: ScormPackageInfo['toc'][number]): ScormActivityNode => ({
    id: t.id,
    title: t.title,
    children: t.children.map(node),
  });
  return { id: pkg.manifestIdentifier || 'organization', title: '', children: pkg.toc.map(node) };
}

/** Load scorm-again's SCORM 2004 runtime (once). */
export async function loadSequencingEngine(): Promise<void> {
  if (engineCtor) return;
  const m = (await import('scorm-again/scorm2004')) as unknown as { Scorm2004API: EngineCtor };
  engineCtor = m.Scorm2004API;
}

/** scorm-again's ActivitySettings for one node of the stored tree. */
function settingsOf(n: ScormActivityNode): object {
  const s = n.sequencing ?? {};
  return {
    id: n.id,
    title: n.title,
    ...(s.controls ? { sequencingControls: s.controls } : {}),
    ...(s.rules ? { sequencingRules: s.rules } : {}),
    ...(s.rollupRules ? { rollupRules: { rules: s.rollupRules } } : {}),
    ...(s.attemptLimit ? { attemptLimit: s.attemptLimit } : {}),
    ...(s.primaryObjective ? { primaryObjective: s.primaryObjective } : {}),
    ...(s.objectives ? { objectives: s.objectives } : {}),
    ...(s.deliveryControls ? { deliveryControls: s.deliveryControls } : {}),
    ...(n.children.length ? { children: n.children.map(settingsOf) } : {}),
  };
}

/** Evaluate the tree for one trainee. `loadSequencingEngine()` must have resolved. */
export function evaluateSequencing(
  tree: ScormActivityNode,
  states: ReadonlyMap<string, ScoState>,
): SequencingView {
  if (!engineCtor) throw new Error('scorm sequencing: loadSequencingEngine() was not awaited');
  const api = new engineCtor({
    logLevel: 5,
    autocommit: false,
    sequencing: { activityTree: settingsOf(tree) },
  });
  const seq = api._sequencing;
  const osp = seq.overallSequencingProcess;
  const all = seq.activityTree.getAllActivities();
  const leaves = all.filter((a) => a.children.length === 0);
  if (!osp) throw new Error('scorm sequencing: the engine built no sequencing process');
  for (const a of leaves) {
    const st = states.get(a.id);
    if (!st || st.attempts === 0) continue;
    a.attemptCount = st.attempts;
    const completion = st.completion ?? 'unknown';
    if (completion === 'completed' || completion === 'incomplete') {
      a.completionStatus = completion;
      a.isCompleted = completion === 'completed';
      a.attemptProgressStatus = true;
    }
    const known = st.success === 'passed' || st.success === 'failed';
    if (known) {
      a.successStatus = st.success!;
      a.objectiveSatisfiedStatus = st.success === 'passed';
      a.objectiveSatisfiedStatusKnown = true;
    }
    if (st.scaled !== undefined) {
      a.objectiveMeasureStatus = true;
      a.objectiveNormalizedMeasure = st.scaled;
    }
    const p = a.primaryObjective;
    if (p) {
      if (known) {
        p.satisfiedStatus = st.success === 'passed';
        p.satisfiedStatusKnown = true;
      }
      if (st.scaled !== undefined) {
        p.measureStatus = true;
        p.normalizedMeasure = st.scaled;
      }
      if (completion === 'completed' || completion === 'incomplete') {
        p.progressStatus = true;
        p.completionStatus = completion;
      }
    }
  }
  for (const a of leaves) osp.rollupProcess.overallRollupProcess(a, osp.getGlobalObjectiveMap());
  osp.synchronizeGlobalObjectives();
  const sp = osp.sequencingProcess;
  const ts = sp.traversalService;
  const blocked = (a: EngineActivity | null): boolean =>
    !!a && a.parent !== null && (!ts.checkActivityProcess(a) || blocked(a.parent));
  const disabled = new Set<string>();
  const hidden = new Set<string>();
  for (const a of leaves) {
    if (blocked(a)) disabled.add(a.id);
    for (let x: EngineActivity | null = a; x && x.parent; x = x.parent) {
      const rules = x.sequencingRules.preConditionRules.filter((r) => r.action === 'hiddenFromChoice');
      if (
        rules.length &&
        sp.ruleEngine.checkSequencingRules(ts.getActivityForEvaluation(x), rules) === 'hiddenFromChoice'
      )
        hidden.add(a.id);
    }
  }
  const root = seq.activityTree.root;
  const satisfied = root?.successStatus === 'passed' || (root?.objectiveSatisfiedStatus ?? false);
  return {
    disabled,
    hidden,
    completed: root?.completionStatus === 'completed',
    satisfied,
    notSatisfied:
      !satisfied && (root?.successStatus === 'failed' || (root?.objectiveSatisfiedStatusKnown ?? false)),
    ...(root?.objectiveMeasureStatus ? { measure: root.objectiveNormalizedMeasure } : {}),
  };
}
