import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testContext } from './helpers/context.js';

const run = promisify(execFile);
const BIN = join(PACKAGE_ROOT, 'bin', 'fieldclass.js');
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, FIELDCLASS_INSTALL_SAMPLES: '0', ...env } });
/** What a failing command printed on stderr ('' when it succeeded). */
const stderrOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
};

describe('backups: online backup, rotation, and a safe restore with a new epoch (CLI)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('backs up, restores through `fieldclass backup restore`, keeps the replaced db and moves to a new epoch', async () => {
    const ctx = testContext();
    cleanups.push(() => ctx.cleanup());
    await ctx.people.addTrainee({ username: 'before', pin: '1234' });
    const b = await ctx.backups.create();
    await ctx.people.addTrainee({ username: 'after', pin: '1234' });
    ctx.records.newEpoch(); // the box already moved on once: the restore must go past it
    const epochBefore = ctx.records.epoch;
    const lastSeqBefore = ctx.records.lastSeq();
    const dir = ctx.dir;
    ctx.close();

    const { stdout } = await cli(['backup', 'restore', b.path, '--data', dir]);
    expect(stdout).toContain('new epoch: 3');
    expect(stdout).toMatch(/the database it replaced is kept at .*replaced-.*records\.db/);
    const replaced = /kept at (.*)$/m.exec(stdout)![1]!.trim();
    expect(existsSync(replaced)).toBe(true);

    const db = new Database(join(dir, 'records.db'), { readonly: true });
    try {
      const names = db.prepare('SELECT username FROM people ORDER BY username').pluck().all();
      expect(names).toEqual(['before']);
      expect(Number(db.prepare("SELECT value FROM meta WHERE key = 'epoch'").pluck().get())).toBe(
        epochBefore + 1,
      );
      // Sequence numbers restart from the backup's journal, under the new epoch: (epoch, seq) never collides.
      expect(db.prepare('SELECT max(seq) FROM journal').pluck().get()).toBeLessThan(lastSeqBefore);
      expect(db.prepare('SELECT action FROM audit ORDER BY id DESC LIMIT 1').pluck().get()).toBe(
        'backup.restore',
      );
    } finally {
      db.close();
    }
    const old = new Database(replaced, { readonly: true });
    expect(old.prepare("SELECT count(*) FROM people WHERE username = 'after'").pluck().get()).toBe(1);
    old.close();
  });

  it('refuses a file that is not a fieldclass records database, a damaged one, and another box’s, changing nothing', async () => {
    const ctx = testContext();
    cleanups.push(() => ctx.cleanup());
    await ctx.people.addTrainee({ username: 'keep', pin: '1234' });
    const dir = ctx.dir;
    const other = testContext();
    cleanups.push(() => other.cleanup());
    const otherBackup = await other.backups.create();
    ctx.close();

    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text');
    expect(await stderrOf(cli(['backup', 'restore', junk, '--data', dir]))).toMatch(/not a database/);
    const foreign = join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    expect(await stderrOf(cli(['backup', 'restore', foreign, '--data', dir]))).toMatch(
      /not a fieldclass records database/,
    );
    expect(await stderrOf(cli(['backup', 'restore', otherBackup.path, '--data', dir]))).toMatch(
      /backup of appliance .* not of this box/,
    );
    const db = new Database(join(dir, 'records.db'), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM people WHERE username = 'keep'").pluck().get()).toBe(1);
    db.close();
  });

  it('lists and creates backups from the CLI, keeping backup.keep', async () => {
    const ctx = testContext();
    cleanups.push(() => ctx.cleanup());
    const dir = ctx.dir;
    ctx.close();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ backup: { keep: 2 } }));
    for (let i = 0; i < 3; i++) {
      const { stdout } = await cli(['backup', 'create', '--data', dir]);
      expect(stdout.trim()).toMatch(/backups\/records-\d{6}-\d{8}T\d{6}Z(-\d+)?\.db$/);
    }
    const { stdout } = await cli(['backup', 'list', '--json', '--data', dir]);
    expect((JSON.parse(stdout) as unknown[]).length).toBe(2);
  });

  it('prints a setup code only while no coordinator exists, and adds coordinators from stdin', async () => {
    const ctx = testContext();
    cleanups.push(() => ctx.cleanup());
    const dir = ctx.dir;
    ctx.close();
    const { stdout } = await cli(['admin', 'setup-code', '--data', dir]);
    expect(stdout.trim()).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // The same code until it is used or replaced on purpose (installer, log at start and CLI agree).
    expect((await cli(['admin', 'setup-code', '--data', dir])).stdout).toBe(stdout);
    const replaced = (await cli(['admin', 'setup-code', '--new', '--data', dir])).stdout;
    expect(replaced.trim()).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(replaced).not.toBe(stdout);
    const add = await cli(['admin', 'add', 'amina', '--data', dir], {
      FIELDCLASS_ADMIN_PASSWORD: 'long-password-1',
    });
    expect(add.stdout).toContain('added coordinator amina');
    expect(await stderrOf(cli(['admin', 'setup-code', '--data', dir]))).toMatch(
      /a coordinator already exists/,
    );
  });
});
