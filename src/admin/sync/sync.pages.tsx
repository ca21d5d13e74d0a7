import { vocab } from '../kit/widgets.js';
import { AdminFrame, PostButton, bytes, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { DataTable } from '../kit/table.js';

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
      <DataTable
        rows={bundles}
        columns={[
          { label: t('bundle'), kind: 'num', cell: (b) => b.seq },
          { label: t('state'), cell: (b) => vocab(page, 'bundle', b.state) },
          { label: t('records'), kind: 'num', cell: (b) => b.rows },
          { label: t('size'), kind: 'num ltr', cell: (b) => bytes(b.bytes) },
          { label: t('created'), kind: 'ltr', cell: (b) => when(page, b.createdAt) },
          {
            label: '',
            cell: (b) => b.present && <a href={`/admin/sync/bundles/${b.seq}`}>{t('download')}</a>,
          },
        ]}
      />
      {bundles.length === 0 && <p class="muted">{t('none')}</p>}
    </AdminFrame>
  );
}
