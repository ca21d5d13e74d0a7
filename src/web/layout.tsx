import type { ComponentChildren } from 'preact';
import { LANGUAGE_NAMES } from './i18n.js';
import { tLayout } from './messages/layout.messages.js';
import type { PageContext } from './page.js';

/** The hidden CSRF field every form carries. */
export function Csrf({ page }: { page: PageContext }) {
  return <input type="hidden" name="_csrf" value={page.csrf} />;
}

/** A link on its own row ("Back to the course"), tall enough for a thumb (a bare link is 19 px high). */
export function RowLink({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <p class="back-row">
      <a href={href} class="back">
        {children}
      </a>
    </p>
  );
}

/** Language picker: one button per other language; a POST, so it works without JavaScript. */
export function LanguagePicker({ page }: { page: PageContext }) {
  const others = page.languages.filter((l) => l !== page.lang);
  if (!others.length) return null;
  return (
    <form method="post" action="/language" class="langs" aria-label={tLayout(page.lang, 'language')}>
      <Csrf page={page} />
      <input type="hidden" name="back" value={page.path} />
      {others.map((l) => (
        <button type="submit" name="lang" value={l} lang={l} class="link">
          {LANGUAGE_NAMES[l]}
        </button>
      ))}
    </form>
  );
}

/** The banner's messages, handed to the page script in the trainee's language (it fills them and picks plurals). */
const OFFLINE_KEYS = [
  'offlineQueued',
  'offlineSent',
  'offlineKept',
  'offlineKeptQuiz',
  'offlineNeedsWifi',
  'offlineSignIn',
  'offlineRefused',
  'offlineQuizGraded',
  'offlineAttemptsUsed',
  'offlineCourseReplaced',
  'offlineSeeResult',
  'offlineOld',
  'offlineSendOld',
  'offlineDiscard',
  'offlineSignOutUnsent',
  'offlineContentNeedsWifi',
] as const;

/**
 * The offline layer on every trainee page (an enhancement: without JavaScript the forms work as they
 * are): the per-trainee store and the script that keeps lessons for reading offline, queues what the
 * trainee does while the box is out of reach and sends it when it is back. Its settings travel as JSON
 * data, not as a script (the CSP allows no inline script).
 */
function OfflineScripts({ page }: { page: PageContext }) {
  const settings = {
    person: page.user?.person.id,
    csrf: page.csrf,
    t: Object.fromEntries(OFFLINE_KEYS.map((k) => [k, tLayout.text(page.lang, k)])),
  };
  return (
    <>
      <script
        type="application/json"
        id="fc-offline"
        dangerouslySetInnerHTML={{ __html: JSON.stringify(settings).replace(/</g, '\\u003c') }}
      />
      <script src={page.assetUrl('store.js')} defer />
      <script src={page.assetUrl('offline.js')} defer />
    </>
  );
}

/** The frame of every trainee page: `<html lang dir>`, header, language picker, sign-out. */
export function Layout({
  page,
  title,
  children,
}: {
  page: PageContext;
  title: string;
  children: ComponentChildren;
}) {
  const t = (k: Parameters<typeof tLayout>[1]) => tLayout(page.lang, k);
  const trainee = page.user?.role === 'trainee';
  const { brand } = page;
  const site = brand.name || t('appName');
  return (
    <html lang={page.lang} dir={page.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${site}`}</title>
        <link rel="icon" href={brand.iconUrl} type={brand.iconType} />
        <link rel="stylesheet" href={page.cssUrl} />
      </head>
      <body>
        <header class="top">
          {/* The organisation's name is its own: written as configured, in whatever script it uses. */}
          <a href="/" class="brand" dir="auto">
            {brand.logoUrl && <img src={brand.logoUrl} alt="" class="logo" />}
            <span>{site}</span>
          </a>
          <span class="spacer" />
          {page.user && (
            <form method="post" action="/signout">
              <Csrf page={page} />
              <button type="submit" class="link">
                {t('signOut')}
              </button>
            </form>
          )}
          <nav class="top-nav">
            {trainee && <a href="/">{t('myCourses')}</a>}
            <span class="spacer" />
            <LanguagePicker page={page} />
          </nav>
        </header>
        <main>
          {trainee && <p id="fc-banner" class="banner" role="status" aria-live="polite" hidden />}
          {children}
        </main>
        {trainee && <OfflineScripts page={page} />}
      </body>
    </html>
  );
}
