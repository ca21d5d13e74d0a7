import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isAppError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import { LANG_COOKIE, clearCookie, setCookie, startSession, trustedDevice } from './auth.middleware.js';
import { languageForm, pageContext } from '../web/page.js';
import { sendPage } from '../web/render.js';
import { sent, validate } from '../web/validate.js';
import type { tAuth } from './auth.messages.js';
import { SignInPage, SignUpPage, type SignUpValues } from './auth.pages.js';
import { SESSION_COOKIE, SigninLimiter, safeEqual, type SessionService } from './auth.service.js';
import type { CohortService } from './cohorts.service.js';
import type { PeopleService } from './people.service.js';
import { pinSchema, usernameSchema } from './people.schema.js';

type Key = Parameters<typeof tAuth>[1];
const ONE_YEAR = 365 * 24 * 3600;

/**
 * Sign-in and sign-up read what was sent as it is (cut to size): the handlers judge it themselves, after
 * the rate limits and the class code, and answer with the page's own messages.
 */
const signinForm = z.object({
  username: sent(64).transform((s) => s.trim()),
  pin: sent(64),
});
const signupForm = z.object({
  username: sent(200).transform((s) => s.trim().slice(0, 64)),
  displayName: sent(400).transform((s) => s.trim().slice(0, 200)),
  classCode: sent(200).transform((s) => s.trim().slice(0, 64)),
  pin: sent(200),
  pin2: sent(200),
});

/**
 * Sign-in (at `/` when signed out), sign-up with a class code, sign-out and the language picker.
 * Every POST here has already passed the Origin and CSRF checks (people/auth.middleware.ts).
 */
/** What sign-in and sign-up use (a box's context has all of it). */
export interface AuthRouterDeps {
  config: Config;
  sessions: SessionService;
  people: PeopleService;
  cohorts: CohortService;
}

export function authRouter(ctx: AuthRouterDeps): Router {
  const router = Router();
  const limiter = new SigninLimiter(ctx.config.signinRateLimit);
  const signup = ctx.config.selfSignup;
  // Self sign-up is open with the config's class code, or with a cohort's class code (set in the admin).
  const signupOpen = () => signup.enabled || ctx.cohorts.anyClassCode();

  const signInPage = (
    req: Request,
    res: Response,
    status: number,
    opts: { error?: Key; notice?: Key; username?: string } = {},
  ) =>
    sendPage(res, <SignInPage page={pageContext(req, res)} signupEnabled={signupOpen()} {...opts} />, status);

  router.get('/', (req, res, next) => {
    const user = res.locals.user;
    if (user?.role === 'trainee') return next();
    if (user) return res.redirect(303, '/admin');
    signInPage(req, res, 200, req.query['signedout'] ? { notice: 'signedOut' } : {});
  });
  // The address the sign-in form posts to: reloading it after a wrong PIN shows the form again.
  router.get('/signin', (req, res) => {
    const user = res.locals.user;
    if (user) return res.redirect(303, user.role === 'coordinator' ? '/admin' : '/');
    signInPage(req, res, 200);
  });

  const signin = validate(signinForm);
  router.post('/signin', signin, async (req, res) => {
    const { username, pin } = signin.input(res);
    if (!username || !pin) return signInPage(req, res, 400, { error: 'missing', username });
    const address = req.ip ?? 'unknown';
    const trusted = trustedDevice(req, ctx.sessions, username);
    const blocked = limiter.check(address, username, trusted);
    if (blocked) {
      res.setHeader('Retry-After', '60');
      return signInPage(req, res, 429, {
        error: blocked === 'username' ? 'tooManyUsername' : 'tooManyAddress',
        username,
      });
    }
    const person = await ctx.sessions.verify(username, pin, 'trainee');
    if (!person) {
      limiter.fail(address, username, trusted);
      return signInPage(req, res, 401, { error: 'wrong', username });
    }
    limiter.succeed(username, address);
    // A fresh token on every sign-in (no fixation); the session this browser had, if any, ends.
    if (res.locals.user) await ctx.sessions.destroy(res.locals.user.tokenHash);
    await startSession(res, ctx.sessions, person);
    res.redirect(303, '/');
  });

  const signUpPage = (req: Request, res: Response, status: number, values: SignUpValues, error?: Key) =>
    sendPage(res, <SignUpPage page={pageContext(req, res)} values={values} error={error} />, status);

  router.get('/signup', (req, res, next) => {
    if (!signupOpen()) return next();
    if (res.locals.user) return res.redirect(303, '/');
    signUpPage(req, res, 200, {});
  });

  const signupStep = validate(signupForm);
  router.post('/signup', signupStep, async (req, res) => {
    if (!signupOpen()) return signInPage(req, res, 403, { error: 'signUpClosed' });
    const { pin, pin2, ...values } = signupStep.input(res);
    const address = req.ip ?? 'unknown';
    const fail = (status: number, key: Key) => signUpPage(req, res, status, values, key);
    if (!limiter.checkCode(address)) {
      res.setHeader('Retry-After', '60');
      return fail(429, 'tooManyAddress');
    }
    // Checked first and throttled like a sign-in: the class code is the only secret here.
    const cohort = ctx.cohorts.byClassCode(values.classCode);
    if (!cohort && !(signup.enabled && safeEqual(values.classCode, signup.classCode ?? ''))) {
      limiter.failCode(address);
      return fail(403, 'badCode');
    }
    if (!usernameSchema.safeParse(values.username).success) return fail(400, 'badUsername');
    if (values.displayName.length > 120) return fail(400, 'badName');
    if (!pinSchema.safeParse(pin).success) return fail(400, 'badPin');
    if (pin !== pin2) return fail(400, 'pinMismatch');
    try {
      const person = await ctx.people.addTrainee({
        username: values.username,
        displayName: values.displayName,
        pin,
        language: res.locals.lang,
      });
      if (cohort) ctx.cohorts.addMembers(cohort.id, [person.id]);
      await startSession(res, ctx.sessions, person);
      res.redirect(303, '/');
    } catch (e) {
      if (isAppError(e) && e.code === 'username_taken') return fail(409, 'taken');
      throw e;
    }
  });

  router.post('/signout', async (_req, res) => {
    const user = res.locals.user;
    if (user) await ctx.sessions.destroy(user.tokenHash);
    clearCookie(res, SESSION_COOKIE);
    // A coordinator signs in again at the admin's own sign-in page, not at the trainees'.
    res.redirect(303, user?.role === 'coordinator' ? '/admin/signin?signedout=1' : '/?signedout=1');
  });

  const language = validate(languageForm);
  router.post('/language', language, (_req, res) => {
    const { lang, back } = language.input(res);
    if (!lang || !ctx.config.languages.includes(lang)) return res.redirect(303, back);
    const user = res.locals.user;
    if (user && user.person.language !== lang) {
      ctx.people.update(user.person.id, { language: lang });
    }
    setCookie(res, LANG_COOKIE, lang, ONE_YEAR);
    res.redirect(303, back);
  });

  return router;
}
