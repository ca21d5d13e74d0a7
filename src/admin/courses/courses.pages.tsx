import type { InstalledCourse } from '../../content/content.service.js';
import { laterLines, tContent } from '../../content/content.messages.js';
import { languageNameIn } from '../../web/i18n.js';
import { AdminFrame, PostButton, tr, type AdminPage } from '../kit/admin.layout.js';
import { OperationField } from '../kit/form.js';

export function CoursesPage({
  page,
  courses,
  usb,
  usbRoots,
  packagesShareSite = false,
}: {
  page: AdminPage;
  courses: InstalledCourse[];
  usb: { path: string; name: string }[];
  usbRoots: readonly string[];
  /** SCORM packages are served on this page's site (reached by IP or localhost): say what that risks. */
  packagesShareSite?: boolean;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('coursesTitle')}>
      {packagesShareSite ? (
        <p class="warning" role="alert" data-warning="scorm-same-site">
          {t('sameSiteWarning')}
        </p>
      ) : null}
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
                  <div class="muted ltr">
                    <code>{c.id}</code>
                  </div>
                </td>
                <td class="ltr">{c.version}</td>
                <td>
                  {c.languages
                    .map((l) => languageNameIn(page.lang, l))
                    .join(page.lang === 'ar' ? '، ' : ', ')}
                </td>
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
      {/* Below the table, full width: a table cell at 360 px is one word wide. */}
      {courses
        .filter((c) => c.later?.length)
        .map((c) => (
          <div class="notice" role="note" data-code="scorm_plays_differently" data-course={c.id}>
            <strong>{c.title}</strong> — {tContent(page.lang, 'playsDifferently')}
            <ul>
              {laterLines(page.lang, c.later!).map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          </div>
        ))}
      <div class="grid2">
        <form
          method="post"
          action={`/admin/courses/upload?_csrf=${encodeURIComponent(page.csrf)}`}
          enctype="multipart/form-data"
          class="card"
        >
          <h2>{t('uploadCourse')}</h2>
          <OperationField />
          <p class="muted">{t('uploadHint')}</p>
          <input id="course-file" name="file" type="file" required aria-label={t('uploadCourse')} />
          <p>
            <label>
              <input type="checkbox" name="allowRemote" value="1" aria-describedby="allow-remote-hint" />{' '}
              {t('allowRemote')}
            </label>
          </p>
          <p class="muted" id="allow-remote-hint">
            {t('allowRemoteHint')}
          </p>
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
