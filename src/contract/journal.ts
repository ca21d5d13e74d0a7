/**
 * THE journal contract: one zod schema per journal kind. The box writes every non-statement row through
 * `parseJournalBody` (statements are built by one emitter from these types) and HQ reads every imported
 * row through it, so a field name the box never writes cannot be read by HQ. docs/bundle-format.md
 * describes the same bodies in prose. Change a body only with a new bundle format version.
 */
import { z } from 'zod';
import { EXT } from './vocabulary.js';

/** Journal row kinds. `course` and `adjustment` came with bundle format 2. */
export const JOURNAL_KINDS = ['statement', 'person', 'cohort', 'enrolment', 'course', 'adjustment'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

const id = z.string().min(1).max(200);
const texts = z.record(z.string(), z.string());
const score01 = z.number().min(0).max(1);

// ---- statement: an xAPI statement as fieldclass writes it ------------------------------------------

const resultSchema = z.looseObject({
  score: z
    .looseObject({
      scaled: z.number().min(-1).max(1).optional(),
      raw: z.number().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: z.string().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});

export const statementSchema = z.looseObject({
  id,
  actor: z.looseObject({
    objectType: z.literal('Agent'),
    name: z.string().optional(),
    account: z.looseObject({ homePage: z.string(), name: id }),
  }),
  verb: z.looseObject({ id: z.string().min(1), display: texts }),
  object: z.looseObject({
    objectType: z.literal('Activity'),
    id: z.string().min(1),
    definition: z
      .looseObject({
        type: z.string().optional(),
        name: texts.optional(),
        extensions: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
  }),
  result: resultSchema.optional(),
  context: z.looseObject({
    registration: z.string().optional(),
    language: z.string().optional(),
    platform: z.literal('fieldclass'),
    contextActivities: z.unknown().optional(),
    // Every fieldclass statement names its course and activity ('' = the course itself) plainly.
    extensions: z.looseObject({ [EXT.courseId]: id, [EXT.activityId]: z.string().max(400) }),
  }),
  timestamp: z.string().min(1),
});

// ---- roster ------------------------------------------------------------------------------------------

export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;

/** kind 'person' (ref = person id): a trainee as HQ needs them; secrets never leave the box. */
export const personBodySchema = z.strictObject({
  id,
  role: z.enum(['trainee', 'coordinator']),
  username: z.string(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  agency: z.string().nullable(),
  gender: z.enum(GENDERS).nullable(),
  language: z.string().nullable(),
  active: z.boolean(),
  updatedAt: z.string(),
});
export type PersonBody = z.infer<typeof personBodySchema>;

/** kind 'cohort' (ref = cohort id): the cohort itself, a member, or a course given to the cohort. */
export const cohortBodySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cohort'), id, name: z.string(), updatedAt: z.string() }),
  z.strictObject({ type: z.literal('member'), cohortId: id, personId: id, active: z.boolean() }),
  z.strictObject({ type: z.literal('course'), cohortId: id, courseId: id }),
]);
export type CohortBody = z.infer<typeof cohortBodySchema>;

/** kind 'enrolment' (ref = `<person>:<course>`). */
export const enrolmentBodySchema = z.strictObject({
  personId: id,
  courseId: id,
  cohortId: id.nullable(),
  active: z.boolean(),
});
export type EnrolmentBody = z.infer<typeof enrolmentBodySchema>;

// ---- course (format 2) -------------------------------------------------------------------------------

export const courseActivitySchema = z.strictObject({
  id,
  type: z.enum(['lesson', 'quiz', 'sco']),
  titles: texts,
  /** Quizzes: the pass mark 0..1 of this version. */
  passMark: score01.optional(),
  /** SCORM 1.2 SCOs: the manifest's masteryscore, 0..1 (as a share of 100). */
  masteryScore: score01.optional(),
});

/**
 * kind 'course' (ref = `<course>@<version>`), written when a course version is installed or upgraded:
 * what HQ cannot otherwise know to compute a course's outcome (src/contract/outcomes.ts).
 */
export const courseBodySchema = z.strictObject({
  id,
  version: z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/),
  kind: z.enum(['native', 'scorm12', 'scorm2004']),
  titles: texts,
  /** Every item of the course in outline order; every item is required for completion. */
  activities: z.array(courseActivitySchema),
  /** The activity ids that decide pass/fail (course.json `assessed`; default: every quiz). */
  assessed: z.array(id),
});
export type CourseBody = z.infer<typeof courseBodySchema>;

// ---- adjustment (format 2) ---------------------------------------------------------------------------

/**
 * kind 'adjustment' (ref = the adjustment's UUID): a coordinator's correction that HQ applies too.
 * `attempt_grant`: `add` more attempts at a quiz (the allowance is raised; nothing recorded is undone).
 * `scorm_reset`: the SCORM issue's reset of a SCO's attempt (same kind, so one format bump covers both).
 */
export const adjustmentBodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('attempt_grant'),
    id,
    personId: id,
    courseId: id,
    activityId: id,
    add: z.number().int().min(1).max(100),
    by: id.nullable(),
    at: z.string(),
  }),
  z.strictObject({
    type: z.literal('scorm_reset'),
    id,
    personId: id,
    courseId: id,
    activityId: id,
    by: id.nullable(),
    at: z.string(),
  }),
]);
export type AdjustmentBody = z.infer<typeof adjustmentBodySchema>;

export const journalBodySchemas = {
  statement: statementSchema,
  person: personBodySchema,
  cohort: cohortBodySchema,
  enrolment: enrolmentBodySchema,
  course: courseBodySchema,
  adjustment: adjustmentBodySchema,
} as const;

export interface JournalBodies {
  statement: z.infer<typeof statementSchema>;
  person: PersonBody;
  cohort: CohortBody;
  enrolment: EnrolmentBody;
  course: CourseBody;
  adjustment: AdjustmentBody;
}

export const isJournalKind = (k: string): k is JournalKind =>
  (JOURNAL_KINDS as readonly string[]).includes(k);

/** A body checked against its kind's schema; throws JournalBodyError naming the first problem. */
export function parseJournalBody<K extends JournalKind>(kind: K, body: unknown): JournalBodies[K] {
  const r = journalBodySchemas[kind].safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new JournalBodyError(kind, `${i.path.join('.') || '(body)'}: ${i.message}`);
  }
  return r.data as JournalBodies[K];
}

export class JournalBodyError extends Error {
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`${kind} body: ${detail}`);
  }
}

/** Compare two x.y.z versions (course versions). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
