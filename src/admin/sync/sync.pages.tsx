import { vocab } from '../kit/widgets.js';
import { AdminFrame, PostButton, bytes, tr, when, type AdminPage } from '../kit/admin.layout.js';

import type { BundleView } from './sync.service.js';

export function SyncPage({
  page,
  available,
  bundles,
  pendingRows,
  uploadConfigured,
  sticks,
}: {
  page: AdminPage;
  available: boolean;
  bundles: BundleView[];
  pendingRows: number;
  uploadConfigured: boolean;
  sticks: string[];
}) {
  const t = tr(page);
  if (!available)
    return (
      <AdminFrame page={page} title={t('syncTitle')}>
        <p class="muted">{t('syncUnavailable')}</p>
      </AdminFrame>
    );
  return (
    <AdminFrame page={page} title={t('syncTitle')}>
      <p>
        {t('pending')}: <strong>{pendingRows}</strong>
      </p>
      <p class="row-actions">
        <PostButton page={page} action="/admin/sync/export" label={t('exportNow')} />
        {sticks.length > 0 && (
          <PostButton page={page} action="/admin/sync/usb" label={t('copyUsb')} kind="secondary" />
        )}
        {uploadConfigured && (
          <PostButton page={page} action="/admin/sync/upload" label={t('uploadNow')} kind="secondary" />
        )}
      </p>
      <h2>{t('bundles')}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th class="num">{t('bundle')}</th>
              <th>{t('state')}</th>
              <th class="num">{t('records')}</th>
              <th class="num">{t('size')}</th>
              <th>{t('created')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {bundles.map((b) => (
              <tr>
                <td class="num">{b.seq}</td>
                <td>{vocab(page, 'bundle', b.state)}</td>
                <td class="num">{b.rows}</td>
                <td class="num ltr">{bytes(b.bytes)}</td>
                <td class="ltr">{when(page, b.createdAt)}</td>
                <td>{b.present && <a href={`/admin/sync/bundles/${b.seq}`}>{t('download')}</a>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bundles.length === 0 && <p class="muted">{t('none')}</p>}
    </AdminFrame>
  );
}
