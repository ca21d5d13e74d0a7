import type { AuditActor, AuditEntry } from '../../records/audit.service.js';
import { AdminFrame, Pager, bytes, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { FieldIssues, invalidAttrs, valueOf, type FormState } from '../kit/form.js';
import { isolate, vocab } from '../kit/widgets.js';

/** Details a coordinator reads as codes (a reason code, a technical message): shown as they are, apart. */
const TECHNICAL = new Set(['code', 'error', 'grantId', 'resetId', 'personId']);

/** The person filter's value for rows no person did (the command line, the box itself). */
export const NO_ACTOR = '_box';

/**
 * An audit row's details as one sentence the coordinator reads: "size: 2 MB; from: upload:x.zip", each name
 * from the catalog (auditKey_*), known values too (auditValue_*: an install's result, the command line); a
 * list (the USB sticks of a copy) in brackets; codes and technical text in <code>, left to right. It wraps
 * like any text, so a phone shows all of it.
 */
function Details({ page, details }: { page: AdminPage; details: Record<string, unknown> }) {
  const t = tr(page);
  const parts = Object.entries(details).map(([k, v]) => {
    const value =
      v !== null && typeof v === 'object' ? (
        <>
          (
          {(Array.isArray(v) ? v : [v]).map((x, i) => (
            <>
              {i > 0 && t('auditDetailJoin')}
              {x !== null && typeof x === 'object' ? (
                <Details page={page} details={x as Record<string, unknown>} />
              ) : (
                String(x)
              )}
            </>
          ))}
          )
        </>
      ) : TECHNICAL.has(k) ? (
        <code dir="ltr">{String(v)}</code>
      ) : k === 'bytes' && typeof v === 'number' ? (
        isolate(bytes(v))
      ) : typeof v === 'string' ? (
        isolate(vocab(page, 'auditValue', v))
      ) : (
        String(v)
      );
    return (
      <span class="audit-detail">
        {t('auditDetailName', { name: vocab(page, 'auditKey', k) })} {value}
      </span>
    );
  });
  return <>{parts.map((p, i) => (i > 0 ? [t('auditDetailJoin'), p] : p))}</>;
}

export interface AuditChoices {
  actions: string[];
  people: AuditActor[];
  noActor: boolean;
}

/**
 * The filter: one event, one person (or the box), read back by the route's one schema; a value that does
 * not read comes back in its field with the message beside it.
 */
function AuditFilterForm({
  page,
  choices,
  form,
}: {
  page: AdminPage;
  choices: AuditChoices;
  form: FormState;
}) {
  const t = tr(page);
  const event = valueOf(form, 'event');
  const person = valueOf(form, 'person');
  const events = choices.actions
    .map((a) => ({ value: a, label: vocab(page, 'audit', a) }))
    .sort((a, b) => a.label.localeCompare(b.label, page.lang));
  return (
    <div class="toolbar">
      <form method="get" action="/admin/audit" role="search">
        <label>
          {t('auditEvent')}
          <select name="event" {...invalidAttrs(page, form, 'event')}>
            <option value="">{t('auditAllEvents')}</option>
            {events.map((e) => (
              <option value={e.value} selected={e.value === event}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('auditPerson')}
          <select name="person" {...invalidAttrs(page, form, 'person')}>
            <option value="">{t('auditAllPeople')}</option>
            {choices.people.map((p) => (
              <option value={p.id} selected={p.id === person}>
                {p.displayName ? `${p.displayName} (${p.username})` : p.username}
              </option>
            ))}
            {choices.noActor && (
              <option value={NO_ACTOR} selected={person === NO_ACTOR}>
                {t('auditNoActor')}
              </option>
            )}
          </select>
        </label>
        <button type="submit" class="secondary small">
          {t('auditShow')}
        </button>
      </form>
      <FieldIssues page={page} form={form} name="event" />
      <FieldIssues page={page} form={form} name="person" />
    </div>
  );
}

/**
 * The audit log, newest first, by pages: each entry a short block (when, in the box's zone, and who; the
 * event in the reader's language and what it was done to; the details as a sentence), so a 360 px phone
 * shows every part without scrolling sideways. Filtered by event and person; the pages keep the filter.
 */
export function AuditPage({
  page,
  rows,
  total,
  offset,
  limit,
  choices,
  form,
}: {
  page: AdminPage;
  rows: AuditEntry[];
  total: number;
  offset: number;
  limit: number;
  choices: AuditChoices;
  /** The filter as read (values), or as typed with its issues when it did not read. */
  form: FormState;
}) {
  const t = tr(page);
  const params: Record<string, string> = {};
  // The pages keep a filter that was read; a refused one shows the whole log, and so do its pages.
  if (!form.fields.length)
    for (const k of ['event', 'person'] as const) if (form.values[k]) params[k] = form.values[k];
  return (
    <AdminFrame page={page} title={t('auditTitle')}>
      <AuditFilterForm page={page} choices={choices} form={form} />
      <p class="muted">{t('results', { n: total })}</p>
      {rows.length === 0 ? (
        <p>{t('auditNone')}</p>
      ) : (
        <ol class="audit-log">
          {rows.map((a) => (
            <li>
              <div class="muted">
                <span class="ltr">{when(page, a.at)}</span> · <bdi>{a.actor ?? t('auditNoActor')}</bdi>
              </div>
              <div>
                {/* The event in the reader's language; its code kept on the element (tests, support). */}
                <strong data-action={a.action}>{vocab(page, 'audit', a.action)}</strong>
                {a.target && (
                  <>
                    {t('auditTargetJoin')}
                    <bdi>{a.target}</bdi>
                  </>
                )}
              </div>
              {a.details && (
                <p class="audit-details">
                  <Details page={page} details={a.details} />
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      <Pager page={page} base="/admin/audit" params={params} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}
