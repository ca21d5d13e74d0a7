import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import type { InstallResult } from '../content/content.service.js';
import { laterLines, tContent } from '../content/content.messages.js';
import { buildCourseBundle, generateContentKey, importContent } from '../content/course-bundle.js';
import type { ScormPrepareOptions } from '../content/scorm/scorm-package.js';
import { languageSchema } from '../core/config.js';
import { AppError } from '../core/errors.js';
import { StaticAssets } from '../web/static-assets.js';
import { fail, withContext, withContextAsync, type GlobalFlags } from './context.js';

interface ScormFlags {
  id?: string;
  courseVersion?: string;
  language?: string;
  allowRemote?: boolean;
}

function scormOptions(f: ScormFlags): ScormPrepareOptions {
  const o: ScormPrepareOptions = {};
  if (f.id) o.id = f.id;
  if (f.courseVersion) o.version = f.courseVersion;
  if (f.allowRemote) o.allowRemote = true;
  if (f.language) {
    const l = languageSchema.safeParse(f.language);
    if (!l.success)
      throw new AppError('invalid', `--language: must be one of ${languageSchema.options.join(', ')}`);
    o.language = l.data;
  }
  return o;
}

/** The CLI speaks English (like its errors); the admin's Courses page says the same in the coordinator's language. */
function describe(r: InstallResult): string {
  const what = `${r.id} ${r.version} "${r.title}" (${r.languages.join(', ')}; ${r.activities} activities, ${r.files} files)`;
  const head =
    r.status === 'unchanged'
      ? `already installed: ${what}; nothing changed`
      : r.status === 'upgraded'
        ? `upgraded ${r.id} from ${r.previousVersion} to ${r.version}: ${what}`
        : `installed ${what}`;
  const later = r.later?.length
    ? [`  ${tContent('en', 'playsDifferently')}`, ...laterLines('en', r.later).map((l) => `    - ${l}`)]
    : [];
  return [head, ...r.warnings.map((w) => `  warning: ${w}`), ...later].join('\n');
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
    .description(
      'check and install a signed course bundle, a SCORM zip or a course folder; prints what was installed or why not',
    )
    .option('--id <id>', 'SCORM zip: course id (default: from the manifest identifier)')
    .option('--course-version <x.y.z>', 'SCORM zip: course version (default: the manifest version or 1.0.0)')
    .option('--language <lang>', 'SCORM zip: the language the package is in (default en)')
    .option(
      '--allow-remote',
      'SCORM zip: install even though it loads files from the internet (the course then shows a warning)',
    )
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action(async (source: string, opts: GlobalFlags & ScormFlags) => {
      try {
        await withContextAsync(opts, async (ctx) => {
          const r = await importContent(ctx.content, resolve(source), ctx.config.content, scormOptions(opts));
          const how = r.signed ? `signed by ${r.signedBy}` : 'UNSIGNED (local content)';
          console.log(`${describe(r)}\n  kind: ${r.kind}; ${how}`);
        });
      } catch (e) {
        fail(e);
      }
    });
  content
    .command('keygen')
    .description('make an HQ content-signing key pair (content-signing.key, mode 0600, and .pub)')
    .requiredOption('-o, --out <dir>', 'folder for the key files')
    .action((opts: { out: string }) => {
      try {
        const k = generateContentKey(resolve(opts.out));
        console.log(`private key: ${k.privateKeyPath} (keep it at HQ; never copy it to a box)`);
        console.log(`public key:  ${k.publicKeyPath}`);
        console.log(`key id:      ${k.keyId}`);
        console.log(`for the boxes' config, content.trustedKeys: ["${k.publicKeyBase64}"]`);
      } catch (e) {
        fail(e);
      }
    });
  content
    .command('build <source>')
    .description('build a signed course bundle from a course folder or a SCORM zip; prints its path')
    .requiredOption('-k, --key <file>', 'HQ content-signing private key (from content keygen)')
    .requiredOption('-o, --out <dir>', 'folder to write <id>-<version>.course.zip into')
    .option('--id <id>', 'SCORM zip: course id (default: from the manifest identifier)')
    .option('--course-version <x.y.z>', 'SCORM zip: course version (default: the manifest version or 1.0.0)')
    .option('--language <lang>', 'SCORM zip: the language the package is in (default en)')
    .action(async (source: string, opts: ScormFlags & { key: string; out: string }) => {
      try {
        const r = await buildCourseBundle(
          resolve(source),
          resolve(opts.key),
          resolve(opts.out),
          scormOptions(opts),
        );
        console.log(r.path);
      } catch (e) {
        fail(e);
      }
    });
  content
    .command('cache')
    .description(
      'write the content store as <sha256>.<ext> files (with .gz/.br), and the app CSS/JS under static/, for nginx to serve directly',
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
          // The app's own CSS/JS too, so that the front serves every immutable file of a page.
          const a = new StaticAssets().materialize(resolve(opts.out));
          console.log(
            `${join(r.dir, 'static')}: ${a.written} app assets written, ${a.deleted} stale removed`,
          );
        });
      } catch (e) {
        fail(e);
      }
    });
}
