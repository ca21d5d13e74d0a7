import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { markServing, runningBox } from '../src/core/run-lock.js';
import { BackupService } from '../src/records/backup.service.js';
import { runCli } from './helpers/cli.js';
import { testContext } from './helpers/context.js';

describe('backups after the clock went back, and restore beside a running box', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('rotates by creation order: the backup just written is never the one removed', async () => {
    const ctx = testContext();
    cleanups.push(() => ctx.cleanup());
    const clock = fixedClock(new Date('2026-06-01T10:00:00Z'));
    const backups = new BackupService(ctx.db.records, ctx.dir, clock, 2);
    const first = await backups.create();
    clock.advance(3600_000);
    const second = await backups.create();
    clock.advance(-30 * 24 * 3600_000); // the box lost its clock: a month back
    const third = await backups.create();
    clock.advance(1000);
    const fourth = await backups.create();
    expect(backups.list().map((b) => b.name)).toEqual([fourth.name, third.name]);
    expect(backups.list().some((b) => b.name === second.name || b.name === first.name)).toBe(false);
    // A backup named the old way (no creation number) counts as older than any numbered one.
    writeFileSync(join(backups.dir, 'records-20991231T000000Z.db'), '');
    expect(backups.rotate()).toEqual(['records-20991231T000000Z.db']);
  });

  it('backup restore refuses while the box serves the data dir, and goes ahead once it stopped', async () => {
    const ctx = testContext();
    const dir = ctx.dir;
    const b = await ctx.backups.create();
    ctx.close();
    cleanups.push(() => ctx.cleanup());
    const unmark = markServing(dir);
    expect(runningBox(dir)).toBe(process.pid);
    const refused = await runCli('backup', 'restore', b.path, '--data', dir);
    expect(refused.code).toBe(1);
    expect(refused.err.join('')).toContain(`the box is running (process ${process.pid})`);
    unmark();
    expect(runningBox(dir)).toBeNull();
    // A pid file left by a crash names no live process: ignored.
    writeFileSync(join(dir, 'serve.pid'), '999999999\n');
    const done = await runCli('backup', 'restore', b.path, '--data', dir);
    expect(done.code).toBe(0);
    expect(done.out.join('\n')).toContain('restored');
  });
});
