import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { fieldIssues, invalidInput, type FieldIssue } from '../core/validation.js';
import './locals.js';

/** A form that did not validate: what was typed (to show it again) and what is wrong, per field. */
export interface FormFailure {
  values: Record<string, string>;
  fields: FieldIssue[];
}

/** A validate step: the middleware, and `input(res)` for the handler after it (typed by the schema). */
export interface ValidateStep<S extends z.ZodType> extends RequestHandler {
  input(res: Response): z.output<S>;
}

export interface ValidateOptions {
  /** Where the input is: the body (default for POST) or the query string (default for GET/HEAD). */
  from?: 'body' | 'query';
  /**
   * A page's form: re-render it with the typed values and a message per field (answered 400). Without
   * it, a failure goes to the error middleware: JSON 400 on /api, an error page otherwise.
   */
  invalid?: (failure: FormFailure, req: Request, res: Response) => void;
}

/** The text fields as typed (files and objects left out), to put back into a re-rendered form. */
export function typedValues(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object')
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      if (typeof v === 'string' && k !== '_csrf') out[k] = v.slice(0, 2000);
  return out;
}

/**
 * A request's input (body or query string, route params merged in) parsed by a schema: what the validate
 * step runs, and what a middleware that reads one field before any route (the CSRF check) runs too.
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  req: Request,
  from: 'body' | 'query',
): z.ZodSafeParseResult<z.output<S>> {
  const raw: unknown = from === 'query' ? req.query : req.body;
  return schema.safeParse({ ...(raw && typeof raw === 'object' ? raw : {}), ...req.params });
}

/**
 * A field read as it was sent, cut to `max` characters; '' when missing or not text. For forms whose
 * handler judges the values itself, in an order that matters (a sign-in's rate limit before its
 * "missing" message), so the schema must not refuse them first.
 */
export const sent = (max: number) =>
  z
    .string()
    .catch('')
    .transform((s) => s.slice(0, max));

/** A field that may be sent several times (checkboxes of one name): its text values, blanks left out. */
export const sentList = (max: number) =>
  z
    .unknown()
    // optional: a missing key is an empty list (a bare z.unknown() key is required in an object).
    .optional()
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .filter((x): x is string => typeof x === 'string' && x !== '')
        .map((x) => x.slice(0, max)),
    );

/**
 * The one way to read a request: `router.post(path, step, handler)` with `const step = validate(schema)`;
 * the handler reads `step.input(res)`, already parsed and typed. Route params are merged in (the schema
 * may check them too).
 */
export function validate<S extends z.ZodType>(schema: S, opts: ValidateOptions = {}): ValidateStep<S> {
  const parsed = new WeakMap<Response, z.output<S>>();
  const step = (req: Request, res: Response, next: NextFunction): void => {
    const from = opts.from ?? (req.method === 'GET' || req.method === 'HEAD' ? 'query' : 'body');
    const raw: unknown = from === 'query' ? req.query : req.body;
    const r = parseRequest(schema, req, from);
    if (r.success) {
      parsed.set(res, r.data);
      return next();
    }
    const fields = fieldIssues(r.error);
    if (opts.invalid) {
      res.status(400);
      return opts.invalid({ values: typedValues(raw), fields }, req, res);
    }
    next(invalidInput(fields));
  };
  return Object.assign(step, {
    input: (res: Response) => {
      if (!parsed.has(res)) throw new Error('validate: input() read before the step ran');
      return parsed.get(res) as z.output<S>;
    },
  });
}
