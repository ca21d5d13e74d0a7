import { z } from 'zod';

/** The languages of the box's pages and messages (English is the source of every catalog). */
export const languageSchema = z.enum(['en', 'fr', 'ar']);
export type Language = z.infer<typeof languageSchema>;

/** Values put into a message's `{name}` placeholders (as text: templates escape them). */
export type Params = Record<string, string | number>;

/** One text in every language: a catalog entry. */
export type Translations = Record<Language, string>;

/** Fill `{name}` placeholders; a placeholder without a value stays as it is. */
export function fill(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/**
 * A catalog text set for its language before its placeholders are filled (values are left as given).
 * French puts a space before : ; ? ! » and after «, and a line must not break there: on a 360 px phone a
 * line began with ": elle sera envoyée". Those spaces become no-break spaces; other languages as written.
 */
export function typeset(lang: Language, template: string): string {
  if (lang !== 'fr') return template;
  return template.replace(/ (?=[:;?!»])/g, '\u00a0').replace(/« /g, '«\u00a0');
}

/** A catalog text in a language with its placeholders filled: typeset, then filled. */
export function say(lang: Language, template: string, params?: Params): string {
  return fill(typeset(lang, template), params);
}
