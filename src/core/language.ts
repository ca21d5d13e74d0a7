import { z } from 'zod';

/** The languages of the box's pages and messages (English is the source of every catalog). */
export const languageSchema = z.enum(['en', 'fr', 'ar']);
export type Language = z.infer<typeof languageSchema>;

/** Values put into a message's `{name}` placeholders (as text: templates escape them). */
export type Params = Record<string, string | number>;

/** The plural categories of CLDR, as `Intl.PluralRules` names them. */
export type PluralCategory = Intl.LDMLPluralRule;

/**
 * A text that depends on a count: one form per plural category the language uses, `other` always. The
 * count is the `{n}` param; `Intl.PluralRules` of the language picks the form, so each language gets its
 * own grammar (English one/other; French one for 0 and 1, many for millions; Arabic zero, one, two, few
 * for 3-10, many for 11-99, other). A form missing for a category falls back to `other`.
 */
export type Plural = { readonly [C in PluralCategory]?: string } & { readonly other: string };

/** A catalog text: one string, or its forms by count. */
export type Text = string | Plural;

/** One text in every language: a catalog entry. */
export type Translations = Record<Language, Text>;

const pluralRules = new Map<Language, Intl.PluralRules>();
/** The language's plural rules (made once per language). */
export function pluralRulesOf(lang: Language): Intl.PluralRules {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return rules;
}

/** Every form of a text (one for a plain string): what checks and placeholder scans look at. */
export function formsOf(text: Text): string[] {
  return typeof text === 'string'
    ? [text]
    : Object.values(text).filter((f): f is string => typeof f === 'string');
}

/** The form of a text for these params: a plural's form for the count `{n}`, `other` when there is none. */
export function formFor(lang: Language, text: Text, params?: Params): string {
  if (typeof text === 'string') return text;
  const n = params?.['n'];
  const count = typeof n === 'number' ? n : typeof n === 'string' && n.trim() !== '' ? Number(n) : NaN;
  return (Number.isFinite(count) ? text[pluralRulesOf(lang).select(count)] : undefined) ?? text.other;
}

/**
 * A whole percentage (0-100) as the language writes it, for a catalog's `{percent}` (the texts carry no %
 * sign): "75%", "75 %" with a no-break space in French, and in Arabic the number and its sign kept in
 * reading order by marks, where a bare "75%" inside Arabic text showed as "%75". Western digits, as every
 * other number on the pages (a page script formats the same way: offline.js).
 */
export function percentText(lang: Language, percent: number): string {
  return new Intl.NumberFormat(`${lang}-u-nu-latn`, { style: 'percent', maximumFractionDigits: 0 }).format(
    percent / 100,
  );
}

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

/** Every form of a text typeset for its language, placeholders left (what a page script is handed). */
export function typesetText(lang: Language, text: Text): Text {
  if (typeof text === 'string') return typeset(lang, text);
  const forms: Partial<Record<PluralCategory, string>> = {};
  for (const [c, f] of Object.entries(text) as [PluralCategory, string | undefined][])
    if (f !== undefined) forms[c] = typeset(lang, f);
  return { ...forms, other: typeset(lang, text.other) };
}

/** A catalog text in a language with its placeholders filled: its form for the count, typeset, filled. */
export function say(lang: Language, text: Text, params?: Params): string {
  return fill(typeset(lang, formFor(lang, text, params)), params);
}
