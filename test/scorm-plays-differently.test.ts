import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScormPackageInfo } from '../src/content/scorm/scorm-package.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/context.js';
import type { Browserless } from './helpers/http.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
import { adminServer, coordinatorClient, postFile, type AdminServer } from './admin-helpers.js';

/**
 * The SCORM features the box plays differently (randomization, stopForwardTraversal,
 * rollup considerations, choice constraints, duration limits, an abandon request) are said at import: by
 * `content import` and on the admin's Courses page in the coordinator's language, naming where the package
 * uses them. A package that uses none of them gets no such note.
 */
const tmp = tempDir('fieldclass-later-');
let zip: string;
let clean: string;
beforeAll(() => {
  zip = zipFolder(join(SCORM_FIXTURES, 'scorm2004-plays-differently'), join(tmp.dir, 'later.zip'));
  clean = zipFolder(join(SCORM_FIXTURES, 'scorm2004-cluster'), join(tmp.dir, 'clean.zip'));
});
afterAll(() => tmp.cleanup());

describe('content import says what plays differently', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fc-later-cli-'));
    process.env['FIELDCLASS_INSTALL_SAMPLES'] = 'false';
    process.env['FIELDCLASS_ALLOW_UNSIGNED'] = '1';
  });
  afterAll(() => {
    delete process.env['FIELDCLASS_INSTALL_SAMPLES'];
    delete process.env['FIELDCLASS_ALLOW_UNSIGNED'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each feature with where the package uses it, and nothing for a package that uses none', async () => {
    const r = await runCli('content', 'import', zip, '--data', dir);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toContain('This package uses SCORM features the box plays differently:');
    const lines = text.split('\n').filter((l) => l.startsWith('    - '));
    expect(lines).toEqual([
      '    - random order or selection of parts (Question bank): every part is played, in the package’s order',
      '    - rules that stop Next (Briefing): Next is not stopped',
      '    - rollup considerations (Question bank): every part counts toward the result of its group',
      '    - parts that may not be left from the contents (Question bank): trainees can still open another part',
      '    - constrained choice (Briefing): trainees can open any available part from the contents',
      '    - time limits (Question bank): time is not limited, the limit is never reached',
      '    - the “abandon” request (sco.html): the attempt is kept, as after Exit',
    ]);

    const c = await runCli('content', 'import', clean, '--data', dir);
    expect(c.code).toBe(0);
    expect(c.out.join('\n')).toMatch(/^installed /);
    expect(c.out.join('\n')).not.toContain('plays differently');
  });
});

describe('the admin upload says it on the Courses page, in the coordinator’s language', () => {
  let s: AdminServer;
  let coord: Browserless;
  beforeAll(async () => {
    s = await adminServer({ content: { trustedKeys: [], allowUnsigned: true } });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    coord = await coordinatorClient(s.url, 'coord', 'long-password-1');
  });
  afterAll(() => s.cleanup());

  it('installs the package and lists the features under it in fr and ar; the stored package keeps them', async () => {
    const res = await postFile(coord, '/admin/courses', '/admin/courses/upload', {
      name: 'later.zip',
      data: readFileSync(zip),
      type: 'application/zip',
    });
    expect(res.status).toBe(303);
    const [course] = s.ctx.content.listInstalled();
    const info = s.ctx.content.scormInfo(course!.id) as ScormPackageInfo;
    expect(info.later?.map((l) => l.feature)).toEqual([
      'randomizationControls',
      'stopForwardTraversal',
      'rollupConsiderations',
      'choiceExit',
      'constrainChoice',
      'durationLimits',
      'abandon',
    ]);

    const fr = await coord.page('/admin/courses', { 'accept-language': 'fr' });
    // French typography: the catalog's spaces before ":" and inside « » come out as no-break spaces.
    const note = (
      /data-code="scorm_plays_differently"[^>]*>([\s\S]*?)<\/div>/.exec(fr.html)?.[1] ?? ''
    ).replace(/[\u00a0\u202f]/g, ' ');
    expect(note).toContain(
      '<strong>Checkpoint drill</strong> — Ce paquet utilise des fonctions SCORM que le boîtier joue autrement :',
    );
    expect(note).toContain(
      'ordre ou sélection au hasard des parties (Question bank) : toutes les parties sont jouées, dans l’ordre du paquet',
    );
    expect(note).toContain('la demande « abandonner » (sco.html)');
    expect(note.match(/<li>/g)).toHaveLength(7);

    const ar = await coord.page('/admin/courses', { 'accept-language': 'ar' });
    expect(ar.html).toMatch(/<html[^>]*dir="rtl"/);
    expect(ar.html).toContain('تستخدم هذه الحزمة ميزات SCORM يشغّلها الجهاز بشكل مختلف:');
    // The package's own (Latin) names are bidi isolates inside the Arabic sentence.
    expect(ar.html).toContain('ترتيب الأجزاء أو اختيارها عشوائياً (\u2068Question bank\u2069)');
  });
});
