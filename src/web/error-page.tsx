import { Layout, RowLink } from './layout.js';
import { tLayout } from './messages/layout.messages.js';
import type { PageContext } from './page.js';

type Key = Parameters<typeof tLayout>[1];

/** What to say when an error's code has no text of its own: by status. */
function statusKey(status: number): Key {
  if (status === 404) return 'notFound';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 409) return 'conflict';
  if (status === 413) return 'tooLarge';
  if (status >= 500) return 'serverError';
  return 'badRequest';
}

/** What an error page says: the error's own text in the reader's language when its code has one, else by status. */
export function errorPageText(lang: PageContext['lang'], status: number, text: string | undefined): string {
  return status === 404 ? tLayout(lang, 'notFound') : (text ?? tLayout(lang, statusKey(status)));
}

/** The box's error page. */
export function ErrorPage({
  page,
  code,
  status,
  text,
}: {
  page: PageContext;
  code: string;
  status: number;
  text?: string | undefined;
}) {
  const t = (k: Key) => tLayout(page.lang, k);
  return (
    <Layout page={page} title={t('errorTitle')}>
      <h1>{t('errorTitle')}</h1>
      <p class="error" role="alert" data-code={code}>
        {errorPageText(page.lang, status, text)}
      </p>
      <RowLink href="/">{t('home')}</RowLink>
    </Layout>
  );
}
