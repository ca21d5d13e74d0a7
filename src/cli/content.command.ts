import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { InstallResult } from '../content/content.service.js';
import { fail, withContext, type GlobalFlags } from './context.js';

function describe(r: InstallResult): string {
  const what = `${r.id} ${r.version} "${r.title}" (${r.languages.join(', ')}; ${r.activities} activities, ${r.files} files)`;
  const head =
    r.status === 'unchanged'
      ? `already installed: ${what}; nothing changed`
      : r.status === 'upgraded'
        ? `upgraded ${r.id} from ${r.previousVersion} to ${r.version}: ${what}`
        : `installed ${what}`;
  return [head, ...r.warnings.map((w) => `  warning: ${w}`)].join('\n');
}

export function registerContent(program: Command): void {
  const content = program.command('content').description('courses in the content store');
  content
    .command('list')
    .description('list the installed courses')
    .option('--json', 'print JSON: [{id, version, title, languages, kind, signed, active}]')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((opts: GlobalFlags & { json?: boolean }) => {
      try {
        withContext(opts, (ctx) => {
          const rows = ctx.content.listInstalled();
          if (opts.json) {
            const out = rows.map((c) => ({
              id: c.id,
              version: c.version,
              title: c.title,
              languages: c.languages,
              kind: c.kind,
              signed: c.signed,
              active: c.active,
            }));
            console.log(JSON.stringify(out, null, 2));
            return;
          }
          if (rows.length === 0) return void console.log('no courses installed');
          const table = [
            ['ID', 'VERSION', 'KIND', 'LANGUAGES', 'SIGNED', 'ACTIVE', 'TITLE'],
            ...rows.map((c) => [
              c.id,
              c.version,
              c.kind,
              c.languages.join(','),
              c.signed ? 'yes' : 'no',
              c.active ? 'yes' : 'no',
              c.title,
            ]),
          ];
          const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
          for (const r of table)
            console.log(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
        });
      } catch (e) {
        fail(e);
      }
    });
  content
    .command('import <source>')
    .description('check and install a course folder (native format); prints what was installed or why not')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((source: string, opts: GlobalFlags) => {
      try {
        withContext(opts, (ctx) => {
          console.log(describe(ctx.content.installFolder(resolve(source), { signed: false })));
        });
      } catch (e) {
        fail(e);
      }
    });
  content
    .command('cache')
    .description(
      'write the content store as <sha256>.<ext> files (with .gz/.br) for nginx to serve /c/ directly',
    )
    .requiredOption('-o, --out <dir>', 'cache folder (rebuilt in place; stale files are removed)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((opts: GlobalFlags & { out: string }) => {
      try {
        withContext(opts, (ctx) => {
          const r = ctx.content.materialize(resolve(opts.out));
          console.log(
            `${r.dir}: ${r.written} written, ${r.skipped} already there, ${r.deleted} stale removed`,
          );
        });
      } catch (e) {
        fail(e);
      }
    });
}
