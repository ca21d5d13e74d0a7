import type { Request, RequestHandler, Response } from 'express';
import type { VNode } from 'preact';
import type { z } from 'zod';
import { isAppError, type AppError, type ErrorSpec } from '../../core/errors.js';
import { newToken } from '../../core/ids.js';
import { invalidInput, issuesOf } from '../../core/validation.js';
import type { AuditService } from '../../records/audit.service.js';
import { parseOperationId, type Operation } from '../../records/operations.js';
import { recordsError } from '../../records/records.errors.js';
import type { RecordsService } from '../../records/records.service.js';
import type { Language, Params } from '../../core/language.js';
import { codeText, errorText } from '../../web/error-text.js';
import { pageContext } from '../../web/page.js';
import { sendPage } from '../../web/render.js';
import type { StaticAssets } from '../../web/static-assets.js';
import { typedValues, validate, type FormFailure } from '../../web/validate.js';
import { tAdmin, type AdminKey } from '../admin.messages.js';
import { tr, type AdminPage } from './admin.layout.js';
import type { FormState } from './form.js';
import { vocab } from './widgets.js';

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
  'alreadyInstalled',
  'timeZoneSaved',
]);
/** The label (as the forms show it) of each field an admin form sends, for a message away from its field. */
const FIELD_LABELS: Partial<Record<string, AdminKey>> = {
  username: 'username',
  password: 'password',
  password2: 'password2',
  displayName: 'displayName',
  pin: 'pin',
  agency: 'agency',
  gender: 'gender',
  externalId: 'externalId',
  language: 'language',
  timeZone: 'timeZone',
  code: 'classCode',
  usernames: 'addMembers',
  kind: 'scheduleHowOften',
};

/** The params a notice may carry (`?n=3&name=awa`), each cut short. */
const FLASH_PARAMS = ['n', 'name', 'title', 'version', 'job', 'outcome'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * What the kit needs: the audit log (every change is audited), records (the operation ids every action runs
 * under) and every error code's text in en/fr/ar.
 */
export interface AdminKitDeps {
  audit: AuditService;
  records: RecordsService;
  errors: ReadonlyMap<string, ErrorSpec>;
  /** The box's time zone (records/time-zone.service.ts), read on every page. */
  timeZone: { get(): string };
}

/**
 * The errors a button's POST goes back to its page with: kept here, in memory, under a random id that the
 * redirect's `?err=` carries. No text travels in the URL: a crafted `/admin?err=<text>` shows nothing
 * (no phishing banner), a reload says the same error in the reader's language, and nothing of the box's
 * (a path, a setting) can reach a URL, a proxy's log or the browser's history. Bounded: the oldest go
 * first; an id is only for the person it was made for, for 30 minutes (the monotonic clock).
 */
export class ErrorFlashes {
  private readonly flashes = new Map<string, { personId: string; error: AppError; at: number }>();
  constructor(
    private readonly max = 1000,
    private readonly ttlMs = 30 * 60_000,
  ) {}

  put(personId: string, error: AppError): string {
    const id = newToken(12);
    this.flashes.set(id, { personId, error, at: performance.now() });
    for (const old of this.flashes.keys()) {
      if (this.flashes.size <= this.max) break;
      this.flashes.delete(old);
    }
    return id;
  }

  get(id: string, personId: string): AppError | undefined {
    const f = this.flashes.get(id);
    if (!f || f.personId !== personId || performance.now() - f.at > this.ttlMs) return undefined;
    return f.error;
  }
}

/**
 * The request side of the admin kit, shared by every area's routes: the page context with its flash,
 * POST-redirect-GET with a notice key, a button's error as a flash, and a form that re-renders with what
 * was typed and a message per field.
 */
export class AdminKit {
  private readonly flashes = new ErrorFlashes();
  /** The actions running now, by operation id: a repeat that comes while the first runs waits for it. */
  private readonly running = new Map<string, { op: Operation; outcome: Promise<unknown> }>();
  constructor(private readonly deps: AdminKitDeps) {}

  /**
   * THE way an admin action runs: under its form's operation id (`op`, OperationField; records/operations.ts,
   * the one mechanism a trainee's quiz uses too). The id is claimed in the records transaction that runs
   * `write` (its changes and their audit row), so a double submit acts once and every repeat answers with
   * the first outcome (what `write` returned, JSON), never an error made by the first one's effect ("that
   * name exists", "this check has expired"). `work`, when given, is what must happen first outside that
   * transaction (hashing a PIN, writing a backup, copying to USB): it runs once per id too, a repeat that
   * comes while it runs waits for that run's outcome, one that comes later gets the recorded outcome. A
   * refusal (a throw) records nothing: the form can be corrected and sent again under the same id.
   * `who` is the person acting: the signed-in coordinator, or '' at first-run setup (nobody yet).
   */
  async once<T, W = undefined>(
    res: Response,
    what: { op: string; action: string; target: string; who?: string },
    write: (worked: W) => T,
    work?: () => Promise<W> | W,
  ): Promise<T> {
    const op: Operation = {
      id: parseOperationId(what.op),
      personId: what.who ?? this.me(res).id,
      action: what.action,
      target: what.target,
    };
    const running = this.running.get(op.id);
    if (running) {
      const o = running.op;
      if (o.personId !== op.personId || o.action !== op.action || o.target !== op.target)
        throw recordsError('operation_conflict');
      return running.outcome as Promise<T>;
    }
    const outcome = (async () => {
      const done = this.deps.records.operationResult(op);
      if (done) return done.result as T;
      const worked = (work ? await work() : undefined) as W;
      return (await this.deps.records.writeOnce(op, () => write(worked))).result;
    })();
    this.running.set(op.id, { op, outcome });
    try {
      return await outcome;
    } finally {
      this.running.delete(op.id);
    }
  }

  /** The admin page context: the request's PageContext, the admin stylesheet and the flash of `?ok=`/`?err=`. */
  page(req: Request, res: Response): AdminPage {
    const page = pageContext(req, res);
    const assets = req.app.locals['assets'] as StaticAssets;
    const t = tr(page);
    const ok = str(req.query['ok']) as AdminKey;
    const err = this.flashes.get(str(req.query['err']), res.locals.user?.person.id ?? '');
    const params: Record<string, string> = {};
    for (const k of FLASH_PARAMS)
      if (typeof req.query[k] === 'string') params[k] = str(req.query[k]).slice(0, 200);
    // A job and an outcome travel as their names; the notice says them in the coordinator's language.
    if (params['job']) params['job'] = vocab(page, 'job', params['job']);
    if (params['outcome']) params['outcome'] = vocab(page, 'outcome', params['outcome']);
    return {
      ...page,
      adminCss: assets.url('admin.css'),
      timeZone: this.deps.timeZone.get(),
      flash: err
        ? {
            kind: 'error',
            text: t('error', { message: this.text(err, res) }),
            ...(typeof err.details?.['finding'] === 'string' ? { finding: err.details['finding'] } : {}),
          }
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

  /**
   * An error as the coordinator reads it: the catalogs' text in their language, a field named by the label
   * its form shows (never its code name); English only for a code none has.
   */
  text(e: AppError, res: Response): string {
    const lang: Language = res.locals.lang;
    const labelOf = (field: string) => {
      const key = FIELD_LABELS[field];
      return key ? tAdmin(lang, key) : undefined;
    };
    return errorText(e, lang, this.deps.errors, labelOf) ?? e.message;
  }

  /** An error kept as code + params (a job run's failure), in the coordinator's language; undefined for a code none has. */
  codeText(code: string, params: Params | undefined, lang: Language): string | undefined {
    return codeText(code, params, lang, this.deps.errors);
  }

  /** The paging offset of `?offset=`. */
  offset(req: Request): number {
    return Math.max(0, Math.min(10_000_000, Number.parseInt(str(req.query['offset']), 10) || 0));
  }

  /** Is this an error to show the coordinator (bad input, refused, not found), not a fault of the box? */
  private shown(e: unknown): e is AppError {
    return isAppError(e) && !(e.status >= 500 && e.code === 'internal');
  }

  /** Back to `path` with an error as the flash message (`?err=<id>`, ErrorFlashes), in the coordinator's language. */
  backWithError(res: Response, path: string, e: AppError): void {
    const id = this.flashes.put(res.locals.user?.person.id ?? '', e);
    res.redirect(303, `${path}?${new URLSearchParams({ err: id }).toString()}`);
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
