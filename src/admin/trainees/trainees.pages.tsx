import type { ActivityType } from '../../content/content.types.js';
import type { InstalledCourse } from '../../content/content.service.js';
import type { Cohort } from '../../people/cohorts.service.js';
import type { CsvPreview } from '../../people/csv-import.js';
import type { Person } from '../../people/people.types.js';
import { languageNameIn } from '../../web/i18n.js';
import { Csrf } from '../../web/layout.js';
import { AdminFrame, Pager, PostButton, pct, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { EXT, type XapiStatement } from '../../contract/vocabulary.js';
import type { ProgressRow } from '../../learning/learning.service.js';
import { DataTable } from '../kit/table.js';
import { Field, OperationField, valueOf, type FormState } from '../kit/form.js';
import { EnrolForm, UsernameField, genderLabel, verbLabel, vocab } from '../kit/widgets.js';

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
      <DataTable
        rows={rows}
        columns={[
          { label: t('username'), cell: (p) => <a href={`/admin/trainees/${p.id}`}>{p.username}</a> },
          { label: t('name'), cell: (p) => p.displayName },
          { label: t('externalId'), cell: (p) => p.externalId ?? '' },
          { label: t('agency'), cell: (p) => p.agency ?? '' },
          { label: t('status'), cell: (p) => (p.active ? t('active') : t('inactive')) },
        ]}
      />
      <Pager page={page} base="/admin/trainees" params={params} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}

/** A PIN field (new trainee, PIN reset): digits only, never shown again. */
function PinField({
  page,
  form,
  id,
  label,
}: {
  page: AdminPage;
  form?: FormState | undefined;
  id: string;
  label: string;
}) {
  const t = tr(page);
  return (
    <Field page={page} form={form} name="pin" id={id} label={label} hint={t('pinHint')}>
      {(a) => (
        <input
          {...a}
          name="pin"
          type="password"
          inputMode="numeric"
          required
          pattern="[0-9]{4,8}"
          maxLength={8}
        />
      )}
    </Field>
  );
}

/** A trainee's details: what was typed when the form comes back refused, else what is stored. */
function PersonFields({
  page,
  form,
  p,
}: {
  page: AdminPage;
  form?: FormState | undefined;
  p?: Partial<Person>;
}) {
  const t = tr(page);
  const f = { page, form };
  const gender = valueOf(form, 'gender', p?.gender);
  const language = valueOf(form, 'language', p?.language);
  return (
    <>
      <Field {...f} name="displayName" label={t('name')}>
        {(a) => (
          <input
            {...a}
            name="displayName"
            type="text"
            maxLength={120}
            value={valueOf(form, 'displayName', p?.displayName)}
          />
        )}
      </Field>
      <Field {...f} name="externalId" label={t('externalId')}>
        {(a) => (
          <input
            {...a}
            name="externalId"
            type="text"
            maxLength={64}
            value={valueOf(form, 'externalId', p?.externalId)}
          />
        )}
      </Field>
      <Field {...f} name="agency" label={t('agency')}>
        {(a) => (
          <input
            {...a}
            name="agency"
            type="text"
            maxLength={120}
            value={valueOf(form, 'agency', p?.agency)}
          />
        )}
      </Field>
      <Field {...f} name="gender" label={t('gender')}>
        {(a) => (
          <select {...a} name="gender">
            <option value="">{t('notGiven')}</option>
            {(['female', 'male', 'other', 'undisclosed'] as const).map((g) => (
              <option value={g} selected={gender === g}>
                {t(g)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field {...f} name="language" label={t('language')}>
        {(a) => (
          <select {...a} name="language">
            <option value="">{t('notGiven')}</option>
            {page.languages.map((l) => (
              <option value={l} selected={language === l}>
                {languageNameIn(page.lang, l)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}

export function NewTraineePage({ page, form }: { page: AdminPage; form?: FormState | undefined }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('addTrainee')}>
      <form method="post" action="/admin/trainees" class="card">
        <Csrf page={page} />
        <OperationField form={form} />
        <UsernameField page={page} form={form} />
        <PinField page={page} form={form} id="pin" label={t('pin')} />
        <PersonFields page={page} form={form} />
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
  form,
  formOf,
}: {
  page: AdminPage;
  person: Person;
  cohorts: { id: string; name: string }[];
  enrolments: { courseId: string; cohortId: string | null }[];
  courses: InstalledCourse[];
  /** A refused form coming back, and which one ('edit' or 'pin'). */
  form?: FormState | undefined;
  formOf?: 'edit' | 'pin' | undefined;
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
          <OperationField form={formOf === 'edit' ? form : undefined} />
          <PersonFields page={page} p={person} form={formOf === 'edit' ? form : undefined} />
          <p>
            <button type="submit">{t('save')}</button>
          </p>
        </form>
        <div>
          <form method="post" action={`${base}/pin`} class="card">
            <h2>{t('resetPin')}</h2>
            <Csrf page={page} />
            <OperationField form={formOf === 'pin' ? form : undefined} />
            <PinField
              page={page}
              form={formOf === 'pin' ? form : undefined}
              id="newpin"
              label={t('newPin')}
            />
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
          {preview.fileProblems.map((e) => (
            <p class="error" role="alert">
              {t(
                e.code === 'notCsv' && e.values['line'] ? 'csvFile_notCsvAt' : `csvFile_${e.code}`,
                e.values,
              )}
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
              <OperationField />
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

export function HistoryPage({
  page,
  h,
  types,
}: {
  page: AdminPage;
  /** Each activity's type by `<course>/<activity>` (a quiz gets "another attempt", a SCO a reset). */
  types: ReadonlyMap<string, ActivityType>;
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
                <td class="ltr">{when(page, c.lastActivityAt)}</td>
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
              <th>{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {h.rows
              .filter((r) => r.activity_id !== '')
              .map((r) => {
                const type = types.get(`${r.course_id}/${r.activity_id}`);
                // Each button carries its own operation id (PostButton): a double click on it applies once.
                const fields = { courseId: r.course_id, activityId: r.activity_id };
                return (
                  <tr data-activity={r.activity_id}>
                    <td>
                      <bdi>{titleOf(r.course_id, r.activity_id)}</bdi>
                    </td>
                    <td>{vocab(page, 'status', r.status)}</td>
                    <td class="num">{pct(r.best_score)}</td>
                    <td class="ltr">{when(page, r.updated_at)}</td>
                    <td>
                      {type === 'quiz' && (
                        <PostButton
                          page={page}
                          action={`/admin/trainees/${h.person.id}/attempts`}
                          fields={fields}
                          label={t('giveAttempt')}
                          kind="secondary"
                        />
                      )}
                      {type === 'sco' && (
                        <PostButton
                          page={page}
                          action={`/admin/trainees/${h.person.id}/scorm-reset`}
                          fields={fields}
                          label={t('resetScorm')}
                          kind="secondary"
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
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
                <td class="ltr">{when(page, s.timestamp)}</td>
                <td>{verbLabel(page, s.verb.id)}</td>
                <td>
                  <StatementActivity page={page} s={s} courses={h.courses} titleOf={titleOf} />
                </td>
                <td>{s.result?.score?.scaled !== undefined ? pct(s.result.score.scaled) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

/**
 * What a history row was about, in the reader's language: the activity's title from the installed course
 * (the course's title under it, so that two "Final quiz" rows of two courses differ), else the statement's
 * own name in the reader's language, else its first name, else its IRI.
 */
function StatementActivity({
  page,
  s,
  courses,
  titleOf,
}: {
  page: AdminPage;
  s: XapiStatement;
  courses: { courseId: string; title: string }[];
  titleOf: (courseId: string, activityId: string) => string;
}) {
  const ext = s.context?.extensions ?? {};
  const courseId = typeof ext[EXT.courseId] === 'string' ? (ext[EXT.courseId] as string) : undefined;
  const activityId = typeof ext[EXT.activityId] === 'string' ? (ext[EXT.activityId] as string) : '';
  const course = courseId ? courses.find((c) => c.courseId === courseId) : undefined;
  if (course)
    return (
      <>
        <bdi>{titleOf(course.courseId, activityId)}</bdi>
        {activityId !== '' && (
          <div class="muted">
            <bdi>{course.title}</bdi>
          </div>
        )}
      </>
    );
  const names = s.object.definition?.name ?? {};
  const own = Object.entries(names).find(([tag]) => tag.split('-')[0] === page.lang)?.[1];
  return <bdi>{own ?? Object.values(names)[0] ?? s.object.id}</bdi>;
}
