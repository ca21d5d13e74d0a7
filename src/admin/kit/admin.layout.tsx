import type { ComponentChildren } from 'preact';
import { Csrf, Layout } from '../../web/layout.js';
import { formatInstant } from '../../core/time-zone.js';
import type { PageContext } from '../../web/page.js';
import { tAdmin, type AdminKey } from '../admin.messages.js';
import { OperationField } from './form.js';

/** What every admin page needs beside the request's PageContext. */
export interface AdminPage extends PageContext {
  adminCss: string;
  /** The box's time zone (IANA name): every date on the page is shown in it (`when`). */
  timeZone: string;
  /**
   * One-line message after a POST-redirect-GET (`?ok=key`, `?err=id`), already translated; `finding` is a
   * course author's finding (English, technical) shown under it as it was found.
   */
  flash?: { kind: 'notice' | 'error'; text: string; finding?: string } | undefined;
}

export const tr =
  (page: { lang: PageContext['lang'] }) => (k: AdminKey, p?: Record<string, string | number>) =>
    tAdmin(page.lang, k, p);

const NAV: [string, AdminKey][] = [
  ['/admin', 'navDashboard'],
  ['/admin/trainees', 'navTrainees'],
  ['/admin/cohorts', 'navCohorts'],
  ['/admin/courses', 'navCourses'],
  ['/admin/reports', 'navReports'],
  ['/admin/sync', 'navSync'],
  ['/admin/schedule', 'navSchedule'],
  ['/admin/backups', 'navBackups'],
  ['/admin/audit', 'navAudit'],
  ['/admin/coordinators', 'navCoordinators'],
];

/** The admin frame: the site layout, the admin stylesheet, the admin navigation, the flash message. */
export function AdminFrame({
  page,
  title,
  children,
  nav = true,
}: {
  page: AdminPage;
  title: string;
  children: ComponentChildren;
  nav?: boolean;
}) {
  const t = tr(page);
  const here = page.path.split('?')[0] ?? '';
  const current = NAV.filter(([href]) => here === href || (href !== '/admin' && here.startsWith(href + '/')))
    .map(([href]) => href)
    .concat(here === '/admin' ? ['/admin'] : [])[0];
  return (
    <Layout page={page} title={`${title} · ${t('admin')}`}>
      <div class="admin">
        <link rel="stylesheet" href={page.adminCss} />
        {nav && (
          <nav class="admin-nav" aria-label={t('admin')}>
            {NAV.map(([href, key]) => (
              <a href={href} aria-current={href === current ? 'page' : undefined}>
                {t(key)}
              </a>
            ))}
          </nav>
        )}
        <h1>{title}</h1>
        {page.flash && (
          <p class={page.flash.kind} role={page.flash.kind === 'error' ? 'alert' : 'status'}>
            {page.flash.text}
          </p>
        )}
        {page.flash?.finding && (
          <pre class="finding" dir="ltr">
            <code lang="en">{page.flash.finding}</code>
          </pre>
        )}
        {children}
      </div>
    </Layout>
  );
}

/** A form that POSTs (with its CSRF token and its own operation id, AdminKit.once) and shows one button. */
export function PostButton({
  page,
  action,
  label,
  fields = {},
  kind,
}: {
  page: AdminPage;
  action: string;
  label: string;
  fields?: Record<string, string>;
  kind?: 'secondary' | 'danger';
}) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf page={page} />
      <OperationField />
      {Object.entries(fields).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={`small${kind ? ' ' + kind : ''}`}>
        {label}
      </button>
    </form>
  );
}

export function Pager({
  page,
  base,
  params,
  offset,
  limit,
  total,
}: {
  page: AdminPage;
  base: string;
  params: Record<string, string>;
  offset: number;
  limit: number;
  total: number;
}) {
  const t = tr(page);
  const pages = Math.max(1, Math.ceil(total / limit));
  const current = Math.floor(offset / limit) + 1;
  const href = (o: number) => `${base}?${new URLSearchParams({ ...params, offset: String(o) }).toString()}`;
  return (
    <div class="pager">
      {offset > 0 && <a href={href(Math.max(0, offset - limit))}>{t('previous')}</a>}
      <span class="muted">{t('pageOf', { page: current, pages })}</span>
      {offset + limit < total && <a href={href(offset + limit)}>{t('next')}</a>}
    </div>
  );
}

/** A date-time as the coordinator reads it: in the box's time zone and their language, the zone named. */
export function when(
  page: Pick<AdminPage, 'lang' | 'timeZone'>,
  iso: string | null | undefined,
  opts: { seconds?: boolean } = {},
): string {
  if (!iso) return '—';
  return formatInstant(iso, page.lang, page.timeZone, opts);
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

export const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`;
