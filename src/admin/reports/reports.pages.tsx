import type { InstalledCourse } from '../../content/content.service.js';
import type { CourseFigures } from '../../contract/outcomes.js';
import type { Cohort } from '../../people/cohorts.service.js';
import { AdminFrame, Pager, pct, tr, when, type AdminPage } from '../kit/admin.layout.js';
import type { AdminKey } from '../admin.messages.js';
import { BAND_LABELS, type CourseReport, type ReportSort } from '../reports.service.js';
import { resultText } from './reports.csv.js';

/** `?cohort=<id>` (and the other params) for a link that keeps the report's class. */

const withCohort = (cohort: Cohort | null, params: Record<string, string> = {}): string => {
  const q = new URLSearchParams({ ...params, ...(cohort ? { cohort: cohort.id } : {}) });
  return q.size ? `?${q.toString()}` : '';
};

/** The class a report covers (GET form: all trainees or one class). */
function CohortFilter({
  page,
  action,
  cohorts,
  cohort,
  hidden = {},
}: {
  page: AdminPage;
  action: string;
  cohorts: Cohort[];
  cohort: Cohort | null;
  hidden?: Record<string, string>;
}) {
  const t = tr(page);
  return (
    <form method="get" action={action} class="toolbar" id="cohort-filter">
      {Object.entries(hidden).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <label for="cohort">{t('classFilter')}</label>
      <select id="cohort" name="cohort">
        <option value="">{t('allTrainees')}</option>
        {cohorts.map((c) => (
          <option value={c.id} selected={c.id === cohort?.id}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="submit" class="small secondary">
        {t('show')}
      </button>
    </form>
  );
}

export function ReportsPage({
  page,
  courses,
  cohorts,
  cohort,
}: {
  page: AdminPage;
  courses: (InstalledCourse & { figures: CourseFigures })[];
  cohorts: Cohort[];
  cohort: Cohort | null;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('reportsTitle')}>
      <CohortFilter page={page} action="/admin/reports" cohorts={cohorts} cohort={cohort} />
      {cohort && (
        <p class="muted">
          {t('reportForClass', { name: '' })}
          <bdi>{cohort.name}</bdi>
        </p>
      )}
      <div class="table-wrap">
        <table id="courses-report">
          <thead>
            <tr>
              <th>{t('courses')}</th>
              <th class="num">{t('startedCol')}</th>
              <th class="num">{t('enrolledCol')}</th>
              <th class="num">{t('completedCol')}</th>
              <th class="num">{t('passedCol')}</th>
              <th class="num">{t('failedCol')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {courses.map((c) => (
              <tr data-course={c.id}>
                <td>
                  <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}${withCohort(cohort)}`}>
                    <bdi>{c.title}</bdi>
                  </a>
                </td>
                <td class="num" data-col="started">
                  {c.figures.started}
                </td>
                <td class="num" data-col="enrolled">
                  {c.figures.enrolled}
                </td>
                <td class="num" data-col="completed">
                  {c.figures.completed}
                </td>
                <td class="num" data-col="passed">
                  {c.figures.passed}
                </td>
                <td class="num" data-col="failed">
                  {c.figures.failed}
                </td>
                <td>
                  <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}.csv${withCohort(cohort)}`}>
                    {t('downloadCsv')}
                  </a>
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

/**
 * The completion chart: trainees per progress band as horizontal bars in HTML, drawn on the server. Text
 * stays at the page's size on a 360 px phone, and the bars grow from the inline start (the right in Arabic).
 */
export function CompletionChart({ page, bands }: { page: AdminPage; bands: number[] }) {
  const t = tr(page);
  const max = Math.max(1, ...bands);
  return (
    <figure class="chart" aria-labelledby="chart-title">
      <figcaption id="chart-title">
        <strong>{t('chartTitle')}</strong>
      </figcaption>
      <ol class="bars">
        {bands.map((n, i) => (
          <li data-band={i}>
            <span class="band">
              <bdi dir="ltr">{BAND_LABELS[i]}</bdi>
            </span>
            <span class="track" aria-hidden="true">
              <span class={`bar b${i}`} style={`inline-size:${((100 * n) / max).toFixed(1)}%`}></span>
            </span>
            <span class="count">
              {n} <span class="muted">{t('traineesUnit')}</span>
            </span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

export function CourseReportPage({
  page,
  report,
  sort,
  cohorts,
  cohort,
  ratingNames,
  offset,
  limit,
}: {
  page: AdminPage;
  report: CourseReport;
  sort: ReportSort;
  cohorts: Cohort[];
  cohort: Cohort | null;
  /** The box's setting: trainees' names beside their ratings (default: hidden). */
  ratingNames: boolean;
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
      <CohortFilter page={page} action={base} cohorts={cohorts} cohort={cohort} hidden={{ sort }} />
      <p class="row-actions">
        <a class="button small" href={`${base}.csv${withCohort(cohort, { sort })}`} download>
          {t('downloadCsv')}
        </a>
        <span class="muted" id="report-figures">
          {t('startedOfEnrolled', {
            started: report.figures.started,
            enrolled: report.figures.enrolled,
            completed: report.figures.completed,
          })}{' '}
          · {t('passedFailed', { passed: report.figures.passed, failed: report.figures.failed })} ·{' '}
          {t('activities')}: {report.activities}
        </span>
      </p>
      <CompletionChart page={page} bands={report.bands} />
      <form method="get" action={base} class="toolbar">
        {cohort && <input type="hidden" name="cohort" value={cohort.id} />}
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
              <th>{t('result')}</th>
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
                <td>
                  <bdi>{l.displayName}</bdi>
                </td>
                <td>
                  <span class="bar">
                    <span style={`width:${l.percent}%`}></span>
                  </span>
                  {l.completed ? t('completed') : `${l.percent}%`}
                </td>
                <td data-col="result" data-result={l.result}>
                  {resultText(l.result, t) || '—'}
                </td>
                <td class="num">{pct(l.score)}</td>
                <td class="ltr">{when(page, l.lastActivityAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        page={page}
        base={base}
        params={{ sort, ...(cohort ? { cohort: cohort.id } : {}) }}
        offset={offset}
        limit={limit}
        total={report.lines.length}
      />
      <Ratings page={page} report={report} names={ratingNames} />
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
                <td>
                  <bdi>{a.title}</bdi>
                </td>
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

/** Ratings of the report's trainees: average, how many gave each mark, the comments with their date. */
function Ratings({ page, report, names }: { page: AdminPage; report: CourseReport; names: boolean }) {
  const t = tr(page);
  const f = report.figures;
  const { distribution, comments } = report.ratings;
  const max = Math.max(1, ...distribution);
  return (
    <section id="ratings">
      <h2>{t('ratingsTitle')}</h2>
      {f.ratings === 0 ? (
        <p class="muted">{t('noRatings')}</p>
      ) : (
        <>
          <p>
            {t('ratingSummary', {
              n: f.ratings,
              avg: (f.ratingAverage ?? 0).toLocaleString(page.lang, { maximumFractionDigits: 1 }),
            })}
          </p>
          <div class="table-wrap">
            <table id="rating-distribution">
              <tbody>
                {[5, 4, 3, 2, 1].map((n) => (
                  <tr data-stars={n}>
                    <th scope="row">{t('ratingStars', { n })}</th>
                    <td>
                      <span class="bar">
                        <span style={`width:${Math.round((distribution[n - 1]! / max) * 100)}%`}></span>
                      </span>
                    </td>
                    <td class="num">{distribution[n - 1]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h3>{t('comments')}</h3>
      {!names && <p class="muted">{t('ratingNamesHidden')}</p>}
      {comments.length === 0 ? (
        <p class="muted">{t('noComments')}</p>
      ) : (
        <ul class="comments" id="rating-comments">
          {comments.map((c) => (
            <li>
              <p class="muted">
                <span class="ltr">{when(page, c.ratedAt)}</span> · {t('ratingStars', { n: c.rating })} ·{' '}
                {names ? <bdi>{c.displayName || c.username}</bdi> : t('anonymousTrainee')}
              </p>
              <p dir="auto">{c.comment}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
