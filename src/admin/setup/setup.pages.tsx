import { Csrf } from '../../web/layout.js';
import { AdminFrame, tr, type AdminPage } from '../kit/admin.layout.js';
import type { AdminKey } from '../admin.messages.js';
import { Field, OperationField, valueOf, type FormState } from '../kit/form.js';
import { DisplayNameField, NewPasswordField, TimeZoneField, UsernameField } from '../kit/widgets.js';

export function SignInPage({
  page,
  error,
  username,
}: {
  page: AdminPage;
  error?: AdminKey;
  username?: string;
}) {
  const t = tr(page);
  return (
    <AdminFrame page={page} title={t('signInTitle')} nav={false}>
      {error && (
        <p class="error" role="alert">
          {t(error)}
        </p>
      )}
      <form method="post" action="/admin/signin" class="card">
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          required
          maxLength={64}
          value={username ?? ''}
        />
        <label for="password">{t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={200}
        />
        <p>
          <button type="submit">{t('signIn')}</button>
        </p>
      </form>
    </AdminFrame>
  );
}

export function SetupPage({ page, form }: { page: AdminPage; form?: FormState | undefined }) {
  const t = tr(page);
  const f = { page, form };
  return (
    <AdminFrame page={page} title={t('setupTitle')} nav={false}>
      {/* The command as code, left to right, in every language (the scan reads <code> as a code). */}
      <p>
        {t('setupIntro', { command: '\u0000' })
          .split('\u0000')
          .flatMap((part, i) => (i ? [<code dir="ltr">fieldclass admin setup-code</code>, part] : [part]))}
      </p>
      <form method="post" action="/admin/setup" class="card">
        <Csrf page={page} />
        <OperationField form={form} />
        <Field {...f} name="code" label={t('setupCode')}>
          {(a) => (
            <input
              {...a}
              name="code"
              type="text"
              autocomplete="off"
              autocapitalize="characters"
              required
              maxLength={40}
              value={valueOf(form, 'code')}
            />
          )}
        </Field>
        <UsernameField page={page} form={form} />
        <DisplayNameField page={page} form={form} />
        <NewPasswordField page={page} form={form} />
        <NewPasswordField page={page} form={form} name="password2" label="password2" />
        <TimeZoneField page={page} form={form} hint={t('timeZoneSetupHint')} fromDevice />
        <p>
          <button type="submit">{t('createAccount')}</button>
        </p>
      </form>
      <script src={page.assetUrl('admin.js')} defer></script>
    </AdminFrame>
  );
}
