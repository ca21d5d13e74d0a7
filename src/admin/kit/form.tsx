import type { ComponentChildren } from 'preact';
import { fieldText, type FieldIssue } from '../../core/validation.js';
import { newId } from '../../core/ids.js';
import type { PageContext } from '../../web/page.js';

/**
 * A form shown again after a refused POST: what was typed (every text field, to put back), the field
 * issues (a message key per field) and, when the refusal is not about one field, the error's text.
 */
export interface FormState {
  values: Record<string, string>;
  fields: FieldIssue[];
  error?: string;
}

/** The value to show in a field: what was typed when the form comes back, else the stored one. */
export function valueOf(form: FormState | undefined, name: string, stored?: string | null): string {
  return form?.values[name] ?? stored ?? '';
}

/**
 * The form's operation id (AdminKit.once): a new one each time the page is shown, the same one when the form
 * comes back refused (nothing was done under it). Every admin form that POSTs carries it; PostButton adds it.
 */
export function OperationField({ form }: { form?: FormState | undefined }) {
  return <input type="hidden" name="op" value={valueOf(form, 'op') || newId()} />;
}

/** The messages about one field, in the reader's language. */
export function issuesFor(
  page: Pick<PageContext, 'lang'>,
  form: FormState | undefined,
  name: string,
): string[] {
  return (form?.fields ?? []).filter((f) => f.field === name).map((f) => fieldText(f, page.lang));
}

/**
 * One labelled field of an admin form: the label, the control (`children`, given the id, the
 * `aria-invalid`/`aria-describedby` it should carry) and, when the form comes back refused, the message
 * about this field under it (linked to the control so a screen reader says it).
 */
export function Field({
  page,
  form,
  name,
  id = name,
  label,
  hint,
  children,
}: {
  page: Pick<PageContext, 'lang'>;
  form: FormState | undefined;
  name: string;
  id?: string;
  label: string;
  hint?: string;
  children: (a: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
}) {
  const problems = issuesFor(page, form, name);
  const errId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [problems.length ? errId : '', hint ? hintId : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={id}>{label}</label>
      {children({
        id,
        ...(problems.length ? { 'aria-invalid': 'true' as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {hint && (
        <p class="muted hint" id={hintId}>
          {hint}
        </p>
      )}
      {problems.length > 0 && (
        <p class="field-error" id={errId}>
          {problems.join(' ')}
        </p>
      )}
    </>
  );
}

/** The attributes of a control outside a Field (a one-line toolbar form) when its value was refused. */
export function invalidAttrs(
  page: Pick<PageContext, 'lang'>,
  form: FormState | undefined,
  name: string,
): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  return issuesFor(page, form, name).length
    ? { 'aria-invalid': 'true', 'aria-describedby': `${name}-error` }
    : {};
}

/** The messages about a field outside a Field (after a one-line toolbar form). */
export function FieldIssues({
  page,
  form,
  name,
}: {
  page: Pick<PageContext, 'lang'>;
  form: FormState | undefined;
  name: string;
}) {
  const problems = issuesFor(page, form, name);
  return problems.length ? (
    <p class="field-error" id={`${name}-error`}>
      {problems.join(' ')}
    </p>
  ) : null;
}
