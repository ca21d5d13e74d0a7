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

  it('picks a count’s form by the language’s plural rules: English one/other, French 0 and 1 as one, Arabic six forms', () => {
    const t = defineMessages({
      en: { saved: { one: '1 step', other: '{n} steps' } },
      fr: { saved: { one: '{n} étape', other: '{n} étapes' } },
      ar: {
        saved: {
          zero: 'لا خطوات',
          one: 'خطوة واحدة',
          two: 'خطوتان',
          few: '{n} خطوات',
          many: '{n} خطوةً',
          other: '{n} خطوة',
        },
      },
    });
    expect([0, 1, 2].map((n) => t('en', 'saved', { n }))).toEqual(['0 steps', '1 step', '2 steps']);
    expect([0, 1, 2].map((n) => t('fr', 'saved', { n }))).toEqual(['0 étape', '1 étape', '2 étapes']);
    expect([0, 1, 2, 3, 10, 11, 99, 100, 102].map((n) => t('ar', 'saved', { n }))).toEqual([
      'لا خطوات',
      'خطوة واحدة',
      'خطوتان',
      '3 خطوات',
      '10 خطوات',
      '11 خطوةً',
      '99 خطوةً',
      '100 خطوة',
      '102 خطوة',
    ]);
    // Without a count, the general form; the text for a page script keeps every form, typeset.
    expect(t('fr', 'saved')).toBe('{n} étapes');
    expect(t.text('ar', 'saved')).toMatchObject({ two: 'خطوتان', other: '{n} خطوة' });
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
