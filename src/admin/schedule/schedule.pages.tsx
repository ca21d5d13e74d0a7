import type { Language } from '../../core/language.js';
import {
  fromCron,
  HOUR_STEPS,
  MINUTE_STEPS,
  WEEK,
  type ScheduleKind,
  type SimpleSchedule,
} from '../../jobs/simple-schedule.js';
import { TimeZoneField, vocab } from '../kit/widgets.js';
import { Field, OperationField, issuesFor, valueOf, type FormState } from '../kit/form.js';
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
  /** What the last run did, in the reader's language (undefined for a run recorded before message keys). */
  said?: string | undefined;
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
      <OperationField form={form} />
      <TimeZoneField page={page} form={form} hint={t('timeZoneHint', { now: when(page, now) })} />
      <button type="submit">{t('save')}</button>
    </form>
  );
}

const WEEKDAY_LOCALES: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR', ar: 'ar' };

/** A cron weekday (0 = Sunday) by its name in the reader's language (the runtime's ICU knows them). */
function weekdayName(lang: Language, day: number): string {
  // 7 January 2024 was a Sunday.
  return new Intl.DateTimeFormat(WEEKDAY_LOCALES[lang], { weekday: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, 7 + day)),
  );
}

/** "Every minute", "Every 15 minutes", "Every 6 hours" (one, and a count, are different sentences). */
function every(page: Pick<AdminPage, 'lang'>, unit: 'minutes' | 'hours', n: number): string {
  const t = tr(page);
  if (unit === 'minutes') return n === 1 ? t('scheduleEveryMinute') : t('scheduleEveryMinutes', { n });
  return n === 1 ? t('scheduleEveryHour') : t('scheduleEveryHours', { n });
}

/** A schedule as a sentence: "Every day at 01:30", "Every Monday and Thursday at 18:00", "Every 6 hours". */
export function scheduleSentence(page: Pick<AdminPage, 'lang'>, s: SimpleSchedule): string {
  const t = tr(page);
  switch (s.kind) {
    case 'minutes':
      return every(page, 'minutes', s.every);
    case 'hours':
      return every(page, 'hours', s.every);
    case 'daily':
      return t('scheduleDaily', { time: s.time });
    case 'weekly': {
      const days = WEEK.filter((d) => s.days.includes(d)).map((d) => weekdayName(page.lang, d));
      const list = new Intl.ListFormat(WEEKDAY_LOCALES[page.lang], { type: 'conjunction' }).format(days);
      return t('scheduleWeekly', { days: list, time: s.time });
    }
    case 'off':
      return t('scheduleOff');
    case 'custom':
      return t('scheduleCustom');
  }
}

/**
 * A job's schedule in words, and the form to change it: how often (every N minutes, every N hours, every
 * day, chosen weekdays, off), the time of day in the box's zone, the days. Without script every field
 * shows; admin.css hides those the chosen "how often" does not use. A stored cron expression the words
 * cannot say is offered as "keep the custom schedule", with the expression editable.
 */
function ScheduleForm({
  page,
  job,
  form,
  formDays,
}: {
  page: AdminPage;
  job: JobView;
  form: FormState | undefined;
  formDays: number[] | undefined;
}) {
  const t = tr(page);
  const now = fromCron(job.schedule);
  const id = (f: string) => `${job.name}-${f}`;
  const kind = valueOf(form, 'kind', now.kind) as ScheduleKind;
  const kinds: ScheduleKind[] = ['minutes', 'hours', 'daily', 'weekly', 'off'];
  if (now.kind === 'custom' || kind === 'custom') kinds.push('custom');
  const minutes = valueOf(form, 'minutes', String(now.kind === 'minutes' ? now.every : 15));
  const hours = valueOf(form, 'hours', String(now.kind === 'hours' ? now.every : 6));
  const time = valueOf(form, 'time', now.kind === 'daily' || now.kind === 'weekly' ? now.time : '');
  const days = formDays ?? (now.kind === 'weekly' ? now.days : []);
  const dayIssues = issuesFor(page, form, 'days');
  const select = (name: 'minutes' | 'hours', steps: readonly number[], value: string) => (
    <Field page={page} form={form} name={name} id={id(name)} label={t('scheduleEvery')}>
      {(a) => (
        <select {...a} name={name}>
          {steps.map((n) => (
            <option value={String(n)} selected={String(n) === value}>
              {every(page, name, n)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <form method="post" action={`/admin/schedule/${job.name}`} class="schedule-form">
      <Csrf page={page} />
      <OperationField form={form} />
      <Field page={page} form={form} name="kind" id={id('kind')} label={t('scheduleHowOften')}>
        {(a) => (
          <select {...a} name="kind">
            {kinds.map((k) => (
              <option value={k} selected={k === kind}>
                {t(`scheduleKind_${k}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="s-minutes">{select('minutes', MINUTE_STEPS, minutes)}</div>
      <div class="s-hours">{select('hours', HOUR_STEPS, hours)}</div>
      <div class="s-time">
        <Field
          page={page}
          form={form}
          name="time"
          id={id('time')}
          label={t('scheduleAt')}
          hint={t('scheduleAtHint', { zone: page.timeZone })}
        >
          {(a) => (
            <input
              {...a}
              name="time"
              value={time}
              class="ltr"
              dir="ltr"
              inputmode="numeric"
              placeholder="01:30"
              maxLength={8}
              autocomplete="off"
              style="width:6rem"
            />
          )}
        </Field>
      </div>
      <fieldset
        class="s-days"
        {...(dayIssues.length
          ? { 'aria-invalid': 'true' as const, 'aria-describedby': id('days-error') }
          : {})}
      >
        <legend>{t('scheduleOn')}</legend>
        {WEEK.map((d) => (
          <label class="day">
            <input type="checkbox" name="days" value={String(d)} checked={days.includes(d)} />{' '}
            {weekdayName(page.lang, d)}
          </label>
        ))}
        {dayIssues.length > 0 && (
          <p class="field-error" id={id('days-error')}>
            {dayIssues.join(' ')}
          </p>
        )}
      </fieldset>
      {kinds.includes('custom') && (
        <div class="s-cron">
          <Field page={page} form={form} name="cron" id={id('cron')} label={t('scheduleCron')}>
            {(a) => (
              <input
                {...a}
                name="cron"
                value={valueOf(form, 'cron', now.kind === 'custom' ? now.cron : '')}
                class="ltr"
                dir="ltr"
                maxLength={100}
                autocomplete="off"
                spellcheck={false}
              />
            )}
          </Field>
        </div>
      )}
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
  formDays,
  zoneForm,
  now,
}: {
  page: AdminPage;
  jobs: JobView[];
  available: boolean;
  /** The box's time (UTC ISO), shown in its zone beside the time-zone field. */
  now: string;
  /** A refused time zone coming back. */
  zoneForm?: FormState | undefined;
  /** A refused schedule coming back, the job it was for (its card shows what was typed) and the days ticked. */
  form?: FormState | undefined;
  formJob?: string | undefined;
  formDays?: number[] | undefined;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('scheduleTitle')}>
      <TimeZoneForm page={page} now={now} form={zoneForm} />
      {!available && <p class="muted">{t('scheduleUnavailable')}</p>}
      {jobs.map((j) => {
        const simple = fromCron(j.schedule);
        const mine = j.name === formJob;
        return (
          <section class="card job" data-job={j.name}>
            <h2>{vocab(page, 'job', j.name)}</h2>
            <p class="muted">{vocab(page, 'jobDesc', j.name)}</p>
            <p class="schedule-now">
              <strong>{scheduleSentence(page, simple)}</strong>{' '}
              {simple.kind === 'custom' ? (
                <code dir="ltr">{simple.cron}</code>
              ) : (
                simple.kind !== 'off' && (
                  <span class="muted">{t('scheduleZone', { zone: page.timeZone })}</span>
                )
              )}
            </p>
            {simple.kind === 'custom' && <p class="muted">{t('scheduleCustomHint')}</p>}
            <dl class="facts">
              <dt>{t('nextRun')}</dt>
              <dd class="ltr">{j.nextRun ? when(page, j.nextRun) : '—'}</dd>
              <dt>{t('lastRun')}</dt>
              <dd class="ltr">{when(page, j.lastRun?.started_at)}</dd>
              <dt>{t('outcome')}</dt>
              <dd>
                {j.running ? '…' : j.lastRun?.outcome ? vocab(page, 'outcome', j.lastRun.outcome) : '—'}
                {j.said ? (
                  <div class="muted">{j.said}</div>
                ) : (
                  j.lastRun?.message && (
                    <details class="muted">
                      <summary>{t('jobRunDetails')}</summary>
                      <span lang="en" dir="ltr">
                        {j.lastRun.message.slice(0, 200)}
                      </span>
                    </details>
                  )
                )}
              </dd>
              {j.lastRun?.duration_ms !== undefined && j.lastRun.duration_ms !== null && (
                <>
                  <dt>{t('duration')}</dt>
                  <dd class="ltr">{`${j.lastRun.duration_ms} ms`}</dd>
                </>
              )}
            </dl>
            {available && (
              <PostButton page={page} action={`/admin/schedule/${j.name}/run`} label={t('runNow')} />
            )}
            <details class="schedule-change" open={mine}>
              <summary>{t('scheduleChange')}</summary>
              <ScheduleForm
                page={page}
                job={j}
                form={mine ? form : undefined}
                formDays={mine ? formDays : undefined}
              />
            </details>
          </section>
        );
      })}
    </AdminFrame>
  );
}
