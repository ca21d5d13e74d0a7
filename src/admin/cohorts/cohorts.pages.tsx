import type { CourseFigures } from '../../contract/outcomes.js';
import type { CourseReportLine } from '../reports.service.js';
import type { InstalledCourse } from '../../content/content.service.js';
import type { Cohort } from '../../people/cohorts.service.js';
import { Csrf } from '../../web/layout.js';
import { AdminFrame, PostButton, tr, type AdminPage } from '../kit/admin.layout.js';
import { EnrolForm } from '../kit/widgets.js';
import { DataTable } from '../kit/table.js';
import { Field, FieldIssues, OperationField, invalidAttrs, valueOf, type FormState } from '../kit/form.js';

export function CohortsPage({
  page,
  cohorts,
  titles,
  form,
}: {
  page: AdminPage;
  cohorts: Cohort[];
  /** Course titles in the reader's language, by course id. */
  titles: ReadonlyMap<string, string>;
  form?: FormState | undefined;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('cohortsTitle')}>
      <form method="post" action="/admin/cohorts" class="toolbar">
        <Csrf page={page} />
        {/* A double submit creates the class once and both answers open it. */}
        <OperationField form={form} />
        <label for="name">{t('newCohort')}</label>
        <input
          id="name"
          name="name"
          type="text"
          required
          maxLength={120}
          style="width:auto"
          value={valueOf(form, 'name')}
          {...invalidAttrs(page, form, 'name')}
        />
        <button type="submit" class="small">
          {t('create')}
        </button>
      </form>
      <FieldIssues page={page} form={form} name="name" />
      <DataTable
        rows={cohorts}
        columns={[
          { label: t('name'), cell: (c) => <a href={`/admin/cohorts/${c.id}`}>{c.name}</a> },
          { label: t('members'), cell: (c) => c.members, kind: 'num' },
          {
            label: t('courses'),
            cell: (c) => c.courses.map((id) => titles.get(id) ?? id).join(page.lang === 'ar' ? '، ' : ', '),
          },
          { label: t('classCode'), cell: (c) => c.classCode ?? '', kind: 'ltr' },
        ]}
      />
      {cohorts.length === 0 && <p class="muted">{t('none')}</p>}
    </AdminFrame>
  );
}

/** One of a class's courses, reported for its members (reports.service, the outcomes module). */
export interface ClassProgress {
  courseId: string;
  title: string;
  figures: CourseFigures;
  lines: ReadonlyMap<string, CourseReportLine>;
}

export function CohortPage({
  page,
  cohort,
  members,
  courses,
  progress,
  form,
  formOf,
}: {
  page: AdminPage;
  cohort: Cohort;
  members: { id: string; username: string; displayName: string; active: boolean }[];
  courses: InstalledCourse[];
  progress: ClassProgress[];
  /** A refused form coming back, and which one: the class code or the members to add. */
  form?: FormState | undefined;
  formOf?: 'code' | 'members' | undefined;
}) {
  const t = tr(page);
  const codeForm = formOf === 'code' ? form : undefined;
  const membersForm = formOf === 'members' ? form : undefined;
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
            <OperationField form={codeForm} />
            <input
              name="code"
              type="text"
              maxLength={32}
              value={valueOf(codeForm, 'code', cohort.classCode)}
              style="width:auto"
              aria-label={t('classCode')}
              {...invalidAttrs(page, codeForm, 'code')}
            />
            <button type="submit" class="small">
              {t('setCode')}
            </button>
          </form>
          <FieldIssues page={page} form={codeForm} name="code" />
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
        <OperationField form={membersForm} />
        <Field
          page={page}
          form={membersForm}
          name="usernames"
          label={t('addMembers')}
          hint={t('addMembersHint')}
        >
          {(a) => (
            <textarea {...a} name="usernames" rows={3} maxLength={60000}>
              {valueOf(membersForm, 'usernames')}
            </textarea>
          )}
        </Field>
        <button type="submit" class="small">
          {t('add')}
        </button>
      </form>
      <h2>
        {t('members')} ({cohort.members})
      </h2>
      {progress.length === 0 && <p class="muted">{t('classProgressNone')}</p>}
      {progress.map((p) => (
        <p class="muted" data-course={p.courseId}>
          <a
            href={`/admin/reports/courses/${encodeURIComponent(p.courseId)}?cohort=${encodeURIComponent(cohort.id)}`}
          >
            <bdi>{p.title}</bdi>
          </a>
          {' · '}
          {t('startedOfEnrolled', {
            started: p.figures.started,
            enrolled: p.figures.enrolled,
            completed: p.figures.completed,
          })}
        </p>
      ))}
      <div class="table-wrap">
        <table id="class-progress">
          {progress.length > 0 && (
            <thead>
              <tr>
                <th>{t('username')}</th>
                <th>{t('name')}</th>
                {progress.map((p) => (
                  <th>
                    <bdi>{p.title}</bdi>
                  </th>
                ))}
                <th></th>
              </tr>
            </thead>
          )}
          <tbody>
            {members.map((m) => (
              <tr data-username={m.username}>
                <td>
                  <a href={`/admin/trainees/${m.id}`}>{m.username}</a>
                </td>
                <td>
                  <bdi>{m.displayName}</bdi>
                </td>
                {progress.map((p) => {
                  const l = p.lines.get(m.id);
                  return (
                    <td data-course={p.courseId}>
                      {!l || !l.started ? (
                        <span class="muted">{t('notStartedYet')}</span>
                      ) : (
                        <>
                          <span class="bar">
                            <span style={`width:${l.percent}%`}></span>
                          </span>
                          {l.completed ? t('completed') : `${l.percent}%`}
                        </>
                      )}
                    </td>
                  );
                })}
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
