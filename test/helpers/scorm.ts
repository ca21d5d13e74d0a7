import type { CommitInput, ScormService } from '../../src/learning/scorm.service.js';

/**
 * One launch as the package-origin runtime makes it: prepare (the player page), start (POST
 * /rt/launch), then numbered commits (POST /rt/commit) carrying flat CMI values.
 */
export async function scormLaunch(
  scorm: ScormService,
  person: { id: string },
  courseId: string,
  activityId: string,
) {
  const { launch } = await scorm.prepareLaunch(person, courseId, activityId, 'en');
  const data = await scorm.startLaunch(launch.token, 'en');
  let seq = 0;
  return {
    token: launch.token,
    data,
    commit: (set: Record<string, string>, extra: Partial<Omit<CommitInput, 'token'>> = {}) =>
      scorm.commitLaunch({ token: launch.token, seq: ++seq, set, ...extra }, 'en'),
  };
}
