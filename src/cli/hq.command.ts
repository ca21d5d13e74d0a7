import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError } from '../core/errors.js';
import { createLogger, silentLogger } from '../core/logger.js';
import { loadHqConfig, type HqConfig } from '../hq/hq.config.js';
import { openHqContext, type HqContext } from '../app/hq.context.js';
import { startHqServer } from '../app/hq.app.js';
import { parseRevocationPoint } from '../hq/appliances.service.js';
import { HELD_TEXT } from '../hq/hq-records.service.js';
import { collectBundleFiles, outcomeLine, type ImportOutcome } from '../hq/import.service.js';
import { csvNotes, REPORT_COLUMNS, toCsv, toTextTable, type ReportName } from '../hq/reports.service.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { fail } from './context.js';

interface HqFlags {
  data?: string;
}

function hqConfigFrom(flags: HqFlags, extra: Record<string, unknown> = {}): HqConfig {
  return loadHqConfig({ ...extra, ...(flags.data ? { dataDir: flags.data } : {}) });
}

async function withHq<T>(flags: HqFlags, fn: (ctx: HqContext) => T | Promise<T>): Promise<T> {
  const ctx = openHqContext(hqConfigFrom(flags), { logger: silentLogger });
  try {
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}

/** Wrap an action so that any error is printed the one way and sets a non-zero exit code. */
const act =
  <A extends unknown[]>(fn: (...args: A) => unknown) =>
  async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (e) {
      fail(e);
    }
  };

const DATA = ['-d, --data <dir>', 'HQ data directory (default ./hq-data)'] as const;

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

/** `fieldclass hq ...`: the headquarters side (appliance registry, import, reports, HQ web). */
export function registerHq(program: Command): void {
  const hq = program.command('hq').description('headquarters: enrol appliances, import bundles, reports');

  hq.command('init')
    .description('create the HQ data directory and hq.db')
    .option(...DATA)
    .action(
      act((opts: HqFlags) =>
        withHq(opts, (ctx) => {
          console.log(`HQ data directory ready: ${ctx.config.dataDir}`);
        }),
      ),
    );

  const appliance = hq.command('appliance').description('the appliances enrolled at this HQ');
  appliance
    .command('enrol <request>')
    .description('enrol a box from its `fieldclass identity request` output (a file, or - for stdin)')
    .option(...DATA)
    .action(
      act((file: string, opts: HqFlags) => {
        let input: unknown;
        try {
          input = JSON.parse(file === '-' ? readStdin() : readFileSync(file, 'utf8'));
        } catch (e) {
          throw new AppError('invalid', `${file}: not a JSON enrolment request (${(e as Error).message})`);
        }
        return withHq(opts, (ctx) => {
          const { appliance: a, created } = ctx.appliances.enrol(input);
          console.log(
            created
              ? `enrolled appliance ${a.id} (${a.name}${a.location ? ', ' + a.location : ''}), key ${a.key_id}`
              : `appliance ${a.id} was already enrolled with key ${a.key_id}`,
          );
        });
      }),
    );
  appliance
    .command('list')
    .description('enrolled appliances with their last bundle, gaps and forks')
    .option('--json', 'print JSON')
    .option(...DATA)
    .action(
      act((opts: HqFlags & { json?: boolean }) =>
        withHq(opts, (ctx) => {
          const list = ctx.appliances.list();
          if (opts.json) {
            console.log(JSON.stringify(list, null, 2));
            return;
          }
          const rows = ctx.reports.appliancesReport();
          process.stdout.write(
            rows.length ? toTextTable(REPORT_COLUMNS.appliances, rows) : 'no appliance enrolled yet\n',
          );
        }),
      ),
    );
  appliance
    .command('revoke <applianceId>')
    .description("refuse the appliance's bundles: all of them (the key is dead), or from a point on")
    .option(
      '--from <epoch:seq>',
      'refuse rows at or after this point of that epoch, every later epoch, and rows of earlier epochs beyond what HQ holds now',
    )
    .option('--from-sequence <n>', 'the same as --from <latest epoch HQ holds>:<n>')
    .option(...DATA)
    .action(
      act((id: string, opts: HqFlags & { from?: string; fromSequence?: string }) =>
        withHq(opts, (ctx) => {
          let from = opts.from === undefined ? undefined : parseRevocationPoint(opts.from);
          if (!from && opts.fromSequence !== undefined) {
            const seq = Number(opts.fromSequence);
            if (!Number.isSafeInteger(seq) || seq < 1)
              throw new AppError('invalid', '--from-sequence must be a whole number from 1');
            from = { epoch: ctx.appliances.latestEpoch(ctx.appliances.require(id)), seq };
          }
          const a = ctx.appliances.revoke(id, from);
          const r = ctx.appliances.revocationOf(a)!;
          const held = ctx.appliances.status(a).revocation!.importedBefore;
          console.log(
            r.keyRevoked
              ? `revoked appliance ${a.id}: every bundle signed by its key is refused from now on`
              : `revoked appliance ${a.id} from ${r.from.epoch}:${r.from.seq}: rows at or after it, and every later epoch, are refused`,
          );
          console.log(`${held} bundle(s) imported before the revocation stay`);
        }),
      ),
    );

  const user = hq.command('user').description('HQ staff accounts');
  user
    .command('add <username>')
    .description('add an HQ staff account (or --replace its password)')
    .option('--password <password>', 'the password (at least 8 characters)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--replace', 'set the password of an existing account')
    .option(...DATA)
    .action(
      act(
        async (
          username: string,
          opts: HqFlags & { password?: string; passwordStdin?: boolean; replace?: boolean },
        ) => {
          const password = opts.passwordStdin ? readStdin().replace(/\r?\n$/, '') : opts.password;
          if (!password) throw new AppError('invalid', 'give --password <password> or --password-stdin');
          await withHq(opts, async (ctx) => {
            const u = await ctx.users.add(username, password, { replace: opts.replace ?? false });
            console.log(opts.replace ? `password set for ${u.username}` : `added HQ user ${u.username}`);
          });
        },
      ),
    );

  hq.command('import <paths...>')
    .description('import progress bundles (files, or folders holding .zip bundles)')
    .option('--json', 'print one JSON outcome per line')
    .option(...DATA)
    .action(
      act(async (paths: string[], opts: HqFlags & { json?: boolean }) => {
        const files = collectBundleFiles(paths);
        if (files.length === 0) throw new AppError('invalid', `no bundle found in ${paths.join(' ')}`);
        await withHq(opts, async (ctx) => {
          const big =
            files.length >= 10 || files.reduce((n, f) => n + (safeSize(f) ?? 0), 0) > 20 * 1024 * 1024;
          const tty = process.stderr.isTTY && !opts.json;
          const multi =
            tty && big
              ? new cliProgress.MultiBar(
                  {
                    format: 'importing [{bar}] {value}/{total} bundles | {eta_formatted} left',
                    hideCursor: true,
                  },
                  cliProgress.Presets.shades_classic,
                )
              : undefined;
          const bar = multi?.create(files.length, 0);
          const print = (line: string): void => {
            if (multi && process.stdout.isTTY) multi.log(line + '\n');
            else console.log(line);
          };
          let refused = 0;
          const totals = { imported: 0, already: 0 };
          for (const f of files) {
            const o: ImportOutcome = await ctx.imports.importFile(f);
            if (o.status === 'refused') refused++;
            else if (o.status === 'imported') totals.imported++;
            else totals.already++;
            print(opts.json ? JSON.stringify(o) : outcomeLine(o));
            bar?.increment();
          }
          multi?.stop();
          if (!opts.json && files.length > 1)
            console.log(
              `${files.length} bundles: ${totals.imported} imported, ${totals.already} already imported, ${refused} refused`,
            );
          if (refused > 0) process.exitCode = 1;
        });
      }),
    );

  hq.command('report <name>')
    .description('courses | trainees | appliances, as a table, --csv (for Excel) or --json')
    .option('--csv', 'CSV with a UTF-8 byte-order mark (opens in Excel)')
    .option('--json', 'JSON')
    .option('--wide', 'every column, however wide (the table fits 120 columns otherwise)')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option(...DATA)
    .action(
      act((name: string, opts: HqFlags & { csv?: boolean; json?: boolean; wide?: boolean; out?: string }) => {
        if (!(name in REPORT_COLUMNS))
          throw new AppError('invalid', `unknown report "${name}": use courses, trainees or appliances`);
        const report = name as ReportName;
        return withHq(opts, (ctx) => {
          const rows = ctx.reports.report(report);
          const text = opts.csv
            ? toCsv(REPORT_COLUMNS[report], rows, csvNotes(report, 'en'))
            : opts.json
              ? JSON.stringify(rows, null, 2) + '\n'
              : toTextTable(REPORT_COLUMNS[report], rows, { wide: opts.wide ?? false });
          if (opts.out) writeFileAtomic(opts.out, text);
          else process.stdout.write(text);
        });
      }),
    );

  const people = hq.command('people').description('people across boxes: matches to confirm');
  people
    .command('matches')
    .description('people on two or more boxes with one (agency, external id): pending ones first')
    .option('--json', 'print JSON')
    .option(...DATA)
    .action(
      act((opts: HqFlags & { json?: boolean }) =>
        withHq(opts, (ctx) => {
          const matches = ctx.people.list();
          if (opts.json) {
            console.log(JSON.stringify(matches, null, 2));
            return;
          }
          if (matches.length === 0) console.log('no person is claimed by two boxes');
          for (const m of matches) {
            console.log(
              `${m.id}  ${m.agency || '(no agency)'} / ${m.externalId}: ${m.pending ? 'PENDING - kept apart until merged' : 'decided'}`,
            );
            if (m.nameConflict)
              console.log(
                `  names differ between the merged boxes: ${m.nameConflict.names.join(' / ')}; HQ shows ${m.nameConflict.shown ?? '-'} (the latest roster row)`,
              );
            for (const c of m.claims)
              console.log(
                `  ${c.applianceName || c.applianceId} (${c.applianceId}): ${c.displayName ?? c.localId} [${c.username ?? ''}], ${c.statements} statements${c.decision ? `, ${c.decision} by ${c.decidedBy} on ${c.decidedAt}` : ''}`,
              );
          }
        }),
      ),
    );
  for (const [verb, decision, what] of [
    ['merge', 'merged', "count these boxes' people as one person"],
    ['reject', 'rejected', "keep these boxes' people apart (listed as decided)"],
  ] as const)
    people
      .command(`${verb} <match>`)
      .description(`${what}: the match's undecided claims, or those of --box`)
      .option('--box <applianceId...>', 'only the claims of these appliances')
      .option('--by <name>', 'who decides (kept with the decision)', process.env['USER'] ?? 'cli')
      .option(...DATA)
      .action(
        act((match: string, opts: HqFlags & { box?: string[]; by: string }) =>
          withHq(opts, (ctx) => {
            const n = ctx.people.decide(match, decision, {
              by: opts.by,
              ...(opts.box ? { applianceIds: opts.box } : {}),
            });
            console.log(`match ${match}: ${n} claim(s) ${decision}`);
          }),
        ),
      );

  const statements = hq.command('statements').description('statements HQ holds');
  statements
    .command('held')
    .description('statements held out of the reports and the xAPI export (their id is held by another row)')
    .option('--json', 'print JSON')
    .option(...DATA)
    .action(
      act((opts: HqFlags & { json?: boolean }) =>
        withHq(opts, (ctx) => {
          const rows = ctx.records.heldStatements();
          if (opts.json) {
            console.log(JSON.stringify(rows, null, 2));
            return;
          }
          if (rows.length === 0) {
            console.log('no statement is held out');
            return;
          }
          for (const r of rows)
            console.log(
              `${r.appliance_name || r.appliance_id} row ${r.epoch}:${r.seq} statement ${r.statement_id}: ${HELD_TEXT[r.reason]} (held by ${r.holder_appliance_name || r.holder_appliance_id} row ${r.holder_epoch}:${r.holder_seq})`,
            );
        }),
      ),
    );

  hq.command('export')
    .description('export imported statements (--xapi: xAPI NDJSON for a Learning Record Store)')
    .option('--xapi', 'xAPI statements, one JSON per line')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option(...DATA)
    .action(
      act(async (opts: HqFlags & { xapi?: boolean; out?: string }) => {
        if (!opts.xapi) throw new AppError('invalid', 'say what to export: --xapi');
        await withHq(opts, async (ctx) => {
          const out = opts.out ? createWriteStream(opts.out) : process.stdout;
          const n = await ctx.xapi.write(out);
          if (opts.out) {
            out.end();
            await finished(out);
            console.error(`${n} statements written to ${opts.out}`);
          }
        });
      }),
    );

  hq.command('serve')
    .description('run the HQ web: staff pages (reports, appliances, upload) and POST /api/bundles')
    .option('-p, --port <n>', 'port (default 8090)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1)')
    .option(...DATA)
    .action(
      act(async (opts: HqFlags & { port?: string; host?: string }) => {
        const config = hqConfigFrom(opts, { port: opts.port, host: opts.host });
        const logger = createLogger(config.logLevel);
        const ctx = openHqContext(config, { logger });
        const running = await startHqServer(ctx);
        logger.info({ url: running.url, dataDir: config.dataDir }, `fieldclass HQ serving on ${running.url}`);
        const stop = (signal: string): void => {
          logger.info({ signal }, 'stopping');
          void running.close().then(() => {
            ctx.close();
            process.exit(0);
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      }),
    );
}

function safeSize(f: string): number | undefined {
  try {
    return statSync(f).size;
  } catch {
    return undefined;
  }
}
