import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { importContent } from '../../src/content/course-bundle.js';
import type { CommitInput, ScormService } from '../../src/learning/scorm.service.js';
import { SCORM_FIXTURES, zipFolder } from '../fixtures/scorm/make-zip.js';
import { LAN_HOSTS, launchChromium } from './browser.js';
import { testServer } from './context.js';
import { freePort } from './http.js';

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

/**
 * A classroom for SCORM in a real Chromium: a box serving packages on a port of their own, the given
 * fixture packages installed (`{ courseId: folder under test/fixtures/scorm }`, zipped into `tmp`), and a
 * browser reaching the app as http://class.lan and the packages as http://classpkg.lan, as provisioned.
 */
export async function scormClassroom(
  packages: Record<string, string>,
  tmp: string,
): Promise<{
  srv: Awaited<ReturnType<typeof testServer>>;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}> {
  const pkgPort = await freePort();
  const srv = await testServer({ scorm: { port: pkgPort, publicOrigin: `http://${LAN_HOSTS.packages}` } });
  for (const [id, folder] of Object.entries(packages))
    await importContent(
      srv.ctx.content,
      zipFolder(join(SCORM_FIXTURES, folder), join(tmp, `${id}.zip`)),
      { trustedKeys: [], allowUnsigned: true },
      { id },
    );
  const browser = await launchChromium({
    hosts: { [LAN_HOSTS.app]: srv.url, [LAN_HOSTS.packages]: `http://127.0.0.1:${pkgPort}` },
  });
  return {
    srv,
    browser,
    url: `http://${LAN_HOSTS.app}`,
    async close() {
      await browser.close();
      await srv.cleanup();
    },
  };
}
