import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../core/errors.js';
import { csvProblems, importTraineeCsv, previewTraineeCsv, type CsvPreview } from '../people/csv-import.js';
import { fail, readSecret, withContext, withContextAsync, type GlobalFlags } from './context.js';

/** What was done to read the file, for the person at the terminal (stderr: stdout stays the result). */
function readingNotes(p: CsvPreview): void {
  if (p.encoding === 'windows-1252')
    process.stderr.write('the file is in Windows-1252 (Excel "CSV"): read and converted to UTF-8' + '\n');
  if (p.encoding === 'utf-16')
    process.stderr.write('the file is in UTF-16 (Excel "Unicode text"): read as such' + '\n');
  if (p.skippedEmpty) process.stderr.write(`${p.skippedEmpty} empty row(s) skipped` + '\n');
}

export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description('the coordinator admin: setup code, coordinators, trainee CSV');
  admin
    .command('setup-code')
    .description('print the one-time setup code for the first coordinator (the same until it is used)')
    .option('--new', 'replace the code with a new one (the old one stops working)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((opts: GlobalFlags & { new?: boolean }) => {
      try {
        withContext(opts, (ctx) => {
          if (!ctx.setup.needsSetup())
            throw new AppError(
              'setup_done',
              'a coordinator already exists: sign in at /admin, or use "fieldclass admin add"',
            );
          const code = opts.new ? ctx.setup.issueCode() : ctx.setup.currentCode();
          console.log(code);
          process.stderr.write(
            'open /admin on the box and enter this code to create the first coordinator' + '\n',
          );
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('time-zone [zone]')
    .description(
      "print the box's time zone, or set it (an IANA name such as Africa/Dakar): every date the admin shows " +
        'and every schedule is in it; a running box takes a new one at its next start (the Schedule page at once)',
    )
    .option(
      '--json',
      'print {"timeZone": ..., "chosen": ...}: chosen is false while none was ever set (UTC by default)',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((zone: string | undefined, opts: GlobalFlags & { json?: boolean }) => {
      try {
        withContext(opts, (ctx) => {
          if (zone !== undefined) {
            const before = ctx.timeZone.get();
            const chosen = ctx.timeZone.chosen();
            const set = ctx.timeZone.set(zone);
            if (set !== before || !chosen)
              ctx.audit.record(null, 'box.time_zone', set, { from: before, via: 'cli' });
          }
          const now = ctx.timeZone.get();
          console.log(opts.json ? JSON.stringify({ timeZone: now, chosen: ctx.timeZone.chosen() }) : now);
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('add <username>')
    .description('add a coordinator; the password comes from stdin or FIELDCLASS_ADMIN_PASSWORD')
    .option('--name <name>', 'display name')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, opts: GlobalFlags & { name?: string }) => {
      try {
        const password = await readSecret('Password', 'FIELDCLASS_ADMIN_PASSWORD');
        await withContextAsync(opts, async (ctx) => {
          const p = await ctx.people.addCoordinator({
            username,
            password,
            ...(opts.name ? { displayName: opts.name } : {}),
          });
          ctx.audit.record(null, 'coordinator.add', p.username, { via: 'cli' });
          console.log(`added coordinator ${p.username} (${p.id})`);
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('password <username>')
    .description(
      "set a coordinator's new password (from stdin, FIELDCLASS_ADMIN_PASSWORD or a prompt; never argv) and " +
        'end their sessions; for a coordinator who forgot it, or when no one can sign in any more',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (username: string, opts: GlobalFlags) => {
      try {
        const password = await readSecret('New password', 'FIELDCLASS_ADMIN_PASSWORD');
        await withContextAsync(opts, async (ctx) => {
          const p = ctx.people.byUsername(username);
          if (!p || p.role !== 'coordinator')
            throw new AppError('not_found', `no coordinator named "${username}"`, 404);
          await ctx.people.setPassword(p.id, password);
          const ended = ctx.sessions.destroyAll(p.id);
          ctx.audit.record(null, 'coordinator.password', p.username, { via: 'cli' });
          console.log(`password set for ${p.username}${ended ? ` (${ended} session(s) ended)` : ''}`);
          if (!p.active)
            console.log(`note: ${p.username} is deactivated; another coordinator can reactivate them`);
        });
      } catch (e) {
        fail(e);
      }
    });
  admin
    .command('import-trainees <csv>')
    .description(
      'import trainees from a CSV file (as Excel writes it); nothing is written unless every row is right',
    )
    .option('--cohort <name>', 'add them to this class (by name)')
    .option('--check', "only check the file and list each row's problems")
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (file: string, opts: GlobalFlags & { cohort?: string; check?: boolean }) => {
      try {
        const data = readFileSync(file);
        await withContextAsync(opts, async (ctx) => {
          if (opts.check) {
            const p = previewTraineeCsv(data, (k) => ctx.people.byUsername(k) !== undefined);
            readingNotes(p);
            if (p.invalid || p.fileErrors.length) throw new AppError('csv_invalid', csvProblems(p));
            console.log(`${p.valid} trainee(s) ready to import`);
            return;
          }
          const cohort = opts.cohort
            ? ctx.cohorts.list().find((c) => c.name.toLowerCase() === opts.cohort!.toLowerCase())
            : undefined;
          if (opts.cohort && !cohort) throw new AppError('not_found', `no class named "${opts.cohort}"`, 404);
          const r = await importTraineeCsv(ctx, data, { cohortId: cohort?.id ?? null });
          readingNotes(r.preview);
          ctx.audit.record(null, 'trainee.import', cohort?.name ?? null, {
            count: r.created.length,
            via: 'cli',
          });
          console.log(`imported ${r.created.length} trainee(s)`);
        });
      } catch (e) {
        fail(e);
      }
    });
}
