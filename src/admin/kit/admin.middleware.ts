import type { Request, RequestHandler, Response } from 'express';
import type { VNode } from 'preact';
import type { z } from 'zod';
import { isAppError, type AppError, type ErrorSpec } from '../../core/errors.js';
import { invalidInput, issuesOf } from '../../core/validation.js';
import type { AuditService } from '../../records/audit.service.js';
import { errorText } from '../../web/error-text.js';
import { pageContext } from '../../web/page.js';
import { sendPage } from '../../web/render.js';
import type { StaticAssets } from '../../web/static-assets.js';
import { typedValues, validate, type FormFailure } from '../../web/validate.js';
import type { AdminKey } from '../admin.messages.js';
import { tr, type AdminPage } from './admin.layout.js';
import type { FormState } from './form.js';

/** The notices a POST may come back with (`?ok=key`): a message key, never text from the URL. */
const FLASH_KEYS = new Set<AdminKey>([
  'saved',
  'added',
  'pinReset',
  'deactivated',
  'reactivated',
  'imported',
  'enrolled',
  'membersAdded',
  'installed',
  'exported',
  'nothingPending',
  'scheduleSaved',
  'backupDone',
  'clockSet',
  'ran',
  'attemptGranted',
  'scormReset',
  'passwordReset',
  'timeZoneSaved',
]);
/** The params a notice may carry (`?n=3&name=awa`), each cut short. */
const FLASH_PARAMS = ['n', 'name', 'title', 'version', 'job', 'outcome'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the kit needs: the audit log (every change is audited) and every error code's text in en/fr/ar. */
export interface AdminKitDeps {
  audit: AuditService;
  errors: ReadonlyMap<string, ErrorSpec>;
  /** The box's time zone (records/time-zone.service.ts), read on every page. */
  timeZone: { get(): string };
}

/**
 * The request side of the admin kit, shared by every area's routes: the page context with its flash,
 * POST-redirect-GET with a notice key, a button's error as a flash, and a form that re-renders with what
 * was typed and a message per field.
 */
export class AdminKit {
  constructor(private readonly deps: AdminKitDeps) {}

  /** The admin page context: the request's PageContext, the admin stylesheet and the flash of `?ok=`/`?err=`. */
  page(req: Request, res: Response): AdminPage {
    const page = pageContext(req, res);
    const assets = req.app.locals['assets'] as StaticAssets;
    const t = tr(page);
    const ok = str(req.query['ok']) as AdminKey;
    const err = str(req.query['err']).slice(0, 400);
    const params: Record<string, string> = {};
    for (const k of FLASH_PARAMS)
      if (typeof req.query[k] === 'string') params[k] = str(req.query[k]).slice(0, 200);
    return {
      ...page,
      adminCss: assets.url('admin.css'),
      timeZone: this.deps.timeZone.get(),
      flash: err
        ? { kind: 'error', text: t('error', { message: err }) }
        : FLASH_KEYS.has(ok)
          ? { kind: 'notice', text: t(ok, params) }
          : undefined,
    };
  }

  show(res: Response, vnode: VNode, status = 200): void {
    sendPage(res, vnode, status);
  }

  /** PRG: back to a page with a notice key and its params. */
  back(res: Response, path: string, ok?: AdminKey, params: Record<string, string | number> = {}): void {
    const q = new URLSearchParams();
    if (ok) q.set('ok', ok);
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    res.redirect(303, q.size ? `${path}?${q.toString()}` : path);
  }

  me(res: Response) {
    return res.locals.user!.person;
  }

  /** An audit row for the signed-in coordinator's action. */
  audit(res: Response, action: string, target?: string | null, details?: object): void {
    this.deps.audit.record(this.me(res).id, action, target, details);
  }

  /** An error as the coordinator reads it: the catalogs' text in their language; English only for a code none has. */
  text(e: AppError, res: Response): string {
    return errorText(e, res.locals.lang, this.deps.errors) ?? e.message;
  }

  /** The paging offset of `?offset=`. */
  offset(req: Request): number {
    return Math.max(0, Math.min(10_000_000, Number.parseInt(str(req.query['offset']), 10) || 0));
  }

  /** Is this an error to show the coordinator (bad input, refused, not found), not a fault of the box? */
  private shown(e: unknown): e is AppError {
    return isAppError(e) && !(e.status >= 500 && e.code === 'internal');
  }

  /** Back to `path` with an error as the flash message (`?err=`), in the coordinator's language. */
  backWithError(res: Response, path: string, e: AppError): void {
    res.redirect(303, `${path}?${new URLSearchParams({ err: this.text(e, res).slice(0, 400) }).toString()}`);
  }

  /**
   * A button's POST (nothing typed to keep): `validate(schema)` first, then `handler(input)`, which answers
   * (usually `back`). Input that does not validate, or an AppError of the handler, goes back to
   * `onError(req)` as a flash message in the coordinator's language.
   */
  action<S extends z.ZodType>(
    schema: S,
    handler: (input: z.output<S>, req: Request, res: Response) => Promise<void> | void,
    onError: (req: Request) => string,
  ): RequestHandler[] {
    const step = validate(schema, {
      invalid: (f, req, res) => this.backWithError(res, onError(req), invalidInput(f.fields)),
    });
    const run: RequestHandler = async (req, res, next) => {
      try {
        await handler(step.input(res), req, res);
      } catch (e) {
        if (!this.shown(e)) return next(e);
        this.backWithError(res, onError(req), e);
      }
    };
    return [step, run];
  }

  /**
   * A form's POST: `validate(schema)` first, then `handler(input)`. When the input does not validate, or the
   * handler refuses it (an AppError), the same form is rendered again with what was typed, a message beside
   * each field at fault and the error on top, in the coordinator's language (status 400, or the error's).
   * Nothing typed is lost.
   */
  form<S extends z.ZodType>(
    schema: S,
    render: (page: AdminPage, form: FormState, req: Request) => VNode,
    handler: (input: z.output<S>, req: Request, res: Response) => Promise<void> | void,
  ): RequestHandler[] {
    const again = (req: Request, res: Response, form: FormState, status: number) => {
      const page = this.page(req, res);
      const text = form.error ?? tr(page)('checkFields');
      this.show(res, render({ ...page, flash: { kind: 'error', text } }, form, req), status);
    };
    const step = validate(schema, {
      invalid: (f: FormFailure, req, res) => again(req, res, { values: f.values, fields: f.fields }, 400),
    });
    const run: RequestHandler = async (req, res, next) => {
      try {
        await handler(step.input(res), req, res);
      } catch (e) {
        if (!this.shown(e)) return next(e);
        const fields = issuesOf(e);
        const values = typedValues(req.body);
        try {
          again(
            req,
            res,
            { values, fields, ...(fields.length ? {} : { error: this.text(e, res) }) },
            e.status,
          );
        } catch (err) {
          next(err);
        }
      }
    };
    return [step, run];
  }
}
