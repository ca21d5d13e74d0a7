import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import { isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { startSession } from '../../people/auth.middleware.js';
import { SigninLimiter, type SessionService } from '../../people/auth.service.js';
import { timeZoneName } from '../../core/time-zone.js';
import type { AuditService } from '../../records/audit.service.js';
import type { TimeZoneService } from '../../records/time-zone.service.js';
import { parseOperationId } from '../../records/operations.js';
import type { RecordsService } from '../../records/records.service.js';
import { sent, validate } from '../../web/validate.js';
import { adminError } from '../admin.errors.js';
import { field } from '../kit/fields.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { SetupPage, SignInPage } from './setup.pages.js';
import type { SetupService } from './setup.service.js';

export interface SetupDeps {
  config: Config;
  logger: Logger;
  sessions: SessionService;
  audit: AuditService;
  setup: SetupService;
  timeZone: TimeZoneService;
  records: RecordsService;
}

/** The first-run setup as an operation (AdminKit.once): nobody is signed in yet. */
const SETUP = { action: 'setup.complete', target: 'box', who: '' } as const;

/** The setup form: the code and the first coordinator (the service checks username and password rules). */
const setupForm = z
  .object({
    code: field(40),
    username: field(64).transform((s) => s.trim()),
    displayName: field(120).transform((s) => s.trim()),
    password: field(200),
    password2: field(200),
    // Where the class is (the one schema; the page offers the device's zone; blank or not sent: UTC).
    timeZone: field(64)
      .transform((s) => s.trim() || 'UTC')
      .pipe(timeZoneName),
    op: field(64),
  })
  .superRefine((v, ctx) => {
    if (v.password !== v.password2)
      ctx.addIssue({ code: 'custom', path: ['password2'], message: 'passwordMismatch' });
  });

/** Sign-in reads what was sent as it is (cut to size); a missing field is the page's own message. */
const signinForm = z.object({
  username: sent(64).transform((s) => s.trim()),
  password: sent(200),
});

/**
 * First run and sign-in, before the coordinator check: the setup page (while no coordinator exists; the
 * setup code from the log) and the coordinator sign-in, both rate-limited per address.
 */
export function setupRouter(ctx: SetupDeps, kit: AdminKit): Router {
  const router = Router();
  const limiter = new SigninLimiter(ctx.config.signinRateLimit);
  /** Is this the repeat of the setup form that made the first coordinator (its operation id on record)? */
  const setupDone = (body: unknown): boolean => {
    try {
      const id = parseOperationId((body as { op?: unknown } | undefined)?.op);
      return ctx.records.operationResult({ id, personId: SETUP.who, ...SETUP }) !== undefined;
    } catch {
      return false;
    }
  };

  router.get('/admin/setup', (req, res) => {
    if (!ctx.setup.needsSetup()) return res.redirect(303, '/admin/signin');
    kit.show(res, <SetupPage page={kit.page(req, res)} />);
  });

  router.post(
    '/admin/setup',
    // Once a coordinator exists the form is gone, except for a repeat of the form that made them (its
    // operation id is on record): that one is answered as the first was, below.
    (req, res, next) =>
      ctx.setup.needsSetup() || setupDone(req.body) ? next() : res.redirect(303, '/admin/signin'),
    ...kit.form(
      setupForm,
      (page, form) => <SetupPage page={page} form={form} />,
      async (input, req, res) => {
        const address = req.ip ?? 'unknown';
        if (limiter.check(address, '\u0000setup')) {
          res.setHeader('Retry-After', '60');
          throw adminError('too_many_attempts');
        }
        try {
          // Under the form's operation id (AdminKit.once; nobody is signed in yet): a double submit creates
          // the coordinator once, and the repeat is signed in as the first was, with the password it carries.
          const username = await kit.once(
            res,
            { ...SETUP, op: input.op },
            (made: string) => {
              ctx.timeZone.set(input.timeZone);
              return made;
            },
            async () =>
              (
                await ctx.setup.complete(input.code, {
                  username: input.username,
                  displayName: input.displayName,
                  password: input.password,
                })
              ).username,
          );
          const person = await ctx.sessions.verify(username, input.password, 'coordinator');
          if (!person) throw adminError('setup_done');
          await startSession(res, ctx.sessions, person);
          ctx.logger.info(
            { coordinator: person.username, timeZone: input.timeZone },
            'first coordinator created',
          );
          res.redirect(303, '/admin');
        } catch (e) {
          if (isAppError(e) && e.code === 'bad_setup_code') limiter.fail(address, '\u0000setup');
          throw e;
        }
      },
    ),
  );

  router.get('/admin/signin', (req, res) => {
    if (ctx.setup.needsSetup()) return res.redirect(303, '/admin/setup');
    if (res.locals.user?.role === 'coordinator') return res.redirect(303, '/admin');
    kit.show(res, <SignInPage page={kit.page(req, res)} />);
  });

  const signin = validate(signinForm);
  router.post('/admin/signin', signin, async (req, res) => {
    const { username, password } = signin.input(res);
    const page = kit.page(req, res);
    if (!username || !password)
      return kit.show(res, <SignInPage page={page} error="missing" username={username} />, 400);
    const address = req.ip ?? 'unknown';
    if (limiter.check(address, username)) {
      res.setHeader('Retry-After', '60');
      return kit.show(res, <SignInPage page={page} error="tooMany" username={username} />, 429);
    }
    const person = await ctx.sessions.verify(username, password, 'coordinator');
    if (!person) {
      limiter.fail(address, username);
      return kit.show(res, <SignInPage page={page} error="wrongPassword" username={username} />, 401);
    }
    limiter.succeed(username);
    await startSession(res, ctx.sessions, person);
    ctx.audit.record(person.id, 'coordinator.signin', person.username, { address });
    res.redirect(303, '/admin');
  });

  return router;
}
