import type { AuditEntry } from '../../records/audit.service.js';
import { AdminFrame, Pager, tr, when, type AdminPage } from '../kit/admin.layout.js';
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
                <td class="ltr">{when(a.at)}</td>
                <td>{a.actor ?? ''}</td>
                <td data-action={a.action}>{vocab(page, 'audit', a.action)}</td>
                <td>
                  <bdi>{a.target ?? ''}</bdi>
                </td>
                <td>{a.details ? <Details page={page} details={a.details} /> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} base="/admin/audit" params={{}} offset={offset} limit={limit} total={total} />
    </AdminFrame>
  );
}
