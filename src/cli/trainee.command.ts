import type { Command } from 'commander';
import type { Gender } from '../people/people.types.js';
import type { Language } from '../core/config.js';
import { fail, withContextAsync, type GlobalFlags } from './context.js';

interface AddFlags extends GlobalFlags {
  pin: string;
  name?: string;
  externalId?: string;
  agency?: string;
  gender?: string;
  language?: string;
}

export function registerTrainee(program: Command): void {
  const trainee = program.command('trainee').description('manage trainees');
  trainee
    .command('add <username>')
    .description('add a trainee who signs in with a username and PIN')
    .requiredOption('--pin <pin>', 'PIN of 4 to 8 digits')
    .option('--name <name>', 'display name')
    .option('--external-id <id>', 'external id, such as an officer number (joins records across boxes at HQ)')
    .option('--agency <agency>', 'agency or unit')
    .option('--gender <gender>', 'female | male | other | undisclosed')
    .option('--language <lang>', 'en | fr | ar')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, opts: AddFlags) => {
      try {
        await withContextAsync(opts, async (ctx) => {
          const p = await ctx.people.addTrainee({
            username,
            pin: opts.pin,
            ...(opts.name !== undefined ? { displayName: opts.name } : {}),
            ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
            ...(opts.agency !== undefined ? { agency: opts.agency } : {}),
            ...(opts.gender !== undefined ? { gender: opts.gender as Gender } : {}),
            ...(opts.language !== undefined ? { language: opts.language as Language } : {}),
          });
          console.log(`added trainee ${p.username} (${p.id})`);
        });
      } catch (e) {
        fail(e);
      }
    });
  trainee
    .command('list')
    .description('list trainees')
    .option('--json', 'print JSON')
    .option('-q, --query <text>', 'search username, name or external id')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (opts: GlobalFlags & { json?: boolean; query?: string }) => {
      try {
        await withContextAsync(opts, (ctx) => {
          const { rows, total } = ctx.people.search({
            role: 'trainee',
            limit: 10_000,
            ...(opts.query ? { query: opts.query } : {}),
          });
          if (opts.json) console.log(JSON.stringify(rows, null, 2));
          else {
            for (const p of rows)
              console.log(`${p.username}\t${p.displayName}\t${p.externalId ?? ''}\t${p.agency ?? ''}`);
            console.log(`${total} trainee(s)`);
          }
          return Promise.resolve();
        });
      } catch (e) {
        fail(e);
      }
    });
}
