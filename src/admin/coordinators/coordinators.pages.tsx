import type { Person } from '../../people/people.types.js';
import { DataTable } from '../kit/table.js';
import type { FormState } from '../kit/form.js';
import { DisplayNameField, NewPasswordField, UsernameField } from '../kit/widgets.js';
import { Csrf } from '../../web/layout.js';
import { AdminFrame, tr, when, type AdminPage } from '../kit/admin.layout.js';

export function CoordinatorsPage({
  page,
  rows,
  form,
}: {
  page: AdminPage;
  rows: Person[];
  form?: FormState | undefined;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('coordinatorsTitle')}>
      <DataTable
        rows={rows}
        columns={[
          { label: '', cell: (p) => p.username },
          { label: '', cell: (p) => p.displayName },
          { label: '', cell: (p) => when(p.createdAt), kind: 'ltr' },
        ]}
      />
      <form method="post" action="/admin/coordinators" class="card">
        <h2>{t('addCoordinator')}</h2>
        <Csrf page={page} />
        <UsernameField page={page} form={form} />
        <DisplayNameField page={page} form={form} />
        <NewPasswordField page={page} form={form} />
        <p>
          <button type="submit">{t('add')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}
