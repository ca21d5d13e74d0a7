/**
 * THE vocabulary of the records, shared by the box (which writes statements) and HQ (which reads them):
 * xAPI verbs, activity types, IRIs and every extension IRI fieldclass uses. Every learning event is one
 * xAPI statement; this is the format the eLearning world reads and what HQ forwards to a Learning Record
 * Store. Add an IRI here, never as a literal in a feature.
 */
export const VERBS = {
  launched: 'http://adlnet.gov/expapi/verbs/launched',
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  suspended: 'http://adlnet.gov/expapi/verbs/suspended',
  resumed: 'http://adlnet.gov/expapi/verbs/resumed',
  rated: 'http://id.tincanapi.com/verb/rated',
} as const;
export type VerbKey = keyof typeof VERBS;

export const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  module: 'http://adlnet.gov/expapi/activities/module',
  lesson: 'http://adlnet.gov/expapi/activities/lesson',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  question: 'http://adlnet.gov/expapi/activities/cmi.interaction',
  sco: 'http://adlnet.gov/expapi/activities/lesson',
} as const;
export type ActivityTypeKey = keyof typeof ACTIVITY_TYPES;

/** IRIs: the course is `urn:fieldclass:course:<id>`, an activity inside it `...:<id>/<activity>`. */
export const courseIri = (courseId: string): string => `urn:fieldclass:course:${courseId}`;
export const activityIri = (courseId: string, activityId: string): string =>
  activityId === '' ? courseIri(courseId) : `urn:fieldclass:course:${courseId}/${activityId}`;
export const applianceHomePage = (applianceId: string): string =>
  `https://fieldclass.invalid/appliances/${applianceId}`;

export interface XapiResult {
  score?: { scaled?: number; raw?: number; min?: number; max?: number };
  success?: boolean;
  completion?: boolean;
  response?: string;
  duration?: string;
  extensions?: Record<string, unknown>;
}

export interface XapiStatement {
  id: string;
  actor: { objectType: 'Agent'; name?: string; account: { homePage: string; name: string } };
  verb: { id: string; display: Record<string, string> };
  object: {
    objectType: 'Activity';
    id: string;
    definition?: { type?: string; name?: Record<string, string>; extensions?: Record<string, unknown> };
  };
  result?: XapiResult;
  context: {
    registration?: string;
    language?: string;
    platform: 'fieldclass';
    contextActivities?: {
      parent?: { id: string; objectType: 'Activity' }[];
      grouping?: { id: string }[];
      category?: { id: string; objectType: 'Activity' }[];
    };
    extensions?: Record<string, unknown>;
  };
  timestamp: string;
}

/**
 * Every extension IRI fieldclass puts in a statement (context.extensions unless noted). They make every
 * statement self-contained, so derived state (box and HQ) is rebuilt from the journal alone. The course
 * id is carried plainly so HQ needs no IRI parsing.
 */
export const EXT = {
  courseId: 'urn:fieldclass:ext:course-id',
  activityId: 'urn:fieldclass:ext:activity-id',
  courseVersion: 'urn:fieldclass:ext:course-version',
  position: 'urn:fieldclass:ext:position',
  comment: 'urn:fieldclass:ext:comment',
  /**
   * result.extensions of 'progressed': how far into the activity the trainee got, a whole or decimal
   * number 0..100 for every kind of content (lessons and SCORM alike: cmi.progress_measure 0..1 is
   * multiplied by 100). The cmi5 IRI.
   */
  progress: 'https://w3id.org/xapi/cmi5/result/extensions/progress',
  /** Quiz attempt number (1, 2...) on 'answered', 'passed' and 'failed'. */
  attempt: 'urn:fieldclass:ext:attempt',
  /** On 'answered': the quiz and the question inside it. */
  quizId: 'urn:fieldclass:ext:quiz-id',
  questionId: 'urn:fieldclass:ext:question-id',
  questionType: 'urn:fieldclass:ext:question-type',
  /**
   * result.extensions of 'answered': the exact list of values given; of 'passed'/'failed': the whole
   * attempt, question id -> values (what the attempts table keeps).
   */
  answers: 'urn:fieldclass:ext:answers',
} as const;

/** The ADL xAPI SCORM profile: every statement of a SCORM course names it in contextActivities.category. */
export const SCORM_PROFILE = 'https://w3id.org/xapi/scorm';

/** Extension IRIs of the SCORM runtime (ADL xAPI SCORM profile verbs; these carry the details). */
export const SCORM_EXT = {
  attempt: 'urn:fieldclass:ext:scorm-attempt',
  session: 'urn:fieldclass:ext:scorm-session',
  location: 'urn:fieldclass:ext:scorm-location',
  progress: EXT.progress,
  scormVersion: 'urn:fieldclass:ext:scorm-version',
  /** The box closed a launch that never terminated: 'next-launch', 'timeout' or 'reset' (a coordinator's). */
  closedBy: 'urn:fieldclass:ext:scorm-closed-by',
} as const;
