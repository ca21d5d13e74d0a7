import type { InstalledCourse } from '../content/content.service.js';
import type { Cohort } from '../people/cohorts.service.js';
import type { CsvPreview } from '../people/csv-import.js';
import type { Person } from '../people/people.types.js';
import type { AuditEntry } from '../records/audit.service.js';
import type { BackupFile } from '../records/backup.service.js';
import { Csrf } from '../web/layout.js';
import {
  AdminFrame,
  Pager,
  PostButton,
  bytes,
  duration,
  pct,
  tr,
  when,
  type AdminPage,
} from './admin.layout.js';
import type { AdminKey } from './admin.messages.js';
import type { Dashboard } from './dashboard.js';
import type { CourseReport, ReportSort } from './reports.service.js';
import type { XapiStatement } from '../contract/vocabulary.js';
import type { ProgressRow } from '../learning/learning.service.js';

type T = ReturnType<typeof tr>;
/** Keep a left-to-right value ("300 MB") in one piece inside right-to-left text (Unicode isolates). */
const isolate = (s: string) => `\u2066${s}\u2069`;
const genderLabel = (t: T, g: string | null) =>
  g === 'female' || g === 'male' || g === 'other' || g === 'undisclosed' ? t(g) : t('notGiven');

/** Enrol a trainee or a class in one of the installed courses. */
function EnrolForm({
  page,
  action,
  courses,
  label,
}: {
  page: AdminPage;
  action: string;
  courses: InstalledCourse[];
  label: string;
}) {
  return (
    <form method="post" action={action} class="toolbar">
      <Csrf page={page} />
      <label for="enrol-course" class="sr-only">
        {label}
      </label>
      <select id="enrol-course" name="courseId">
        {courses.map((c) => (
          <option value={c.id}>{c.title}</option>
        ))}
      </select>
      <button type="submit" class="small">
        {tr(page)('enrol')}
      </button>
    </form>
  );
}

// ---- sign-in and first run ------------------------------------------------------------------------

export function SignInPage({
  page,
  error,
  username,
}: {
  page: AdminPage;
  error?: AdminKey;
  username?: string;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('signInTitle')} nav={false}>
      {error && (
        <p class="error" role="alert">
          {t(error)}
        </p>
      )}
      <form method="post" action="/admin/signin" class="card">
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          required
          maxLength={64}
          value={username ?? ''}
        />
        <label for="password">{t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={200}
        />
        <p>
          <button type="submit">{t('signIn')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}

export function SetupPage({
  page,
  error,
  values,
}: {
  page: AdminPage;
  error?: string | undefined;
  values: { username?: string; displayName?: string };
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('setupTitle')} nav={false}>
      <p>{t('setupIntro')}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/admin/setup" class="card">
        <Csrf page={page} />
        <label for="code">{t('setupCode')}</label>
        <input
          id="code"
          name="code"
          type="text"
          autocomplete="off"
          autocapitalize="characters"
          required
          maxLength={40}
        />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          required
          maxLength={64}
          value={values.username ?? ''}
        />
        <label for="displayName">{t('displayName')}</label>
        <input
          id="displayName"
          name="displayName"
          type="text"
          maxLength={120}
          value={values.displayName ?? ''}
        />
        <label for="password">{t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={200}
        />
        <label for="password2">{t('password2')}</label>
        <input
          id="password2"
          name="password2"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={200}
        />
        <p>
          <button type="submit">{t('createAccount')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}

// ---- dashboard ------------------------------------------------------------------------------------

function Stat({ label, value, warn }: { label: string; value: string | number; warn?: boolean }) {
  return (
    <div class={warn ? 'stat warn' : 'stat'}>
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}

export function DashboardPage({ page, d, adminJs }: { page: AdminPage; d: Dashboard; adminJs: string }) {
  const t = tr(page);
  const h = d.health;
  const [before, after] = t('warnClock', { minutes: '\u0000' }).split('\u0000');
  const power = h.throttling
    ? h.throttling.underVoltageNow
      ? t('underVoltage')
      : h.throttling.throttledNow
        ? t('throttled')
        : h.throttling.underVoltageSinceBoot
          ? t('underVoltageBefore')
          : t('powerOk')
    : null;
  return (
    <AdminFrame page={page} title={t('dashboardTitle')}>
      {d.warnings.lowDisk && (
        <p class="warning" role="alert">
          {t('warnLowDisk', { free: isolate(bytes(h.diskFreeBytes)) })}
        </p>
      )}
      {d.warnings.hot && (
        <p class="warning" role="alert">
          {t('warnHot', { temp: Math.round(h.cpuTempC ?? 0) })}
        </p>
      )}
      {d.warnings.underVoltage && (
        <p class="warning" role="alert">
          {t('underVoltage')}
        </p>
      )}
      <div class="warning" id="clock-warning" hidden>
        <span>
          {before}
          <span id="clock-minutes">?</span>
          {after}
        </span>
        <form method="post" action="/admin/clock">
          <Csrf page={page} />
          <input type="hidden" name="browserTime" id="browser-time" value="" />
          <button type="submit" class="small">
            {t('setClock')}
          </button>
        </form>
      </div>
      <div class="stats">
        <Stat label={t('activeNow')} value={d.activeNow} />
        <Stat label={t('activeToday')} value={d.activeToday} />
        <Stat label={t('completionsWeek')} value={d.completionsThisWeek} />
        <Stat label={t('coursesInstalled')} value={d.courses} />
        <Stat label={t('trainees')} value={d.trainees} />
      </div>
      <div class="grid2">
        <section class="card">
          <h2>{t('navSync')}</h2>
          {d.sync ? (
            <dl class="facts">
              <dt>{t('lastExport')}</dt>
              <dd class="ltr">{d.sync.lastExportAt ? when(d.sync.lastExportAt) : t('never')}</dd>
              <dt>{t('pending')}</dt>
              <dd>{d.sync.pendingRows}</dd>
              <dt>{t('lastAck')}</dt>
              <dd class="ltr">{d.sync.lastAckAt ? when(d.sync.lastAckAt) : t('never')}</dd>
            </dl>
          ) : (
            <p class="muted">{t('syncUnavailable')}</p>
          )}
          <p>
            <a href="/admin/sync">{t('syncTitle')}</a>
          </p>
        </section>
        <section class="card">
          <h2>{t('health')}</h2>
          <dl class="facts">
            <dt>{t('cpuLoad')}</dt>
            <dd class="ltr">{h.cpuLoad === null ? t('unknown') : `${Math.round(h.cpuLoad * 100)}%`}</dd>
            <dt>{t('cpuTemp')}</dt>
            <dd class="ltr">{h.cpuTempC === null ? t('unknown') : `${Math.round(h.cpuTempC)} °C`}</dd>
            <dt>{t('memory')}</dt>
            <dd class="ltr">
              {h.memAvailableBytes === null
                ? t('unknown')
                : `${bytes(h.memAvailableBytes)} / ${bytes(h.memTotalBytes)}`}
            </dd>
            <dt>{t('diskFree')}</dt>
            <dd class="ltr">
              {h.diskFreeBytes === null
                ? t('unknown')
                : `${bytes(h.diskFreeBytes)} / ${bytes(h.diskTotalBytes)}`}
            </dd>
            <dt>{t('uptime')}</dt>
            <dd class="ltr">{duration(h.uptimeSeconds)}</dd>
            {power && (
              <>
                <dt>{t('throttling')}</dt>
                <dd>{power}</dd>
              </>
            )}
            <dt>{t('version')}</dt>
            <dd class="ltr">{d.version}</dd>
            <dt>{t('boxTime')}</dt>
            <dd class="ltr" data-box-time={d.boxTime}>
              {when(d.boxTime)}
            </dd>
          </dl>
        </section>
      </div>
      <script src={adminJs} defer></script>
    </AdminFrame>
  );
}

// ---- trainees -------------------------------------------------------------------------------------

export function TraineesPage({
  page,
  rows,
  total,
  query,
  inactive,
  offset,
  limit,
}: {
  page: AdminPage;
  rows: Person[];
  total: number;
  query: string;
  inactive: boolean;
  offset: number;
  limit: number;
}) {
  const t = tr(page);
  const params: Record<string, string> = { q: query, ...(inactive ? { inactive: '1' } : {}) };
  return (
    <AdminFrame page={page} title={t('traineesTitle')}>
      <div class="toolbar">
        <form method="get" action="/admin/trainees" role="search">
          <label>
            <span class="sr-only">{t('search')}</span>
            <input type="search" name="q" value={query} placeholder={t('searchHint')} maxLength={100} />
          </label>
          <label class="muted">
            <input type="checkbox" name="inactive" value="1" checked={inactive} /> {t('showInactive')}
          </label>
          <button type="submit" class="secondary small">
            {t('search')}
          </button>
        </form>
        <a class="button small" href="/admin/trainees/new">
          {t('addTrainee')}
        </a>
        <a class="button small secondary" href="/admin/trainees/import">
          {t('importCsv')}
        </a>
        <a class="button small secondary" href="/admin/trainees.csv">
          {t('exportCsv')}
        </a>
      </div>
      <p class="muted">{t('results', { n: total })}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('username')}</th>
              <th>{t('name')}</th>
              <th>{t('externalId')}</th>
              <th>{t('agency')}</th>
              <th>{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr>
                <td>
                  <a href={`/admin/trainees/${p.id}`}>{p.username}</a>
                </td>
                <td>{p.displayName}</td>
                <td>{p.externalId ?? ''}</td>
                <td>{p.agency ?? ''}</td>
                <td>{p.active ? t('active') : t('inactive')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} base="/admin/trainees" params={params} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}

function PersonFields({ page, p }: { page: AdminPage; p?: Partial<Person> }) {
  const t = tr(page);
  return (
    <>
      <label for="displayName">{t('name')}</label>
      <input id="displayName" name="displayName" type="text" maxLength={120} value={p?.displayName ?? ''} />
      <label for="externalId">{t('externalId')}</label>
      <input id="externalId" name="externalId" type="text" maxLength={64} value={p?.externalId ?? ''} />
      <label for="agency">{t('agency')}</label>
      <input id="agency" name="agency" type="text" maxLength={120} value={p?.agency ?? ''} />
      <label for="gender">{t('gender')}</label>
      <select id="gender" name="gender">
        <option value="">{t('notGiven')}</option>
        {(['female', 'male', 'other', 'undisclosed'] as const).map((g) => (
          <option value={g} selected={p?.gender === g}>
            {t(g)}
          </option>
        ))}
      </select>
      <label for="language">{t('language')}</label>
      <select id="language" name="language">
        <option value="">{t('notGiven')}</option>
        {page.languages.map((l) => (
          <option value={l} selected={p?.language === l}>
            {l}
          </option>
        ))}
      </select>
    </>
  );
}

export function NewTraineePage({
  page,
  values,
}: {
  page: AdminPage;
  values: Partial<Person> & { username?: string };
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('addTrainee')}>
      <form method="post" action="/admin/trainees" class="card">
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          required
          maxLength={64}
          autocapitalize="none"
          value={values.username ?? ''}
        />
        <label for="pin">{t('pin')}</label>
        <input
          id="pin"
          name="pin"
          type="password"
          inputMode="numeric"
          required
          pattern="[0-9]{4,8}"
          maxLength={8}
        />
        <p class="muted hint">{t('pinHint')}</p>
        <PersonFields page={page} p={values} />
        <p>
          <button type="submit">{t('add')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}

export function TraineePage({
  page,
  person,
  cohorts,
  enrolments,
  courses,
}: {
  page: AdminPage;
  person: Person;
  cohorts: { id: string; name: string }[];
  enrolments: { courseId: string; cohortId: string | null }[];
  courses: InstalledCourse[];
}) {
  const t = tr(page);
  const base = `/admin/trainees/${person.id}`;
  return (
    <AdminFrame page={page} title={`${person.displayName} (${person.username})`}>
      <p class="row-actions">
        <a class="button small secondary" href={`${base}/history`}>
          {t('history')}
        </a>
        {person.active ? (
          <PostButton page={page} action={`${base}/deactivate`} label={t('deactivate')} kind="danger" />
        ) : (
          <PostButton page={page} action={`${base}/reactivate`} label={t('reactivate')} />
        )}
      </p>
      <div class="grid2">
        <form method="post" action={base} class="card">
          <h2>{t('edit')}</h2>
          <Csrf page={page} />
          <PersonFields page={page} p={person} />
          <p>
            <button type="submit">{t('save')}</button>
          </p>
        </form>
        <div>
          <form method="post" action={`${base}/pin`} class="card">
            <h2>{t('resetPin')}</h2>
            <Csrf page={page} />
            <label for="newpin">{t('newPin')}</label>
            <input
              id="newpin"
              name="pin"
              type="password"
              inputMode="numeric"
              required
              pattern="[0-9]{4,8}"
              maxLength={8}
            />
            <p class="muted hint">{t('pinHint')}</p>
            <p>
              <button type="submit">{t('resetPin')}</button>
            </p>
          </form>
          <section class="card">
            <h2>{t('enrolments')}</h2>
            <ul>
              {enrolments.map((e) => (
                <li>{courses.find((c) => c.id === e.courseId)?.title ?? e.courseId}</li>
              ))}
            </ul>
            <EnrolForm page={page} action={`${base}/enrol`} courses={courses} label={t('enrolTrainee')} />
            <h2>{t('cohortsOf')}</h2>
            <ul>
              {cohorts.map((c) => (
                <li>
                  <a href={`/admin/cohorts/${c.id}`}>{c.name}</a>
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </AdminFrame>
  );
}

export function ImportPage({
  page,
  cohorts,
  preview,
  token,
  cohortId,
  fileName,
}: {
  page: AdminPage;
  cohorts: Cohort[];
  preview?: CsvPreview;
  token?: string;
  cohortId?: string;
  fileName?: string;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={preview ? t('previewTitle') : t('importTitle')}>
      {!preview && <p>{t('importIntro')}</p>}
      {preview && (
        <>
          {fileName && <p class="muted">{fileName}</p>}
          {preview.fileErrors.map((e) => (
            <p class="error" role="alert">
              {e}
            </p>
          ))}
          {preview.rows.length > 0 &&
            (preview.invalid ? (
              <p class="error" role="alert">
                {t('previewBad', { bad: preview.invalid, n: preview.rows.length })}
              </p>
            ) : (
              <p class="notice" role="status">
                {t('previewOk', { n: preview.valid })}
              </p>
            ))}
          {token && !preview.invalid && !preview.fileErrors.length && (
            <form method="post" action="/admin/trainees/import/confirm" class="card">
              <Csrf page={page} />
              <input type="hidden" name="token" value={token} />
              <input type="hidden" name="cohortId" value={cohortId ?? ''} />
              <button type="submit">{t('importNow', { n: preview.valid })}</button>
            </form>
          )}
          {preview.rows.length > 0 && (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th class="num">{t('line')}</th>
                    <th>{t('username')}</th>
                    <th>{t('problems')}</th>
                    <th>{t('name')}</th>
                    <th>{t('externalId')}</th>
                    <th>{t('agency')}</th>
                    <th>{t('gender')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r) => (
                    <tr class={r.errors.length ? 'bad' : undefined} data-line={r.line}>
                      <td class="num">{r.line}</td>
                      <td>{r.username}</td>
                      <td>
                        {r.errors.length > 0 && (
                          <ul class="errors">
                            {r.problems.map((e) => (
                              <li dir="auto">{t(`csv_${e.code}`, e.values)}</li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td>{r.displayName}</td>
                      <td>{r.externalId ?? ''}</td>
                      <td>{r.agency ?? ''}</td>
                      <td>{genderLabel(t, r.gender)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <form
        method="post"
        action={`/admin/trainees/import?_csrf=${encodeURIComponent(page.csrf)}`}
        enctype="multipart/form-data"
        class="card"
      >
        <label for="file">{t('csvFile')}</label>
        <input id="file" name="file" type="file" accept=".csv,text/csv" required />
        <label for="cohortId">{t('intoCohort')}</label>
        <select id="cohortId" name="cohortId">
          <option value="">{t('noCohort')}</option>
          {cohorts.map((c) => (
            <option value={c.id} selected={c.id === cohortId}>
              {c.name}
            </option>
          ))}
        </select>
        <p>
          <button type="submit">{t('check')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}

const VERB_OF = (s: XapiStatement) => s.verb.display['en-US'] ?? s.verb.id.split('/').pop() ?? '';

export function HistoryPage({
  page,
  h,
}: {
  page: AdminPage;
  h: {
    person: Person;
    courses: {
      courseId: string;
      title: string;
      percent: number;
      completed: boolean;
      lastActivityAt: string | null;
      titles: Map<string, string>;
    }[];
    rows: ProgressRow[];
    statements: XapiStatement[];
  };
}) {
  const t = tr(page);
  const titleOf = (courseId: string, activityId: string) => {
    const c = h.courses.find((x) => x.courseId === courseId);
    return activityId === '' ? (c?.title ?? courseId) : (c?.titles.get(activityId) ?? activityId);
  };
  return (
    <AdminFrame page={page} title={t('historyTitle', { name: h.person.displayName })}>
      <p class="row-actions">
        <a class="button small secondary" href={`/admin/trainees/${h.person.id}`}>
          {h.person.username}
        </a>
        <a class="button small" href={`/admin/trainees/${h.person.id}/history.csv`}>
          {t('downloadCsv')}
        </a>
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('courses')}</th>
              <th>{t('progress')}</th>
              <th>{t('lastActivity')}</th>
            </tr>
          </thead>
          <tbody>
            {h.courses.map((c) => (
              <tr>
                <td>{c.title}</td>
                <td>
                  <span class="bar">
                    <span style={`width:${c.percent}%`}></span>
                  </span>
                  {c.completed ? t('completed') : `${c.percent}%`}
                </td>
                <td class="ltr">{when(c.lastActivityAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t('activities')}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('activity')}</th>
              <th>{t('status')}</th>
              <th class="num">{t('score')}</th>
              <th>{t('lastActivity')}</th>
            </tr>
          </thead>
          <tbody>
            {h.rows
              .filter((r) => r.activity_id !== '')
              .map((r) => (
                <tr>
                  <td>{titleOf(r.course_id, r.activity_id)}</td>
                  <td>{r.status}</td>
                  <td class="num">{pct(r.best_score)}</td>
                  <td class="ltr">{when(r.updated_at)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <h2>{t('history')}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('when')}</th>
              <th>{t('what')}</th>
              <th>{t('activity')}</th>
              <th>{t('result')}</th>
            </tr>
          </thead>
          <tbody>
            {[...h.statements].reverse().map((s) => (
              <tr>
                <td class="ltr">{when(s.timestamp)}</td>
                <td>{VERB_OF(s)}</td>
                <td>{Object.values(s.object.definition?.name ?? {})[0] ?? s.object.id}</td>
                <td>{s.result?.score?.scaled !== undefined ? pct(s.result.score.scaled) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

// ---- cohorts --------------------------------------------------------------------------------------

export function CohortsPage({ page, cohorts }: { page: AdminPage; cohorts: Cohort[] }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('cohortsTitle')}>
      <form method="post" action="/admin/cohorts" class="toolbar">
        <Csrf page={page} />
        <label for="name">{t('newCohort')}</label>
        <input id="name" name="name" type="text" required maxLength={120} style="width:auto" />
        <button type="submit" class="small">
          {t('create')}
        </button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('name')}</th>
              <th class="num">{t('members')}</th>
              <th>{t('courses')}</th>
              <th>{t('classCode')}</th>
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr>
                <td>
                  <a href={`/admin/cohorts/${c.id}`}>{c.name}</a>
                </td>
                <td class="num">{c.members}</td>
                <td>{c.courses.join(', ')}</td>
                <td class="ltr">{c.classCode ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cohorts.length === 0 && <p class="muted">{t('none')}</p>}
    </AdminFrame>
  );
}

export function CohortPage({
  page,
  cohort,
  members,
  courses,
}: {
  page: AdminPage;
  cohort: Cohort;
  members: { id: string; username: string; displayName: string; active: boolean }[];
  courses: InstalledCourse[];
}) {
  const t = tr(page);
  const base = `/admin/cohorts/${cohort.id}`;
  return (
    <AdminFrame page={page} title={cohort.name}>
      <div class="grid2">
        <section class="card">
          <h2>{t('classCode')}</h2>
          <p class="muted">{t('classCodeHint')}</p>
          {cohort.classCode && (
            <p>
              <code class="code ltr" id="class-code">
                {cohort.classCode}
              </code>
            </p>
          )}
          <form method="post" action={`${base}/code`} class="toolbar">
            <Csrf page={page} />
            <input
              name="code"
              type="text"
              maxLength={32}
              value={cohort.classCode ?? ''}
              style="width:auto"
              aria-label={t('classCode')}
            />
            <button type="submit" class="small">
              {t('setCode')}
            </button>
          </form>
          <p class="row-actions">
            <PostButton
              page={page}
              action={`${base}/code`}
              fields={{ generate: '1' }}
              label={t('newCode')}
              kind="secondary"
            />
            {cohort.classCode && (
              <PostButton
                page={page}
                action={`${base}/code`}
                fields={{ code: '' }}
                label={t('clearCode')}
                kind="secondary"
              />
            )}
          </p>
        </section>
        <section class="card">
          <h2>{t('courses')}</h2>
          <ul>
            {cohort.courses.map((id) => (
              <li>{courses.find((c) => c.id === id)?.title ?? id}</li>
            ))}
          </ul>
          <EnrolForm page={page} action={`${base}/enrol`} courses={courses} label={t('enrolIn')} />
        </section>
      </div>
      <form method="post" action={`${base}/members`} class="card">
        <Csrf page={page} />
        <label for="usernames">{t('addMembers')}</label>
        <textarea id="usernames" name="usernames" rows={3} maxLength={60000}></textarea>
        <p class="muted hint">{t('addMembersHint')}</p>
        <button type="submit" class="small">
          {t('add')}
        </button>
      </form>
      <h2>
        {t('members')} ({cohort.members})
      </h2>
      <div class="table-wrap">
        <table>
          <tbody>
            {members.map((m) => (
              <tr>
                <td>
                  <a href={`/admin/trainees/${m.id}`}>{m.username}</a>
                </td>
                <td>{m.displayName}</td>
                <td>
                  <PostButton
                    page={page}
                    action={`${base}/members/remove`}
                    fields={{ personId: m.id }}
                    label={t('remove')}
                    kind="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

// ---- courses --------------------------------------------------------------------------------------

export function CoursesPage({
  page,
  courses,
  usb,
  usbRoots,
}: {
  page: AdminPage;
  courses: InstalledCourse[];
  usb: { path: string; name: string }[];
  usbRoots: readonly string[];
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('coursesTitle')}>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('title')}</th>
              <th>{t('version')}</th>
              <th>{t('languages')}</th>
              <th class="num">{t('activities')}</th>
              <th>{t('status')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {courses.map((c) => (
              <tr>
                <td>
                  <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}`}>{c.title}</a>
                  <div class="muted ltr">{c.id}</div>
                </td>
                <td class="ltr">{c.version}</td>
                <td>{c.languages.join(', ')}</td>
                <td class="num">{c.activities}</td>
                <td>{c.active ? t('active') : t('disabled')}</td>
                <td>
                  <PostButton
                    page={page}
                    action={`/admin/courses/${encodeURIComponent(c.id)}/active`}
                    fields={{ active: c.active ? '0' : '1' }}
                    label={c.active ? t('disable') : t('enable')}
                    kind="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="grid2">
        <form
          method="post"
          action={`/admin/courses/upload?_csrf=${encodeURIComponent(page.csrf)}`}
          enctype="multipart/form-data"
          class="card"
        >
          <h2>{t('uploadCourse')}</h2>
          <p class="muted">{t('uploadHint')}</p>
          <input id="course-file" name="file" type="file" required aria-label={t('uploadCourse')} />
          <p>
            <button type="submit">{t('upload')}</button>
          </p>
        </form>
        <section class="card">
          <h2>{t('usbTitle')}</h2>
          {usb.length === 0 ? (
            <p class="muted">{t('usbNone', { roots: usbRoots.join(', ') })}</p>
          ) : (
            <ul class="plain">
              {usb.map((u) => (
                <li class="row-actions">
                  <span class="ltr">{u.name}</span>
                  <PostButton
                    page={page}
                    action="/admin/courses/usb"
                    fields={{ path: u.path }}
                    label={t('install')}
                  />
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </AdminFrame>
  );
}

// ---- reports --------------------------------------------------------------------------------------

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

// ---- sync, schedule, backups, audit, coordinators -------------------------------------------------

export interface BundleView {
  seq: number;
  file: string;
  name: string;
  state: string;
  rows: number;
  bytes: number;
  createdAt: string;
  present: boolean;
}

export function SyncPage({
  page,
  available,
  bundles,
  pendingRows,
  uploadConfigured,
  sticks,
}: {
  page: AdminPage;
  available: boolean;
  bundles: BundleView[];
  pendingRows: number;
  uploadConfigured: boolean;
  sticks: string[];
}) {
  const t = tr(page);
  if (!available)
    return (
      <AdminFrame page={page} title={t('syncTitle')}>
        <p class="muted">{t('syncUnavailable')}</p>
      </AdminFrame>
    );
  return (
    <AdminFrame page={page} title={t('syncTitle')}>
      <p>
        {t('pending')}: <strong>{pendingRows}</strong>
      </p>
      <p class="row-actions">
        <PostButton page={page} action="/admin/sync/export" label={t('exportNow')} />
        {sticks.length > 0 && (
          <PostButton page={page} action="/admin/sync/usb" label={t('copyUsb')} kind="secondary" />
        )}
        {uploadConfigured && (
          <PostButton page={page} action="/admin/sync/upload" label={t('uploadNow')} kind="secondary" />
        )}
      </p>
      <h2>{t('bundles')}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th class="num">{t('bundle')}</th>
              <th>{t('state')}</th>
              <th class="num">{t('records')}</th>
              <th class="num">{t('size')}</th>
              <th>{t('created')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {bundles.map((b) => (
              <tr>
                <td class="num">{b.seq}</td>
                <td>{b.state}</td>
                <td class="num">{b.rows}</td>
                <td class="num ltr">{bytes(b.bytes)}</td>
                <td class="ltr">{when(b.createdAt)}</td>
                <td>{b.present && <a href={`/admin/sync/bundles/${b.seq}`}>{t('download')}</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bundles.length === 0 && <p class="muted">{t('none')}</p>}
    </AdminFrame>
  );
}

export interface JobView {
  name: string;
  description: string;
  schedule: string;
  running: boolean;
  lastRun?:
    | { started_at: string; outcome: string | null; message: string | null; duration_ms: number | null }
    | undefined;
}

export function SchedulePage({
  page,
  jobs,
  available,
}: {
  page: AdminPage;
  jobs: JobView[];
  available: boolean;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('scheduleTitle')}>
      {!available && <p class="muted">{t('scheduleUnavailable')}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('job')}</th>
              <th>{t('schedule')}</th>
              <th>{t('lastRun')}</th>
              <th>{t('outcome')}</th>
              <th class="num">{t('duration')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr data-job={j.name}>
                <td>
                  <strong class="ltr">{j.name}</strong>
                  <div class="muted">{j.description}</div>
                </td>
                <td>
                  <form method="post" action={`/admin/schedule/${j.name}`} class="row-actions">
                    <Csrf page={page} />
                    <input
                      name="schedule"
                      value={j.schedule}
                      class="ltr"
                      style="width:9rem"
                      aria-label={`${t('schedule')} ${j.name}`}
                      maxLength={100}
                    />
                    <button type="submit" class="small secondary">
                      {t('save')}
                    </button>
                  </form>
                </td>
                <td class="ltr">{when(j.lastRun?.started_at)}</td>
                <td>
                  {j.running ? '…' : (j.lastRun?.outcome ?? '')}
                  {j.lastRun?.message && <div class="muted">{j.lastRun.message.slice(0, 200)}</div>}
                </td>
                <td class="num">
                  {j.lastRun?.duration_ms !== undefined && j.lastRun.duration_ms !== null
                    ? `${j.lastRun.duration_ms} ms`
                    : ''}
                </td>
                <td>
                  {available && (
                    <PostButton page={page} action={`/admin/schedule/${j.name}/run`} label={t('runNow')} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

export function BackupsPage({ page, backups }: { page: AdminPage; backups: BackupFile[] }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('backupsTitle')}>
      <p class="row-actions">
        <PostButton page={page} action="/admin/backups" label={t('backupNow')} />
      </p>
      <p class="muted">{t('backupHint')}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('name')}</th>
              <th class="num">{t('size')}</th>
              <th>{t('created')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <tr>
                <td class="ltr">{b.name}</td>
                <td class="num ltr">{bytes(b.bytes)}</td>
                <td class="ltr">{when(b.createdAt)}</td>
                <td>
                  <PostButton
                    page={page}
                    action="/admin/backups/download"
                    fields={{ name: b.name }}
                    label={t('download')}
                    kind="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

export function AuditPage({
  page,
  rows,
  total,
  offset,
  limit,
}: {
  page: AdminPage;
  rows: AuditEntry[];
  total: number;
  offset: number;
  limit: number;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('auditTitle')}>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('when')}</th>
              <th>{t('who')}</th>
              <th>{t('what')}</th>
              <th>{t('target')}</th>
              <th>{t('details')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr>
                <td class="ltr">{when(a.at)}</td>
                <td>{a.actor ?? ''}</td>
                <td class="ltr">{a.action}</td>
                <td>{a.target ?? ''}</td>
                <td class="ltr">{a.details ? JSON.stringify(a.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} base="/admin/audit" params={{}} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}

export function CoordinatorsPage({ page, rows }: { page: AdminPage; rows: Person[] }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('coordinatorsTitle')}>
      <div class="table-wrap">
        <table>
          <tbody>
            {rows.map((p) => (
              <tr>
                <td>{p.username}</td>
                <td>{p.displayName}</td>
                <td class="ltr">{when(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="post" action="/admin/coordinators" class="card">
        <h2>{t('addCoordinator')}</h2>
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input id="username" name="username" type="text" required maxLength={64} autocapitalize="none" />
        <label for="displayName">{t('displayName')}</label>
        <input id="displayName" name="displayName" type="text" maxLength={120} />
        <label for="password">{t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={200}
        />
        <p>
          <button type="submit">{t('add')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}
