import type { Command } from 'commander';
import { invalid } from '../core/errors.js';
import { EXT } from '../contract/vocabulary.js';
import { fail, withContext, type GlobalFlags } from './context.js';

interface ProgressFlags extends GlobalFlags {
  json?: boolean;
  limit?: string;
}

/** Lay rows out in columns separated by two spaces. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function registerProgress(program: Command): void {
  program
    .command('progress <username>')
    .description("show a trainee's progress per activity and their xAPI statements")
    .option('--json', 'print JSON: { trainee, progress: [...], statements: [...] }')
    .option('--limit <n>', 'how many of the latest statements to show (default 1000)', '1000')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .action((username: string, opts: ProgressFlags) => {
      try {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 0)
          throw invalid('--limit: must be a whole number, 0 or more');
        withContext(opts, (ctx) => {
          const r = ctx.learning.report(username, limit);
          const progress = r.progress.map((p) => ({
            course: p.course_id,
            activity: p.activity_id,
            status: p.status,
            bestScore: p.best_score,
            attempts: p.attempts,
            position: p.position,
            updated: p.updated_at,
            lastSeq: p.last_seq,
          }));
          if (opts.json) {
            const { id, username: u, displayName, externalId, agency, gender, language, active } = r.person;
            const trainee = { id, username: u, displayName, externalId, agency, gender, language, active };
            console.log(JSON.stringify({ trainee, progress, statements: r.statements }, null, 2));
            return;
          }
          const titles = new Map<string, string>();
          for (const c of ctx.content.listCourses(r.person.language ?? ctx.config.defaultLanguage))
            titles.set(c.id, c.title);
          console.log(
            `${r.person.displayName} (${r.person.username})${r.person.externalId ? ` #${r.person.externalId}` : ''}`,
          );
          if (progress.length === 0) console.log('no progress recorded yet');
          else
            console.log(
              table(
                ['course', 'activity', 'status', 'best score', 'attempts', 'updated'],
                progress.map((p) => [
                  p.course,
                  p.activity === '' ? `(course) ${titles.get(p.course) ?? ''}`.trimEnd() : p.activity,
                  p.status,
                  p.bestScore === null ? '' : `${Math.round(p.bestScore * 100)}%`,
                  p.attempts ? String(p.attempts) : '',
                  p.updated,
                ]),
              ),
            );
          console.log(
            `\n${r.statements.length} statement(s)${r.statements.length === limit ? ` (latest ${limit})` : ''}`,
          );
          for (const s of r.statements.slice(-20)) {
            const ext = s.context.extensions ?? {};
            const act =
              (typeof ext[EXT.activityId] === 'string' ? (ext[EXT.activityId] as string) : '') || '(course)';
            const score =
              s.result?.score?.scaled !== undefined ? ` ${Math.round(s.result.score.scaled * 100)}%` : '';
            console.log(
              `  ${s.timestamp}  ${s.verb.display['en-US'] ?? s.verb.id}  ${String(ext[EXT.courseId])}/${act}${score}`,
            );
          }
          if (r.statements.length > 20) console.log('  (the latest 20; --json prints them all)');
        });
      } catch (e) {
        fail(e);
      }
    });
}
