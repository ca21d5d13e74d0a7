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

  it('keeps French punctuation on the line of its word (no-break spaces), and leaves the values as given', () => {
    const t = defineMessages({
      en: { q: '“{quiz}”: sent. Again? Yes!' },
      fr: { q: '« {quiz} » : envoyé ; encore ? Oui !' },
      ar: { q: '«{quiz}»: أُرسل.' },
    });
    expect(t('fr', 'q', { quiz: 'Q & R : partie 1' })).toBe(
      '«\u00a0Q & R : partie 1\u00a0»\u00a0: envoyé\u00a0; encore\u00a0? Oui\u00a0!',
    );
    expect(t('en', 'q', { quiz: 'Q : 1' })).toBe('“Q : 1”: sent. Again? Yes!');
    expect(t('ar', 'q', { quiz: 'س' })).toBe('«س»: أُرسل.');
  });
});
