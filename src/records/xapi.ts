/**
 * xAPI statements as fieldclass records them. Every learning event is one statement; this is the format
 * the eLearning world reads and what HQ forwards to a Learning Record Store.
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
    contextActivities?: { parent?: { id: string; objectType: 'Activity' }[]; grouping?: { id: string }[] };
    extensions?: Record<string, unknown>;
  };
  timestamp: string;
}

/** Extension IRIs fieldclass uses (the course id is carried plainly so HQ needs no IRI parsing). */
export const EXT = {
  courseId: 'urn:fieldclass:ext:course-id',
  activityId: 'urn:fieldclass:ext:activity-id',
  courseVersion: 'urn:fieldclass:ext:course-version',
  position: 'urn:fieldclass:ext:position',
  comment: 'urn:fieldclass:ext:comment',
} as const;
