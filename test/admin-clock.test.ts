import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import { CommandClockSetter } from '../src/health/clock-setter.js';
import { tempDir } from './helpers/context.js';
import { adminServer, type AdminServer, coordinatorClient } from './admin-helpers.js';

/**
 * The box refuses to set its clock (the helper is missing, sudo wants a password): the coordinator reads
 * a plain message in their language, never what the system command printed; the server log keeps that,
 * and the audit log says the clock was not set, without it.
 */
describe('a clock the box refuses to set', () => {
  let s: AdminServer;
  let log = '';
  const helperDir = tempDir('fieldclass-clock-');
  beforeAll(async () => {
    const out = new PassThrough();
    out.on('data', (c: Buffer) => (log += c.toString()));
    s = await adminServer({}, { logger: createLogger('info', out) });
    await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
  });
  afterAll(async () => {
    await s.cleanup();
    helperDir.cleanup();
  });
  const signedIn = (lang: string) => coordinatorClient(s.url, 'coord', 'long-password-1', lang);

  for (const [lang, plain] of [
    ['fr', 'L’horloge du boîtier n’a pas été changée : le boîtier a refusé de la régler'],
    ['ar', 'لم تتغير ساعة الجهاز: رفض الجهاز ضبطها'],
  ] as const) {
    it(`says it in plain words (${lang}); the command's text only in the server log`, async () => {
      const said = `sudo: a terminal is required to read the password (${lang})`;
      s.clock.failWith = said;
      const b = await signedIn(lang);
      const r = await b.submit('/admin', '/admin/clock', { browserTime: '2027-03-04T05:06:07.000Z' });
      expect(r.status).toBe(303);
      const page = await b.page(r.headers.get('location')!);
      // French typesetting puts a no-break space before the colon.
      expect(page.html.replace(/\u00a0/g, ' ')).toContain(plain);
      expect(page.html).not.toContain('sudo');
      expect(log).toContain(said);
      expect(log).toContain('the box clock was not set');
      const audit = await b.page('/admin/audit?event=clock.set.failed');
      expect(audit.html).toContain('data-action="clock.set.failed"');
      expect(audit.html).not.toContain('sudo');
    });
  }

  it('the real helper’s stderr stays out of the error’s text, in its details for the log', async () => {
    const helper = join(helperDir.dir, 'set-clock');
    writeFileSync(helper, '#!/bin/sh\necho "date: cannot set date: Operation not permitted" >&2\nexit 1\n');
    chmodSync(helper, 0o755);
    const e = await new CommandClockSetter([helper]).set(new Date()).catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'clock_not_set',
      details: { detail: 'date: cannot set date: Operation not permitted' },
    });
    expect((e as Error).message).not.toContain('Operation not permitted');
  });
});
