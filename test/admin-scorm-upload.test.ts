import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/context.js';
import type { Browserless } from './helpers/http.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

/**
 * The admin upload of a SCORM package that loads files from the internet: refused by default with the
 * list, installed with the checkbox ticked; the courses page warns when packages share the app's site.
 */
describe('admin courses: SCORM packages with remote files, and the same-site warning', () => {
  let s: AdminServer;
  let coord: Browserless;
  const tmp = tempDir('fieldclass-scorm-upload-');
  let zip: Buffer;
  beforeAll(async () => {
    zip = readFileSync(zipFolder(join(SCORM_FIXTURES, 'scorm12-remote'), join(tmp.dir, 'remote.zip')));
    // No package host name configured: `npm start` reached by address.
    s = await adminServer({ content: { trustedKeys: [], allowUnsigned: true } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(async () => {
    await s.cleanup();
    tmp.cleanup();
  });
  const upload = (fields: Record<string, string> = {}) =>
    postFile(
      coord,
      '/admin/courses',
      '/admin/courses/upload',
      { name: 'remote.zip', data: zip, type: 'application/zip' },
      fields,
    );

  it('the page offers the checkbox and warns that packages share its site', async () => {
    const { html } = await coord.page('/admin/courses');
    expect(html).toContain('name="allowRemote"');
    expect(html).toContain('Allow files from the internet');
    expect(html).toMatch(/data-warning="scorm-same-site"[^>]*>[^<]*same site as this page/);
  });

  it('refuses a package that loads internet files, naming them; ticked, it installs it', async () => {
    const refused = await upload();
    expect(refused.status).toBe(303);
    const { html } = await coord.page(refused.headers.get('location')!);
    expect(html).toContain('The course was not installed:');
    expect(html).toMatch(/from the internet/);
    expect(html).toMatch(/https?:\/\//);
    expect(s.ctx.content.listInstalled()).toHaveLength(0);

    const ok = await upload({ allowRemote: '1' });
    expect(ok.status).toBe(303);
    const after = await coord.page(ok.headers.get('location')!);
    expect(after.html).toMatch(/Installed .+\./);
    const installed = s.ctx.content.listInstalled();
    expect(installed).toHaveLength(1);
    expect(s.ctx.scorm.packageOf(installed[0]!.id)?.remote?.length).toBeGreaterThan(0);
    expect(s.ctx.audit.last('course.install')?.target).toBe(installed[0]!.id);
  });
});

describe('admin courses: packages on their own host name', () => {
  it('no same-site warning when the package host is neither the app host nor a parent or child of it', async () => {
    const s = await adminServer({ scorm: { port: 0, publicOrigin: 'http://classpkg.lan' } });
    try {
      await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
      const coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
      const { html } = await coord.page('/admin/courses');
      expect(html).not.toContain('scorm-same-site');
      expect(html).toContain('name="allowRemote"');
    } finally {
      await s.cleanup();
    }
  });
});
