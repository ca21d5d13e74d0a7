import { say, typesetText, type Language, type Text } from '../core/language.js';

/**
 * Message catalogs. Each feature keeps its own catalog (`<feature>.messages.ts`) made with
 * `defineMessages`: English is the source, and French and Arabic must have exactly the same keys, so a
 * missing translation is a type error rather than a blank on screen.
 * Placeholders are `{name}`; values are inserted as text (templates escape them). A text that depends on a
 * count is a Plural (`{ one: '1 step', other: '{n} steps' }`, core/language.ts): each language gives the
 * forms its grammar has and `{n}` picks one, so Arabic says two steps and eleven steps each its own way.
 */
export type Catalog<K extends string> = { en: Record<K, Text> } & Record<
  Exclude<Language, 'en'>,
  Record<K, Text>
>;

export type Translate<K extends string> = (
  lang: Language,
  key: K,
  params?: Record<string, string | number>,
) => string;

/**
 * A catalog's translate function, with the catalog itself (vocabulary lookups, the completeness test) and
 * `text(lang, key)`: the entry typeset but not filled, for a page script that fills it (and picks the
 * plural form) itself.
 */
export type Messages<K extends string> = Translate<K> & {
  readonly catalog: Catalog<K>;
  readonly text: (lang: Language, key: K) => Text;
};

export function defineMessages<K extends string>(catalog: Catalog<K>): Messages<K> {
  const entry = (lang: Language, key: K): Text => catalog[lang][key] ?? catalog.en[key];
  const t: Translate<K> = (lang, key, params) => say(lang, entry(lang, key), params);
  return Object.assign(t, { catalog, text: (lang: Language, key: K) => typesetText(lang, entry(lang, key)) });
}

/** The keys of a catalog (of `defineMessages`). */
type KeysOf<M> = M extends { readonly catalog: Catalog<infer K> } ? K : never;

/**
 * One translate function over several catalogs (an area's catalog beside its kit's), one key space: a
 * key defined in two of them is a mistake, refused when the module loads.
 */
export function mergeMessages<M extends readonly { readonly catalog: { en: object } }[]>(
  ...parts: M
): Messages<KeysOf<M[number]>> {
  const merged: Record<Language, Record<string, Text>> = { en: {}, fr: {}, ar: {} };
  for (const part of parts) {
    const catalog = part.catalog as Record<Language, Record<string, Text>>;
    for (const key of Object.keys(catalog.en))
      if (key in merged.en) throw new Error(`message key ${key} is defined twice`);
    for (const lang of Object.keys(merged) as Language[]) Object.assign(merged[lang], catalog[lang]);
  }
  return defineMessages(merged as Catalog<KeysOf<M[number]>>);
}

export const RTL_LANGUAGES: ReadonlySet<Language> = new Set<Language>(['ar']);
export const dirOf = (lang: Language): 'rtl' | 'ltr' => (RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr');

/** Names of languages in themselves, for the language picker. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français', ar: 'العربية' };

/**
 * A language's name inside a sentence in the reader's language ("en anglais", not "en English"); the
 * picker uses LANGUAGE_NAMES (each language in itself). Node's ICU knows the names; the code otherwise.
 */
export function languageNameIn(reader: Language, language: string): string {
  try {
    return new Intl.DisplayNames([reader], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}

/**
 * Pick the language: explicit choice (cookie/profile) if enabled, else the best Accept-Language match,
 * else the configured default.
 */
export function negotiateLanguage(
  acceptLanguage: string | undefined,
  enabled: readonly Language[],
  fallback: Language,
  chosen?: string | null,
): Language {
  if (chosen && (enabled as readonly string[]).includes(chosen)) return chosen as Language;
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { base: (tag ?? '').toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
      })
      .filter((x) => x.base && x.q > 0)
      .sort((a, b) => b.q - a.q);
    for (const { base } of ranked) if ((enabled as readonly string[]).includes(base)) return base as Language;
  }
  return fallback;
}
