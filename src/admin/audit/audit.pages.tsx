import type { AuditEntry } from '../../records/audit.service.js';
import { AdminFrame, Pager, tr, when, type AdminPage } from '../kit/admin.layout.js';

export function AuditPage({
  page,
  rows,
  total,
  offset,
  limit,
}: {
  page: AdminPage;
  rows: AuditEntry[];
  total: number;
  offset: number;
  limit: number;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('auditTitle')}>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('when')}</th>
              <th>{t('who')}</th>
              <th>{t('what')}</th>
              <th>{t('target')}</th>
              <th>{t('details')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr>
                <td class="ltr">{when(page, a.at)}</td>
                <td>{a.actor ?? ''}</td>
                <td class="ltr">{a.action}</td>
                <td>{a.target ?? ''}</td>
                <td class="ltr">{a.details ? JSON.stringify(a.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} base="/admin/audit" params={{}} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}
