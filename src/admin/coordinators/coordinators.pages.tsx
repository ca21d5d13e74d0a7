import type { Person } from '../../people/people.types.js';
import { DataTable } from '../kit/table.js';
import { OperationField, type FormState } from '../kit/form.js';
import { DisplayNameField, NewPasswordField, UsernameField } from '../kit/widgets.js';
import { Csrf } from '../../web/layout.js';
import { AdminFrame, PostButton, tr, when, type AdminPage } from '../kit/admin.layout.js';

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
          {
            label: t('username'),
            cell: (p) => (
              <a href={`/admin/coordinators/${p.id}`}>
                <bdi>{p.username}</bdi>
              </a>
            ),
          },
          { label: t('displayName'), cell: (p) => <bdi>{p.displayName}</bdi> },
          { label: t('status'), cell: (p) => (p.active ? t('active') : t('inactive')) },
          { label: t('created'), cell: (p) => when(page, p.createdAt), kind: 'ltr' },
        ]}
      />
      <form method="post" action="/admin/coordinators" class="card">
        <h2>{t('addCoordinator')}</h2>
        <Csrf page={page} />
        <OperationField form={form} />
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

/**
 * One coordinator: deactivate / reactivate and a new password. Each form carries its own operation id
 * (a fresh one per page shown; a refused form comes back with the same, never used): a double click
 * applies once.
 */
export function CoordinatorPage({
  page,
  person,
  form,
}: {
  page: AdminPage;
  person: Person;
  form?: FormState | undefined;
}) {
  const t = tr(page);
  const self = page.user?.person.id === person.id;
  const base = `/admin/coordinators/${person.id}`;
  return (
    <AdminFrame page={page} title={t('coordinatorTitle', { name: person.username })}>
      <p>
        <a href="/admin/coordinators">{t('navCoordinators')}</a>
      </p>
      <dl class="card">
        <dt>{t('username')}</dt>
        <dd>
          <bdi>{person.username}</bdi>
        </dd>
        <dt>{t('displayName')}</dt>
        <dd>
          <bdi>{person.displayName}</bdi>
        </dd>
        <dt>{t('status')}</dt>
        <dd>{person.active ? t('active') : t('inactive')}</dd>
      </dl>
      <div class="card">
        <p class="muted">{person.active ? t('coordinatorDeactivateHint') : t('coordinatorReactivateHint')}</p>
        <PostButton
          page={page}
          action={`${base}/${person.active ? 'deactivate' : 'reactivate'}`}
          label={person.active ? t('deactivate') : t('reactivate')}
          {...(person.active ? { kind: 'danger' as const } : {})}
        />
      </div>
      <form method="post" action={`${base}/password`} class="card">
        <h2>{t('newPasswordTitle')}</h2>
        <p class="muted">{self ? t('newPasswordSelfHint') : t('newPasswordOtherHint')}</p>
        <Csrf page={page} />
        <OperationField form={form} />
        <NewPasswordField page={page} form={form} />
        <p>
          <button type="submit">{t('setPassword')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}
