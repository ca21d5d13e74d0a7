import { describe, expect, it } from 'vitest';
import { configError } from '../core/config.js';
import { formsOf, languageSchema, type Text } from '../core/language.js';
import { contentError } from '../content/content.errors.js';
import { bundleError } from '../contract/bundle-format.js';
import { bundlesError } from '../bundles/bundles.errors.js';
import { hqError } from '../hq/hq.errors.js';
import { errorText } from '../web/error-text.js';
import { boxErrors, hqErrors } from './errors.js';

const placeholders = (text: Text): string[] =>
  formsOf(text)
    .flatMap((f) => [...f.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))
    .sort();

describe('the error catalogs of the box and HQ', () => {
  it('give every code a text in en, fr and ar, filled by the same params as the English', () => {
    for (const catalog of [boxErrors, hqErrors]) {
      expect(catalog.size).toBeGreaterThan(40);
      for (const [code, spec] of catalog) {
        for (const lang of languageSchema.options)
          expect(formsOf(spec[lang]).join('').trim(), `${code} ${lang}`).not.toBe('');
        const en = new Set(placeholders(spec.en));
        for (const lang of ['fr', 'ar'] as const)
          for (const p of placeholders(spec[lang])) expect(en.has(p), `${code} ${lang} {${p}}`).toBe(true);
      }
    }
  });

  it('show a content refusal in French and Arabic, with its parameters, the English kept as the message', () => {
    const e = contentError('version_lower', { course: 'first-aid', version: '1.0.0', installed: '1.2.0' });
    expect(e.status).toBe(409);
    expect(e.message).toBe('first-aid 1.0.0 is older than the installed version 1.2.0; not installed');
    expect(errorText(e, 'fr', boxErrors)).toBe(
      'La version 1.0.0 du cours first-aid est plus ancienne que la version installée (1.2.0)\u00a0: rien n’a été changé.',
    );
    expect(errorText(e, 'ar', boxErrors)).toBe(
      'الإصدار 1.0.0 من الدورة first-aid أقدم من الإصدار المثبّت (1.2.0): لم يتغيّر شيء.',
    );
  });

  it('show a bundle refusal at HQ in Arabic and French, not the English detail', () => {
    const e = bundleError('bundle_key_revoked', 'key abc was revoked at 2:150', 403);
    expect(e.message).toBe('key abc was revoked at 2:150');
    expect(errorText(e, 'ar', hqErrors)).toBe('مرفوض: أُلغي مفتاح هذا الجهاز.');
    expect(errorText(e, 'fr', hqErrors)).toBe('Refusé\u00a0: la clé de ce boîtier a été révoquée.');
    expect(errorText(hqError('key_in_use', { key: 'k1', appliance: 'box-2' }), 'fr', hqErrors)).toBe(
      'La clé k1 est déjà enregistrée pour le boîtier box-2.',
    );
  });

  it('show an export and a configuration error in the coordinator’s language', () => {
    const busy = bundlesError('export_busy', { detail: 'an export is already running' });
    expect(busy.status).toBe(409);
    expect(errorText(busy, 'fr', boxErrors)).toMatch(/^Une exportation est déjà en cours/);
    const cfg = configError('config_invalid', { detail: 'config: hq.url: Invalid URL' });
    expect(errorText(cfg, 'ar', boxErrors)).toBe('الإعدادات غير صالحة: config: hq.url: Invalid URL');
  });
});
