import type { BackupFile } from '../../records/backup.service.js';
import { AdminFrame, PostButton, bytes, tr, when, type AdminPage } from '../kit/admin.layout.js';

export function BackupsPage({ page, backups }: { page: AdminPage; backups: BackupFile[] }) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('backupsTitle')}>
      <p class="row-actions">
        <PostButton page={page} action="/admin/backups" label={t('backupNow')} />
      </p>
      <p class="muted">{t('backupHint')}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('name')}</th>
              <th class="num">{t('size')}</th>
              <th>{t('created')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <tr>
                <td class="ltr">{b.name}</td>
                <td class="num ltr">{bytes(b.bytes)}</td>
                <td class="ltr">{when(page, b.createdAt)}</td>
                <td>
                  <PostButton
                    page={page}
                    action="/admin/backups/download"
                    fields={{ name: b.name }}
                    label={t('download')}
                    kind="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}
