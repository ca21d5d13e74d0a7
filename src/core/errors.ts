import { say, type Params, type Translations } from './language.js';

/**
 * The one error type of fieldclass. `code` is stable (tests, CLI exit paths and the HTTP error middleware
 * rely on it) and, for errors made by a feature's kit (`defineErrors`), one of that feature's typed codes;
 * `message` is English, for logs, the CLI and JSON; pages show the code's catalog text in the reader's
 * language, filled with `params`; `status` is the HTTP status to answer with.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
    readonly params?: Params,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** An AppError whose code is one of a feature's typed codes. */
export type CodedError<C extends string> = AppError & { readonly code: C };

/** An error code's HTTP status and its text in every language (`{name}` placeholders for params). */
export interface ErrorSpec extends Translations {
  status: number;
}

/**
 * A feature's typed errors: `kit(code, params)` makes the AppError (the code's status, the English text
 * as its message); `kit.specs` is the catalog the error middleware maps codes with.
 */
export interface ErrorKit<C extends string> {
  <K extends C>(code: K, params?: Params, details?: Record<string, unknown>): CodedError<K>;
  readonly specs: Readonly<Record<C, ErrorSpec>>;
}

/** The code union of a kit: `type AdminErrorCode = CodeOf<typeof adminError>`. */
export type CodeOf<K> = K extends ErrorKit<infer C> ? C : never;

export function defineErrors<C extends string>(specs: Record<C, ErrorSpec>): ErrorKit<C> {
  const kit = <K extends C>(code: K, params?: Params, details?: Record<string, unknown>) =>
    new AppError(
      code,
      say('en', specs[code].en, params),
      specs[code].status,
      details,
      params,
    ) as CodedError<K>;
  return Object.assign(kit, { specs });
}

/** Codes every feature may use. */
export const coreError = defineErrors({
  invalid: {
    status: 400,
    en: '{detail}',
    fr: 'Ce qui a été envoyé ne convient pas : {detail}',
    ar: 'ما أُرسل غير صحيح: {detail}',
  },
  not_found: {
    status: 404,
    en: '{what} not found',
    fr: 'Introuvable : ce qui est demandé n’existe pas (ou plus).',
    ar: 'غير موجود: المطلوب غير موجود (أو لم يعد موجوداً).',
  },
  forbidden: { status: 403, en: 'forbidden', fr: 'Ce n’est pas permis.', ar: 'هذا غير مسموح.' },
  unavailable: {
    status: 503,
    en: '{what} is not available',
    fr: 'Ce service n’est pas disponible sur ce boîtier pour le moment.',
    ar: 'هذه الخدمة غير متاحة على هذا الجهاز حالياً.',
  },
  storage_full: {
    status: 507,
    en: 'The box’s storage is full: what you just did was not saved. Tell your coordinator, then try again later.',
    fr: 'La mémoire du boîtier est pleine : ce que vous venez de faire n’a pas été enregistré. Prévenez la personne qui coordonne la formation, puis réessayez plus tard.',
    ar: 'ذاكرة الجهاز ممتلئة: لم يُحفظ ما قمت به للتو. أخبر الشخص الذي ينسّق التدريب ثم حاول مرة أخرى لاحقاً.',
  },
  internal: {
    status: 500,
    en: 'something went wrong on the box',
    fr: 'Un problème est survenu sur le boîtier.',
    ar: 'حدث خطأ في الجهاز.',
  },
});
export type CoreErrorCode = CodeOf<typeof coreError>;

export const notFound = (what: string): CodedError<'not_found'> => coreError('not_found', { what });
export const invalid = (detail: string, details?: Record<string, unknown>): CodedError<'invalid'> =>
  coreError('invalid', { detail }, details);
export const forbidden = (): CodedError<'forbidden'> => coreError('forbidden');

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * Whether an error means the storage is full: SQLite's SQLITE_FULL (better-sqlite3 `code`), or the file
 * system's ENOSPC / EDQUOT. Nothing was saved; the person must be told plainly, not "something went wrong".
 */
export function isStorageFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/** The answer to a write the full storage refused: 507 Insufficient Storage. */
export const storageFull = (): CodedError<'storage_full'> => coreError('storage_full');
