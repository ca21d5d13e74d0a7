import type { InstalledCourse } from '../../content/content.service.js';
import { timeZoneNames } from '../../core/time-zone.js';
import { Csrf } from '../../web/layout.js';
import { tAdmin } from '../admin.messages.js';
import { tr, type AdminPage } from './admin.layout.js';
import { Field, OperationField, valueOf, type FormState } from './form.js';
export type T = ReturnType<typeof tr>;
/** Keep a left-to-right value ("300 MB") in one piece inside right-to-left text (Unicode isolates). */
export const isolate = (s: string) => `\u2066${s}\u2069`;
export const genderLabel = (t: T, g: string | null) =>
  g === 'female' || g === 'male' || g === 'other' || g === 'undisclosed' ? t(g) : t('notGiven');

/**
 * A word of a fixed vocabulary (an xAPI verb, a progress status, a bundle state, a job's name, description or
 * outcome, an audit event, the name or a value of an audit detail) in the reader's language: the catalog's
 * `<kind>_<value>` (`-` and `.` read as `_`). A value the catalog does not know is shown as stored (a job a
 * newer feature added), so nothing is hidden.
 */
export function vocab(
  page: Pick<AdminPage, 'lang'>,
  kind: 'verb' | 'status' | 'bundle' | 'job' | 'jobDesc' | 'outcome' | 'audit' | 'auditKey' | 'auditValue',
  value: string,
): string {
  const key = `${kind}_${value.replace(/[-.]/g, '_')}`;
  return key in tAdmin.catalog.en ? tAdmin(page.lang, key as keyof typeof tAdmin.catalog.en) : value;
}

/** An xAPI verb IRI in the reader's language (the catalog knows the ADL verbs fieldclass writes). */
export function verbLabel(page: Pick<AdminPage, 'lang'>, verbId: string): string {
  const name = verbId.split('/').pop() ?? '';
  const key = `verb_${name}`;
  return key in tAdmin.catalog.en ? vocab(page, 'verb', name) : vocab(page, 'verb', 'other');
}

/** Enrol a trainee or a class in one of the installed courses. */
export function EnrolForm({
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
      <OperationField />
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

/** The fields that name an account: a username (kept when the form comes back) and, for people, a name. */
export function UsernameField({ page, form }: { page: AdminPage; form: FormState | undefined }) {
  return (
    <Field page={page} form={form} name="username" label={tr(page)('username')}>
      {(a) => (
        <input
          {...a}
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          required
          maxLength={64}
          value={valueOf(form, 'username')}
        />
      )}
    </Field>
  );
}

export function DisplayNameField({ page, form }: { page: AdminPage; form: FormState | undefined }) {
  return (
    <Field page={page} form={form} name="displayName" label={tr(page)('displayName')}>
      {(a) => (
        <input {...a} name="displayName" type="text" maxLength={120} value={valueOf(form, 'displayName')} />
      )}
    </Field>
  );
}

/** A new password, the rule shown under it before submit (checked on the server; the password never comes back). */
export function NewPasswordField({
  page,
  form,
  name = 'password',
  label = 'password',
}: {
  page: AdminPage;
  form: FormState | undefined;
  name?: string;
  label?: 'password' | 'password2';
}) {
  return (
    <Field
      page={page}
      form={form}
      name={name}
      label={tr(page)(label)}
      {...(label === 'password' ? { hint: tr(page)('passwordRuleHint') } : {})}
    >
      {(a) => (
        <input
          {...a}
          name={name}
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={200}
        />
      )}
    </Field>
  );
}

/**
 * The time-zone field (Schedule page and first-run setup): suggestions from the runtime's zone list. At
 * setup, admin.js offers this device's zone (the coordinator's phone knows where the class is).
 */
export function TimeZoneField({
  page,
  form,
  hint,
  value = page.timeZone,
  fromDevice = false,
}: {
  page: AdminPage;
  form?: FormState | undefined;
  hint: string;
  value?: string;
  /** First-run setup: offer the device's zone while nothing else was typed (admin.js). */
  fromDevice?: boolean;
}) {
  const t = tr(page);
  return (
    <>
      <Field page={page} form={form} name="timeZone" label={t('timeZone')} hint={hint}>
        {(a) => (
          <input
            {...a}
            name="timeZone"
            list="time-zones"
            value={valueOf(form, 'timeZone', value)}
            class="ltr"
            dir="ltr"
            maxLength={64}
            autocomplete="off"
            spellcheck={false}
            required
            data-device-zone={fromDevice && !form ? '' : undefined}
          />
        )}
      </Field>
      <datalist id="time-zones">
        {timeZoneNames().map((z) => (
          <option value={z} />
        ))}
      </datalist>
    </>
  );
}
