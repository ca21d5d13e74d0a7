import { basename } from 'node:path';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import { z } from 'zod';

import { notFound, type ErrorSpec } from '../core/errors.js';
import { codeText } from '../web/error-text.js';
import { bundleError } from '../contract/bundle-format.js';
import { hqError } from './hq.errors.js';
import { SigninLimiter } from '../people/auth.service.js';
import { sendPage } from '../web/render.js';
import type { StaticAssets } from '../web/static-assets.js';
import type { Clock } from '../core/clock.js';
import type { AppliancesService } from './appliances.service.js';
import type { HqConfig } from './hq.config.js';
import type { HqUsersService } from './hq-users.service.js';
import { tHq } from './hq.messages.js';
import {
  CoursesPage,
  DashboardPage,
  ErrorPage,
  PeoplePage,
  SignInPage,
  TraineesPage,
  UploadPage,
} from './hq.pages.js';
import type { PeopleMatchesService } from './people-matches.service.js';
import { discard, spoolUpload } from './hq-upload.js';
import type { ImportOutcome, ImportService } from './import.service.js';
import {
  csvNotes,
  REPORT_COLUMNS,
  toCsv,
  type ReportName,
  type ReportsService,
  type TraineeFilter,
} from './reports.service.js';
import { HQ_LANG_COOKIE, HQ_SESSION_COOKIE, pageOf, requireStaff, setHqCookie } from './hq.web.js';
import type { ErrorPageRenderer } from '../web/errors.middleware.js';
import { languageForm } from '../web/page.js';
import { sent, sentList, validate } from '../web/validate.js';

/** What HQ's pages use (HQ's context has all of it). */
export interface HqWebDeps {
  config: HqConfig;
  clock: Clock;
  users: HqUsersService;
  appliances: AppliancesService;
  reports: ReportsService;
  imports: ImportService;
  people: PeopleMatchesService;
}

/** Sign-in reads what was sent as it is (cut to size): a wrong or empty one is "bad credentials". */
const signinForm = z.object({ username: sent(200).transform((s) => s.trim()), password: sent(1000) });
/** A staff decision on a suggested match: a missing decision is the page's own error, not a field's. */
const decisionForm = z.object({
  id: z.string().max(200),
  decision: z.enum(['merged', 'rejected']).optional().catch(undefined),
  box: sentList(200),
});
/** The trainees report's filters and page number, from the query string (anything else is ignored). */
const traineesQuery = z.object({
  q: sent(200),
  appliance: sent(200),
  agency: sent(200),
  gender: sent(200),
  course: sent(200),
  result: sent(200),
  page: z.coerce
    .number()
    .catch(1)
    .transform((n) => Math.max(1, Math.trunc(n) || 1)),
});

/** HQ's error page (the error middleware renders it for a browser after the session middleware ran). */
export function hqErrorPage(config: HqConfig, assets: StaticAssets): ErrorPageRenderer {
  return (req, res, e) =>
    sendPage(res, <ErrorPage page={pageOf(req, res, config, assets)} {...e} />, e.status);
}

/** Sign-in, sign-out and language: reachable signed out. */
export function hqAuthRouter(ctx: HqWebDeps, assets: StaticAssets): Router {
  const router = Router();
  // Monotonic windows (the default): a wall-clock jump must neither lock staff out nor free a guesser.
  const limiter = new SigninLimiter(ctx.config.signinRateLimit);
  router.get('/signin', (req, res) => {
    if (res.locals.staff) return res.redirect(303, '/');
    sendPage(res, <SignInPage page={pageOf(req, res, ctx.config, assets)} />);
  });
  const signin = validate(signinForm);
  router.post('/signin', signin, async (req, res) => {
    const { username, password } = signin.input(res);
    const page = pageOf(req, res, ctx.config, assets);
    const address = req.ip ?? 'unknown';
    if (limiter.check(address, username)) {
      res.setHeader('Retry-After', '60');
      return sendPage(
        res,
        <SignInPage page={page} username={username} error={tHq(page.lang, 'tooManyAttempts')} />,
        429,
      );
    }
    const user = await ctx.users.authenticate(username, password);
    if (!user) {
      limiter.fail(address, username);
      return sendPage(
        res,
        <SignInPage page={page} username={username} error={tHq(page.lang, 'badCredentials')} />,
        401,
      );
    }
    limiter.succeed(username);
    const token = ctx.users.startSession(user);
    setHqCookie(req, res, HQ_SESSION_COOKIE, token, ctx.config.sessions.ttlHours * 3600);
    res.redirect(303, '/');
  });
  router.post('/signout', (req, res) => {
    const s = res.locals.staff;
    if (s) ctx.users.endSession(s.tokenHash);
    setHqCookie(req, res, HQ_SESSION_COOKIE, '', 0);
    res.redirect(303, '/signin');
  });
  const language = validate(languageForm);
  router.post('/language', language, (req, res) => {
    const { lang, back } = language.input(res);
    if (lang && ctx.config.languages.includes(lang))
      setHqCookie(req, res, HQ_LANG_COOKIE, lang, 365 * 24 * 3600);
    res.redirect(303, back);
  });
  return router;
}

/**
 * Staff pages: appliances and their sync health, upload, reports with CSV downloads. `errors`: the app's
 * error catalog (a refused bundle is shown by its code's text in the reader's language).
 */
export function hqStaffRouter(
  ctx: HqWebDeps,
  assets: StaticAssets,
  errors: ReadonlyMap<string, ErrorSpec>,
): Router {
  const router = Router();
  router.use(requireStaff);
  router.get('/', (req, res) => {
    sendPage(
      res,
      <DashboardPage page={pageOf(req, res, ctx.config, assets)} appliances={ctx.appliances.list()} />,
    );
  });
  router.get('/upload', (req, res) => {
    sendPage(res, <UploadPage page={pageOf(req, res, ctx.config, assets)} />);
  });
  router.post('/upload', async (req, res) => {
    const page = pageOf(req, res, ctx.config, assets);
    const results = (await receiveUploads(req, ctx)).map((o) => {
      if (o.status !== 'refused' || !o.code) return o;
      const text = codeText(o.code, o.params ?? { detail: o.reason ?? '' }, page.lang, errors);
      return text ? { ...o, reason: text } : o;
    });
    const anyRefused = results.some((r) => r.status === 'refused');
    sendPage(
      res,
      <UploadPage page={page} results={results} />,
      results.length === 0 ? 400 : anyRefused ? 422 : 200,
    );
  });
  router.get('/reports/courses', (req, res) => {
    const names = ctx.config.reports.showRatingNames;
    sendPage(
      res,
      <CoursesPage
        page={pageOf(req, res, ctx.config, assets)}
        rows={ctx.reports.courses()}
        titles={ctx.reports.courseTitles()}
        appliances={ctx.appliances.list()}
        comments={ctx.reports.comments(names)}
        commentNames={names}
      />,
    );
  });
  const trainees = validate(traineesQuery);
  router.get('/reports/trainees', trainees, (req, res) => {
    const { page: asked, ...given } = trainees.input(res);
    const filter: TraineeFilter = {};
    for (const [k, v] of Object.entries(given) as [keyof TraineeFilter, string][]) if (v) filter[k] = v;
    const size = ctx.config.reports.pageSize;
    const first = ctx.reports.traineePage(filter, 1, 0);
    const pages = Math.max(1, Math.ceil(first.total / size));
    const pageNo = Math.min(pages, asked);
    const view = ctx.reports.traineePage(filter, pageNo, size);
    const distinct = (xs: Iterable<string>) => [...new Set(xs)].filter(Boolean).sort();
    sendPage(
      res,
      <TraineesPage
        page={pageOf(req, res, ctx.config, assets)}
        view={{
          rows: view.rows,
          total: view.total,
          pageNo,
          pages,
          filter,
          options: {
            appliances: distinct(ctx.appliances.list().map((a) => a.name)),
            ...view.options,
          },
        }}
        titles={ctx.reports.courseTitles()}
        appliances={ctx.appliances.list()}
        ratingNames={ctx.config.reports.showRatingNames}
      />,
    );
  });
  router.get('/people', (req, res) => {
    sendPage(res, <PeoplePage page={pageOf(req, res, ctx.config, assets)} matches={ctx.people.list()} />);
  });
  const decide = validate(decisionForm);
  router.post('/people/:id', decide, (_req, res) => {
    const { id, decision, box: boxes } = decide.input(res);
    if (!decision) throw hqError('match_decision_missing');
    ctx.people.decide(id, decision, {
      by: res.locals.staff?.user.username ?? 'staff',
      ...(boxes.length ? { applianceIds: boxes } : {}),
    });
    res.redirect(303, '/people');
  });
  router.get('/reports/:name.csv', (req, res) => {
    const name = req.params['name'];
    if (!(name in REPORT_COLUMNS)) throw notFound(`report ${name}`);
    const report = name as ReportName;
    const notes = csvNotes(report, res.locals.lang);
    const csv = toCsv(REPORT_COLUMNS[report], ctx.reports.report(report), notes);
    const day = ctx.clock.now().toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="fieldclass-${report}-${day}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.send(csv);
  });
  return router;
}

/** Read a multipart form: every file part is spooled to disk and imported, one after the other. */
async function receiveUploads(req: Request, ctx: HqWebDeps): Promise<ImportOutcome[]> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) throw hqError('upload_not_multipart', { detail: '' });
  const spooled: { path: string; name: string }[] = [];
  const pending: Promise<void>[] = [];
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      limits: { files: 500, fileSize: ctx.config.maxUploadBytes, fields: 10, parts: 520 },
    });
  } catch (e) {
    throw hqError('upload_not_multipart', { detail: `: ${(e as Error).message}` });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      bb.on('file', (_field, stream, info) => {
        if (!info.filename) {
          stream.resume();
          return;
        }
        const name = basename(info.filename.replace(/\\/g, '/'));
        stream.on('limit', () =>
          stream.destroy(bundleError('bundle_too_large', `${name} is larger than the upload limit`, 413)),
        );
        pending.push(
          spoolUpload(stream, ctx.config.dataDir, ctx.config.maxUploadBytes).then((path) => {
            spooled.push({ path, name });
          }),
        );
      });
      bb.on('error', reject);
      bb.on('close', () => resolve());
      req.pipe(bb);
    });
    await Promise.all(pending);
    const out: ImportOutcome[] = [];
    for (const f of spooled.sort((a, b) => a.name.localeCompare(b.name)))
      out.push(await ctx.imports.importFile(f.path, f.name));
    return out;
  } finally {
    await Promise.allSettled(pending);
    for (const f of spooled) discard(f.path);
  }
}
