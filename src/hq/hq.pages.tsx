import type { ComponentChildren } from 'preact';
import type { Language } from '../core/config.js';
import { dirOf, LANGUAGE_NAMES } from '../web/i18n.js';
import type { ApplianceStatus, Gap } from './appliances.service.js';
import { tHq, type HqMessageKey } from './hq.messages.js';
import type { ImportOutcome } from './import.service.js';
import type { PersonMatch } from './people-matches.service.js';
import type { CourseReportRow, TraineeReportRow } from './reports.service.js';

/** What every HQ page needs to know about its request. */
export interface HqPage {
  lang: Language;
  languages: readonly Language[];
  csrf: string;
  cssUrl: string;
  path: string;
  username?: string;
}

const t = (p: HqPage, k: HqMessageKey, params?: Record<string, string | number>) => tHq(p.lang, k, params);

function Csrf({ page }: { page: HqPage }) {
  return <input type="hidden" name="_csrf" value={page.csrf} />;
}

function Layout({ page, title, children }: { page: HqPage; title: string; children: ComponentChildren }) {
  return (
    <html lang={page.lang} dir={dirOf(page.lang)}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t(page, 'appName')}`}</title>
        <link rel="stylesheet" href={page.cssUrl} />
      </head>
      <body>
        <header class="top">
          <a href="/" class="brand">
            {t(page, 'appName')}
          </a>
          {page.username && (
            <>
              <a href="/">{t(page, 'dashboard')}</a>
              <a href="/reports/courses">{t(page, 'courses')}</a>
              <a href="/reports/trainees">{t(page, 'trainees')}</a>
              <a href="/people">{t(page, 'people')}</a>
              <a href="/upload">{t(page, 'upload')}</a>
            </>
          )}
          <span class="spacer" />
          <form method="post" action="/language" class="langs" aria-label={t(page, 'language')}>
            <Csrf page={page} />
            <input type="hidden" name="back" value={page.path} />
            {page.languages
              .filter((l) => l !== page.lang)
              .map((l) => (
                <button type="submit" name="lang" value={l} lang={l} class="link">
                  {LANGUAGE_NAMES[l]}
                </button>
              ))}
          </form>
          {page.username && (
            <form method="post" action="/signout">
              <Csrf page={page} />
              <button type="submit" class="link">
                {t(page, 'signOut')}
              </button>
            </form>
          )}
        </header>
        <main class="wide">{children}</main>
      </body>
    </html>
  );
}

export function SignInPage({ page, error, username }: { page: HqPage; error?: string; username?: string }) {
  return (
    <Layout page={page} title={t(page, 'signInTitle')}>
      <h1>{t(page, 'signInTitle')}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/signin" class="card">
        <Csrf page={page} />
        <label for="username">{t(page, 'username')}</label>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          required
          value={username ?? ''}
        />
        <label for="password">{t(page, 'password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <p>
          <button type="submit">{t(page, 'signIn')}</button>
        </p>
      </form>
    </Layout>
  );
}

function health(page: HqPage, a: ApplianceStatus) {
  const parts: string[] = [];
  const r = a.revocation;
  if (r)
    parts.push(
      r.keyRevoked
        ? t(page, 'keyRevoked', { date: r.at, kept: r.importedBefore })
        : t(page, 'revoked', { point: `${r.fromEpoch}:${r.fromSeq}`, date: r.at, kept: r.importedBefore }),
    );
  if (a.forks.length) parts.push(`${t(page, 'forks')}: ${a.forks.length}`);
  const held = a.held.fork + a.held.otherAppliance;
  if (held) parts.push(t(page, 'heldStatements', { n: held }));
  const repeated = a.held.duplicate ? t(page, 'duplicateStatements', { n: a.held.duplicate }) : '';
  if (!parts.length && !a.gaps.length)
    return (
      <>
        <span class="status done">{t(page, 'healthy')}</span>
        {repeated && <p class="status">{repeated}</p>}
      </>
    );
  return (
    <>
      {parts.length > 0 && <span class="status failed">{parts.join(' · ')}</span>}
      {repeated && <p class="status">{repeated}</p>}
      {a.gaps.map((g) => (
        <GapNote page={page} gap={g} />
      ))}
    </>
  );
}

/** A gap with its way out: the rows and bundle files missing, and what to do on the box. */
function GapNote({ page, gap: g }: { page: HqPage; gap: Gap }) {
  const rows = g.fromSeq === g.toSeq ? `${g.fromSeq}` : `${g.fromSeq}–${g.toSeq}`;
  const b = g.bundles;
  return (
    <p class="status failed">
      {t(page, 'gapRows', { rows })}
      {b && (
        <>
          {' '}
          {b.fromBundle === b.toBundle
            ? t(page, 'gapBundle', { n: b.fromBundle })
            : t(page, 'gapBundles', { from: b.fromBundle, to: b.toBundle })}{' '}
          <bdi dir="ltr">
            <code>{b.firstFile}</code>
            {b.toBundle > b.fromBundle && (
              <>
                {' … '}
                <code>{b.lastFile}</code>
              </>
            )}
          </bdi>
        </>
      )}
      <br />
      {t(page, 'gapWayOut')}{' '}
      <bdi dir="ltr">
        <code>{g.command}</code>
      </bdi>
      {b ? ` ${t(page, 'gapOrOutboxFiles')}` : ` ${t(page, 'gapOrOutbox')}`}
    </p>
  );
}

export function DashboardPage({ page, appliances }: { page: HqPage; appliances: ApplianceStatus[] }) {
  return (
    <Layout page={page} title={t(page, 'dashboard')}>
      <h1>{t(page, 'dashboard')}</h1>
      {appliances.length === 0 ? (
        <p class="card">{t(page, 'noAppliances')}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>{t(page, 'appliance')}</th>
                <th>{t(page, 'location')}</th>
                <th>{t(page, 'lastBundle')}</th>
                <th>{t(page, 'lastSequence')}</th>
                <th>{t(page, 'lastImport')}</th>
                <th>{t(page, 'gaps')}</th>
              </tr>
            </thead>
            <tbody>
              {appliances.map((a) => (
                <tr>
                  <td>
                    {a.name}
                    <br />
                    <span class="muted">{a.id}</span>
                  </td>
                  <td>{a.location}</td>
                  <td>
                    {a.lastBundle ? `#${a.lastBundle.bundleSeq} (e${a.lastBundle.epoch})` : t(page, 'none')}
                  </td>
                  <td>{a.lastSequence}</td>
                  <td>{a.lastImportAt ?? t(page, 'never')}</td>
                  <td>{health(page, a)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href="/reports/appliances.csv" class="button secondary">
          {t(page, 'downloadCsv')}
        </a>
      </p>
    </Layout>
  );
}

export function UploadPage({ page, results }: { page: HqPage; results?: ImportOutcome[] }) {
  const label = (o: ImportOutcome) =>
    o.status === 'imported'
      ? t(page, 'imported')
      : o.status === 'already_imported'
        ? t(page, 'alreadyImported')
        : `${t(page, 'refused')}: ${o.reason ?? o.code ?? ''}`;
  return (
    <Layout page={page} title={t(page, 'upload')}>
      <h1>{t(page, 'upload')}</h1>
      {results && (
        <section class="card" aria-live="polite">
          <h2>{t(page, 'results')}</h2>
          {results.length === 0 ? (
            <p class="error">{t(page, 'noFile')}</p>
          ) : (
            <ul class="plain">
              {results.map((o) => (
                <li class={o.status === 'refused' ? 'status failed' : 'status done'}>
                  {o.file}: {label(o)}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <form
        method="post"
        action={`/upload?_csrf=${encodeURIComponent(page.csrf)}`}
        enctype="multipart/form-data"
        class="card"
      >
        <p class="muted">{t(page, 'uploadHelp')}</p>
        <label for="bundles">{t(page, 'bundleFiles')}</label>
        <input id="bundles" name="bundles" type="file" accept=".zip,application/zip" multiple required />
        <p>
          <button type="submit">{t(page, 'uploadButton')}</button>
        </p>
      </form>
    </Layout>
  );
}

const RESULT_KEYS = {
  passed: 'resultPassed',
  failed: 'resultFailed',
  pending: 'resultPending',
} as const satisfies Record<string, HqMessageKey>;

const GENDER_KEYS: Record<string, HqMessageKey> = {
  female: 'genderFemale',
  male: 'genderMale',
  other: 'genderOther',
  undisclosed: 'genderUndisclosed',
};

/** A gender value (the box's vocabulary) in the reader's language. */
const genderText = (page: HqPage, g: string): string => {
  const k = GENDER_KEYS[g];
  return k ? t(page, k) : g;
};

const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)} %`);

export function CoursesPage({ page, rows }: { page: HqPage; rows: CourseReportRow[] }) {
  const names: Record<string, HqMessageKey> = {
    all: 'all',
    appliance: 'byAppliance',
    gender: 'byGender',
    agency: 'byAgency',
  };
  return (
    <Layout page={page} title={t(page, 'courses')}>
      <h1>{t(page, 'courses')}</h1>
      <p>
        <a href="/reports/courses.csv" class="button secondary">
          {t(page, 'downloadCsv')}
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="card">{t(page, 'noData')}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>{t(page, 'course')}</th>
                <th>{t(page, 'breakdown')}</th>
                <th>{t(page, 'group')}</th>
                <th>{t(page, 'enrolled')}</th>
                <th>{t(page, 'started')}</th>
                <th>{t(page, 'completed')}</th>
                <th>{t(page, 'passRate')}</th>
                <th>{t(page, 'ratingAverage')}</th>
                <th>{t(page, 'ratingGood')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr class={r.breakdown === 'all' ? 'total' : ''}>
                  <td>{r.breakdown === 'all' ? <strong>{r.course}</strong> : ''}</td>
                  <td>{t(page, names[r.breakdown]!)}</td>
                  <td>
                    {r.breakdown === 'gender'
                      ? genderText(page, r.group)
                      : r.location
                        ? `${r.group} (${r.location})`
                        : r.group}
                  </td>
                  <td>{r.enrolled}</td>
                  <td>{r.started}</td>
                  <td>{r.completed}</td>
                  <td>{pct(r.passRate)}</td>
                  <td>{r.ratingAverage === null ? '–' : `${r.ratingAverage} (${r.ratings})`}</td>
                  <td>{pct(r.ratingGoodShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function TraineesPage({ page, rows }: { page: HqPage; rows: TraineeReportRow[] }) {
  const yes = (b: boolean) => (b ? t(page, 'yes') : t(page, 'no'));
  return (
    <Layout page={page} title={t(page, 'trainees')}>
      <h1>{t(page, 'trainees')}</h1>
      <p>
        <a href="/reports/trainees.csv" class="button secondary">
          {t(page, 'downloadCsv')}
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="card">{t(page, 'noData')}</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>{t(page, 'name')}</th>
                <th>{t(page, 'externalId')}</th>
                <th>{t(page, 'agency')}</th>
                <th>{t(page, 'gender')}</th>
                <th>{t(page, 'appliances')}</th>
                <th>{t(page, 'course')}</th>
                <th>{t(page, 'started')}</th>
                <th>{t(page, 'completed')}</th>
                <th>{t(page, 'result')}</th>
                <th>{t(page, 'score')}</th>
                <th>{t(page, 'rating')}</th>
                <th>{t(page, 'lastActivity')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{r.name || r.username || r.person}</td>
                  <td>{r.externalId}</td>
                  <td>{r.agency}</td>
                  <td>{r.gender ? genderText(page, r.gender) : ''}</td>
                  <td>{r.appliances}</td>
                  <td>{r.course}</td>
                  <td>{yes(r.started)}</td>
                  <td>{yes(r.completed)}</td>
                  <td>
                    {r.result === '' || r.result === 'not_assessed' ? '—' : t(page, RESULT_KEYS[r.result])}
                  </td>
                  <td>{r.score === null ? '–' : `${Math.round(r.score * 100)} %`}</td>
                  <td>{r.rating ?? '–'}</td>
                  <td>{r.lastActivityAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

/** People across boxes: each match with its claims, and the two decisions HQ staff can make. */
export function PeoplePage({ page, matches }: { page: HqPage; matches: PersonMatch[] }) {
  return (
    <Layout page={page} title={t(page, 'people')}>
      <h1>{t(page, 'people')}</h1>
      <p class="muted">{t(page, 'peopleHelp')}</p>
      {matches.length === 0 && <p class="card">{t(page, 'noMatches')}</p>}
      {matches.map((m) => (
        <section class="card" aria-labelledby={`m-${m.id}`}>
          <h2 id={`m-${m.id}`}>
            <bdi>{m.agency || t(page, 'noAgency')}</bdi> · <bdi dir="ltr">{m.externalId}</bdi>{' '}
            <span class={m.pending ? 'status failed' : 'status done'}>
              {t(page, m.pending ? 'matchPending' : 'matchDecided')}
            </span>
          </h2>
          <form method="post" action={`/people/${m.id}`}>
            <Csrf page={page} />
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>{t(page, 'chooseBoxes')}</th>
                    <th>{t(page, 'claimBox')}</th>
                    <th>{t(page, 'claimName')}</th>
                    <th>{t(page, 'username')}</th>
                    <th>{t(page, 'gender')}</th>
                    <th>{t(page, 'statements')}</th>
                    <th>{t(page, 'decision')}</th>
                  </tr>
                </thead>
                <tbody>
                  {m.claims.map((c) => (
                    <tr>
                      <td>
                        <input
                          type="checkbox"
                          name="box"
                          value={c.applianceId}
                          checked={!c.decision}
                          aria-label={`${c.applianceName} ${c.displayName ?? c.localId}`}
                        />
                      </td>
                      <td>{c.applianceName}</td>
                      <td>
                        <bdi>{c.displayName ?? c.localId}</bdi>
                      </td>
                      <td>
                        <bdi>{c.username ?? ''}</bdi>
                      </td>
                      <td>{c.gender ? genderText(page, c.gender) : '–'}</td>
                      <td>{c.statements}</td>
                      <td>
                        {c.decision
                          ? t(page, c.decision === 'merged' ? 'decisionMerged' : 'decisionRejected', {
                              by: c.decidedBy ?? '',
                              date: c.decidedAt ?? '',
                            })
                          : '–'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              <button type="submit" name="decision" value="merged">
                {t(page, 'mergeButton')}
              </button>{' '}
              <button type="submit" name="decision" value="rejected" class="secondary">
                {t(page, 'rejectButton')}
              </button>
            </p>
          </form>
        </section>
      ))}
    </Layout>
  );
}
