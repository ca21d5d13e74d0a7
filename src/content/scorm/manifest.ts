import { createRequire } from 'node:module';
import type * as Fxp from 'fast-xml-parser';

/**
 * imsmanifest.xml of a SCORM 1.2 or SCORM 2004 (3rd / 4th edition) package, read into what the box
 * needs: the default organization's item tree, each leaf's resource (SCO or asset) and launch URL
 * (xml:base of manifest, resources and resource applied, then the item's parameters), and the tracking
 * data an LMS must honour (masteryscore for 1.2; completionThreshold and the primary objective's
 * minNormalizedMeasure for 2004; the sequencing control mode: choice / flow / forwardOnly).
 * Pure: takes the XML text and the list of files in the zip; throws `ScormManifestError` naming the
 * problem.
 */
export type ScormVersion = 'scorm12' | 'scorm2004';

export interface ScormControlMode {
  choice: boolean;
  flow: boolean;
  forwardOnly: boolean;
}

/**
 * The IMS Simple Sequencing of one item (or the organization), as the manifest's <imsss:sequencing>
 * says, in the shape scorm-again's sequencing engine takes (ActivitySettings): rules, limit conditions,
 * rollup rules, objectives with their global-objective maps, control mode and delivery controls.
 * Only what the manifest states is kept (the engine supplies the spec defaults).
 */
export interface ScormRuleCondition {
  condition: string;
  operator?: 'not';
  referencedObjective?: string;
  parameters?: { threshold: number };
}
export interface ScormSequencingRule {
  action: string;
  conditionCombination: 'all' | 'any';
  conditions: ScormRuleCondition[];
}
export interface ScormRollupRule {
  action: string;
  consideration: string;
  minimumCount?: number;
  minimumPercent?: number;
  conditionCombination: 'all' | 'any';
  conditions: { condition: string; operator?: 'not' }[];
}
export interface ScormObjective {
  objectiveID: string;
  isPrimary?: boolean;
  satisfiedByMeasure?: boolean;
  minNormalizedMeasure?: number;
  mapInfo?: {
    targetObjectiveID: string;
    readSatisfiedStatus?: boolean;
    readNormalizedMeasure?: boolean;
    writeSatisfiedStatus?: boolean;
    writeNormalizedMeasure?: boolean;
    /** 4th Edition adlseq:mapInfo: completion status and progress measure through global objectives. */
    readCompletionStatus?: boolean;
    writeCompletionStatus?: boolean;
    readProgressMeasure?: boolean;
    writeProgressMeasure?: boolean;
  }[];
}
/** Sequencing elements the box parses past without playing them (see ScormSequencing.notPlayed). */
export type NotPlayed =
  | 'randomizationControls'
  | 'rollupConsiderations'
  | 'constrainChoice'
  | 'preventActivation'
  | 'durationLimits';

export interface ScormSequencing {
  controls?: Record<string, boolean | number>;
  rules?: {
    preConditionRules?: ScormSequencingRule[];
    exitConditionRules?: ScormSequencingRule[];
    postConditionRules?: ScormSequencingRule[];
  };
  attemptLimit?: number;
  rollupRules?: ScormRollupRule[];
  primaryObjective?: ScormObjective;
  objectives?: ScormObjective[];
  deliveryControls?: { tracked?: boolean; completionSetByContent?: boolean; objectiveSetByContent?: boolean };
  /**
   * Sequencing the box reads but does not play (yet): randomization/selection, adlseq:rollupConsiderations,
   * adlseq:constrainedChoiceConsiderations, duration limits. Kept so that the import can say so.
   */
  notPlayed?: NotPlayed[];
}

export interface ScormItem {
  identifier: string;
  title: string;
  /** Leaves have a resource; clusters have children. */
  children: ScormItem[];
  resource?: {
    identifier: string;
    scormType: 'sco' | 'asset';
    /** Path inside the zip (decoded), e.g. `content/page.html`. */
    file: string;
    /** Path plus query/fragment from href and parameters, as it is launched. */
    launch: string;
  };
  isVisible: boolean;
  /** 1.2: cmi.student_data.mastery_score (0..100). */
  masteryScore?: number;
  /** 2004: cmi.completion_threshold (0..1). */
  completionThreshold?: number;
  /** 2004: cmi.scaled_passing_score from the primary objective (satisfiedByMeasure). */
  scaledPassingScore?: number;
  dataFromLms?: string;
  timeLimitAction?: string;
  maxTimeAllowed?: string;
  controlMode?: Partial<ScormControlMode>;
  /** 2004: the item's <imsss:sequencing>, when it has one. */
  sequencing?: ScormSequencing;
}

export interface ScormManifest {
  version: ScormVersion;
  /** '1.2', '2004 3rd Edition', '2004 4th Edition', or '2004' when the package does not say. */
  edition: string;
  identifier: string;
  /** The manifest's own version attribute, when it has one. */
  manifestVersion?: string;
  title: string;
  organization: string;
  items: ScormItem[];
  controlMode: ScormControlMode;
  /** 2004: the organization's <imsss:sequencing> (the root activity), when it has one. */
  sequencing?: ScormSequencing;
}

export class ScormManifestError extends Error {}

type X = Record<string, unknown>;

const ARRAYS = new Set([
  'organization',
  'item',
  'resource',
  'file',
  'dependency',
  'objective',
  'preConditionRule',
  'exitConditionRule',
  'postConditionRule',
  'ruleCondition',
  'rollupRule',
  'rollupCondition',
  'mapInfo',
]);

// The XML parser is loaded on the first SCORM import, not at start: the box runs for months without one,
// and the module costs ~10 MB of resident memory on a Pi.
let xmlCache: { parser: Fxp.XMLParser; validate: typeof Fxp.XMLValidator.validate } | undefined;
function xmlTools(): NonNullable<typeof xmlCache> {
  if (!xmlCache) {
    const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof Fxp;
    xmlCache = {
      parser: new fxp.XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '@',
        removeNSPrefix: true,
        parseTagValue: false,
        parseAttributeValue: false,
        trimValues: true,
        processEntities: true,
        isArray: (name) => ARRAYS.has(name),
      }),
      validate: (text, opts) => fxp.XMLValidator.validate(text, opts),
    };
  }
  return xmlCache;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : isObj(v) && typeof v['#text'] === 'string'
        ? v['#text']
        : undefined;
function isObj(v: unknown): v is X {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const arr = (v: unknown): X[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);
/** An attribute, whatever its case (adlcp:scormtype in 1.2, adlcp:scormType in 2004). */
function attr(o: X, name: string): string | undefined {
  const want = `@${name.toLowerCase()}`;
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === want) return str(v);
  return undefined;
}
function child(o: X, name: string): unknown {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === want) return v;
  return undefined;
}
const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v.trim() === 'true');

function num(v: string | undefined, where: string, min: number, max: number): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ScormManifestError(`${where}: "${v}" is not a number from ${min} to ${max}`);
  return n;
}

/** Join xml:base values and an href the way URLs resolve (base ends with /). */
function joinBase(bases: (string | undefined)[], href: string): string {
  let out = '';
  for (const b of bases) {
    if (!b) continue;
    if (/^[a-z][a-z0-9+.-]*:|^\//i.test(b)) out = b;
    else out += b;
    if (!out.endsWith('/')) out += '/';
  }
  return out + href;
}

/** href + parameters, as IMS Content Packaging says: `?` joins a query, `#` a fragment. */
export function withParameters(href: string, parameters: string | undefined): string {
  const p = (parameters ?? '').trim();
  if (!p) return href;
  if (p.startsWith('#')) return href.includes('#') ? href : href + p;
  const q = p.replace(/^[?&]+/, '');
  if (!q) return href;
  const hash = href.indexOf('#');
  const [base, frag] = hash >= 0 ? [href.slice(0, hash), href.slice(hash)] : [href, ''];
  return `${base}${base.includes('?') ? '&' : '?'}${q}${frag}`;
}

function fileOf(url: string, where: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//'))
    throw new ScormManifestError(
      `${where}: launches "${url}", which is not a file in the package (the box is offline)`,
    );
  const path = url.replace(/[?#].*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new ScormManifestError(`${where}: launch URL "${url}" is not valid`);
  }
  const parts: string[] = [];
  for (const seg of decoded.replace(/^\.\//, '').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0)
        throw new ScormManifestError(`${where}: launch URL "${url}" leaves the package`);
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

function detectVersion(m: X, xml: string): { version: ScormVersion; edition: string } {
  const meta = isObj(child(m, 'metadata')) ? (child(m, 'metadata') as X) : {};
  const sv = (str(child(meta, 'schemaversion')) ?? '').trim();
  if (/^1\.2$/.test(sv)) return { version: 'scorm12', edition: '1.2' };
  if (/2004\s*4th/i.test(sv)) return { version: 'scorm2004', edition: '2004 4th Edition' };
  if (/2004\s*3rd/i.test(sv)) return { version: 'scorm2004', edition: '2004 3rd Edition' };
  if (/CAM\s*1\.3|2004/i.test(sv)) return { version: 'scorm2004', edition: '2004' };
  if (/adlcp_v1p3|imsss/i.test(xml)) return { version: 'scorm2004', edition: '2004' };
  if (/adlcp_rootv1p2/i.test(xml)) return { version: 'scorm12', edition: '1.2' };
  throw new ScormManifestError(
    'imsmanifest.xml: cannot tell the SCORM version (no schemaversion "1.2" or "2004 ..." and no SCORM namespace)',
  );
}

function controlModeOf(o: X): Partial<ScormControlMode> | undefined {
  const seq = arr(child(o, 'sequencing'))[0];
  const cm = seq ? arr(child(seq, 'controlMode'))[0] : undefined;
  if (!cm) return undefined;
  const out: Partial<ScormControlMode> = {};
  for (const k of ['choice', 'flow', 'forwardOnly'] as const) {
    const v = attr(cm, k);
    if (v !== undefined) out[k] = v.trim() === 'true';
  }
  return out;
}

const RULE_CONDITIONS = new Set([
  'satisfied',
  'objectiveStatusKnown',
  'objectiveMeasureKnown',
  'objectiveMeasureGreaterThan',
  'objectiveMeasureLessThan',
  'completed',
  'activityProgressKnown',
  'attempted',
  'attemptLimitExceeded',
  'timeLimitExceeded',
  'outsideAvailableTimeRange',
  'always',
]);
const RULE_ACTIONS = {
  preConditionRule: ['skip', 'disabled', 'hiddenFromChoice', 'stopForwardTraversal'],
  exitConditionRule: ['exit'],
  postConditionRule: ['exitParent', 'exitAll', 'retry', 'retryAll', 'continue', 'previous'],
} as const;
const ROLLUP_CONDITIONS = new Set([
  'satisfied',
  'objectiveStatusKnown',
  'objectiveMeasureKnown',
  'completed',
  'activityProgressKnown',
  'attempted',
  'attemptLimitExceeded',
  'timeLimitExceeded',
  'outsideAvailableTimeRange',
]);
const ROLLUP_ACTIONS = new Set(['satisfied', 'notSatisfied', 'completed', 'incomplete']);
const CHILD_SETS = new Set(['all', 'any', 'none', 'atLeastCount', 'atLeastPercent']);

function oneOf(
  v: string | undefined,
  allowed: ReadonlySet<string> | readonly string[],
  where: string,
): string {
  const ok = Array.isArray(allowed)
    ? allowed.includes(v ?? '')
    : (allowed as ReadonlySet<string>).has(v ?? '');
  if (!ok) throw new ScormManifestError(`${where}: "${v ?? ''}" is not one of ${[...allowed].join(', ')}`);
  return v!;
}
const combination = (o: X): 'all' | 'any' => (attr(o, 'conditionCombination') === 'any' ? 'any' : 'all');

/** An adlseq:objectives element: its maps speak of completion and progress, never of satisfaction. */
function isAdlseq(o: X): boolean {
  return arr(child(o, 'objective'))
    .filter(isObj)
    .some((x) =>
      arr(child(x, 'mapInfo'))
        .filter(isObj)
        .some((m) =>
          [
            'readCompletionStatus',
            'writeCompletionStatus',
            'readProgressMeasure',
            'writeProgressMeasure',
          ].some((k) => attr(m, k) !== undefined),
        ),
    );
}

function objectiveOf(o: X, primary: boolean, where: string): ScormObjective {
  const id = attr(o, 'objectiveID') ?? (primary ? 'PRIMARY' : '');
  if (!id) throw new ScormManifestError(`${where}: an objective has no objectiveID`);
  const out: ScormObjective = { objectiveID: id };
  if (primary) out.isPrimary = true;
  if (attr(o, 'satisfiedByMeasure') !== undefined)
    out.satisfiedByMeasure = bool(attr(o, 'satisfiedByMeasure'), false);
  const mnm = num(
    str(child(o, 'minNormalizedMeasure')),
    `${where}: objective "${id}" minNormalizedMeasure`,
    -1,
    1,
  );
  if (mnm !== undefined) out.minNormalizedMeasure = mnm;
  const maps = arr(child(o, 'mapInfo')).map((m) => {
    const target = attr(m, 'targetObjectiveID');
    if (!target)
      throw new ScormManifestError(`${where}: objective "${id}" has a mapInfo with no targetObjectiveID`);
    return {
      targetObjectiveID: target,
      readSatisfiedStatus: bool(attr(m, 'readSatisfiedStatus'), true),
      readNormalizedMeasure: bool(attr(m, 'readNormalizedMeasure'), true),
      writeSatisfiedStatus: bool(attr(m, 'writeSatisfiedStatus'), false),
      writeNormalizedMeasure: bool(attr(m, 'writeNormalizedMeasure'), false),
    };
  });
  if (maps.length) out.mapInfo = maps;
  return out;
}

/** The item's (or organization's) <imsss:sequencing>, checked; undefined when it has none. */
function sequencingOf(o: X, where: string): ScormSequencing | undefined {
  const seq = arr(child(o, 'sequencing'))[0];
  if (!seq) return undefined;
  const out: ScormSequencing = {};
  const controls: Record<string, boolean | number> = {};
  const cm = arr(child(seq, 'controlMode'))[0];
  if (cm)
    for (const k of [
      'choice',
      'choiceExit',
      'flow',
      'forwardOnly',
      'useCurrentAttemptObjectiveInfo',
      'useCurrentAttemptProgressInfo',
    ])
      if (attr(cm, k) !== undefined) controls[k] = bool(attr(cm, k), false);
  const rr = arr(child(seq, 'rollupRules'))[0];
  if (rr) {
    for (const k of ['rollupObjectiveSatisfied', 'rollupProgressCompletion'])
      if (attr(rr, k) !== undefined) controls[k] = bool(attr(rr, k), true);
    const w = num(attr(rr, 'objectiveMeasureWeight'), `${where}: objectiveMeasureWeight`, 0, 1);
    if (w !== undefined) controls.objectiveMeasureWeight = w;
    const rules = arr(child(rr, 'rollupRule')).map((r): ScormRollupRule => {
      const conds = arr(child(r, 'rollupConditions'))[0] ?? {};
      const rule: ScormRollupRule = {
        action: oneOf(
          attr(arr(child(r, 'rollupAction'))[0] ?? {}, 'action'),
          ROLLUP_ACTIONS,
          `${where}: rollupAction`,
        ),
        consideration: oneOf(
          attr(r, 'childActivitySet') ?? 'all',
          CHILD_SETS,
          `${where}: rollupRule childActivitySet`,
        ),
        conditionCombination: combination(conds),
        conditions: arr(child(conds, 'rollupCondition')).map((c) => ({
          condition: oneOf(attr(c, 'condition'), ROLLUP_CONDITIONS, `${where}: rollupCondition`),
          ...(attr(c, 'operator') === 'not' ? { operator: 'not' as const } : {}),
        })),
      };
      const mc = num(attr(r, 'minimumCount'), `${where}: rollupRule minimumCount`, 0, 1e6);
      if (mc !== undefined) rule.minimumCount = mc;
      const mp = num(attr(r, 'minimumPercent'), `${where}: rollupRule minimumPercent`, 0, 1);
      if (mp !== undefined) rule.minimumPercent = mp;
      return rule;
    });
    if (rules.length) out.rollupRules = rules;
  }
  if (Object.keys(controls).length) out.controls = controls;
  const sr = arr(child(seq, 'sequencingRules'))[0];
  if (sr) {
    const rules: NonNullable<ScormSequencing['rules']> = {};
    for (const kind of ['preConditionRule', 'exitConditionRule', 'postConditionRule'] as const) {
      const list = arr(child(sr, kind)).map((r): ScormSequencingRule => {
        const conds = arr(child(r, 'ruleConditions'))[0] ?? {};
        return {
          action: oneOf(
            attr(arr(child(r, 'ruleAction'))[0] ?? {}, 'action'),
            RULE_ACTIONS[kind],
            `${where}: ${kind} action`,
          ),
          conditionCombination: combination(conds),
          conditions: arr(child(conds, 'ruleCondition')).map((c) => {
            const rc: ScormRuleCondition = {
              condition: oneOf(attr(c, 'condition'), RULE_CONDITIONS, `${where}: ${kind} condition`),
            };
            if (attr(c, 'operator') === 'not') rc.operator = 'not';
            const ref = attr(c, 'referencedObjective');
            if (ref) rc.referencedObjective = ref;
            const t = num(attr(c, 'measureThreshold'), `${where}: measureThreshold`, -1, 1);
            if (t !== undefined) rc.parameters = { threshold: t };
            return rc;
          }),
        };
      });
      if (list.length) rules[`${kind}s`] = list;
    }
    if (Object.keys(rules).length) out.rules = rules;
  }
  const lc = arr(child(seq, 'limitConditions'))[0];
  const limit = lc
    ? num(attr(lc, 'attemptLimit'), `${where}: limitConditions attemptLimit`, 0, 1e6)
    : undefined;
  if (limit) out.attemptLimit = limit;
  // imsss:objectives and 4th Edition adlseq:objectives both read as "objectives" once namespaces are
  // removed: the imsss one holds the primary objective and the satisfied/measure maps; an adlseq one
  // names objectives already declared and adds completion/progress maps to them.
  const all = arr(child(seq, 'objectives')).filter(isObj);
  const imsss = all.find((o) => child(o, 'primaryObjective') !== undefined) ?? all.find((o) => !isAdlseq(o));
  if (imsss) {
    const primary = arr(child(imsss, 'primaryObjective'))[0];
    if (primary) out.primaryObjective = objectiveOf(primary, true, where);
    const others = arr(child(imsss, 'objective')).map((x) => objectiveOf(x, false, where));
    if (others.length) out.objectives = others;
  }
  for (const adl of all.filter((o) => o !== imsss))
    for (const o of arr(child(adl, 'objective')).filter(isObj)) {
      const id = attr(o, 'objectiveID');
      const target = [out.primaryObjective, ...(out.objectives ?? [])].find((x) => x?.objectiveID === id);
      if (!id || !target)
        throw new ScormManifestError(
          `${where}: adlseq:objectives names objective "${id ?? ''}", which imsss:objectives does not declare`,
        );
      for (const m of arr(child(o, 'mapInfo')).filter(isObj)) {
        const to = attr(m, 'targetObjectiveID');
        if (!to)
          throw new ScormManifestError(
            `${where}: objective "${id}" has an adlseq:mapInfo with no targetObjectiveID`,
          );
        const extra = {
          readCompletionStatus: bool(attr(m, 'readCompletionStatus'), true),
          writeCompletionStatus: bool(attr(m, 'writeCompletionStatus'), false),
          readProgressMeasure: bool(attr(m, 'readProgressMeasure'), true),
          writeProgressMeasure: bool(attr(m, 'writeProgressMeasure'), false),
        };
        const maps = (target.mapInfo ??= []);
        const same = maps.find((x) => x.targetObjectiveID === to);
        if (same) Object.assign(same, extra);
        else
          maps.push({
            targetObjectiveID: to,
            readSatisfiedStatus: false,
            readNormalizedMeasure: false,
            writeSatisfiedStatus: false,
            writeNormalizedMeasure: false,
            ...extra,
          });
      }
    }
  const notPlayed = new Set<NotPlayed>();
  // Present and not neutral: a randomizationControls that neither reorders nor selects changes nothing.
  const rc = arr(child(seq, 'randomizationControls'))[0];
  if (rc && (bool(attr(rc, 'reorderChildren'), false) || attr(rc, 'selectCount') !== undefined))
    notPlayed.add('randomizationControls');
  if (arr(child(seq, 'rollupConsiderations'))[0]) notPlayed.add('rollupConsiderations');
  const cc = arr(child(seq, 'constrainedChoiceConsiderations'))[0];
  if (cc && bool(attr(cc, 'constrainChoice'), false)) notPlayed.add('constrainChoice');
  if (cc && bool(attr(cc, 'preventActivation'), false)) notPlayed.add('preventActivation');
  if (
    lc &&
    (attr(lc, 'attemptAbsoluteDurationLimit') !== undefined ||
      attr(lc, 'activityAbsoluteDurationLimit') !== undefined)
  )
    notPlayed.add('durationLimits');
  if (notPlayed.size) out.notPlayed = [...notPlayed];
  const dc = arr(child(seq, 'deliveryControls'))[0];
  if (dc) {
    const d: NonNullable<ScormSequencing['deliveryControls']> = {};
    for (const k of ['tracked', 'completionSetByContent', 'objectiveSetByContent'] as const)
      if (attr(dc, k) !== undefined) d[k] = bool(attr(dc, k), k === 'tracked');
    out.deliveryControls = d;
  }
  return Object.keys(out).length ? out : undefined;
}

function scaledPassingOf(o: X, where: string): number | undefined {
  const seq = arr(child(o, 'sequencing'))[0];
  const objs = seq ? arr(child(seq, 'objectives'))[0] : undefined;
  const primary = objs ? arr(child(objs, 'primaryObjective'))[0] : undefined;
  if (!primary || !bool(attr(primary, 'satisfiedByMeasure'), false)) return undefined;
  return num(str(child(primary, 'minNormalizedMeasure')) ?? '1.0', `${where}: minNormalizedMeasure`, -1, 1);
}

function completionThresholdOf(o: X, where: string): number | undefined {
  const ct = child(o, 'completionThreshold');
  if (ct === undefined) return undefined;
  // 3rd edition: element text; 4th edition: completedByMeasure + minProgressMeasure attributes.
  if (
    isObj(ct) &&
    (attr(ct, 'minProgressMeasure') !== undefined || attr(ct, 'completedByMeasure') !== undefined)
  ) {
    if (!bool(attr(ct, 'completedByMeasure'), false)) return undefined;
    return num(
      attr(ct, 'minProgressMeasure') ?? '1.0',
      `${where}: completionThreshold minProgressMeasure`,
      0,
      1,
    );
  }
  return num(str(ct), `${where}: completionThreshold`, 0, 1);
}

/**
 * `<imsss:sequencing IDRef="x">` takes the `<imsss:sequencing ID="x">` of the manifest's
 * `<imsss:sequencingCollection>` (the public golf sequencing samples put every rule there), its own child
 * elements taking precedence (CAM 4th Edition, 3.4.1.30). Resolved in place before anything reads the
 * items; an IDRef naming nothing is refused.
 */
function resolveSequencingCollection(m: X, org: X): void {
  const shared = new Map<string, X>();
  for (const coll of arr(child(m, 'sequencingCollection')))
    for (const s of arr(child(coll, 'sequencing'))) {
      const id = attr(s, 'ID');
      if (id) shared.set(id, s);
    }
  const visit = (o: X, where: string) => {
    const key = Object.keys(o).find((k) => k.toLowerCase() === 'sequencing');
    const seq = key ? arr(o[key])[0] : undefined;
    const ref = seq ? attr(seq, 'IDRef') : undefined;
    if (key && seq && ref) {
      const base = shared.get(ref);
      if (!base)
        throw new ScormManifestError(
          `${where}: sequencing IDRef "${ref}" is not in the manifest's sequencingCollection`,
        );
      const own = Object.fromEntries(Object.entries(seq).filter(([k]) => !k.startsWith('@')));
      const inherited = Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('@')));
      o[key] = { ...inherited, ...own };
    }
    for (const it of arr(child(o, 'item')))
      visit(it, `imsmanifest.xml: item "${attr(it, 'identifier') ?? ''}"`);
  };
  visit(org, `imsmanifest.xml: organization "${attr(org, 'identifier') ?? ''}"`);
}

/**
 * Parse imsmanifest.xml. `files` is every file path in the package; each launch file must be one.
 * Throws ScormManifestError naming the problem (malformed XML, no organization, an item pointing to a
 * missing resource, a launch file not in the zip, a bad number).
 */
export function parseScormManifest(xml: string, files: ReadonlySet<string>): ScormManifest {
  const valid = xmlTools().validate(xml);
  if (valid !== true)
    throw new ScormManifestError(
      `imsmanifest.xml: malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    );
  const doc = xmlTools().parser.parse(xml) as X;
  const m = child(doc, 'manifest');
  if (!isObj(m)) throw new ScormManifestError('imsmanifest.xml: no <manifest> root element');
  const { version, edition } = detectVersion(m, xml);
  const identifier = attr(m, 'identifier') ?? '';
  const manifestBase = attr(m, 'base');

  const orgsEl = child(m, 'organizations');
  const orgs = isObj(orgsEl) ? arr(child(orgsEl, 'organization')) : [];
  if (orgs.length === 0)
    throw new ScormManifestError('imsmanifest.xml: no <organization> in <organizations>');
  const defaultId = isObj(orgsEl) ? attr(orgsEl, 'default') : undefined;
  const org = defaultId ? orgs.find((o) => attr(o, 'identifier') === defaultId) : orgs[0];
  if (!org)
    throw new ScormManifestError(
      `imsmanifest.xml: organizations: the default organization "${defaultId}" does not exist`,
    );
  if (version === 'scorm2004') resolveSequencingCollection(m, org);

  const resEl = child(m, 'resources');
  const resourcesBase = isObj(resEl) ? attr(resEl, 'base') : undefined;
  const resources = new Map<string, X>();
  for (const r of isObj(resEl) ? arr(child(resEl, 'resource')) : []) {
    const id = attr(r, 'identifier');
    if (id) resources.set(id, r);
  }

  const seen = new Set<string>();
  const toItem = (it: X, path: string): ScormItem => {
    const id = attr(it, 'identifier') ?? '';
    const where = `imsmanifest.xml: item "${id}"${path}`;
    if (!id) throw new ScormManifestError(`imsmanifest.xml: an item${path} has no identifier`);
    if (seen.has(id)) throw new ScormManifestError(`${where}: identifier used twice`);
    seen.add(id);
    const children = arr(child(it, 'item')).map((c) => toItem(c, ` (in "${id}")`));
    const item: ScormItem = {
      identifier: id,
      title: (str(child(it, 'title')) ?? id).trim() || id,
      children,
      isVisible: bool(attr(it, 'isvisible'), true),
    };
    const ref = attr(it, 'identifierref');
    if (ref) {
      const r = resources.get(ref);
      if (!r)
        throw new ScormManifestError(`${where}: points to resource "${ref}", which is not in <resources>`);
      const href = attr(r, 'href');
      if (!href) throw new ScormManifestError(`${where}: resource "${ref}" has no href to launch`);
      const url = withParameters(
        joinBase([manifestBase, resourcesBase, attr(r, 'base')], href),
        attr(it, 'parameters'),
      );
      const file = fileOf(url, `${where}: resource "${ref}"`);
      if (!files.has(file))
        throw new ScormManifestError(`${where}: launch file "${file}" (resource "${ref}") is not in the zip`);
      const st = (attr(r, 'scormtype') ?? 'asset').toLowerCase();
      item.resource = {
        identifier: ref,
        scormType: st === 'sco' ? 'sco' : 'asset',
        file,
        launch: url.replace(/^\.\//, ''),
      };
    } else if (children.length === 0) {
      throw new ScormManifestError(`${where}: has neither a resource (identifierref) nor child items`);
    }
    const mastery = num(str(child(it, 'masteryscore')), `${where}: masteryscore`, 0, 100);
    if (mastery !== undefined) item.masteryScore = mastery;
    const ct = completionThresholdOf(it, where);
    if (ct !== undefined) item.completionThreshold = ct;
    const sp = scaledPassingOf(it, where);
    if (sp !== undefined) item.scaledPassingScore = sp;
    const dfl = str(child(it, 'datafromlms'));
    if (dfl) item.dataFromLms = dfl;
    const tla = str(child(it, 'timelimitaction'));
    if (tla) item.timeLimitAction = tla;
    const mta = str(child(it, 'maxtimeallowed'));
    if (mta) item.maxTimeAllowed = mta;
    const cm = controlModeOf(it);
    if (cm) item.controlMode = cm;
    if (version === 'scorm2004') {
      const sq = sequencingOf(it, where);
      if (sq) item.sequencing = sq;
    }
    return item;
  };
  const items = arr(child(org, 'item')).map((it) => toItem(it, ''));
  if (items.length === 0)
    throw new ScormManifestError(`imsmanifest.xml: organization "${attr(org, 'identifier')}" has no items`);
  const cm = controlModeOf(org) ?? {};
  return {
    version,
    edition,
    identifier,
    ...(attr(m, 'version') ? { manifestVersion: attr(m, 'version')! } : {}),
    title: (str(child(org, 'title')) ?? identifier).trim() || identifier || 'SCORM package',
    organization: attr(org, 'identifier') ?? '',
    items,
    // SCORM 2004 defaults: choice and flow allowed unless the manifest says otherwise (flow defaults
    // to false in the spec; an LMS with no flow would leave multi-SCO packages without Next, so the
    // box shows Next/Previous unless the manifest explicitly sets flow="false").
    controlMode: { choice: cm.choice ?? true, flow: cm.flow ?? true, forwardOnly: cm.forwardOnly ?? false },
    ...(version === 'scorm2004' &&
    sequencingOf(org, `imsmanifest.xml: organization "${attr(org, 'identifier')}"`)
      ? { sequencing: sequencingOf(org, `imsmanifest.xml: organization "${attr(org, 'identifier')}"`)! }
      : {}),
  };
}

/** Leaves (items with a resource), depth first, in manifest order. */
export function leaves(items: readonly ScormItem[]): ScormItem[] {
  return items.flatMap((i) => (i.resource ? [i, ...leaves(i.children)] : leaves(i.children)));
}
