/**
 * The one error type of fieldclass. `code` is stable (tests, CLI exit paths and the HTTP error middleware
 * rely on it); `message` is for people and names what is wrong; `status` is the HTTP status to answer with.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`, 404);
export const invalid = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('invalid', message, 400, details);
export const forbidden = (message = 'forbidden'): AppError => new AppError('forbidden', message, 403);

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
export const storageFull = (): AppError =>
  new AppError(
    'storage_full',
    'the box’s storage is full: nothing more can be saved until space is freed',
    507,
  );
