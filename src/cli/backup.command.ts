import { resolve } from 'node:path';
import type { Command } from 'commander';
import { silentLogger } from '../core/logger.js';
import { openContext } from '../app/context.js';
import { inspectBackup, restoreBackup } from '../records/backup.service.js';
import { AppError } from '../core/errors.js';
import { runningBox } from '../core/run-lock.js';
import { configFrom, fail, withContext, withContextAsync, type GlobalFlags } from './context.js';

export function registerBackup(program: Command): void {
  const backup = program.command('backup').description('backups of the records database');
  backup
    .command('create')
    .description('write an online backup of records.db now (keeps the newest backup.keep)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (opts: GlobalFlags) => {
      try {
        await withContextAsync(opts, async (ctx) => {
          const b = await ctx.backups.create();
          ctx.audit.record(null, 'backup.create', b.name, { via: 'cli' });
          console.log(b.path);
        });
      } catch (e) {
        fail(e);
      }
    });
  backup
    .command('list')
    .description('list backups, newest first')
    .option('--json', 'print JSON')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((opts: GlobalFlags & { json?: boolean }) => {
      try {
        withContext(opts, (ctx) => {
          const list = ctx.backups.list();
          if (opts.json) console.log(JSON.stringify(list, null, 2));
          else for (const b of list) console.log(`${b.name}\t${b.bytes}\t${b.createdAt}`);
        });
      } catch (e) {
        fail(e);
      }
    });
  backup
    .command('restore <file>')
    .description(
      'STOP THE BOX FIRST. Check the backup (fieldclass records db, integrity), keep the current database aside, put the backup in place and start a new epoch',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((file: string, opts: GlobalFlags) => {
      try {
        const config = configFrom(opts);
        const running = runningBox(config.dataDir);
        if (running !== null)
          throw new AppError(
            'box_running',
            `the box is running (process ${running}) on ${config.dataDir}: stop it first (sudo systemctl stop fieldclass), then restore; what it records meanwhile would be lost`,
            409,
          );
        const path = resolve(file);
        inspectBackup(path);
        const r = restoreBackup(config.dataDir, path, new Date());
        // Open the restored database (migrating it if it is older) and move past every epoch used before.
        const ctx = openContext(config, { logger: silentLogger });
        try {
          ctx.records.writeNow(() => ctx.records.setMeta('epoch', String(r.epochFloor)));
          const epoch = ctx.records.newEpoch();
          ctx.audit.record(null, 'backup.restore', path, {
            epoch,
            previous: r.previous,
            lastSeq: r.restored.lastSeq,
          });
          console.log(`restored ${path}`);
          console.log(
            `  appliance ${r.restored.applianceId}, ${r.restored.trainees} trainee(s), journal up to ${r.restored.lastSeq}`,
          );
          console.log(`  new epoch: ${epoch}`);
          if (r.previous) console.log(`  the database it replaced is kept at ${r.previous}`);
        } finally {
          ctx.close();
        }
      } catch (e) {
        fail(e);
      }
    });
}
