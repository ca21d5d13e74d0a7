import { describe, expect, it } from 'vitest';
import { defineMessages, negotiateLanguage } from './i18n.js';

describe('i18n', () => {
  it('negotiates Accept-Language against the enabled languages', () => {
    expect(negotiateLanguage('ar-EG,ar;q=0.9,en;q=0.5', ['en', 'fr', 'ar'], 'en')).toBe('ar');
    expect(negotiateLanguage('de-DE,fr;q=0.4', ['en', 'fr', 'ar'], 'en')).toBe('fr');
    expect(negotiateLanguage('de-DE', ['en', 'fr', 'ar'], 'en')).toBe('en');
    expect(negotiateLanguage('ar', ['en', 'fr'], 'fr')).toBe('fr');
    expect(negotiateLanguage('ar', ['en', 'fr', 'ar'], 'en', 'fr')).toBe('fr');
  });

  it('fills placeholders', () => {
    const t = defineMessages({
      en: { hi: 'Hello {name}' },
      fr: { hi: 'Bonjour {name}' },
      ar: { hi: 'مرحبا {name}' },
    });
    expect(t('fr', 'hi', { name: 'Awa' })).toBe('Bonjour Awa');
  });
});
