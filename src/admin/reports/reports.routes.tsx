import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { ContentService } from '../../content/content.service.js';
import type { Cohort, CohortService } from '../../people/cohorts.service.js';
import { sendCsv } from '../../web/csv-response.js';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import type { AdminReportsService, ReportSort } from '../reports.service.js';
import { courseReportCsv } from './reports.csv.js';
import { CourseReportPage, ReportsPage } from './reports.pages.js';

export interface ReportsDeps {
  config: Config;
  content: ContentService;
  cohorts: CohortService;
  adminReports: AdminReportsService;
  /** The box's time zone: the CSV's times are in it. */
  timeZone: { get(): string };
}

/** `?cohort=` of every report: a class's id, anything else = every trainee. */
const cohortQuery = z.string().max(100).catch('').default('');

/** `?sort=` of a course report (anything else: by progress), `?cohort=` and the course of the path. */
const reportQuery = z.object({
  id: z.string().max(200),
  sort: z.enum(['progress', 'score', 'last', 'name'] satisfies ReportSort[]).catch('progress'),
  cohort: cohortQuery,
});

/**
 * Reports: the courses with who started, is enrolled and completed (all trainees or one class), a course
 * report (chart, per trainee, ratings and comments, per activity) and its CSV, all filtered by class.
 */
export function reportsRouter(ctx: ReportsDeps, kit: AdminKit): Router {
  const router = Router();
  /** The class the report is filtered by, when `?cohort=` names one. */
  const cohortOf = (id: string): Cohort | null => (id ? (ctx.cohorts.get(id) ?? null) : null);

  const listQuery = validate(z.object({ cohort: cohortQuery }));
  router.get('/admin/reports', listQuery, (req: Request, res) => {
    const cohort = cohortOf(listQuery.input(res).cohort);
    const courses = ctx.content.listInstalled(res.locals.lang).map((c) => ({
      ...c,
      figures: ctx.adminReports.courseReport(c.id, res.locals.lang, 'name', { cohortId: cohort?.id }).figures,
    }));
    kit.show(
      res,
      <ReportsPage
        page={kit.page(req, res)}
        courses={courses}
        cohorts={ctx.cohorts.list()}
        cohort={cohort}
      />,
    );
  });

  const csvQuery = validate(reportQuery);
  router.get('/admin/reports/courses/:id.csv', csvQuery, (_req, res) => {
    const q = csvQuery.input(res);
    const cohort = cohortOf(q.cohort);
    const r = ctx.adminReports.courseReport(q.id, res.locals.lang, q.sort, { cohortId: cohort?.id });
    const csv = courseReportCsv(r, res.locals.lang, ctx.timeZone.get());
    sendCsv(res, `report-${r.course.id}${cohort ? '-' + cohort.id : ''}.csv`, csv.header, csv.rows);
  });

  const pageQuery = validate(reportQuery);
  router.get('/admin/reports/courses/:id', pageQuery, (req, res) => {
    const q = pageQuery.input(res);
    const page = kit.page(req, res);
    const cohort = cohortOf(q.cohort);
    const report = ctx.adminReports.courseReport(q.id, res.locals.lang, q.sort, { cohortId: cohort?.id });
    kit.show(
      res,
      <CourseReportPage
        page={page}
        report={report}
        sort={q.sort}
        cohorts={ctx.cohorts.list()}
        cohort={cohort}
        ratingNames={ctx.config.admin.ratingNames}
        offset={kit.offset(req)}
        limit={100}
      />,
    );
  });

  return router;
}
