import { Router, type Request } from 'express';
import { isAppError, notFound } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { ContentService } from '../content/content.service.js';
import type { LearningService } from './learning.service.js';
import type { ScormTocNode } from '../content/scorm/scorm-package.js';
import { requireRole } from '../people/auth.middleware.js';
import { Layout, RowLink } from '../web/layout.js';
import { pageContext, type PageContext } from '../web/page.js';
import { sendPage } from '../web/render.js';
import { ScormScripts } from './scorm.scripts.js';
import { tScorm } from './scorm.messages.js';
import type { ScormService } from './scorm.service.js';
import { scormError } from './scorm.errors.js';

const enc = encodeURIComponent;
export const scormUrl = (courseId: string, activityId: string) =>
  `/courses/${enc(courseId)}/scorm/${enc(activityId)}`;

/** Where the package origin is, as the browser must reach it. */
export function packageOrigin(
  req: Request,
  configured: string | undefined,
  port: number | undefined,
): string {
  if (configured) return configured.replace(/\/$/, '');
  if (!port) throw scormError('scorm_unavailable');
  return `${req.protocol}://${req.hostname}:${port}`;
}

/**
 * Packages share the app's site: no package host name is configured (`npm start` reached by IP or
 * localhost: the same host at another port, and browsers do not separate cookies by port), or the
 * configured one is the app's host, a parent or a child of it. The admin warns in that mode.
 */
export function packagesShareSite(req: Request, configured: string | undefined): boolean {
  if (!configured) return true;
  let pkg: string;
  try {
    pkg = new URL(configured).hostname;
  } catch {
    return true;
  }
  const app = req.hostname;
  return pkg === app || pkg.endsWith(`.${app}`) || app.endsWith(`.${pkg}`);
}

const shown = (n: ScormTocNode): ScormTocNode[] => (n.visible === false ? n.children.flatMap(shown) : [n]);

function Toc({
  nodes,
  page,
  courseId,
  current,
  linked,
  status,
  disabled,
  hidden,
}: {
  nodes: ScormTocNode[];
  page: PageContext;
  courseId: string;
  current: string;
  /** SCOs a Choice may open now. */
  linked: ReadonlySet<string>;
  status: Record<string, string>;
  disabled: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
}) {
  return (
    <ul class="scorm-toc">
      {nodes
        .filter((n) => !hidden.has(n.id))
        // isvisible="false": the item's own line is left out, its children take its place.
        .flatMap(shown)
        .map((n) => (
          <li>
            {n.launchable && n.id !== current && linked.has(n.id) ? (
              <a href={scormUrl(courseId, n.id)}>{n.title}</a>
            ) : (
              <span aria-current={n.id === current ? 'page' : undefined}>{n.title}</span>
            )}
            {n.launchable && status[n.id] && (
              <span class="muted">{` · ${tScorm(page.lang, statusKey(status[n.id]!))}`}</span>
            )}
            {n.launchable && disabled.has(n.id) && (
              <span class="muted scorm-locked">{` · ${tScorm(page.lang, 'notAvailableYet')}`}</span>
            )}
            {n.children.length > 0 && (
              <Toc
                nodes={n.children}
                page={page}
                courseId={courseId}
                current={current}
                linked={linked}
                status={status}
                disabled={disabled}
                hidden={hidden}
              />
            )}
          </li>
        ))}
    </ul>
  );
}

function statusKey(
  s: string,
): 'statusPassed' | 'statusFailed' | 'statusCompleted' | 'statusStarted' | 'statusNotStarted' {
  return s === 'passed'
    ? 'statusPassed'
    : s === 'failed'
      ? 'statusFailed'
      : s === 'completed'
        ? 'statusCompleted'
        : s === 'started'
          ? 'statusStarted'
          : 'statusNotStarted';
}

/**
 * The SCORM player (app origin): `GET /courses/:course/scorm/:activity` shows the package's TOC,
 * Previous/Next as its sequencing allows, and a sandboxed frame on the PACKAGE origin where the runtime
 * runs the SCO and commits with its launch token (src/learning/scorm.package-app.ts); `GET .../nav`
 * resolves a navigation request, `GET .../links` says which of Previous / Next apply now.
 */
/** What the SCORM player uses (a box's context has all of it). */
export interface ScormRouterDeps {
  config: Config;
  content: ContentService;
  learning: LearningService;
  scorm: ScormService;
}

export function scormRouter(ctx: ScormRouterDeps, scripts: ScormScripts = ScormScripts.shared()): Router {
  const router = Router();
  const trainee = requireRole('trainee');
  const { content, learning, scorm } = ctx;

  router.get('/scorm-rt/:file', (req, res, next) => {
    const s = scripts.all.get(req.path.replace(/^\/scorm-rt/, '/rt'));
    if (!s) return next();
    s.send(req, res);
  });

  router.get('/courses/:courseId/scorm/:activityId', trainee, async (req, res) => {
    const page = pageContext(req, res);
    const person = res.locals.user!.person;
    const courseId = String(req.params['courseId']);
    const activityId = String(req.params['activityId']);
    const course = content.getCourse(courseId, page.lang);
    const pkg = course ? scorm.packageOf(courseId) : undefined;
    if (!course || !pkg) throw notFound('course');
    let prepared: Awaited<ReturnType<ScormService['prepareLaunch']>>;
    try {
      prepared = await scorm.prepareLaunch(person, courseId, activityId, page.lang);
    } catch (e) {
      if (!isAppError(e) || e.code !== 'scorm_not_available') throw e;
      // The package's sequencing rules disable this SCO for now: say so in the trainee's language.
      const title = course.modules.flatMap((m) => m.items).find((i) => i.id === activityId)?.title ?? '';
      sendPage(
        res,
        <Layout page={page} title={title}>
          <RowLink href={`/courses/${enc(courseId)}`}>{tScorm(page.lang, 'backToCourse')}</RowLink>
          <h1>{title}</h1>
          <p class="error" role="alert" data-code="scorm_not_available">
            {tScorm(page.lang, 'notAvailableDetail')}
          </p>
        </Layout>,
        403,
      );
      return;
    }
    const { launch } = prepared;
    const nav = await scorm.navigation(person.id, courseId, activityId, page.lang, true);
    const origin = packageOrigin(
      req,
      ctx.config.scorm.publicOrigin,
      req.app.locals['scormPackagePort'] as number | undefined,
    );
    const appOrigin = `${req.protocol}://${req.get('host') ?? req.hostname}`;
    const items = course.modules.flatMap((m) => m.items);
    const idx = items.findIndex((i) => i.id === activityId);
    const progress = learning.courseProgress(person.id, course);
    const status: Record<string, string> = {};
    for (const [id, a] of Object.entries(progress.activities)) status[id] = a.status;
    // The token rides in the fragment: never sent to a server, never in a Referer, never stored.
    const wrapperUrl = `${origin}/w/${launch.version}#token=${enc(launch.token)}&parent=${enc(appOrigin)}`;
    const here = scormUrl(courseId, activityId);
    const config = {
      contentOrigin: origin,
      wrapperUrl,
      navUrl: `${here}/nav`,
      linksUrl: `${here}/links`,
      text: {
        saved: tScorm(page.lang, 'saved'),
        notSaved: tScorm(page.lang, 'notSaved'),
        saving: tScorm(page.lang, 'saving'),
        exitAnyway: tScorm(page.lang, 'exitAnyway'),
      },
    };
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        `frame-src ${origin}`,
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
      ].join('; '),
    );
    const title = items[idx]?.title ?? course.title;
    const json = JSON.stringify(config).replace(/</g, '\\u003c');
    const choice = new Set(nav.choice);
    const t = (k: Parameters<typeof tScorm>[1]) => tScorm(page.lang, k);
    // The whole screen (a phone at 360 px): Exit (saves first, then back to the course), the title and
    // the saved state on top, the package frame, then Previous / Contents / Next. Without JavaScript
    // Exit is a plain link and the runtime's pagehide beacon still saves.
    sendPage(
      res,
      <Layout page={page} title={title}>
        <link rel="stylesheet" href={`/scorm-rt/${scripts.byName.playerCss.url.slice(4)}`} />
        <div class="scorm-player" id="scorm-player" data-needs-wifi>
          <div class="scorm-bar">
            <a id="scorm-exit" class="scorm-exit" href={`/courses/${enc(courseId)}`} data-state="saved">
              {t('exit')}
            </a>
            <h1 class="scorm-title" dir="auto">
              {title}
            </h1>
            <span id="scorm-status" role="status" class="scorm-status" data-state="pending" />
          </div>
          {pkg.remote?.length ? (
            <p class="notice scorm-notice" role="note" data-code="scorm_remote_content">
              {t('remoteContent')}
            </p>
          ) : null}
          <iframe
            id="scorm-frame"
            class="scorm-frame"
            title={title}
            sandbox="allow-scripts allow-same-origin allow-forms allow-modals"
            allow="fullscreen; autoplay"
            referrerpolicy="no-referrer"
          />
          <nav class="scorm-bar scorm-bottom" aria-label={t('contents')}>
            <a id="scorm-prev" href={`${here}/nav?request=previous`} hidden={!nav.previous}>
              {t('previous')}
            </a>
            {items.length > 1 && (
              <details class="scorm-contents">
                <summary>{t('contents')}</summary>
                <Toc
                  nodes={pkg.toc}
                  page={page}
                  courseId={courseId}
                  current={activityId}
                  linked={choice}
                  status={status}
                  disabled={nav.sequencing?.disabled ?? new Set()}
                  hidden={nav.sequencing?.hidden ?? new Set()}
                />
              </details>
            )}
            <a id="scorm-next" href={`${here}/nav?request=continue`} hidden={!nav.continue}>
              {t('next')}
            </a>
          </nav>
        </div>
        <script type="application/json" id="scorm-config" dangerouslySetInnerHTML={{ __html: json }} />
        <script src={`/scorm-rt/${scripts.byName.player.url.slice(4)}`} />
      </Layout>,
    );
  });

  // Navigation requests (the player's links, and the SCO's adl.nav.request after it ends), resolved by
  // the one sequencer at the moment they are made. A GET: it records nothing.
  router.get('/courses/:courseId/scorm/:activityId/nav', trainee, async (req, res) => {
    const person = res.locals.user!.person;
    const courseId = String(req.params['courseId']);
    const target = await scorm.navigate(
      person.id,
      courseId,
      String(req.params['activityId']),
      res.locals.lang,
      typeof req.query['request'] === 'string' ? req.query['request'] : '',
      typeof req.query['target'] === 'string' ? req.query['target'] : undefined,
    );
    res.redirect(303, target ? scormUrl(courseId, target) : `/courses/${enc(courseId)}`);
  });

  // What Previous / Next show now, and where the SCO's end leads by its own rules (the player asks when
  // the SCO ends without a navigation request, and follows it or refreshes its links without a reload).
  router.get('/courses/:courseId/scorm/:activityId/links', trainee, async (req, res) => {
    const person = res.locals.user!.person;
    const courseId = String(req.params['courseId']);
    const nav = await scorm.navigation(
      person.id,
      courseId,
      String(req.params['activityId']),
      res.locals.lang,
    );
    const after = nav.afterEnd;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      previous: nav.previous !== null,
      continue: nav.continue !== null,
      // Where the player goes by itself when the SCO ended without a request (its post-condition rules).
      then:
        'deliver' in after
          ? scormUrl(courseId, after.deliver)
          : 'end' in after
            ? `/courses/${enc(courseId)}`
            : null,
    });
  });

  return router;
}
