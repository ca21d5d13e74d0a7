import type { InstalledCourse } from '../../content/content.service.js';
import { AdminFrame, Pager, pct, tr, when, type AdminPage } from '../kit/admin.layout.js';
import type { AdminKey } from '../admin.messages.js';
import type { CourseReport, ReportSort } from '../reports.service.js';

export function ReportsPage({
  page,
  courses,
}: {
  page: AdminPage;
  courses: (InstalledCourse & { enrolled: number })[];
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('reportsTitle')}>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('courses')}</th>
              <th class="num">{t('enrolledCol')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {courses.map((c) => (
              <tr>
                <td>
                  <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}`}>{c.title}</a>
                </td>
                <td class="num">{c.enrolled}</td>
                <td>
                  <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}.csv`}>{t('downloadCsv')}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <a href="/admin/trainees">{t('navTrainees')}</a> → {t('history')}
      </p>
    </AdminFrame>
  );
}

export function CourseReportPage({
  page,
  report,
  chartSvg,
  sort,
  offset,
  limit,
}: {
  page: AdminPage;
  report: CourseReport;
  chartSvg: string;
  sort: ReportSort;
  offset: number;
  limit: number;
}) {
  const t = tr(page);
  const base = `/admin/reports/courses/${encodeURIComponent(report.course.id)}`;
  const sorts: [ReportSort, AdminKey][] = [
    ['progress', 'progress'],
    ['score', 'score'],
    ['last', 'lastActivity'],
    ['name', 'username'],
  ];
  return (
    <AdminFrame page={page} title={t('reportFor', { title: report.course.title })}>
      <p class="row-actions">
        <a class="button small" href={`${base}.csv`} download>
          {t('downloadCsv')}
        </a>
        <span class="muted">
          {t('results', { n: report.lines.length })} · {t('activities')}: {report.activities}
        </span>
      </p>
      <figure class="chart" aria-label={t('chartTitle')}>
        <figcaption>
          <strong>{t('chartTitle')}</strong>
        </figcaption>
        <div dangerouslySetInnerHTML={{ __html: chartSvg }} />
      </figure>
      <form method="get" action={base} class="toolbar">
        <label for="sort">{t('sortBy')}</label>
        <select id="sort" name="sort">
          {sorts.map(([s, k]) => (
            <option value={s} selected={s === sort}>
              {t(k)}
            </option>
          ))}
        </select>
        <button type="submit" class="small secondary">
          {t('sortBy')}
        </button>
      </form>
      <div class="table-wrap">
        <table id="report">
          <thead>
            <tr>
              <th>{t('username')}</th>
              <th>{t('name')}</th>
              <th>{t('progress')}</th>
              <th class="num">{t('score')}</th>
              <th>{t('lastActivity')}</th>
            </tr>
          </thead>
          <tbody>
            {report.lines.slice(offset, offset + limit).map((l) => (
              <tr data-username={l.username}>
                <td>
                  <a href={`/admin/trainees/${l.personId}/history`}>{l.username}</a>
                </td>
                <td>{l.displayName}</td>
                <td>
                  <span class="bar">
                    <span style={`width:${l.percent}%`}></span>
                  </span>
                  {l.completed ? t('completed') : `${l.percent}%`}
                </td>
                <td class="num">{pct(l.score)}</td>
                <td class="ltr">{when(l.lastActivityAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        page={page}
        base={base}
        params={{ sort }}
        offset={offset}
        limit={limit}
        total={report.lines.length}
      />
      <h2>{t('perActivity')}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('activity')}</th>
              <th class="num">{t('started')}</th>
              <th class="num">{t('done')}</th>
              <th class="num">{t('score')}</th>
            </tr>
          </thead>
          <tbody>
            {report.perActivity.map((a) => (
              <tr>
                <td>{a.title}</td>
                <td class="num">{a.started}</td>
                <td class="num">{a.done}</td>
                <td class="num">{pct(a.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}
