import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formsOf, pluralRulesOf, type Language, type Text } from '../src/core/language.js';
import { FIELD_MESSAGES } from '../src/core/validation.js';
import { catalogFiles, catalogsOf, SRC, type Texts } from './helpers/catalogs.js';

/**
 * Every catalog of the box and HQ, found on disk (every `*.messages.ts` and `*.errors.ts` under src/): each
 * key of English has a French and an Arabic text, not empty, and the placeholders a translation uses are
 * ones the English one is given; a text by count (a Plural) has the forms its language's grammar uses.
 * A new catalog is checked without being listed here.
 */
const placeholders = (t: Text) =>
  new Set(formsOf(t).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)));
const LANGS = ['en', 'fr', 'ar'] as const;

/** The plural categories a count of 0 to 1000 takes in a language: the forms a count's text must have. */
const categoriesUsed = (lang: Language) =>
  new Set(Array.from({ length: 1001 }, (_, n) => pluralRulesOf(lang).select(n)));

/** What is wrong with a text's plural forms in a language (nothing for a plain string). */
function pluralProblems(lang: Language, text: Text): string[] {
  if (typeof text === 'string') return [];
  const problems: string[] = [];
  const known = new Set(pluralRulesOf(lang).resolvedOptions().pluralCategories);
  for (const c of Object.keys(text))
    if (!known.has(c as Intl.LDMLPluralRule)) problems.push(`${c} is no ${lang} form`);
  for (const c of categoriesUsed(lang)) if (!text[c]?.trim()) problems.push(`no ${c} form`);
  // A form shared by several counts says the count (French one is 0 and 1; Arabic few is 3-10...).
  for (const [c, form] of Object.entries(text) as [Intl.LDMLPluralRule, string][]) {
    const counts = Array.from({ length: 1001 }, (_, n) => n).filter(
      (n) => pluralRulesOf(lang).select(n) === c,
    );
    if (counts.length > 1 && !form.includes('{n}'))
      problems.push(`${c} form (${counts.slice(0, 3).join(', ')}...) lacks {n}`);
  }
  return problems;
}

describe('message catalogs are complete in en, fr and ar', () => {
  const list = catalogFiles();

  it('finds the catalogs of every area', () => {
    const names = list.map((f) => relative(SRC, f));
    for (const expected of ['admin/admin.messages.ts', 'hq/hq.messages.ts', 'people/auth.messages.ts'])
      expect(names).toContain(expected);
  });

  it('every key of every catalog has French and Arabic, with no placeholder English does not have', async () => {
    const problems: string[] = [];
    let keys = 0;
    for (const file of list)
      for (const [where, catalog] of await catalogsOf(file))
        for (const [key, t] of catalog) {
          keys++;
          for (const lang of ['fr', 'ar'] as const) {
            if (!formsOf(t[lang]).some((f) => f.trim())) problems.push(`${where} ${key}: no ${lang}`);
            for (const p of placeholders(t[lang]))
              if (!placeholders(t.en).has(p)) problems.push(`${where} ${key}: ${lang} uses {${p}}`);
          }
          for (const lang of LANGS)
            for (const p of pluralProblems(lang, t[lang])) problems.push(`${where} ${key}: ${lang} ${p}`);
          // Arabic text is written in Arabic script (a value copied from English shows up here).
          const en = formsOf(t.en).join(' ');
          if (
            /[a-z]{4,}/i.test(en) &&
            !/[\u0600-\u06FF]/.test(formsOf(t.ar).join(' ')) &&
            !/^[\w{}\s.%/:-]*$/.test(en)
          )
            problems.push(`${where} ${key}: ar has no Arabic letter`);
        }
    expect(problems).toEqual([]);
    expect(keys).toBeGreaterThan(500);
  });

  it('the plural check finds a missing Arabic dual, a French form without {n}, a form of another language', () => {
    expect(pluralProblems('ar', { one: 'خطوة واحدة', few: '{n} خطوات', other: '{n} خطوة' })).toEqual(
      expect.arrayContaining(['no zero form', 'no two form', 'no many form']),
    );
    expect(pluralProblems('fr', { one: '1 étape', other: '{n} étapes' })).toEqual([
      'one form (0, 1...) lacks {n}',
    ]);
    expect(pluralProblems('en', { one: '1 step', two: '2 steps', other: '{n} steps' })).toEqual([
      'two is no en form',
    ]);
    expect(pluralProblems('en', { one: '1 step', other: '{n} steps' })).toEqual([]);
  });

  it('uses plural forms where a count changes the words: the steps saved on a phone, in every language', async () => {
    const { tLayout } = await import('../src/web/messages/layout.messages.js');
    for (const key of ['offlineQueued', 'offlineSignOutUnsent'] as const)
      for (const lang of LANGS) expect(typeof tLayout.catalog[lang][key], `${key} ${lang}`).toBe('object');
  });

  it('names people without a gender, in French and Arabic alike (box and HQ)', async () => {
    // French: "personnes en formation", "compte de coordination", "la personne qui coordonne la formation";
    // Arabic: "حساب التنسيق", "التنسيق", "الشخص الذي ينسّق التدريب" - not the masculine "منسق".
    const problems: string[] = [];
    for (const file of list)
      for (const [where, catalog] of await catalogsOf(file))
        for (const [key, t] of catalog) {
          const fr = formsOf(t.fr).join(' ');
          const ar = formsOf(t.ar).join(' ');
          const m = /\b(apprenants?|stagiaires?|coordinat(?:eur|rice)s?)\b/iu.exec(fr);
          if (m) problems.push(`${where} ${key}: fr says "${m[1]}"`);
          if (/منسّ?ق/u.test(ar)) problems.push(`${where} ${key}: ar says منسق`);
        }
    expect(problems).toEqual([]);
  });

  it('the field messages of validation have all three languages', () => {
    for (const [key, t] of Object.entries(FIELD_MESSAGES as Record<string, Partial<Texts>>))
      for (const lang of LANGS)
        expect(
          formsOf(t[lang] ?? '')
            .join('')
            .trim(),
          `${key} ${lang}`,
        ).toBeTruthy();
  });
});
