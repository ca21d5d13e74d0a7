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
