import type { ActivityType } from '../../content/content.types.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ContentService } from '../../content/content.service.js';
import { languageSchema } from '../../core/config.js';
import { notFound } from '../../core/errors.js';
import type { SessionService } from '../../people/auth.service.js';
import type { CohortService } from '../../people/cohorts.service.js';
import { exportTraineesCsv } from '../../people/csv-import.js';
import { genderSchema, pinSchema, usernameSchema } from '../../people/people.schema.js';
import type { PeopleService } from '../../people/people.service.js';
import { sendCsv, sendCsvBytes, separatorOf } from '../../web/csv-response.js';
import { readUpload } from '../../web/upload.js';
import { validate } from '../../web/validate.js';
import type { CourseInstallService } from '../courses/course-install.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { blankIsNull, field } from '../kit/fields.js';
import { historyCsv } from '../reports/reports.csv.js';
import type { AdminReportsService } from '../reports.service.js';
import type { TraineeImportService } from './trainee-imports.service.js';
import { HistoryPage, ImportPage, NewTraineePage, TraineePage, TraineesPage } from './trainees.pages.js';

export interface TraineesDeps {
  people: PeopleService;
  sessions: SessionService;
  cohorts: CohortService;
  content: ContentService;
  adminReports: AdminReportsService;
  traineeImports: TraineeImportService;
  courseInstall: CourseInstallService;
  /** The box's time zone: the CSV's times are in it. */
  timeZone: { get(): string };
}

const PAGE = 50;
const CSV_MAX = 5 * 1024 * 1024;

/** A trainee's details as the forms send them ('' = not given). */
const personForm = z.object({
  op: field(64),
  displayName: field(120),
  externalId: field(64),
  agency: field(120),
  gender: blankIsNull(genderSchema),
  language: blankIsNull(languageSchema),
});
const newTraineeForm = personForm.extend({ username: usernameSchema, pin: pinSchema });
const pinForm = z.object({ pin: pinSchema, op: field(64) });
const enrolForm = z.object({ courseId: field(200), op: field(64) });
const importForm = z.object({ token: field(100), cohortId: field(100), op: field(64) });
const opForm = z.object({ op: field(64) });

/** Trainees: search and pages, add, edit, deactivate, PIN reset, enrol, history, CSV import and export. */
export function traineesRouter(ctx: TraineesDeps, kit: AdminKit): Router {
  const router = Router();
  const here = (req: Request) => `/admin/trainees/${String(req.params['id'])}`;
  const trainee = (req: Request) => {
    const p = ctx.people.get(String(req.params['id']));
    if (!p || p.role !== 'trainee') throw notFound('trainee');
    return p;
  };

  const search = z.object({
    q: z
      .string()
      .catch('')
      .transform((s) => s.trim().slice(0, 100)),
    inactive: z
      .unknown()
      .optional()
      .transform((v) => v === '1'),
  });
  const list = validate(search);
  router.get('/admin/trainees', list, (req, res) => {
    const { q: query, inactive } = list.input(res);
    const offset = kit.offset(req);
    const r = ctx.people.search({ role: 'trainee', query, limit: PAGE, offset, includeInactive: inactive });
    kit.show(
      res,
      <TraineesPage
        page={kit.page(req, res)}
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
    // The import's own columns (read back by the import, ',' or ';'), split as the reader's spreadsheet expects.
    sendCsvBytes(res, 'trainees.csv', exportTraineesCsv(ctx.people, { separator: separatorOf(res) }));
  });

  router.get('/admin/trainees/new', (req, res) =>
    kit.show(res, <NewTraineePage page={kit.page(req, res)} />),
  );

  router.post(
    '/admin/trainees',
    ...kit.form(
      newTraineeForm,
      (page, form) => <NewTraineePage page={page} form={form} />,
      async (input, _req, res) => {
        // A double submit adds the trainee once; the repeat opens the same page, not "username taken".
        const p = await kit.once(
          res,
          { op: input.op, action: 'trainee.add', target: 'trainees' },
          (added: { id: string; username: string }) => {
            kit.audit(res, 'trainee.add', added.username);
            return added;
          },
          async () => {
            const { id, username } = await ctx.people.addTrainee(input);
            return { id, username };
          },
        );
        kit.back(res, `/admin/trainees/${p.id}`, 'added', { name: p.username });
      },
    ),
  );

  router.get('/admin/trainees/import', (req, res) => {
    kit.show(res, <ImportPage page={kit.page(req, res)} cohorts={ctx.cohorts.list()} />);
  });

  // A multipart form (the file): read by the web kit's upload reader, its one text field checked here.
  router.post('/admin/trainees/import', async (req, res) => {
    const up = await readUpload(req, CSV_MAX);
    const cohortId = field(100).catch('').parse(up.fields['cohortId']);
    const { preview, token } = ctx.traineeImports.check(up.file?.data, kit.me(res).id);
    kit.show(
      res,
      <ImportPage
        page={kit.page(req, res)}
        cohorts={ctx.cohorts.list()}
        preview={preview}
        token={token}
        cohortId={cohortId}
        fileName={up.file?.name}
      />,
      token ? 200 : 422,
    );
  });

  router.post(
    '/admin/trainees/import/confirm',
    ...kit.action(
      importForm,
      async (input, _req, res) => {
        const cohortId = input.cohortId || null;
        // Under the confirm form's operation id: a double click imports once, both answers say how many.
        const n = await kit.once(
          res,
          { op: input.op, action: 'trainee.import', target: input.token },
          (count: number) => {
            kit.audit(res, 'trainee.import', cohortId ? (ctx.cohorts.get(cohortId)?.name ?? null) : null, {
              count,
            });
            return count;
          },
          async () => (await ctx.traineeImports.confirm(input.token, kit.me(res).id, cohortId)).length,
        );
        kit.back(res, '/admin/trainees', 'imported', { n });
      },
      () => '/admin/trainees/import',
    ),
  );

  const traineePage = (req: Request, formOf?: 'edit' | 'pin') => {
    const person = trainee(req);
    return (
      page: Parameters<typeof TraineePage>[0]['page'],
      form?: Parameters<typeof TraineePage>[0]['form'],
    ) => (
      <TraineePage
        page={page}
        person={person}
        cohorts={ctx.cohorts.cohortsOf(person.id)}
        enrolments={ctx.cohorts.enrolmentsOf(person.id)}
        courses={ctx.content.listInstalled(page.lang)}
        form={form}
        formOf={formOf}
      />
    );
  };

  router.get('/admin/trainees/:id', (req, res) => kit.show(res, traineePage(req)(kit.page(req, res))));

  router.post(
    '/admin/trainees/:id',
    ...kit.form(
      personForm,
      (page, form, req) => traineePage(req, 'edit')(page, form),
      async (input, req, res) => {
        const p = trainee(req);
        const { op, ...changes } = input;
        await kit.once(res, { op, action: 'trainee.edit', target: p.id }, () => {
          ctx.people.update(p.id, changes);
          kit.audit(res, 'trainee.edit', p.username);
          return true;
        });
        kit.back(res, `/admin/trainees/${p.id}`, 'saved');
      },
    ),
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    router.post(
      `/admin/trainees/:id/${action}`,
      ...kit.action(
        opForm,
        async (input, req, res) => {
          const p = trainee(req);
          await kit.once(res, { op: input.op, action: `trainee.${action}`, target: p.id }, () => {
            ctx.people.update(p.id, { active });
            if (!active) ctx.sessions.destroyAll(p.id);
            kit.audit(res, `trainee.${action}`, p.username);
            return true;
          });
          kit.back(res, `/admin/trainees/${p.id}`, active ? 'reactivated' : 'deactivated');
        },
        here,
      ),
    );
  }

  router.post(
    '/admin/trainees/:id/pin',
    ...kit.form(
      pinForm,
      (page, form, req) => traineePage(req, 'pin')(page, form),
      async (input, req, res) => {
        const p = trainee(req);
        await kit.once(
          res,
          { op: input.op, action: 'trainee.pin_reset', target: p.id },
          () => {
            ctx.sessions.destroyAll(p.id);
            kit.audit(res, 'trainee.pin_reset', p.username);
            return true;
          },
          () => ctx.people.setPin(p.id, input.pin),
        );
        kit.back(res, `/admin/trainees/${p.id}`, 'pinReset');
      },
    ),
  );

  router.post(
    '/admin/trainees/:id/enrol',
    ...kit.action(
      enrolForm,
      async (input, req, res) => {
        const p = trainee(req);
        const courseId = ctx.courseInstall.requireInstalled(input.courseId);
        const n = await kit.once(
          res,
          { op: input.op, action: 'enrolment.add', target: `${p.id}/${courseId}` },
          () => {
            const added = ctx.cohorts.enrolTrainee(p.id, courseId) ? 1 : 0;
            kit.audit(res, 'enrolment.add', p.username, { courseId });
            return added;
          },
        );
        kit.back(res, `/admin/trainees/${p.id}`, 'enrolled', { n });
      },
      here,
    ),
  );

  router.get('/admin/trainees/:id/history', (req, res) => {
    const h = ctx.adminReports.traineeHistory(trainee(req).id, res.locals.lang);
    const types = new Map<string, ActivityType>();
    for (const c of h.courses)
      for (const m of ctx.content.getCourse(c.courseId, res.locals.lang)?.modules ?? [])
        for (const i of m.items) types.set(`${c.courseId}/${i.id}`, i.type);
    kit.show(res, <HistoryPage page={kit.page(req, res)} h={h} types={types} />);
  });

  router.get('/admin/trainees/:id/history.csv', (req, res) => {
    const h = ctx.adminReports.traineeHistory(trainee(req).id, res.locals.lang);
    const csv = historyCsv(h, res.locals.lang, ctx.timeZone.get());
    sendCsv(res, `history-${h.person.username}.csv`, csv.header, csv.rows);
  });

  return router;
}
