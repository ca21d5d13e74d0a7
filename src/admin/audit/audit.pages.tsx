import type { AuditEntry } from '../../records/audit.service.js';
import { AdminFrame, Pager, tr, when, type AdminPage } from '../kit/admin.layout.js';
import { DataTable } from '../kit/table.js';
import { isolate, vocab } from '../kit/widgets.js';

/** Details a coordinator reads as codes (a reason code, a technical message): shown as they are, apart. */
const TECHNICAL = new Set(['code', 'error', 'grantId', 'resetId', 'personId']);

/**
 * An audit row's details as the coordinator reads them: "size: 2 MB, from: upload:x.zip", each name from
 * the catalog (auditKey_*), known values too (auditValue_*: an install's result, the command line); a
 * list (the USB sticks of a copy) one part each; codes and technical text in <code>, left to right.
 */
function Details({ page, details }: { page: AdminPage; details: Record<string, unknown> }) {
  const parts = Object.entries(details).map(([k, v]) => {
    const label = vocab(page, 'auditKey', k);
    const value =
      v !== null && typeof v === 'object' ? (
        (Array.isArray(v) ? v : [v]).map((x) =>
          x !== null && typeof x === 'object' ? (
            <Details page={page} details={x as Record<string, unknown>} />
          ) : (
            String(x)
          ),
        )
      ) : TECHNICAL.has(k) ? (
        <code dir="ltr">{String(v)}</code>
      ) : typeof v === 'string' ? (
        isolate(vocab(page, 'auditValue', v))
      ) : (
        String(v)
      );
    return (
      <span class="audit-detail">
        {label}: {value}
      </span>
    );
  });
  return <span class="audit-details">{parts}</span>;
}

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
          {
            label: t('what'),
            // The event in the reader's language; its code kept on the element (tests, support).
            cell: (a) => <span data-action={a.action}>{vocab(page, 'audit', a.action)}</span>,
          },
          { label: t('target'), cell: (a) => <bdi>{a.target ?? ''}</bdi> },
          {
            label: t('details'),
            cell: (a) => (a.details ? <Details page={page} details={a.details} /> : ''),
          },
        ]}
      />
      <Pager page={page} base="/admin/audit" params={{}} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}
