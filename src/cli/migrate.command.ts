import type { Command } from 'commander';
import { schemaVersion } from '../db/migrate.js';
import { fail, withContext, type GlobalFlags } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the databases in the data dir (a backup is taken first)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((opts: GlobalFlags) => {
      try {
        withContext(opts, (ctx) => {
          for (const [name, db] of Object.entries(ctx.db))
            console.log(`${name}: schema version ${schemaVersion(db)}`);
        });
      } catch (e) {
        fail(e);
      }
    });
}
