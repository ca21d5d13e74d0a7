import { createHash } from 'node:crypto';
import type { Language } from '../../core/config.js';
import type { CourseSource } from '../course-source.js';
import { courseInvalid, digestOf, type PreparedCourse, type PreparedFile } from '../course.importer.js';
import { extOf, mediaTypeOf } from '../media-types.js';
import { findRemoteReferences } from './remote-refs.js';
import {
  leaves,
  parseScormManifest,
  type NotPlayed,
  ScormManifestError,
  type ScormControlMode,
  type ScormItem,
  type ScormManifest,
  type ScormSequencing,
  type ScormVersion,
} from './manifest.js';

/** What the runtime needs of one SCO or asset (stored with the course, read by the player). */
export interface ScormActivityInfo {
  scormType: 'sco' | 'asset';
  /** Path (and query) under the package root, as launched. */
  launch: string;
  masteryScore?: number;
  completionThreshold?: number;
  scaledPassingScore?: number;
  dataFromLms?: string;
  timeLimitAction?: string;
  maxTimeAllowed?: string;
  controlMode?: Partial<ScormControlMode>;
  /** 2004: the ids of the item's objectives (primary first), put in cmi.objectives at launch. */
  objectiveIds?: string[];
  /** 2004 delivery controls (default false): when false the LMS sets completion / success at the end of an attempt. */
  completionSetByContent?: boolean;
  objectiveSetByContent?: boolean;
}

/** A TOC node: clusters keep their children (multi-level TOC in the player). */
export interface ScormTocNode {
  id: string;
  title: string;
  /** Set for leaves (the activity id is the item identifier). */
  launchable: boolean;
  /** isvisible="false": not shown in the table of contents (still delivered by flow); its children are. */
  visible?: false;
  children: ScormTocNode[];
}

/** Stored per SCORM course in content.db (`scorm_packages`). */
export interface ScormPackageInfo {
  version: ScormVersion;
  edition: string;
  manifestIdentifier: string;
  controlMode: ScormControlMode;
  toc: ScormTocNode[];
  activities: Record<string, ScormActivityInfo>;
  /**
   * 2004 with IMS Simple Sequencing beyond the control mode (rules, limit conditions, rollup rules,
   * objectives): the whole activity tree (organization as root, invisible items included) with each
   * node's sequencing, for scorm-again's sequencing engine (src/learning/scorm.sequencing.ts).
   * Absent otherwise: the package navigates by control mode only.
   */
  sequencing?: ScormActivityNode;
  /** Files the package loads from the internet (installed with allowRemote): the course shows a warning. */
  remote?: string[];
  /** What the package uses that the box plays differently (said at import and on the admin's Courses page). */
  later?: ScormLater[];
}

/**
 * A SCORM feature the box does not play as the standard says (yet), with where the package uses it (item
 * titles, or file paths for requests made by the content). Named in the coordinator's language by
 * content.messages.ts (`later_<feature>`).
 */
export type LaterFeature = NotPlayed | 'choiceExit' | 'stopForwardTraversal' | 'abandon';
export interface ScormLater {
  feature: LaterFeature;
  where: string[];
}

const LATER_ORDER: readonly LaterFeature[] = [
  'randomizationControls',
  'stopForwardTraversal',
  'rollupConsiderations',
  'choiceExit',
  'constrainChoice',
  'preventActivation',
  'durationLimits',
  'abandon',
];

/**
 * The features of a stored `later` list the box still plays differently (a package installed by an
 * earlier version may name one that plays now, e.g. a retried cluster).
 */
export function stillLater(later: readonly ScormLater[] | undefined): ScormLater[] {
  return (later ?? []).filter((l) => LATER_ORDER.includes(l.feature));
}

/** Text files a SCO's navigation requests are looked for in (larger ones are media in practice). */
const SCRIPT_TEXT = /\.(?:html?|xhtml|js|mjs)$/i;
const MAX_SCRIPT_SCAN = 4 * 1024 * 1024;

/**
 * What a 2004 package uses that plays differently here: sequencing read but not played (randomization,
 * rollup considerations, constrained choice, duration limits, choiceExit="false", stopForwardTraversal
 * rules), and SCOs that request `abandon`/`abandonAll` (kept as after Exit). Choice constraints are said
 * only when the organization lets trainees choose: without choice they change nothing. (A retried
 * cluster plays: its children start new attempts, ScormService.retryClusterIfRuled.)
 */
function laterOf(manifest: ScormManifest, source: CourseSource): ScormLater[] {
  if (manifest.version !== 'scorm2004') return [];
  const found = new Map<LaterFeature, Set<string>>();
  const note = (f: LaterFeature, where: string) => {
    if (!found.has(f)) found.set(f, new Set());
    found.get(f)!.add(where);
  };
  const visit = (title: string, sq: ScormSequencing | undefined) => {
    if (!sq) return;
    for (const f of sq.notPlayed ?? []) note(f, title);
    const rules = sq.rules ?? {};
    for (const r of [
      ...(rules.preConditionRules ?? []),
      ...(rules.exitConditionRules ?? []),
      ...(rules.postConditionRules ?? []),
    ])
      if (
        r.conditions.some(
          (c) => c.condition === 'timeLimitExceeded' || c.condition === 'outsideAvailableTimeRange',
        )
      )
        note('durationLimits', title);
    if (sq.controls?.['choiceExit'] === false) note('choiceExit', title);
    if ((rules.preConditionRules ?? []).some((r) => r.action === 'stopForwardTraversal'))
      note('stopForwardTraversal', title);
  };
  visit(manifest.title, manifest.sequencing);
  const walk = (items: readonly ScormItem[]) =>
    items.forEach((i) => {
      visit(i.title, i.sequencing);
      walk(i.children);
    });
  walk(manifest.items);
  for (const path of source.files()) {
    if (!SCRIPT_TEXT.test(path) || source.size(path) > MAX_SCRIPT_SCAN) continue;
    const text = source.read(path).toString('utf8');
    if (text.includes('adl.nav.request') && /["'}]abandon(?:All)?["']/.test(text)) note('abandon', path);
  }
  // The player offers choice by the organization's control mode; without it these change nothing.
  if (!manifest.controlMode.choice)
    for (const f of ['choiceExit', 'constrainChoice', 'preventActivation'] as const) found.delete(f);
  return LATER_ORDER.filter((f) => found.has(f)).map((f) => ({ feature: f, where: [...found.get(f)!] }));
}

/** One activity of the sequencing tree (the organization or an item). */
export interface ScormActivityNode {
  id: string;
  title: string;
  sequencing?: ScormSequencing;
  children: ScormActivityNode[];
}

function activityTreeOf(manifest: ScormManifest): ScormActivityNode | undefined {
  const node = (i: ScormItem): ScormActivityNode => ({
    id: i.identifier,
    title: i.title,
    ...(i.sequencing ? { sequencing: i.sequencing } : {}),
    children: i.children.map(node),
  });
  const all: (ScormSequencing | undefined)[] = [manifest.sequencing];
  const walk = (items: readonly ScormItem[]) =>
    items.forEach((i) => {
      all.push(i.sequencing);
      walk(i.children);
    });
  walk(manifest.items);
  const beyondControlMode = all.some(
    (s) => s && (s.rules || s.rollupRules || s.attemptLimit || s.objectives || s.primaryObjective?.mapInfo),
  );
  if (manifest.version !== 'scorm2004' || !beyondControlMode) return undefined;
  return {
    id: manifest.organization || 'organization',
    title: manifest.title,
    ...(manifest.sequencing ? { sequencing: manifest.sequencing } : {}),
    children: manifest.items.map(node),
  };
}

/** Types the generic media table does not know, common in authoring-tool exports. */
const EXTRA_TYPES: Record<string, { type: string; compress: boolean }> = {
  woff: { type: 'font/woff', compress: false },
  woff2: { type: 'font/woff2', compress: false },
  ttf: { type: 'font/ttf', compress: true },
  otf: { type: 'font/otf', compress: true },
  eot: { type: 'application/vnd.ms-fontobject', compress: true },
  wav: { type: 'audio/wav', compress: false },
  m4a: { type: 'audio/mp4', compress: false },
  ico: { type: 'image/x-icon', compress: true },
  xsd: { type: 'application/xml', compress: true },
  swf: { type: 'application/x-shockwave-flash', compress: false },
  map: { type: 'application/json', compress: true },
};

export interface ScormPrepareOptions {
  /** Course id; default: from the manifest identifier. */
  id?: string;
  /** x.y.z; default: the manifest's version attribute when it is one, else 1.0.0. */
  version?: string;
  /** The language the package is in (SCORM packages are single-language). */
  language?: Language;
  /** Install a package that loads files from the internet (refused by default: the box is offline). */
  allowRemote?: boolean;
}

/** A course id from a manifest identifier: a-z, 0-9 and '-', 3 to 64 characters. */
export function courseIdFrom(identifier: string): string {
  let id = identifier
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  if (id.length < 3) id = `scorm-${createHash('sha256').update(identifier).digest('hex').slice(0, 8)}`;
  return id;
}

function versionFrom(v: string | undefined): string {
  const m = v ? /^(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?$/.exec(v.trim()) : null;
  return m ? `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}` : '1.0.0';
}

function tocOf(items: readonly ScormItem[]): ScormTocNode[] {
  return items.map((i) => ({
    id: i.identifier,
    title: i.title,
    launchable: !!i.resource,
    ...(i.isVisible ? {} : { visible: false as const }),
    children: tocOf(i.children),
  }));
}

/** Is this source a SCORM package (imsmanifest.xml at its root)? */
export function isScormSource(source: CourseSource): boolean {
  return source.files().includes('imsmanifest.xml');
}

/**
 * Check a SCORM 1.2 / 2004 package and turn it into a course for the store: every file is served (by
 * path, from the package origin), each leaf item is an activity of type 'sco' whose id is the item
 * identifier (stable across versions, so progress carries over). Throws AppError('course_invalid')
 * naming the problem: manifest missing / not at the root, malformed XML, an item pointing to a missing
 * resource, a launch file not in the zip.
 */
export function prepareScormCourse(
  source: CourseSource,
  opts: ScormPrepareOptions = {},
): PreparedCourse & { scorm: ScormPackageInfo } {
  const paths = source.files();
  if (!paths.includes('imsmanifest.xml')) {
    const nested = paths.find(
      (p) => p.toLowerCase().endsWith('/imsmanifest.xml') || p.toLowerCase() === 'imsmanifest.xml',
    );
    throw courseInvalid(source.name, [
      nested
        ? `imsmanifest.xml: not at the root of the zip (found "${nested}"); zip the package's contents, not its folder`
        : 'imsmanifest.xml: missing (a SCORM package has imsmanifest.xml at the root of the zip)',
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true })
      .decode(source.read('imsmanifest.xml'))
      .replace(/^\uFEFF/, '');
  } catch {
    throw courseInvalid(source.name, ['imsmanifest.xml: not valid UTF-8 text']);
  }
  let manifest;
  try {
    manifest = parseScormManifest(text, new Set(paths));
  } catch (e) {
    if (e instanceof ScormManifestError) throw courseInvalid(source.name, [e.message]);
    throw e;
  }
  const language: Language = opts.language ?? 'en';
  const id = opts.id ?? courseIdFrom(manifest.identifier || manifest.title);
  const version = opts.version ?? versionFrom(manifest.manifestVersion);
  const errors: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]{2,63}$/.test(id))
    errors.push(`course id "${id}": must be 3 to 64 characters: a-z, 0-9 and "-"`);
  if (!/^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(version)) errors.push(`version "${version}": must be x.y.z`);
  if (errors.length) throw courseInvalid(source.name, errors);

  // The box is offline: a package that loads scripts, styles or media from the internet breaks in
  // class (jQuery from a CDN: "$ is not defined"). Refused unless the coordinator accepts it.
  const refs = findRemoteReferences(source);
  const remote = [...new Set(refs.loaded.map((r) => r.url))];
  if (remote.length && !opts.allowRemote)
    throw courseInvalid(
      source.name,
      [
        `the package loads ${remote.length} file(s) from the internet, which the box does not have (install anyway with \`content import --allow-remote\`, or the admin upload's "allow files from the internet"):`,
        ...refs.loaded.slice(0, 20).map((r) => `${r.file}: ${r.url}`),
        ...(refs.loaded.length > 20 ? [`... and ${refs.loaded.length - 20} more`] : []),
      ],
      { remote },
    );

  const files: PreparedFile[] = paths.map((path) => {
    const e = extOf(path);
    const known = mediaTypeOf(path);
    const extra = EXTRA_TYPES[e];
    const h = createHash('sha256');
    for (const piece of source.pieces(path, 1024 * 1024)) h.update(piece);
    return {
      path,
      sha256: h.digest('hex'),
      size: source.size(path),
      type: known?.type ?? extra?.type ?? 'application/octet-stream',
      ext: /^[a-z0-9]{1,8}$/.test(e) ? e : 'bin',
      served: true,
      compress: known?.compress ?? extra?.compress ?? false,
    };
  });

  const later = laterOf(manifest, source);
  const t = (s: string) => ({ [language]: s });
  const modules: PreparedCourse['modules'] = [];
  const activities: PreparedCourse['activities'] = [];
  const info: Record<string, ScormActivityInfo> = {};
  let ord = 0;
  let looseModule: string | undefined;
  manifest.items.forEach((top, i) => {
    let moduleId: string;
    if (top.children.length === 0) {
      if (!looseModule) {
        looseModule = `${manifest.organization || 'org'}#${i}`;
        modules.push({ id: looseModule, ord: modules.length, titles: t(manifest.title) });
      }
      moduleId = looseModule;
    } else {
      looseModule = undefined;
      moduleId = top.identifier;
      modules.push({ id: moduleId, ord: modules.length, titles: t(top.title) });
    }
    for (const leaf of leaves([top])) {
      const r = leaf.resource!;
      activities.push({
        id: leaf.identifier,
        type: 'sco',
        moduleId,
        ord: ord++,
        titles: t(leaf.title),
        file: r.launch,
      });
      const a: ScormActivityInfo = { scormType: r.scormType, launch: r.launch };
      if (leaf.masteryScore !== undefined) a.masteryScore = leaf.masteryScore;
      if (leaf.completionThreshold !== undefined) a.completionThreshold = leaf.completionThreshold;
      if (leaf.scaledPassingScore !== undefined) a.scaledPassingScore = leaf.scaledPassingScore;
      if (leaf.dataFromLms !== undefined) a.dataFromLms = leaf.dataFromLms;
      if (leaf.timeLimitAction !== undefined) a.timeLimitAction = leaf.timeLimitAction;
      if (leaf.maxTimeAllowed !== undefined) a.maxTimeAllowed = leaf.maxTimeAllowed;
      if (leaf.controlMode) a.controlMode = leaf.controlMode;
      const sq = leaf.sequencing;
      const ids = [sq?.primaryObjective, ...(sq?.objectives ?? [])]
        .map((o) => o?.objectiveID)
        .filter((x): x is string => !!x);
      if (ids.length) a.objectiveIds = ids;
      if (sq?.deliveryControls?.completionSetByContent) a.completionSetByContent = true;
      if (sq?.deliveryControls?.objectiveSetByContent) a.objectiveSetByContent = true;
      info[leaf.identifier] = a;
    }
  });

  return {
    id,
    version,
    kind: manifest.version,
    language,
    languages: [language],
    titles: t(manifest.title),
    descriptions: t(`SCORM ${manifest.edition}`),
    digest: digestOf(files),
    modules,
    activities,
    lessons: [],
    quizzes: [],
    files,
    warnings: [],
    scorm: {
      version: manifest.version,
      edition: manifest.edition,
      manifestIdentifier: manifest.identifier,
      controlMode: manifest.controlMode,
      toc: tocOf(manifest.items),
      activities: info,
      ...(activityTreeOf(manifest) ? { sequencing: activityTreeOf(manifest)! } : {}),
      ...(remote.length ? { remote } : {}),
      ...(later.length ? { later } : {}),
    },
  };
}
