import type { AppError, ErrorSpec } from '../core/errors.js';
import type { Language } from '../core/language.js';
import { formsOf, say, type Params } from '../core/language.js';
import { fieldText, issuesOf, readerFieldText } from '../core/validation.js';

/** Every kit's codes in one map (the error middleware and the admin flash read it). */
export function errorCatalog(
  kits: readonly { specs: Readonly<Record<string, ErrorSpec>> }[],
): ReadonlyMap<string, ErrorSpec> {
  const map = new Map<string, ErrorSpec>();
  for (const kit of kits)
    for (const [code, spec] of Object.entries<ErrorSpec>(kit.specs)) {
      const had = map.get(code);
      if (had && had !== spec) throw new Error(`error code ${code} is defined twice`);
      map.set(code, spec);
    }
  return map;
}

/**
 * An error's text for a reader: bad input says each field's problem in their language; a code of the
 * catalog is its text, filled with the error's params; undefined for a code no catalog has. With
 * `labelOf` (a page: the admin's flash, an error page) a field is named by its label or not at all,
 * never by its code name; without it (the CLI's and the API's English) by its code name.
 */
export function errorText(
  e: AppError,
  lang: Language,
  catalog: ReadonlyMap<string, ErrorSpec>,
  labelOf?: (field: string) => string | undefined,
): string | undefined {
  const issues = issuesOf(e);
  if (issues.length)
    return issues
      .map((f) =>
        labelOf
          ? readerFieldText(f, lang, labelOf(f.field))
          : (f.field ? `${f.field}: ` : '') + fieldText(f, lang),
      )
      .join('; ');
  return codeText(e.code, e.params, lang, catalog);
}

/**
 * A code's text in a reader's language, filled with its params (a refusal kept as code + params, e.g. an
 * import outcome); undefined for a code no catalog has, or a template its params cannot fill.
 */
export function codeText(
  code: string,
  params: Params | undefined,
  lang: Language,
  catalog: ReadonlyMap<string, ErrorSpec>,
): string | undefined {
  const spec = catalog.get(code);
  // An AppError made without its kit (no params) cannot fill a template: the caller shows its message.
  if (!spec || (!params && formsOf(spec.en).some((f) => /\{\w+\}/.test(f)))) return undefined;
  return say(lang, spec[lang], params);
}
