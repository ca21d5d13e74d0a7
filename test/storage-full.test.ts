import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/cli/doctor.command.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

/** A small tmpfs as the data dir: only root can mount one; elsewhere the test says why it is skipped. */
function mountSmallTmpfs(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'fieldclass-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmdirSync(dir);
    return null;
  }
}

/** Fill the file system with one file until ENOSPC; returns its path (delete it to free the space). */
function fill(dir: string): string {
  const path = join(dir, 'filler.bin');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // The last few bytes too, so that no partial block is left.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    /* full */
  }
  closeSync(fd);
  return path;
}

const mnt = mountSmallTmpfs();
if (!mnt) console.warn('storage-full test skipped: mounting a tmpfs needs root (CI runs as root)');

describe.skipIf(!mnt)(
  'a full storage: 507 with a plain message, /healthz degraded, and back once freed',
  () => {
    let s: Awaited<ReturnType<typeof testServer>>;
    beforeAll(async () => {
      s = await testServer({ dataDir: mnt });
      for (let i = 0; i < 5; i++) await s.ctx.people.addTrainee({ username: `t${i}`, pin: '1234' });
      await s.ctx.people.addCoordinator({ username: 'coord', password: 'long-password-1' });
    });
    afterAll(async () => {
      await s.cleanup();
      execFileSync('umount', [mnt!]);
      rmSync(mnt!, { recursive: true, force: true });
    });

    it('answers 507 in the visitor language, reports degraded, and works again when space is freed', async () => {
      const healthy = (await (await fetch(`${s.url}/healthz`)).json()) as { status: string };
      expect(healthy.status).toBe('ok');
      // The coordinator signed in before the disk filled up (signing in writes a session).
      const coord = new Browserless(s.url, { 'accept-language': 'fr' });
      const signin = await coord.submit('/admin/signin', '/admin/signin', {
        username: 'coord',
        password: 'long-password-1',
      });
      expect(signin.status).toBe(303);
      expect((await coord.page('/admin')).html).not.toContain('id="storage-full"');
      const filler = fill(mnt!);

      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as { status: string; reasons?: string[] };
      expect(body.status).toBe('degraded');
      expect(body.reasons).toEqual(['storage_full']);

      // Sign-ins write a session row each: on a full disk one of them (at the latest) is refused.
      let refused: Response | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        const r = await new Browserless(s.url, { 'accept-language': 'fr' }).submit('/', '/signin', {
          username: `t${i % 5}`,
          pin: '1234',
        });
        if (r.status !== 303) refused = r;
      }
      expect(refused?.status).toBe(507);
      const html = await refused!.text();
      expect(html).toContain('La mémoire du boîtier est pleine');
      expect(html).not.toMatch(/SQLITE|ENOSPC|database or disk/i);
      // fieldclass doctor on the same data dir calls it a failure.
      const checks = runDoctor({ data: mnt! });
      expect(checks.filter((c) => c.level === 'FAIL').map((c) => c.name)).toContain('disk');
      // The dashboard says so in the coordinator's language, with what to do.
      const dashboard = await coord.page('/admin');
      expect(dashboard.status).toBe(200);
      expect(dashboard.html).toMatch(/id="storage-full"[^>]*>[^<]*Le stockage du boîtier est plein/);

      unlinkSync(filler);
      const again = await new Browserless(s.url).submit('/', '/signin', { username: 't0', pin: '1234' });
      expect(again.status).toBe(303);
      expect(((await (await fetch(`${s.url}/healthz`)).json()) as { status: string }).status).toBe('ok');
      expect((await coord.page('/admin')).html).not.toContain('id="storage-full"');
    });
  },
);
