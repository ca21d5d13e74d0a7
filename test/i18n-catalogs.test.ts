import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_MESSAGES } from '../src/core/validation.js';

/**
 * Every catalog of the box and HQ, found on disk (every `*.messages.ts` and `*.errors.ts` under src/): each
 * key of English has a French and an Arabic text, not empty, and the placeholders a translation uses are
 * ones the English one is given. A new catalog is checked without being listed here.
 */
const SRC = join(import.meta.dirname, '../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : /\.(messages|errors)\.ts$/.test(e.name) && !e.name.includes('.test.')
        ? [join(dir, e.name)]
        : [],
  );
const placeholders = (s: string) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
type Texts = { en: string; fr: string; ar: string };

/** key -> its three texts, for every catalog (messages) and error kit (errors) a module exports. */
async function catalogsOf(file: string): Promise<Map<string, Map<string, Texts>>> {
  const mod = (await import(file)) as Record<string, unknown>;
  const found = new Map<string, Map<string, Texts>>();
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== 'function') continue;
    const catalog = (v as { catalog?: Record<string, Record<string, string>> }).catalog;
    const specs = (v as { specs?: Record<string, Texts> }).specs;
    const keys = new Map<string, Texts>();
    if (catalog)
      for (const k of Object.keys(catalog['en']!))
        keys.set(k, { en: catalog['en']![k]!, fr: catalog['fr']?.[k] ?? '', ar: catalog['ar']?.[k] ?? '' });
    else if (specs) for (const [k, s] of Object.entries(specs)) keys.set(k, s);
    else continue;
    found.set(`${relative(SRC, file)}#${name}`, keys);
  }
  return found;
}

describe('message catalogs are complete in en, fr and ar', () => {
  const list = files(SRC);

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
            if (!t[lang]?.trim()) problems.push(`${where} ${key}: no ${lang}`);
            for (const p of placeholders(t[lang] ?? ''))
              if (!placeholders(t.en).has(p)) problems.push(`${where} ${key}: ${lang} uses {${p}}`);
          }
          // Arabic text is written in Arabic script (a value copied from English shows up here).
          if (/[a-z]{4,}/i.test(t.en) && !/[\u0600-\u06FF]/.test(t.ar) && !/^[\w{}\s.%/:-]*$/.test(t.en))
            problems.push(`${where} ${key}: ar has no Arabic letter`);
        }
    expect(problems).toEqual([]);
    expect(keys).toBeGreaterThan(500);
  });

  it('the field messages of validation have all three languages', () => {
    for (const [key, t] of Object.entries(FIELD_MESSAGES as Record<string, Partial<Texts>>))
      for (const lang of ['en', 'fr', 'ar'] as const) expect(t[lang]?.trim(), `${key} ${lang}`).toBeTruthy();
  });
});
