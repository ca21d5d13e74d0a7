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
