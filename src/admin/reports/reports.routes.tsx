import { Router } from 'express';
import { z } from 'zod';
import type { ContentService } from '../../content/content.service.js';
import type { CohortService } from '../../people/cohorts.service.js';
import { sendCsv } from '../../web/csv-response.js';
import { validate } from '../../web/validate.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { tr } from '../kit/admin.layout.js';
import { completionChartSvg, type AdminReportsService, type ReportSort } from '../reports.service.js';
import { courseReportCsv } from './reports.csv.js';
import { CourseReportPage, ReportsPage } from './reports.pages.js';

export interface ReportsDeps {
  content: ContentService;
  cohorts: CohortService;
  adminReports: AdminReportsService;
}

/** `?sort=` of a course report (anything else: by progress) and the course of the path. */
const reportQuery = z.object({
  id: z.string().max(200),
  sort: z.enum(['progress', 'score', 'last', 'name'] satisfies ReportSort[]).catch('progress'),
});

/** Reports: the courses with their enrolment, a course report (chart, per trainee, per activity) and its CSV. */
export function reportsRouter(ctx: ReportsDeps, kit: AdminKit): Router {
  const router = Router();

  router.get('/admin/reports', (req, res) => {
    const courses = ctx.content
      .listInstalled()
      .map((c) => ({ ...c, enrolled: ctx.cohorts.enrolledCount(c.id) }));
    kit.show(res, <ReportsPage page={kit.page(req, res)} courses={courses} />);
  });

  const csvQuery = validate(reportQuery);
  router.get('/admin/reports/courses/:id.csv', csvQuery, (_req, res) => {
    const q = csvQuery.input(res);
    const r = ctx.adminReports.courseReport(q.id, res.locals.lang, q.sort);
    const csv = courseReportCsv(r);
    sendCsv(res, `report-${r.course.id}.csv`, csv.header, csv.rows);
  });

  const pageQuery = validate(reportQuery);
  router.get('/admin/reports/courses/:id', pageQuery, (req, res) => {
    const q = pageQuery.input(res);
    const page = kit.page(req, res);
    const t = tr(page);
    const report = ctx.adminReports.courseReport(q.id, res.locals.lang, q.sort);
    const svg = completionChartSvg(report.bands, { title: t('chartTitle'), trainees: t('traineesUnit') });
    kit.show(
      res,
      <CourseReportPage
        page={page}
        report={report}
        chartSvg={svg}
        sort={q.sort}
        offset={kit.offset(req)}
        limit={100}
      />,
    );
  });

  return router;
}
