import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { VNode } from 'preact';
import type { BundleServices } from '../bundles/bundles.module.js';
import { importContent } from '../content/course-bundle.js';
import { isAppError, notFound, type ErrorSpec } from '../core/errors.js';
import { invalidInput } from '../core/validation.js';
import { healthError } from '../health/health.errors.js';
import { jobsError } from '../jobs/jobs.errors.js';
import { peopleError } from '../people/people.errors.js';
import { errorText } from '../web/error-text.js';
import { adminError } from './admin.errors.js';
import { newToken } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Config, Language } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { ContentService } from '../content/content.service.js';
import type { ClockSetter } from '../health/clock-setter.js';
import type { HealthProbe } from '../health/health.probe.js';
import { setScheduleOverride } from '../jobs/schedule-overrides.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { SigninLimiter, type SessionService } from '../people/auth.service.js';
import { randomClassCode, type CohortService } from '../people/cohorts.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { AuditService } from '../records/audit.service.js';
import type { BackupService } from '../records/backup.service.js';
import type { RecordsService } from '../records/records.service.js';
import {
  csvProblems,
  excelCsv,
  exportTraineesCsv,
  importTraineeCsv,
  previewTraineeCsv,
  type CsvPreview,
} from '../people/csv-import.js';
import type { Gender } from '../people/people.types.js';
import { requireRole, startSession } from '../people/auth.middleware.js';
import { pageContext } from '../web/page.js';
import { sendPage } from '../web/render.js';
import type { StaticAssets } from '../web/static-assets.js';
import { tr, type AdminPage } from './admin.layout.js';
import type { AdminKey } from './admin.messages.js';
import * as P from './admin.pages.js';
import { buildDashboard, type SyncSummary } from './dashboard.js';
import { completionChartSvg, type AdminReportsService, type ReportSort } from './reports.service.js';
import type { SetupService } from './setup.service.js';
import { readUpload } from '../web/upload.js';

type Body = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const PAGE = 50;
const FLASH_KEYS = new Set<AdminKey>([
  'saved',
  'added',
  'pinReset',
  'deactivated',
  'reactivated',
  'imported',
  'enrolled',
  'membersAdded',
  'installed',
  'exported',
  'nothingPending',
  'scheduleSaved',
  'backupDone',
  'clockSet',
  'ran',
]);
const CSV_MAX = 5 * 1024 * 1024;
const COURSE_MAX = 512 * 1024 * 1024;

/** A CSV preview kept between "check" and "import" (in memory; a restart means uploading again). */
interface PendingImport {
  data: Buffer;
  by: string;
  at: number;
}

/** What the admin uses: a box's context and the process's scheduler. */
export interface AdminDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  records: RecordsService;
  people: PeopleService;
  sessions: SessionService;
  cohorts: CohortService;
  content: ContentService;
  audit: AuditService;
  backups: BackupService;
  setup: SetupService;
  adminReports: AdminReportsService;
  healthProbe: HealthProbe;
  clockSetter: ClockSetter;
  bundles: BundleServices;
  scheduler: Scheduler;
  /** Every error code's text in en/fr/ar (the app's catalogs), for the messages shown after a POST. */
  errors: ReadonlyMap<string, ErrorSpec>;
}

/**
 * The coordinator's admin under /admin. Pipeline: session (app) -> Origin + CSRF on every POST (app) ->
 * denyRole('trainee') (app) -> requireRole('coordinator') here -> handler. Every change is a POST that
 * answers with a redirect (PRG) and is written to the audit log; no GET changes anything.
 */
export function adminRouter(ctx: AdminDeps): Router {
  const router = Router();
  const coordinator = requireRole('coordinator', { signInPath: '/admin/signin' });
  const limiter = new SigninLimiter(ctx.config.signinRateLimit);
  const imports = new Map<string, PendingImport>();

  const admin = (req: Request, res: Response): AdminPage => {
    const page = pageContext(req, res);
    const assets = req.app.locals['assets'] as StaticAssets;
    const t = tr(page);
    const ok = str(req.query['ok']) as AdminKey;
    const err = str(req.query['err']).slice(0, 400);
    const params: Record<string, string> = {};
    for (const k of ['n', 'name', 'title', 'version', 'job', 'outcome'])
      if (typeof req.query[k] === 'string') params[k] = str(req.query[k]).slice(0, 200);
    return {
      ...page,
      adminCss: assets.url('admin.css'),
      flash: err
        ? { kind: 'error', text: t('error', { message: err }) }
        : FLASH_KEYS.has(ok)
          ? { kind: 'notice', text: t(ok, params) }
          : undefined,
    };
  };
  const show = (res: Response, vnode: VNode, status = 200) => sendPage(res, vnode, status);
  const back = (res: Response, path: string, ok?: AdminKey, params: Record<string, string | number> = {}) => {
    const q = new URLSearchParams();
    if (ok) q.set('ok', ok);
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    res.redirect(303, q.size ? `${path}?${q.toString()}` : path);
  };
  const backErr = (res: Response, path: string, e: unknown) => {
    if (!isAppError(e) || (e.status >= 500 && e.code === 'internal')) throw e;
    // The coordinator reads the error in their language (the catalogs); English only for a code none has.
    const text = errorText(e, res.locals.lang, ctx.errors) ?? e.message;
    res.redirect(303, `${path}?${new URLSearchParams({ err: text.slice(0, 400) }).toString()}`);
  };
  const me = (res: Response) => res.locals.user!.person;
  const audit = (res: Response, action: string, target?: string | null, details?: object) =>
    ctx.audit.record(me(res).id, action, target, details);
  /** Run a POST action; AppErrors go back to `onError` as a visible message. */
  const act =
    (fn: (req: Request, res: Response) => Promise<void> | void, onError: (req: Request) => string) =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        await fn(req, res);
      } catch (e) {
        try {
          backErr(res, onError(req), e);
        } catch (err) {
          next(err);
        }
      }
    };

  // ---- first run and sign-in ------------------------------------------------------------------------

  router.get('/admin/setup', (req, res) => {
    if (!ctx.setup.needsSetup()) return res.redirect(303, '/admin/signin');
    show(res, <P.SetupPage page={admin(req, res)} values={{}} />);
  });

  router.post('/admin/setup', async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const values = {
      username: str(body['username']).trim().slice(0, 64),
      displayName: str(body['displayName']).trim().slice(0, 120),
    };
    const page = admin(req, res);
    const t = tr(page);
    const fail = (status: number, error: string) =>
      show(res, <P.SetupPage page={page} values={values} error={error} />, status);
    if (!ctx.setup.needsSetup()) return res.redirect(303, '/admin/signin');
    const address = req.ip ?? 'unknown';
    if (limiter.check(address, '\u0000setup')) {
      res.setHeader('Retry-After', '60');
      return fail(429, t('tooMany'));
    }
    const password = str(body['password']);
    if (password !== str(body['password2'])) return fail(400, t('passwordMismatch'));
    try {
      const person = await ctx.setup.complete(str(body['code']).slice(0, 40), { ...values, password });
      await startSession(res, ctx.sessions, person);
      ctx.logger.info({ coordinator: person.username }, 'first coordinator created');
      res.redirect(303, '/admin');
    } catch (e) {
      if (isAppError(e) && e.code === 'bad_setup_code') {
        limiter.fail(address, '\u0000setup');
        return fail(403, t('badSetupCode'));
      }
      if (isAppError(e) && e.status < 500)
        return fail(e.status, errorText(e, page.lang, ctx.errors) ?? e.message);
      throw e;
    }
  });

  router.get('/admin/signin', (req, res) => {
    if (ctx.setup.needsSetup()) return res.redirect(303, '/admin/setup');
    if (res.locals.user?.role === 'coordinator') return res.redirect(303, '/admin');
    show(res, <P.SignInPage page={admin(req, res)} />);
  });

  router.post('/admin/signin', async (req, res) => {
    const body = (req.body ?? {}) as Body;
    const username = str(body['username']).trim().slice(0, 64);
    const password = str(body['password']).slice(0, 200);
    const page = admin(req, res);
    if (!username || !password)
      return show(res, <P.SignInPage page={page} error="missing" username={username} />, 400);
    const address = req.ip ?? 'unknown';
    if (limiter.check(address, username)) {
      res.setHeader('Retry-After', '60');
      return show(res, <P.SignInPage page={page} error="tooMany" username={username} />, 429);
    }
    const person = await ctx.sessions.verify(username, password, 'coordinator');
    if (!person) {
      limiter.fail(address, username);
      return show(res, <P.SignInPage page={page} error="wrongPassword" username={username} />, 401);
    }
    limiter.succeed(username);
    await startSession(res, ctx.sessions, person);
    ctx.audit.record(person.id, 'coordinator.signin', person.username, { address });
    res.redirect(303, '/admin');
  });

  // Everything below is for signed-in coordinators only (first run goes to the setup page).
  router.use('/admin', (req, res, next) => {
    if (ctx.setup.needsSetup() && !res.locals.user) {
      if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/admin/setup');
    }
    next();
  });
  router.use('/admin', coordinator);

  // ---- dashboard ------------------------------------------------------------------------------------

  const syncSummary = (): SyncSummary => {
    const s = ctx.bundles;
    const list = s.exporter.list();
    const acked = list.filter((b) => b.acknowledged_at).map((b) => b.acknowledged_at!);
    const exportsOnly = list.filter((b) => !b.reexport);
    return {
      lastExportAt: exportsOnly.length
        ? exportsOnly.reduce((a, b) => (b.created_at > a ? b.created_at : a), '')
        : null,
      pendingRows: s.exporter.pendingRows(),
      lastAckAt: acked.length ? acked.reduce((a, b) => (b > a ? b : a)) : null,
      notAcknowledged: list.filter((b) => b.state !== 'acknowledged').length,
    };
  };

  router.get('/admin', async (req, res) => {
    const d = await buildDashboard({
      config: ctx.config,
      now: ctx.clock.now(),
      reports: ctx.adminReports,
      content: ctx.content,
      people: ctx.people,
      probe: ctx.healthProbe,
      sync: syncSummary,
    });
    const assets = req.app.locals['assets'] as StaticAssets;
    show(res, <P.DashboardPage page={admin(req, res)} d={d} adminJs={assets.url('admin.js')} />);
  });

  router.post(
    '/admin/clock',
    act(
      async (req, res) => {
        const raw = str((req.body as Body)['browserTime']);
        const time = new Date(raw);
        if (
          !raw ||
          Number.isNaN(time.getTime()) ||
          time.getUTCFullYear() < 2020 ||
          time.getUTCFullYear() > 2100
        )
          throw invalidInput([{ field: 'browserTime', key: 'browserTime' }]);
        const before = ctx.clock.now().toISOString();
        try {
          await ctx.clockSetter.set(time);
        } catch (e) {
          audit(res, 'clock.set.failed', null, {
            from: before,
            to: time.toISOString(),
            error: (e as Error).message,
          });
          if (isAppError(e)) throw e;
          throw healthError('clock_not_set', { detail: (e as Error).message });
        }
        audit(res, 'clock.set', null, { from: before, to: time.toISOString() });
        back(res, '/admin', 'clockSet');
      },
      () => '/admin',
    ),
  );

  // ---- trainees -------------------------------------------------------------------------------------

  const offsetOf = (req: Request) =>
    Math.max(0, Math.min(10_000_000, Number.parseInt(str(req.query['offset']), 10) || 0));

  router.get('/admin/trainees', (req, res) => {
    const query = str(req.query['q']).trim().slice(0, 100);
    const inactive = req.query['inactive'] === '1';
    const offset = offsetOf(req);
    const r = ctx.people.search({ role: 'trainee', query, limit: PAGE, offset, includeInactive: inactive });
    show(
      res,
      <P.TraineesPage
        page={admin(req, res)}
        rows={r.rows}
        total={r.total}
        query={query}
        inactive={inactive}
        offset={offset}
        limit={PAGE}
      />,
    );
  });

  router.get('/admin/trainees.csv', (_req, res) => {
    sendCsv(res, 'trainees.csv', exportTraineesCsv(ctx.people));
  });

  router.get('/admin/trainees/new', (req, res) =>
    show(res, <P.NewTraineePage page={admin(req, res)} values={{}} />),
  );

  const personFields = (body: Body) => ({
    displayName: str(body['displayName']),
    externalId: str(body['externalId']),
    agency: str(body['agency']),
    gender: (str(body['gender']) || null) as Gender | null,
    language: (str(body['language']) || null) as Language | null,
  });

  router.post(
    '/admin/trainees',
    act(
      async (req, res) => {
        const body = req.body as Body;
        const p = await ctx.people.addTrainee({
          username: str(body['username']),
          pin: str(body['pin']),
          ...personFields(body),
        });
        audit(res, 'trainee.add', p.username);
        back(res, `/admin/trainees/${p.id}`, 'added', { name: p.username });
      },
      () => '/admin/trainees/new',
    ),
  );

  router.get('/admin/trainees/import', (req, res) => {
    show(res, <P.ImportPage page={admin(req, res)} cohorts={ctx.cohorts.list()} />);
  });

  router.post('/admin/trainees/import', async (req, res) => {
    const up = await readUpload(req, CSV_MAX);
    const page = admin(req, res);
    const cohortId = up.fields['cohortId'] ?? '';
    let preview: CsvPreview;
    if (!up.file)
      preview = {
        delimiter: ',',
        columns: [],
        rows: [],
        fileErrors: ['no file was sent'],
        valid: 0,
        invalid: 0,
      };
    else preview = previewTraineeCsv(up.file.data, (k) => ctx.people.byUsername(k) !== undefined);
    let token: string | undefined;
    if (up.file && !preview.invalid && !preview.fileErrors.length) {
      token = newToken(18);
      const now = Date.now();
      for (const [k, v] of imports) if (now - v.at > 30 * 60_000) imports.delete(k);
      imports.set(token, { data: up.file.data, by: me(res).id, at: now });
    }
    const ok = !!token;
    show(
      res,
      <P.ImportPage
        page={page}
        cohorts={ctx.cohorts.list()}
        preview={preview}
        token={token}
        cohortId={cohortId}
        fileName={up.file?.name}
      />,
      ok ? 200 : 422,
    );
  });

  router.post(
    '/admin/trainees/import/confirm',
    act(
      async (req, res) => {
        const body = req.body as Body;
        const pending = imports.get(str(body['token']));
        if (!pending || pending.by !== me(res).id) throw adminError('import_expired');
        const cohortId = str(body['cohortId']) || null;
        try {
          const r = await importTraineeCsv(ctx, pending.data, { cohortId });
          imports.delete(str(body['token']));
          audit(res, 'trainee.import', cohortId ? (ctx.cohorts.get(cohortId)?.name ?? null) : null, {
            count: r.created.length,
          });
          back(res, '/admin/trainees', 'imported', { n: r.created.length });
        } catch (e) {
          // Someone added one of these usernames since the check: show the new preview.
          if (isAppError(e) && e.code === 'csv_invalid') {
            imports.delete(str(body['token']));
            throw peopleError('csv_invalid', {
              detail: csvProblems(e.details!['preview'] as CsvPreview).slice(0, 380),
            });
          }
          throw e;
        }
      },
      () => '/admin/trainees/import',
    ),
  );

  const trainee = (req: Request) => {
    const p = ctx.people.get(String(req.params['id']));
    if (!p || p.role !== 'trainee') throw notFound('trainee');
    return p;
  };

  router.get('/admin/trainees/:id', (req, res) => {
    const person = trainee(req);
    show(
      res,
      <P.TraineePage
        page={admin(req, res)}
        person={person}
        cohorts={ctx.cohorts.cohortsOf(person.id)}
        enrolments={ctx.cohorts.enrolmentsOf(person.id)}
        courses={ctx.content.listInstalled()}
      />,
    );
  });

  router.post(
    '/admin/trainees/:id',
    act(
      (req, res) => {
        const p = trainee(req);
        ctx.people.update(p.id, personFields(req.body as Body));
        audit(res, 'trainee.edit', p.username);
        back(res, `/admin/trainees/${p.id}`, 'saved');
      },
      (req) => `/admin/trainees/${String(req.params['id'])}`,
    ),
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    router.post(
      `/admin/trainees/:id/${action}`,
      act(
        (req, res) => {
          const p = trainee(req);
          ctx.people.update(p.id, { active });
          if (!active) ctx.sessions.destroyAll(p.id);
          audit(res, `trainee.${action}`, p.username);
          back(res, `/admin/trainees/${p.id}`, active ? 'reactivated' : 'deactivated');
        },
        (req) => `/admin/trainees/${String(req.params['id'])}`,
      ),
    );
  }

  router.post(
    '/admin/trainees/:id/pin',
    act(
      async (req, res) => {
        const p = trainee(req);
        await ctx.people.setPin(p.id, str((req.body as Body)['pin']));
        ctx.sessions.destroyAll(p.id);
        audit(res, 'trainee.pin_reset', p.username);
        back(res, `/admin/trainees/${p.id}`, 'pinReset');
      },
      (req) => `/admin/trainees/${String(req.params['id'])}`,
    ),
  );

  router.post(
    '/admin/trainees/:id/enrol',
    act(
      (req, res) => {
        const p = trainee(req);
        const courseId = installedCourse(str((req.body as Body)['courseId']));
        const n = ctx.cohorts.enrolTrainee(p.id, courseId) ? 1 : 0;
        audit(res, 'enrolment.add', p.username, { courseId });
        back(res, `/admin/trainees/${p.id}`, 'enrolled', { n });
      },
      (req) => `/admin/trainees/${String(req.params['id'])}`,
    ),
  );

  router.get('/admin/trainees/:id/history', (req, res) => {
    const h = ctx.adminReports.traineeHistory(trainee(req).id, res.locals.lang);
    show(res, <P.HistoryPage page={admin(req, res)} h={h} />);
  });

  router.get('/admin/trainees/:id/history.csv', (req, res) => {
    const h = ctx.adminReports.traineeHistory(trainee(req).id, res.locals.lang);
    const rows = [...h.statements]
      .reverse()
      .map((s) => [
        s.timestamp,
        s.verb.display['en-US'] ?? s.verb.id,
        s.object.id,
        Object.values(s.object.definition?.name ?? {})[0] ?? '',
        s.result?.score?.scaled ?? '',
        s.result?.success === undefined ? '' : String(s.result.success),
        s.result?.completion === undefined ? '' : String(s.result.completion),
      ]);
    sendCsv(
      res,
      `history-${h.person.username}.csv`,
      excelCsv(['timestamp', 'verb', 'activity', 'title', 'score', 'success', 'completion'], rows),
    );
  });

  // ---- cohorts --------------------------------------------------------------------------------------

  const installedCourse = (id: string): string => {
    if (!ctx.content.listInstalled().some((c) => c.id === id))
      throw adminError('course_not_installed', { course: id });
    return id;
  };

  router.get('/admin/cohorts', (req, res) =>
    show(res, <P.CohortsPage page={admin(req, res)} cohorts={ctx.cohorts.list()} />),
  );

  router.post(
    '/admin/cohorts',
    act(
      (req, res) => {
        const c = ctx.cohorts.create(str((req.body as Body)['name']));
        audit(res, 'cohort.create', c.name);
        back(res, `/admin/cohorts/${c.id}`, 'saved');
      },
      () => '/admin/cohorts',
    ),
  );

  const cohortOf = (req: Request) => ctx.cohorts.require(String(req.params['id']));

  router.get('/admin/cohorts/:id', (req, res) => {
    const cohort = cohortOf(req);
    show(
      res,
      <P.CohortPage
        page={admin(req, res)}
        cohort={cohort}
        members={ctx.cohorts.members(cohort.id, 1000)}
        courses={ctx.content.listInstalled()}
      />,
    );
  });

  router.post(
    '/admin/cohorts/:id/code',
    act(
      (req, res) => {
        const cohort = cohortOf(req);
        const body = req.body as Body;
        const code = body['generate'] ? randomClassCode() : str(body['code']);
        const c = ctx.cohorts.setClassCode(cohort.id, code || null);
        audit(res, c.classCode ? 'cohort.class_code' : 'cohort.class_code_removed', c.name);
        back(res, `/admin/cohorts/${c.id}`, 'saved');
      },
      (req) => `/admin/cohorts/${String(req.params['id'])}`,
    ),
  );

  router.post(
    '/admin/cohorts/:id/members',
    act(
      (req, res) => {
        const cohort = cohortOf(req);
        const names = str((req.body as Body)['usernames'])
          .split(/[\s,;]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        const ids: string[] = [];
        const unknown: string[] = [];
        for (const n of names) {
          const p = ctx.people.byUsername(n);
          if (p && p.role === 'trainee') ids.push(p.id);
          else unknown.push(n);
        }
        if (unknown.length)
          throw adminError('trainees_unknown', { usernames: unknown.slice(0, 10).join(', ') });
        const n = ctx.cohorts.addMembers(cohort.id, ids);
        audit(res, 'cohort.members_add', cohort.name, { count: n });
        back(res, `/admin/cohorts/${cohort.id}`, 'membersAdded', { n });
      },
      (req) => `/admin/cohorts/${String(req.params['id'])}`,
    ),
  );

  router.post(
    '/admin/cohorts/:id/members/remove',
    act(
      (req, res) => {
        const cohort = cohortOf(req);
        const personId = str((req.body as Body)['personId']);
        ctx.cohorts.removeMember(cohort.id, personId);
        audit(res, 'cohort.member_remove', cohort.name, { personId });
        back(res, `/admin/cohorts/${cohort.id}`, 'saved');
      },
      (req) => `/admin/cohorts/${String(req.params['id'])}`,
    ),
  );

  router.post(
    '/admin/cohorts/:id/enrol',
    act(
      (req, res) => {
        const cohort = cohortOf(req);
        const courseId = installedCourse(str((req.body as Body)['courseId']));
        const n = ctx.cohorts.enrolCohort(cohort.id, courseId);
        audit(res, 'cohort.enrol', cohort.name, { courseId, trainees: n });
        back(res, `/admin/cohorts/${cohort.id}`, 'enrolled', { n });
      },
      (req) => `/admin/cohorts/${String(req.params['id'])}`,
    ),
  );

  // ---- courses --------------------------------------------------------------------------------------

  /** Course bundles (.zip) and course folders on mounted USB sticks: <stick>/fieldclass/courses/* and <stick>/*. */
  const usbCourses = (): { path: string; name: string }[] => {
    const sticks = ctx.bundles.usb.sticks();
    const out: { path: string; name: string }[] = [];
    for (const stick of sticks) {
      for (const dir of [join(stick, 'fieldclass', 'courses'), stick]) {
        if (!existsSync(dir)) continue;
        let names: string[] = [];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const n of names.sort()) {
          if (n.startsWith('.')) continue;
          const p = join(dir, n);
          try {
            const st = statSync(p);
            if (
              (st.isFile() && /\.zip$/i.test(n)) ||
              (st.isDirectory() && existsSync(join(p, 'course.json')))
            )
              out.push({ path: p, name: `${basename(stick)}/${p.slice(stick.length + 1)}` });
          } catch {
            // a file that vanished with the stick
          }
        }
      }
    }
    return out;
  };

  router.get('/admin/courses', (req, res) => {
    show(
      res,
      <P.CoursesPage
        page={admin(req, res)}
        courses={ctx.content.listInstalled()}
        usb={usbCourses()}
        usbRoots={ctx.config.export.usbRoots}
      />,
    );
  });

  router.post(
    '/admin/courses/:id/active',
    act(
      (req, res) => {
        const id = String(req.params['id']);
        const active = str((req.body as Body)['active']) === '1';
        ctx.content.setActive(id, active);
        audit(res, active ? 'course.enable' : 'course.disable', id);
        back(res, '/admin/courses', 'saved');
      },
      () => '/admin/courses',
    ),
  );

  const install = async (res: Response, path: string, source: string) => {
    try {
      const r = await importContent(ctx.content, path, ctx.config.content);
      audit(res, 'course.install', r.id, { version: r.version, status: r.status, source });
      back(res, '/admin/courses', 'installed', { title: r.title, version: r.version });
    } catch (e) {
      if (isAppError(e)) {
        audit(res, 'course.install_refused', source, { error: e.message.slice(0, 500) });
        throw adminError('install_failed', { detail: e.message.slice(0, 380) });
      }
      throw e;
    }
  };

  router.post(
    '/admin/courses/upload',
    act(
      async (req, res) => {
        const up = await readUpload(req, COURSE_MAX);
        if (!up.file || up.file.data.length === 0) throw adminError('no_course_file');
        const dir = join(ctx.config.dataDir, 'tmp');
        mkdirSync(dir, { recursive: true });
        const safe =
          basename(up.file.name)
            .replace(/[^\w.-]+/g, '_')
            .slice(-80) || 'course.zip';
        const tmp = join(dir, `${newToken(8)}-${safe}`);
        writeFileSync(tmp, up.file.data, { mode: 0o600 });
        try {
          await install(res, tmp, `upload:${up.file.name}`);
        } finally {
          rmSync(tmp, { force: true, recursive: true });
        }
      },
      () => '/admin/courses',
    ),
  );

  router.post(
    '/admin/courses/usb',
    act(
      async (req, res) => {
        const path = str((req.body as Body)['path']);
        const found = usbCourses().find((u) => u.path === path);
        if (!found) throw adminError('usb_course_gone');
        await install(res, found.path, `usb:${found.name}`);
      },
      () => '/admin/courses',
    ),
  );

  // ---- reports --------------------------------------------------------------------------------------

  router.get('/admin/reports', (req, res) => {
    const courses = ctx.content
      .listInstalled()
      .map((c) => ({ ...c, enrolled: ctx.cohorts.enrolledCount(c.id) }));
    show(res, <P.ReportsPage page={admin(req, res)} courses={courses} />);
  });

  const sortOf = (req: Request): ReportSort => {
    const s = str(req.query['sort']);
    return s === 'score' || s === 'last' || s === 'name' ? s : 'progress';
  };

  router.get('/admin/reports/courses/:id.csv', (req, res) => {
    const r = ctx.adminReports.courseReport(String(req.params['id']), res.locals.lang, sortOf(req));
    const rows = r.lines.map((l) => [
      l.username,
      l.displayName,
      l.externalId,
      l.agency,
      l.gender,
      l.enrolled ? 'yes' : 'no',
      l.active ? 'yes' : 'no',
      l.done,
      r.activities,
      l.percent,
      l.completed ? 'yes' : 'no',
      l.score === null ? '' : Math.round(l.score * 1000) / 10,
      l.lastActivityAt,
    ]);
    sendCsv(
      res,
      `report-${r.course.id}.csv`,
      excelCsv(
        [
          'username',
          'name',
          'external id',
          'agency',
          'gender',
          'enrolled',
          'active',
          'activities done',
          'activities',
          'progress %',
          'completed',
          'score %',
          'last activity',
        ],
        rows,
      ),
    );
  });

  router.get('/admin/reports/courses/:id', (req, res) => {
    const page = admin(req, res);
    const t = tr(page);
    const report = ctx.adminReports.courseReport(String(req.params['id']), res.locals.lang, sortOf(req));
    const svg = completionChartSvg(report.bands, { title: t('chartTitle'), trainees: t('traineesUnit') });
    const offset = offsetOf(req);
    show(
      res,
      <P.CourseReportPage
        page={page}
        report={report}
        chartSvg={svg}
        sort={sortOf(req)}
        offset={offset}
        limit={100}
      />,
    );
  });

  // ---- sync -----------------------------------------------------------------------------------------

  router.get('/admin/sync', (req, res) => {
    const s = ctx.bundles;
    const page = admin(req, res);
    const list = s.exporter
      .list()
      .reverse()
      .map((b) => ({
        seq: b.seq,
        file: b.file,
        name: basename(b.file),
        state: b.uploaded_at && b.state !== 'acknowledged' ? 'uploaded' : b.state,
        rows: b.to_seq - b.from_seq + 1,
        bytes: b.bytes,
        createdAt: b.created_at,
        present: b.present,
      }));
    show(
      res,
      <P.SyncPage
        page={page}
        available
        bundles={list}
        pendingRows={s.exporter.pendingRows()}
        uploadConfigured={s.uploader.configured()}
        sticks={s.usb.sticks()}
      />,
    );
  });

  router.get('/admin/sync/bundles/:seq', (req, res) => {
    const b = ctx.bundles.exporter.list().find((x) => String(x.seq) === String(req.params['seq']));
    if (!b || !b.present) throw notFound('bundle');
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${basename(b.file)}"`);
    res.setHeader('Cache-Control', 'no-store');
    createReadStream(b.file).pipe(res);
  });

  router.post(
    '/admin/sync/export',
    act(
      async (_req, res) => {
        const s = ctx.bundles;
        const written = await s.exporter.export();
        audit(res, 'sync.export', null, { bundles: written.length });
        back(res, '/admin/sync', written.length ? 'exported' : 'nothingPending', { n: written.length });
      },
      () => '/admin/sync',
    ),
  );

  router.post(
    '/admin/sync/usb',
    act(
      (_req, res) => {
        const s = ctx.bundles;
        const results = s.usb.copyAll();
        const failed = results.flatMap((r) => r.failed);
        audit(res, 'sync.usb_copy', null, {
          results: results.map((r) => ({ stick: r.stick, copied: r.copied.length, failed: r.failed.length })),
        });
        if (!results.length) throw adminError('no_stick');
        if (failed.length)
          throw adminError('copy_failed', { detail: failed.map((f) => `${f.file}: ${f.reason}`).join('; ') });
        back(res, '/admin/sync', 'saved');
      },
      () => '/admin/sync',
    ),
  );

  router.post(
    '/admin/sync/upload',
    act(
      async (_req, res) => {
        const s = ctx.bundles;
        const r = await s.uploader.uploadPending();
        audit(res, 'sync.upload', null, {
          acknowledged: r.acknowledged.length,
          pending: r.pending.length,
          refused: r.refused.length,
        });
        if (r.refused.length)
          throw adminError('upload_refused', {
            detail: r.refused.map((x) => `bundle ${x.bundleSeq}: ${x.message}`).join('; '),
          });
        back(res, '/admin/sync', 'saved');
      },
      () => '/admin/sync',
    ),
  );

  // ---- schedule -------------------------------------------------------------------------------------

  const { scheduler } = ctx;

  router.get('/admin/schedule', (req, res) => {
    // The scheduler holds the saved schedules (taken at creation and on every save), started or not.
    const jobs: P.JobView[] = scheduler.list();
    show(res, <P.SchedulePage page={admin(req, res)} jobs={jobs} available={scheduler.isStarted()} />);
  });

  router.post(
    '/admin/schedule/:job',
    act(
      (req, res) => {
        const name = String(req.params['job']);
        if (!scheduler.has(name)) throw jobsError('job_unknown', { job: name });
        const s = setScheduleOverride(ctx.records, name, str((req.body as Body)['schedule']));
        // The scheduler takes it now (a running one replaces its cron task); the next start reads it too.
        scheduler.reschedule(name, s);
        audit(res, 'job.schedule', name, { schedule: s });
        back(res, '/admin/schedule', 'scheduleSaved');
      },
      () => '/admin/schedule',
    ),
  );

  router.post(
    '/admin/schedule/:job/run',
    act(
      async (req, res) => {
        if (!scheduler.isStarted()) throw adminError('scheduler_stopped');
        const name = String(req.params['job']);
        audit(res, 'job.run', name);
        const r = await scheduler.runNow(name);
        back(res, '/admin/schedule', 'ran', { job: r.job, outcome: r.outcome });
      },
      () => '/admin/schedule',
    ),
  );

  // ---- backups --------------------------------------------------------------------------------------

  router.get('/admin/backups', (req, res) =>
    show(res, <P.BackupsPage page={admin(req, res)} backups={ctx.backups.list()} />),
  );

  router.post(
    '/admin/backups',
    act(
      async (_req, res) => {
        const b = await ctx.backups.create();
        audit(res, 'backup.create', b.name, { bytes: b.bytes });
        back(res, '/admin/backups', 'backupDone', { name: b.name });
      },
      () => '/admin/backups',
    ),
  );

  // A POST (not a GET): a copy of every record leaving the box is an action worth an audit row, and no GET
  // writes anything. The browser saves the answer as a file (Content-Disposition: attachment).
  router.post(
    '/admin/backups/download',
    act(
      (req, res) => {
        const b = ctx.backups.file(str((req.body as Body)['name']));
        audit(res, 'backup.download', b.name);
        res.setHeader('Content-Type', 'application/vnd.sqlite3');
        res.setHeader('Content-Disposition', `attachment; filename="${b.name}"`);
        res.setHeader('Cache-Control', 'no-store');
        createReadStream(b.path).pipe(res);
      },
      () => '/admin/backups',
    ),
  );

  // ---- audit and coordinators -----------------------------------------------------------------------

  router.get('/admin/audit', (req, res) => {
    const offset = offsetOf(req);
    const r = ctx.audit.list({ limit: 100, offset });
    show(
      res,
      <P.AuditPage page={admin(req, res)} rows={r.rows} total={r.total} offset={offset} limit={100} />,
    );
  });

  router.get('/admin/coordinators', (req, res) => {
    const r = ctx.people.search({ role: 'coordinator', limit: 500 });
    show(res, <P.CoordinatorsPage page={admin(req, res)} rows={r.rows} />);
  });

  router.post(
    '/admin/coordinators',
    act(
      async (req, res) => {
        const body = req.body as Body;
        const p = await ctx.people.addCoordinator({
          username: str(body['username']),
          password: str(body['password']),
          displayName: str(body['displayName']),
        });
        audit(res, 'coordinator.add', p.username);
        back(res, '/admin/coordinators', 'added', { name: p.username });
      },
      () => '/admin/coordinators',
    ),
  );

  return router;
}

function sendCsv(res: Response, name: string, body: Buffer): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\w.-]+/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}
