import type { ComponentChildren } from 'preact';
import type { Language } from '../core/config.js';
import { foldKey } from '../core/text-keys.js';
import { formatInstant } from '../core/time-zone.js';
import { COURSE_RESULT_KEYS, courseResultKey } from '../contract/outcomes.js';
import { errorPageText } from '../web/error-page.js';
import { dirOf, LANGUAGE_NAMES } from '../web/i18n.js';
import { tLayout } from '../web/messages/layout.messages.js';
import type { ApplianceStatus, Gap } from './appliances.service.js';
import { FIGURE_DEFINITIONS, tHq, type HqMessageKey } from './hq.messages.js';
import type { ImportOutcome } from './import.service.js';
import type { PersonMatch } from './people-matches.service.js';
import type { CourseReportRow, RatingComment, TraineeFilter, TraineeReportRow } from './reports.service.js';

/** What every HQ page needs to know about its request. */
export interface HqPage {
  lang: Language;
  languages: readonly Language[];
  csrf: string;
  cssUrl: string;
  path: string;
  /** HQ's time zone (config timeZone): every date on the pages is shown in it. */
  timeZone: string;
  username?: string;
}

/** An instant as staff read it: their language, HQ's time zone, the zone named. */
const when = (page: HqPage, iso: string | null | undefined): string =>
  formatInstant(iso, page.lang, page.timeZone);

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

/** An error on a staff page, in HQ's frame and the reader's language (web kit's texts by status). */
export function ErrorPage({
  page,
  code,
  status,
  text,
}: {
  page: HqPage;
  code: string;
  status: number;
  text?: string | undefined;
}) {
  const title = tLayout(page.lang, 'errorTitle');
  return (
    <Layout page={page} title={title}>
      <h1>{title}</h1>
      <p class="error" role="alert" data-code={code}>
        {errorPageText(page.lang, status, text)}
      </p>
      <p>
        <a href="/">{t(page, 'dashboard')}</a>
      </p>
    </Layout>
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
        ? t(page, 'keyRevoked', { date: when(page, r.at), kept: r.importedBefore })
        : t(page, 'revoked', {
            point: `${r.fromEpoch}:${r.fromSeq}`,
            date: when(page, r.at),
            kept: r.importedBefore,
          }),
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
                  <td>{a.lastImportAt ? when(page, a.lastImportAt) : t(page, 'never')}</td>
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

/** A course result in the reader's words; '' when not assessed. */
const resultText = (page: HqPage, r: string): string => {
  const k = courseResultKey(r);
  return k ? t(page, k) : '';
};

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

/** A course's title in the reader's language (then English, then any), else its id. */
function courseTitle(page: HqPage, titles: ReadonlyMap<string, Record<string, string>>, id: string): string {
  const t0 = titles.get(id);
  return t0?.[page.lang] ?? t0?.['en'] ?? Object.values(t0 ?? {})[0] ?? id;
}

/** "Figures as of": per box, the last bundle imported, its date, and any known gap. */
function FiguresAsOf({ page, appliances }: { page: HqPage; appliances: ApplianceStatus[] }) {
  return (
    <section class="card" aria-labelledby="asof">
      <h2 id="asof">{t(page, 'figuresAsOf')}</h2>
      <ul class="plain">
        {appliances.map((a) => (
          <li>
            <strong>{a.name || a.id}</strong>
            {': '}
            {a.lastBundle
              ? t(page, 'asOfBox', {
                  date: when(page, a.lastBundle.importedAt),
                  bundle: a.lastBundle.bundleSeq,
                  seq: a.lastSequence,
                })
              : t(page, 'asOfNone')}
            {a.gaps.length > 0 && (
              <span class="status failed"> · {t(page, 'asOfGaps', { n: a.gaps.length })}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Definitions({ page }: { page: HqPage }) {
  return (
    <details class="card">
      <summary>{t(page, 'definitions')}</summary>
      <ul>
        {FIGURE_DEFINITIONS.map((k) => (
          <li>{t(page, k)}</li>
        ))}
      </ul>
    </details>
  );
}

export function CoursesPage({
  page,
  rows,
  titles,
  appliances,
  comments,
  commentNames,
}: {
  page: HqPage;
  rows: CourseReportRow[];
  titles: ReadonlyMap<string, Record<string, string>>;
  appliances: ApplianceStatus[];
  comments: RatingComment[];
  commentNames: boolean;
}) {
  const names: Record<string, HqMessageKey> = {
    all: 'all',
    appliance: 'byAppliance',
    gender: 'byGender',
    agency: 'byAgency',
  };
  return (
    <Layout page={page} title={t(page, 'courses')}>
      <h1>{t(page, 'courses')}</h1>
      <FiguresAsOf page={page} appliances={appliances} />
      <Definitions page={page} />
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
                  <td>
                    {r.breakdown === 'all' ? (
                      <>
                        <strong>{courseTitle(page, titles, r.course)}</strong>
                        <br />
                        <span class="muted" dir="ltr">
                          {r.course}
                        </span>
                      </>
                    ) : (
                      ''
                    )}
                  </td>
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
      {comments.length > 0 && (
        <section class="card" aria-labelledby="comments">
          <h2 id="comments">{t(page, 'comments')}</h2>
          {!commentNames && <p class="muted">{t(page, 'commentsAnonymous')}</p>}
          <ul class="plain">
            {comments.map((c) => (
              <li>
                <strong>{courseTitle(page, titles, c.course)}</strong> · {'★'.repeat(c.rating)} ·{' '}
                <span class="muted">{when(page, c.ratedAt)}</span>
                {c.name && <> · {c.name}</>}
                <br />
                <bdi>{c.comment}</bdi>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}

/** A <select> of a filter: "All" then each value (labels through `label`). */
function FilterSelect({
  page,
  name,
  label,
  value,
  options,
  text,
}: {
  page: HqPage;
  name: string;
  label: string;
  value: string | undefined;
  options: readonly string[];
  text?: (v: string) => string;
}) {
  return (
    <label>
      {label}
      <select name={name}>
        <option value="">{t(page, 'filterAll')}</option>
        {options.map((o) => (
          <option value={o} selected={o === value}>
            {text ? text(o) : o}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface TraineesView {
  rows: TraineeReportRow[];
  total: number;
  pageNo: number;
  pages: number;
  filter: TraineeFilter;
  options: { appliances: string[]; agencies: string[]; genders: string[]; courses: string[] };
}

export function TraineesPage({
  page,
  view,
  titles,
  appliances,
  ratingNames,
}: {
  page: HqPage;
  view: TraineesView;
  titles: ReadonlyMap<string, Record<string, string>>;
  appliances: ApplianceStatus[];
  /** reports.showRatingNames: without it the ratings are a survey and no one's own is shown. */
  ratingNames: boolean;
}) {
  const yes = (b: boolean) => (b ? t(page, 'yes') : t(page, 'no'));
  const f = view.filter;
  const link = (n: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, String(v));
    q.set('page', String(n));
    return `/reports/trainees?${q.toString()}`;
  };
  return (
    <Layout page={page} title={t(page, 'trainees')}>
      <h1>{t(page, 'trainees')}</h1>
      <FiguresAsOf page={page} appliances={appliances} />
      <form method="get" action="/reports/trainees" class="card filters" role="search">
        <label>
          {t(page, 'search')}
          <input type="search" name="q" value={f.q ?? ''} />
        </label>
        <FilterSelect
          page={page}
          name="appliance"
          label={t(page, 'appliance')}
          value={f.appliance}
          options={view.options.appliances}
        />
        <FilterSelect
          page={page}
          name="agency"
          label={t(page, 'agency')}
          // The filter folds the agency (" police " finds "Police"): the choice it matches is shown chosen.
          value={view.options.agencies.find((a) => f.agency && foldKey(a) === foldKey(f.agency)) ?? f.agency}
          options={view.options.agencies}
        />
        <FilterSelect
          page={page}
          name="gender"
          label={t(page, 'gender')}
          value={f.gender}
          options={view.options.genders}
          text={(g) => genderText(page, g)}
        />
        <FilterSelect
          page={page}
          name="course"
          label={t(page, 'course')}
          value={f.course}
          options={view.options.courses}
          text={(c) => courseTitle(page, titles, c)}
        />
        <FilterSelect
          page={page}
          name="result"
          label={t(page, 'result')}
          value={f.result}
          options={Object.keys(COURSE_RESULT_KEYS)}
          text={(r) => resultText(page, r)}
        />
        <button type="submit">{t(page, 'filterButton')}</button>
      </form>
      <p>
        <a href="/reports/trainees.csv" class="button secondary">
          {t(page, 'downloadCsv')}
        </a>
      </p>
      {view.total === 0 ? (
        <p class="card">{t(page, 'noData')}</p>
      ) : (
        <>
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
                  <th>
                    <abbr title={t(page, 'scormResetsHelp')}>{t(page, 'scormResets')}</abbr>
                  </th>
                  {ratingNames && <th>{t(page, 'rating')}</th>}
                  <th>{t(page, 'lastActivity')}</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((r) => (
                  <tr>
                    <td>
                      <bdi>{r.name || r.username || r.person}</bdi>
                    </td>
                    <td>
                      <bdi>{r.externalId}</bdi>
                    </td>
                    <td>{r.agency}</td>
                    <td>{r.gender ? genderText(page, r.gender) : ''}</td>
                    <td>{r.appliances}</td>
                    <td>{courseTitle(page, titles, r.course)}</td>
                    <td>{yes(r.started)}</td>
                    <td>{yes(r.completed)}</td>
                    <td>{resultText(page, r.result) || '—'}</td>
                    <td>{r.score === null ? '–' : `${Math.round(r.score * 100)} %`}</td>
                    <td class="num" data-col="scormResets">
                      {r.scormResets}
                    </td>
                    {ratingNames && <td>{r.rating ?? '–'}</td>}
                    <td>{when(page, r.lastActivityAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav
            class="pager"
            aria-label={t(page, 'pageOf', { page: view.pageNo, pages: view.pages, total: view.total })}
          >
            {view.pageNo > 1 && <a href={link(view.pageNo - 1)}>{t(page, 'previous')}</a>}{' '}
            <span>{t(page, 'pageOf', { page: view.pageNo, pages: view.pages, total: view.total })}</span>{' '}
            {view.pageNo < view.pages && <a href={link(view.pageNo + 1)}>{t(page, 'next')}</a>}
          </nav>
        </>
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
          {m.nameConflict && (
            <p class="error" role="note">
              {t(page, 'nameConflict')}{' '}
              {m.nameConflict.names.map((n, i) => (
                <>
                  {i > 0 && ' · '}
                  <bdi>{n}</bdi>
                </>
              ))}
              . {t(page, 'nameShown')} <bdi>{m.nameConflict.shown ?? '–'}</bdi>
            </p>
          )}
          <form method="post" action={`/people/${m.id}`}>
            <Csrf page={page} />
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>{t(page, 'includeInDecision')}</th>
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
                              date: when(page, c.decidedAt),
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
