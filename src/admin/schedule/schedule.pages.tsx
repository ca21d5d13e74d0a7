import { TimeZoneField, vocab } from '../kit/widgets.js';
import { valueOf, type FormState } from '../kit/form.js';
import { Csrf } from '../../web/layout.js';
import { AdminFrame, PostButton, tr, when, type AdminPage } from '../kit/admin.layout.js';

export interface JobView {
  name: string;
  description: string;
  schedule: string;
  running: boolean;
  lastRun?:
    | { started_at: string; outcome: string | null; message: string | null; duration_ms: number | null }
    | undefined;
  nextRun?: string | undefined;
}

/**
 * The box's one time-zone setting: a name from the runtime's IANA list (typed with suggestions; the schema
 * refuses anything else beside the field), the time now in it, and what it changes.
 */
export function TimeZoneForm({
  page,
  now,
  form,
  action = '/admin/time-zone',
}: {
  page: AdminPage;
  now: string;
  form?: FormState | undefined;
  action?: string;
}) {
  const t = tr(page);
  return (
    <form method="post" action={action} class="card">
      <h2>{t('timeZoneTitle')}</h2>
      <Csrf page={page} />
      <TimeZoneField page={page} form={form} hint={t('timeZoneHint', { now: when(page, now) })} />
      <button type="submit">{t('save')}</button>
    </form>
  );
}

export function SchedulePage({
  page,
  jobs,
  available,
  form,
  formJob,
  zoneForm,
  now,
}: {
  page: AdminPage;
  jobs: JobView[];
  available: boolean;
  /** The box's time now (UTC ISO), shown in its zone beside the time-zone field. */
  now: string;
  /** A refused time zone coming back. */
  zoneForm?: FormState | undefined;
  /** A refused schedule coming back, and the job it was for (its row shows what was typed). */
  form?: FormState | undefined;
  formJob?: string | undefined;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('scheduleTitle')}>
      <TimeZoneForm page={page} now={now} form={zoneForm} />
      {!available && <p class="muted">{t('scheduleUnavailable')}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('job')}</th>
              <th>{t('schedule')}</th>
              <th>{t('nextRun')}</th>
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
                  <strong>{vocab(page, 'job', j.name)}</strong>
                  <div class="muted">{vocab(page, 'jobDesc', j.name)}</div>
                </td>
                <td>
                  <form method="post" action={`/admin/schedule/${j.name}`} class="row-actions">
                    <Csrf page={page} />
                    <input
                      name="schedule"
                      value={valueOf(j.name === formJob ? form : undefined, 'schedule', j.schedule)}
                      {...(j.name === formJob ? { 'aria-invalid': 'true' as const } : {})}
                      class="ltr"
                      style="width:9rem"
                      aria-label={`${t('schedule')} ${vocab(page, 'job', j.name)}`}
                      maxLength={100}
                    />
                    <button type="submit" class="small secondary">
                      {t('save')}
                    </button>
                  </form>
                </td>
                <td class="ltr">{j.nextRun ? when(page, j.nextRun) : ''}</td>
                <td class="ltr">{when(page, j.lastRun?.started_at)}</td>
                <td>
                  {j.running ? '…' : j.lastRun?.outcome ? vocab(page, 'outcome', j.lastRun.outcome) : ''}
                  {j.lastRun?.message && (
                    <details class="muted">
                      <summary>{t('jobRunDetails')}</summary>
                      <span lang="en" dir="ltr">
                        {j.lastRun.message.slice(0, 200)}
                      </span>
                    </details>
                  )}
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
