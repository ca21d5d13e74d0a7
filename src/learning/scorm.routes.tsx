import express, { Router, type Request } from 'express';
import { AppError, isAppError, notFound } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { ContentService } from '../content/content.service.js';
import type { LearningService } from './learning.service.js';
import type { ScormTocNode } from '../content/scorm/scorm-package.js';
import { requireRole } from '../web/auth.middleware.js';
import { Layout } from '../web/layout.js';
import { pageContext, type PageContext } from '../web/page.js';
import { sendPage } from '../web/render.js';
import { ScormScripts } from './scorm.scripts.js';
import { tScorm } from './scorm.messages.js';
import type { ScormService } from './scorm.service.js';

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
  if (!port) throw new AppError('scorm_unavailable', 'the SCORM package server is not running', 503);
  return `${req.protocol}://${req.hostname}:${port}`;
}

function Toc({
  nodes,
  page,
  courseId,
  current,
  choice,
  status,
  disabled,
  hidden,
}: {
  nodes: ScormTocNode[];
  page: PageContext;
  courseId: string;
  current: string;
  choice: boolean;
  status: Record<string, string>;
  disabled: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
}) {
  return (
    <ul class="scorm-toc">
      {nodes
        .filter((n) => !hidden.has(n.id))
        .map((n) => (
          <li>
            {n.launchable && n.id !== current && choice && !disabled.has(n.id) ? (
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
                choice={choice}
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
 * Previous/Next as its sequencing allows, and a sandboxed frame on the PACKAGE origin running the SCO;
 * `POST .../commit` stores a commit (JSON from scorm-again; CSRF token in header or query, Origin
 * checked by the app's middleware) and answers scorm-again's `{result, errorCode}` once durable.
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
    let opened: Awaited<ReturnType<ScormService['open']>>;
    try {
      opened = await scorm.open(person, courseId, activityId, page.lang);
    } catch (e) {
      if (!isAppError(e) || e.code !== 'scorm_not_available') throw e;
      // The package's sequencing rules disable this SCO for now: say so in the trainee's language.
      const title = course.modules.flatMap((m) => m.items).find((i) => i.id === activityId)?.title ?? '';
      sendPage(
        res,
        <Layout page={page} title={title}>
          <p>
            <a href={`/courses/${enc(courseId)}`}>{tScorm(page.lang, 'backToCourse')}</a>
          </p>
          <h1>{title}</h1>
          <p class="error" role="alert" data-code="scorm_not_available">
            {tScorm(page.lang, 'notAvailableDetail')}
          </p>
        </Layout>,
        403,
      );
      return;
    }
    const { launch, sequencing } = opened;
    // Sequenced packages: items the rules disable are not linked; hidden ones are not listed.
    const blocked = (id: string) =>
      !!sequencing && (sequencing.disabled.has(id) || sequencing.hidden.has(id));
    const origin = packageOrigin(
      req,
      ctx.config.scorm.publicOrigin,
      req.app.locals['scormPackagePort'] as number | undefined,
    );
    const appOrigin = `${req.protocol}://${req.get('host') ?? req.hostname}`;
    const items = course.modules.flatMap((m) => m.items);
    const idx = items.findIndex((i) => i.id === activityId);
    const nav = { ...pkg.controlMode, ...(launch.info.controlMode ?? {}) };
    const prev = idx > 0 && !blocked(items[idx - 1]!.id) ? scormUrl(courseId, items[idx - 1]!.id) : null;
    const next =
      idx >= 0 && idx < items.length - 1 && !blocked(items[idx + 1]!.id)
        ? scormUrl(courseId, items[idx + 1]!.id)
        : null;
    const progress = learning.courseProgress(person.id, course);
    const status: Record<string, string> = {};
    for (const [id, a] of Object.entries(progress.activities)) status[id] = a.status;
    const base = `/p/${enc(courseId)}/${enc(course.version)}/`;
    const wrapperUrl = `${origin}/w/?launch=${enc(base + launch.launch)}&parent=${enc(appOrigin)}`;
    const config = {
      version: launch.version,
      scormType: launch.scormType,
      commitUrl: `${scormUrl(courseId, activityId)}/commit?session=${launch.sessionId}&attempt=${launch.attemptNo}&_csrf=${enc(page.csrf)}`,
      csrf: page.csrf,
      cmi: launch.cmi,
      contentOrigin: origin,
      wrapperUrl,
      nav,
      prevUrl: prev,
      nextUrl: next,
      outlineUrl: `/courses/${enc(courseId)}`,
      urls: Object.fromEntries(
        items.filter((i) => !blocked(i.id)).map((i) => [i.id, scormUrl(courseId, i.id)]),
      ),
      text: { saved: tScorm(page.lang, 'saved') },
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
    sendPage(
      res,
      <Layout page={page} title={title}>
        <p>
          <a href={`/courses/${enc(courseId)}`}>{tScorm(page.lang, 'backToCourse')}</a>
        </p>
        <h1>{title}</h1>
        {items.length > 1 && (
          <nav aria-label={tScorm(page.lang, 'contents')}>
            <details open={false}>
              <summary>{tScorm(page.lang, 'contents')}</summary>
              <Toc
                nodes={pkg.toc}
                page={page}
                courseId={courseId}
                current={activityId}
                choice={nav.choice}
                status={status}
                disabled={sequencing?.disabled ?? new Set()}
                hidden={sequencing?.hidden ?? new Set()}
              />
            </details>
          </nav>
        )}
        <iframe
          id="scorm-frame"
          class="scorm-frame"
          title={title}
          sandbox="allow-scripts allow-same-origin allow-forms allow-modals"
          allow="fullscreen; autoplay"
          referrerpolicy="origin"
          style="width:100%;height:75vh;border:1px solid #ccc"
        />
        <p id="scorm-status" role="status" class="muted" />
        {nav.flow && (
          <p class="scorm-nav">
            {prev && !nav.forwardOnly && <a href={prev}>{tScorm(page.lang, 'previous')}</a>}
            {prev && !nav.forwardOnly && next && ' · '}
            {next && <a href={next}>{tScorm(page.lang, 'next')}</a>}
          </p>
        )}
        <script type="application/json" id="scorm-config" dangerouslySetInnerHTML={{ __html: json }} />
        <script src={`/scorm-rt/${scripts.byName[launch.version].url.slice(4)}`} />
        <script src={`/scorm-rt/${scripts.byName.lms.url.slice(4)}`} />
        <script src={`/scorm-rt/${scripts.byName.player.url.slice(4)}`} />
      </Layout>,
    );
  });

  router.post(
    '/courses/:courseId/scorm/:activityId/commit',
    express.json({ limit: '1mb', type: () => true }),
    trainee,
    async (req, res) => {
      const person = res.locals.user!.person;
      const r = await scorm.commit(
        person,
        String(req.params['courseId']),
        String(req.params['activityId']),
        res.locals.lang,
        {
          sessionId: typeof req.query['session'] === 'string' ? req.query['session'] : '',
          attemptNo: Number(req.query['attempt'] ?? 1) || 1,
          body: req.body as unknown,
          terminate: (req.body as { terminate?: unknown } | undefined)?.terminate === true,
          asset: req.query['asset'] === '1',
        },
      );
      res.json({ result: true, errorCode: 0, status: r.status });
    },
  );

  return router;
}
