import { RowLink, Csrf, Layout } from '../web/layout.js';
import type { PageContext } from '../web/page.js';
import { tAuth } from './auth.messages.js';

type Key = Parameters<typeof tAuth>[1];

export function SignInPage({
  page,
  error,
  notice,
  username,
  signupEnabled,
}: {
  page: PageContext;
  error?: Key | undefined;
  notice?: Key | undefined;
  username?: string | undefined;
  signupEnabled: boolean;
}) {
  const t = (k: Key) => tAuth(page.lang, k);
  return (
    <Layout page={page} title={t('signInTitle')}>
      <h1>{t('signInTitle')}</h1>
      <p class="muted">{t('intro')}</p>
      {notice && (
        <p class="notice" role="status">
          {t(notice)}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {t(error)}
        </p>
      )}
      <form method="post" action="/signin" class="card">
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          maxLength={64}
          value={username ?? ''}
        />
        <label for="pin">{t('pin')}</label>
        <input
          id="pin"
          name="pin"
          type="password"
          inputMode="numeric"
          autocomplete="current-password"
          required
          maxLength={8}
        />
        <p>
          <button type="submit">{t('signIn')}</button>
        </p>
      </form>
      <p class="muted">{t('forgot')}</p>
      {signupEnabled && <RowLink href="/signup">{t('signUpLink')}</RowLink>}
    </Layout>
  );
}

export interface SignUpValues {
  username?: string | undefined;
  displayName?: string | undefined;
  classCode?: string | undefined;
}

export function SignUpPage({
  page,
  error,
  values,
}: {
  page: PageContext;
  error?: Key | undefined;
  values: SignUpValues;
}) {
  const t = (k: Key) => tAuth(page.lang, k);
  return (
    <Layout page={page} title={t('signUpTitle')}>
      <h1>{t('signUpTitle')}</h1>
      <p class="muted">{t('signUpIntro')}</p>
      {error && (
        <p class="error" role="alert">
          {t(error)}
        </p>
      )}
      <form method="post" action="/signup" class="card">
        <Csrf page={page} />
        <label for="username">{t('username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          maxLength={64}
          value={values.username ?? ''}
        />
        <label for="displayName">{t('displayName')}</label>
        <input
          id="displayName"
          name="displayName"
          type="text"
          autocomplete="name"
          maxLength={120}
          value={values.displayName ?? ''}
        />
        <label for="pin">{t('pin')}</label>
        <input
          id="pin"
          name="pin"
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          required
          maxLength={8}
          aria-describedby="pin-hint"
        />
        <p id="pin-hint" class="muted hint">
          {t('pinHint')}
        </p>
        <label for="pin2">{t('pinAgain')}</label>
        <input
          id="pin2"
          name="pin2"
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          required
          maxLength={8}
        />
        <label for="classCode">{t('classCode')}</label>
        <input
          id="classCode"
          name="classCode"
          type="text"
          autocapitalize="none"
          spellcheck={false}
          required
          maxLength={64}
          value={values.classCode ?? ''}
        />
        <p>
          <button type="submit">{t('signUp')}</button>
        </p>
      </form>
      <RowLink href="/">{t('haveAccount')}</RowLink>
    </Layout>
  );
}
