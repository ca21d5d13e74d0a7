import type { InstalledCourse } from '../../content/content.service.js';
import { AdminFrame, PostButton, tr, type AdminPage } from '../kit/admin.layout.js';
import { DataTable } from '../kit/table.js';

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
      <DataTable
        rows={courses}
        columns={[
          {
            label: t('title'),
            cell: (c) => (
              <>
                <a href={`/admin/reports/courses/${encodeURIComponent(c.id)}`}>{c.title}</a>
                <div class="muted ltr">{c.id}</div>
              </>
            ),
          },
          { label: t('version'), kind: 'ltr', cell: (c) => c.version },
          { label: t('languages'), cell: (c) => c.languages.join(', ') },
          { label: t('activities'), kind: 'num', cell: (c) => c.activities },
          { label: t('status'), cell: (c) => (c.active ? t('active') : t('disabled')) },
          {
            label: '',
            cell: (c) => (
              <PostButton
                page={page}
                action={`/admin/courses/${encodeURIComponent(c.id)}/active`}
                fields={{ active: c.active ? '0' : '1' }}
                label={c.active ? t('disable') : t('enable')}
                kind="secondary"
              />
            ),
          },
        ]}
      />
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
