import { RowLink, Layout } from './layout.js';
import { tLayout } from './messages/layout.messages.js';
import type { PageContext } from './page.js';

type Key = Parameters<typeof tLayout>[1];

/** The message shown for an error code or status, in the page's language. */
export function errorMessageKey(code: string, status: number): Key {
  if (code === 'bad_csrf') return 'badCsrf';
  if (code === 'bad_origin') return 'badOrigin';
  if (code === 'unauthenticated') return 'unauthenticated';
  if (code === 'too_large') return 'tooLarge';
  if (code === 'storage_full') return 'storageFull';
  if (status === 404) return 'notFound';
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'serverError';
  return 'badRequest';
}

export function ErrorPage({
  page,
  code,
  status,
  detail,
}: {
  page: PageContext;
  code: string;
  status: number;
  detail?: string | undefined;
}) {
  const t = (k: Key, p?: Record<string, string>) => tLayout(page.lang, k, p);
  return (
    <Layout page={page} title={t('errorTitle')}>
      <h1>{t('errorTitle')}</h1>
      <p class="error" role="alert" data-code={code}>
        {t(errorMessageKey(code, status))}
      </p>
      {detail && <p class="muted">{t('details', { message: detail })}</p>}
      <RowLink href="/">{t('home')}</RowLink>
    </Layout>
  );
}
