import type { AuditEntry } from '../../records/audit.service.js';
import { AdminFrame, Pager, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { DataTable } from '../kit/table.js';

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
      <DataTable
        rows={rows}
        columns={[
          { label: t('when'), kind: 'ltr', cell: (a) => when(page, a.at) },
          { label: t('who'), cell: (a) => a.actor ?? '' },
          { label: t('what'), kind: 'ltr', cell: (a) => a.action },
          { label: t('target'), cell: (a) => a.target ?? '' },
          { label: t('details'), kind: 'ltr', cell: (a) => (a.details ? JSON.stringify(a.details) : '') },
        ]}
      />
      <Pager page={page} base="/admin/audit" params={{}} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}
