import type { Command } from 'commander';
import type { Gender } from '../people/people.types.js';
import type { Language } from '../core/config.js';
import { fail, readSecret, withContextAsync, type GlobalFlags } from './context.js';

interface AddFlags extends GlobalFlags {
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
    .description(
      'add a trainee who signs in with a username and PIN (4 to 8 digits), read from FIELDCLASS_TRAINEE_PIN, ' +
        'standard input or a prompt: never from the command line, which other users of the box can see',
    )
    .option('--name <name>', 'display name')
    .option('--external-id <id>', 'external id, such as an officer number (joins records across boxes at HQ)')
    .option('--agency <agency>', 'agency or unit')
    .option('--gender <gender>', 'female | male | other | undisclosed')
    .option('--language <lang>', 'en | fr | ar')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, opts: AddFlags) => {
      try {
        const pin = await readSecret('PIN', 'FIELDCLASS_TRAINEE_PIN');
        await withContextAsync(opts, async (ctx) => {
          const p = await ctx.people.addTrainee({
            username,
            pin,
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
            console.log(['username', 'name', 'external id', 'agency', 'active'].join('\t'));
            for (const p of rows)
              console.log(
                [p.username, p.displayName, p.externalId ?? '', p.agency ?? '', p.active ? 'yes' : 'no'].join(
                  '\t',
                ),
              );
            console.log(`${total} trainee(s)`);
          }
          return Promise.resolve();
        });
      } catch (e) {
        fail(e);
      }
    });
  trainee
    .command('attempts <username> <course> <quiz>')
    .description(
      'give a trainee more attempts at a quiz (--add N): the allowance grows, nothing recorded is undone; ' +
        'journalled for HQ and written to the audit log',
    )
    .requiredOption('--add <n>', 'how many attempts to add (1 to 100)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, course: string, quiz: string, opts: GlobalFlags & { add: string }) => {
      try {
        await withContextAsync(opts, (ctx) => {
          const add = /^-?\d+$/.test(opts.add.trim()) ? Number(opts.add) : Number.NaN;
          const r = ctx.grants.grant({ username, courseId: course, quizId: quiz, add, by: null });
          console.log(
            `gave ${r.username} ${r.added} more attempt(s) at ${r.courseId}/${r.quizId}; ` +
              `attempts left: ${r.attemptsLeft === null ? 'unlimited' : r.attemptsLeft}`,
          );
          return Promise.resolve();
        });
      } catch (e) {
        fail(e);
      }
    });
  trainee
    .command('reset <username> <course> <sco>')
    .description(
      "reset a trainee's SCORM attempt at one SCO: the next launch starts a new attempt from the beginning; " +
        'nothing recorded is undone (a pass stays a pass); journalled for HQ and written to the audit log',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, course: string, sco: string, opts: GlobalFlags) => {
      try {
        await withContextAsync(opts, (ctx) => {
          const r = ctx.scorm.resetAttempt({ username, courseId: course, activityId: sco, by: null });
          console.log(
            `reset ${r.username}'s attempt ${r.attemptNo} at ${r.courseId}/${r.activityId}; ` +
              `the next launch starts attempt ${r.attemptNo + 1}`,
          );
          return Promise.resolve();
        });
      } catch (e) {
        fail(e);
      }
    });
}
