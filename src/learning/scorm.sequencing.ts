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
  /** Attempts counted against an attemptLimit (the latest attempt's number, less attempts a reset ended). */
  attempts: number;
  /**
   * The latest attempt is not over (suspended, or its launch is still open): in SN terms the activity
   * is suspended, so its attempt limit does not stop a resume and its post-condition rules wait.
   */
  inProgress?: boolean;
  completion?: 'completed' | 'incomplete' | 'not attempted' | 'unknown';
  success?: 'passed' | 'failed' | 'unknown';
  scaled?: number;
  /**
   * A retry of a cluster above it (a post-condition retry / retryAll) began a new attempt there after
   * this attempt: in the cluster's new attempt the SCO is not attempted yet. Its results still stand for
   * what they wrote to global objectives (those outlive attempts, SN 3.10) and the attempt still counts.
   */
  superseded?: boolean;
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
  /** The rule checks the flow (`sequence`) asks, for this trainee's state. */
  rules: FlowRules;
}

/** Post-condition rule actions (SN TB.2.2). */
export type PostAction = 'retry' | 'retryAll' | 'continue' | 'previous' | 'exitParent' | 'exitAll';

/** What the flow needs to know of one activity (the organization, a cluster or a SCO), by id. */
export interface FlowRules {
  /** Its pre-condition rules say `skip` (flow passes over it; a Choice or Jump may still open it). */
  skipped(id: string): boolean;
  /** It may not be delivered itself: a `disabled` pre-condition or an exceeded limit (ancestors aside). */
  disabled(id: string): boolean;
  /** The control mode of a cluster (the organization included) over its children. */
  flow(id: string): boolean;
  forwardOnly(id: string): boolean;
  /** Its exit condition rules say `exit` (SN TB.2.1). */
  exitAction(id: string): boolean;
  /** The action of its first post-condition rule that holds (SN TB.2.2), or null. */
  postAction(id: string): PostAction | null;
}

/** The rules of a package that sequences by control mode only: no rules, one control mode for all. */
export function controlModeRules(mode: { flow: boolean; forwardOnly: boolean }): FlowRules {
  return {
    skipped: () => false,
    disabled: () => false,
    flow: () => mode.flow,
    forwardOnly: () => mode.forwardOnly,
    exitAction: () => false,
    postAction: () => null,
  };
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
  isSuspended: boolean;
  isAvailable: boolean;
  sequencingControls: { flow: boolean; forwardOnly: boolean };
  sequencingRules: { preConditionRules: { action: string }[] };
}
interface Engine {
  _sequencing: {
    activityTree: { root: EngineActivity | null; getAllActivities(): EngineActivity[] };
    overallSequencingProcess: {
      rollupProcess: { overallRollupProcess(a: EngineActivity, globals: unknown): void };
      getGlobalObjectiveMap(): unknown;
      getGlobalObjectiveMapSnapshot(): Record<string, unknown>;
      restoreGlobalObjectiveMapSnapshot(snapshot: Record<string, unknown>): void;
      synchronizeGlobalObjectives(): void;
      sequencingProcess: {
        ruleEngine: {
          checkSequencingRules(a: EngineActivity, rules: unknown[]): string | null;
          checkLimitConditions(a: EngineActivity): boolean;
          evaluateExitRules(a: EngineActivity): string | null;
          evaluatePostConditionAction(a: EngineActivity): string | null;
        };
        traversalService: { getActivityForEvaluation(a: EngineActivity): EngineActivity };
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

/** A fresh engine over the tree, each SCO fed its state, rolled up (global objectives restored first). */
function rolledUp(
  tree: ScormActivityNode,
  states: ReadonlyMap<string, ScoState>,
  attemptsAsTheyStand: boolean,
  globals?: Record<string, unknown>,
) {
  const api = new engineCtor!({
    logLevel: 5,
    autocommit: false,
    sequencing: { activityTree: settingsOf(tree) },
  });
  const seq = api._sequencing;
  const osp = seq.overallSequencingProcess;
  const all = seq.activityTree.getAllActivities();
  const leaves = all.filter((a) => a.children.length === 0);
  if (!osp) throw new Error('scorm sequencing: the engine built no sequencing process');
  if (globals) osp.restoreGlobalObjectiveMapSnapshot(globals);
  for (const a of leaves) {
    const st = states.get(a.id);
    if (!st) continue;
    a.attemptCount = st.attempts;
    a.isSuspended = !!st.inProgress;
    if (attemptsAsTheyStand && st.superseded) continue;
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
  return { seq, osp, all, leaves };
}

/** Evaluate the tree for one trainee. `loadSequencingEngine()` must have resolved. */
export function evaluateSequencing(
  tree: ScormActivityNode,
  states: ReadonlyMap<string, ScoState>,
): SequencingView {
  if (!engineCtor) throw new Error('scorm sequencing: loadSequencingEngine() was not awaited');
  // With a superseded attempt, twice: first every SCO's latest results, for the global objectives they
  // wrote; then the cluster attempts as they stand (superseded SCOs not attempted), reading those globals.
  const superseded = [...states.values()].some((st) => st.superseded);
  const globals = superseded ? rolledUp(tree, states, false).osp.getGlobalObjectiveMapSnapshot() : undefined;
  const { seq, osp, all, leaves } = rolledUp(tree, states, true, globals);
  const sp = osp.sequencingProcess;
  const ts = sp.traversalService;
  const byId = new Map(all.map((a) => [a.id, a]));
  const ruleSays = (a: EngineActivity, action: string): boolean => {
    const rules = a.sequencingRules.preConditionRules.filter((r) => r.action === action);
    return (
      rules.length > 0 && sp.ruleEngine.checkSequencingRules(ts.getActivityForEvaluation(a), rules) === action
    );
  };
  // SB.2.3 Check Activity Process without the skip rules (the engine's own counts a skipped activity
  // as undeliverable; flow passes over it instead, SB.2.2).
  const selfDisabled = (a: EngineActivity): boolean =>
    !a.isAvailable || sp.ruleEngine.checkLimitConditions(a) || ruleSays(a, 'disabled');
  const blocked = (a: EngineActivity | null): boolean =>
    !!a && a.parent !== null && (selfDisabled(a) || blocked(a.parent));
  const disabled = new Set<string>();
  const hidden = new Set<string>();
  for (const a of leaves) {
    if (blocked(a)) disabled.add(a.id);
    for (let x: EngineActivity | null = a; x && x.parent; x = x.parent)
      if (ruleSays(x, 'hiddenFromChoice')) hidden.add(a.id);
  }
  const POST = new Set<string>(['retry', 'retryAll', 'continue', 'previous', 'exitParent', 'exitAll']);
  const on = <T>(id: string, f: (a: EngineActivity) => T, none: T): T => {
    const a = byId.get(id);
    return a ? f(a) : none;
  };
  const rules: FlowRules = {
    skipped: (id) => on(id, (a) => ruleSays(a, 'skip'), false),
    disabled: (id) => on(id, selfDisabled, false),
    flow: (id) => on(id, (a) => a.sequencingControls.flow, true),
    forwardOnly: (id) => on(id, (a) => a.sequencingControls.forwardOnly, false),
    exitAction: (id) =>
      on(id, (a) => sp.ruleEngine.evaluateExitRules(ts.getActivityForEvaluation(a)) === 'exit', false),
    postAction: (id) =>
      on(
        id,
        (a) => {
          // TB.2.2: a suspended activity's post-conditions are not evaluated.
          if (a.isSuspended) return null;
          const act = sp.ruleEngine.evaluatePostConditionAction(ts.getActivityForEvaluation(a));
          return act && POST.has(act) ? (act as PostAction) : null;
        },
        null,
      ),
  };
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
    rules,
  };
}

/** A navigation request as the SCO (adl.nav.request) or the player's links make it. */
export type NavRequest =
  'start' | 'continue' | 'previous' | 'choice' | 'jump' | 'exit' | 'exitAll' | '_none_';

/**
 * What a navigation request leads to: a SCO to deliver, the end of the sequencing session (back to the
 * course page: an exitAll, an exit from the root, Continue past the last activity), or nothing (the
 * request is not valid now: the trainee stays where they are, or goes back to the course page).
 */
export type Sequenced =
  /** `retried`: the cluster (or the root) a post-condition retry began a new attempt of. */
  { deliver: string; retried?: string } | { end: true } | { none: true };

/**
 * The Termination Request Process already ran when the SCO's attempt ended (the commit that ended it)
 * and its post-condition rules retried this cluster: its children's attempts were superseded then, so the
 * rules (which now see the cluster's new attempt) are not evaluated again.
 */
export interface DecidedRetry {
  retry: string;
}

type Dir = 'forward' | 'backward';
type Step = { node: ScormActivityNode; dir: Dir } | 'end' | 'fail';

/**
 * The SN navigation of one request from one SCO (SCORM 2004 4th Edition SN book, OP.1 with TB.2.1-2.3 and
 * SB.2.1-2.3, 2.7, 2.8, 2.10), over the package's activity tree and one trainee's rule checks:
 * - when the SCO's attempt is over (`ended`), the Termination Request Process: the exit condition rules
 *   of its ancestors (root first), then the post-condition rules of the current activity in a loop
 *   (exitParent climbs and evaluates the parent's, exitAll ends everything, retryAll = exitAll + retry
 *   at the root); a sequencing request they return (retry, continue, previous) replaces the trainee's;
 * - Continue / Previous flow from the current activity (a cluster after exitParent: its next sibling),
 *   passing over skipped activities and stopping at a disabled one or where the cluster's control mode
 *   refuses (flow="false", Previous under forwardOnly);
 * - Retry delivers the SCO again (a new attempt) or flows into the cluster from its first child.
 * Choice and Jump targets are checked by the caller (table of contents, deliverable); here they only
 * give way to a post-condition's request. `deliverable(id)` says whether a SCO may be delivered at all
 * (not disabled, itself or an ancestor). `ended` may be the retry its termination already decided.
 */
export function sequence(
  tree: ScormActivityNode,
  rules: FlowRules,
  deliverable: (id: string) => boolean,
  from: string,
  request: NavRequest,
  ended: boolean | DecidedRetry,
): Sequenced | 'as-requested' {
  const parent = new Map<string, ScormActivityNode>();
  const byId = new Map<string, ScormActivityNode>();
  const index = (n: ScormActivityNode) => {
    byId.set(n.id, n);
    for (const c of n.children) {
      parent.set(c.id, n);
      index(c);
    }
  };
  index(tree);
  const start = request === 'start' ? tree : byId.get(from);
  if (!start) return { none: true };
  if (request === 'exitAll') return { end: true };

  // SB.2.1 Flow Tree Traversal Subprocess.
  const treeStep = (a: ScormActivityNode, dir: Dir, considerChildren: boolean): Step => {
    const kids = a.children;
    if (considerChildren && kids.length) {
      if (dir === 'forward') return { node: kids[0]!, dir };
      return rules.forwardOnly(a.id) ? { node: kids[0]!, dir: 'forward' } : { node: kids.at(-1)!, dir };
    }
    const p = parent.get(a.id);
    if (!p) return dir === 'forward' ? 'end' : 'fail';
    const i = p.children.indexOf(a);
    if (dir === 'forward')
      return i === p.children.length - 1 ? treeStep(p, 'forward', false) : { node: p.children[i + 1]!, dir };
    if (rules.forwardOnly(p.id)) return 'fail';
    return i === 0 ? treeStep(p, 'backward', false) : { node: p.children[i - 1]!, dir };
  };
  // SB.2.2 Flow Activity Traversal Subprocess.
  const traverse = (a: ScormActivityNode, dir: Dir, prev: Dir | null): Step => {
    const p = parent.get(a.id);
    if (p && !rules.flow(p.id)) return 'fail';
    if (rules.skipped(a.id)) {
      const n = treeStep(a, dir, false);
      if (typeof n === 'string') return n;
      return prev === 'backward' && n.dir === 'backward'
        ? traverse(n.node, 'backward', null)
        : traverse(n.node, dir, prev);
    }
    if (rules.disabled(a.id)) return 'fail';
    if (a.children.length) {
      const n = treeStep(a, dir, true);
      if (typeof n === 'string') return 'fail';
      return dir === 'backward' && n.dir === 'forward'
        ? traverse(n.node, 'forward', 'backward')
        : traverse(n.node, dir, null);
    }
    return { node: a, dir };
  };
  // SB.2.3 Flow Subprocess.
  const flow = (a: ScormActivityNode, dir: Dir, considerChildren: boolean): Sequenced => {
    const n = treeStep(a, dir, considerChildren);
    if (n === 'end') return { end: true };
    if (n === 'fail') return { none: true };
    const r = traverse(n.node, n.dir, null);
    if (r === 'end') return { end: true };
    if (r === 'fail' || !deliverable(r.node.id)) return { none: true };
    return { deliver: r.node.id };
  };

  // SB.2.5 Start: flow into the tree from the root (`from` is not used).
  if (request === 'start') return flow(tree, 'forward', true);
  // OP.1: the current attempt ends (Exit termination) before any request but exitAll.
  let current = start;
  let pending: 'retry' | 'continue' | 'previous' | null = null;
  if (typeof ended === 'object') {
    current = byId.get(ended.retry) ?? tree;
    pending = 'retry';
  } else if (ended) {
    // TB.2.1: the first ancestor from the root down whose exit condition rules say exit ends there.
    const path: ScormActivityNode[] = [];
    for (let p = parent.get(from); p; p = parent.get(p.id)) path.unshift(p);
    const exitAt = path.find((a) => rules.exitAction(a.id));
    if (exitAt) current = exitAt;
    // TB.2.2 in TB.2.3's loop: exitParent climbs and the parent's rules are evaluated in turn.
    for (;;) {
      const act = rules.postAction(current.id);
      if (act === 'exitAll') return { end: true };
      if (act === 'retryAll') {
        current = tree;
        pending = 'retry';
        break;
      }
      if (act === 'exitParent') {
        const p = parent.get(current.id);
        if (!p) return { none: true };
        current = p;
        continue;
      }
      if (act) pending = act;
      break;
    }
    // TB.2.3: ending at the root without a retry ends the sequencing session.
    if (current === tree && pending !== 'retry') return { end: true };
  }
  const seqRequest = pending ?? request;
  switch (seqRequest) {
    case 'retry':
      if (current.children.length) {
        const r = flow(current, 'forward', true);
        return 'deliver' in r ? { ...r, retried: current.id } : r;
      }
      return deliverable(current.id) ? { deliver: current.id } : { none: true };
    case 'continue':
    case 'previous': {
      // SB.2.7 / SB.2.8: flow from the current activity, which its parent's control mode must allow.
      const p = parent.get(current.id);
      if (!p || !rules.flow(p.id)) return { none: true };
      return flow(current, seqRequest === 'continue' ? 'forward' : 'backward', false);
    }
    case 'exit':
    case '_none_':
      return { none: true };
    default:
      // choice / jump: the caller checks the target.
      return 'as-requested';
  }
}
