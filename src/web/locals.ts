import type { Language } from '../core/config.js';

/**
 * What the web middleware puts on `res.locals` for every request, typed in this one place by declaration
 * merging into express's `Locals`.
 */
export interface RequestLocals {
  /** The language of this response: the person's choice, the fc_lang cookie, else Accept-Language. */
  lang: Language;
  /** The token every form of this response carries as `_csrf`. */
  csrfToken: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Locals extends RequestLocals {}
  }
}
