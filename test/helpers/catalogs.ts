import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formsOf, type Text } from '../../src/core/language.js';

/** One catalog key's texts (a text by count is a Plural: its forms by category). */
export type Texts = { en: Text; fr: Text; ar: Text };

/** The source folder the catalogs are found in. */
export const SRC = join(import.meta.dirname, '../../src');

/** Every `*.messages.ts` and `*.errors.ts` under src/: each catalog of the box and HQ, found on disk. */
export function catalogFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? catalogFiles(join(dir, e.name))
      : /\.(messages|errors)\.ts$/.test(e.name) && !e.name.includes('.test.')
        ? [join(dir, e.name)]
        : [],
  );
}

/** key -> its three texts, for every catalog (messages) and error kit (errors) a module exports. */
export async function catalogsOf(file: string): Promise<Map<string, Map<string, Texts>>> {
  const mod = (await import(file)) as Record<string, unknown>;
  const found = new Map<string, Map<string, Texts>>();
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== 'function') continue;
    const catalog = (v as { catalog?: Record<string, Record<string, Text>> }).catalog;
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

/** Every text of every catalog (field messages included), each language's forms joined in one string. */
export async function allCatalogTexts(): Promise<{ en: string; fr: string; ar: string }[]> {
  const { FIELD_MESSAGES } = await import('../../src/core/validation.js');
  const all: Texts[] = [];
  for (const file of catalogFiles())
    for (const c of (await catalogsOf(file)).values()) all.push(...c.values());
  for (const t of Object.values(FIELD_MESSAGES as Record<string, Texts>)) all.push(t);
  const joined = (t: Text) => formsOf(t).join(' ');
  return all.map((t) => ({ en: joined(t.en), fr: joined(t.fr), ar: joined(t.ar) }));
}
