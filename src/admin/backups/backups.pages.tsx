import type { BackupFile } from '../../records/backup.service.js';
import { AdminFrame, PostButton, bytes, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { DataTable } from '../kit/table.js';

export function BackupsPage({ page, backups }: { page: AdminPage; backups: BackupFile[] }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('backupsTitle')}>
      <p class="row-actions">
        <PostButton page={page} action="/admin/backups" label={t('backupNow')} />
      </p>
      <p class="muted">{t('backupHint')}</p>
      <DataTable
        rows={backups}
        columns={[
          { label: t('name'), kind: 'ltr', cell: (b) => b.name },
          { label: t('size'), kind: 'num ltr', cell: (b) => bytes(b.bytes) },
          { label: t('created'), kind: 'ltr', cell: (b) => when(page, b.createdAt) },
          {
            label: '',
            cell: (b) => (
              <PostButton
                page={page}
                action="/admin/backups/download"
                fields={{ name: b.name }}
                label={t('download')}
                kind="secondary"
              />
            ),
          },
        ]}
      />
    </AdminFrame>
  );
}
