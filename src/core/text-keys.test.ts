import { describe, expect, it } from 'vitest';
import { foldKey, naturalSortKey, personSortKey, tidyText } from './text-keys.js';

/** Sorted by key in binary (code point) order, as SQLite's index compares them. */
const byKey = (names: string[]) =>
  [...names].sort((a, b) => {
    const [x, y] = [naturalSortKey(a), naturalSortKey(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });

describe('text keys', () => {
  it('fold an agency: NFKC, spaces, case', () => {
    for (const s of ['Police', ' police ', 'POLICE', 'ＰＯＬＩＣＥ']) expect(foldKey(s)).toBe('police');
    expect(foldKey('Police  Nationale')).toBe('police nationale');
    expect(tidyText(' Police  Nationale ')).toBe('Police Nationale');
    expect(foldKey(null)).toBe('');
  });

  it('order names naturally: digit runs by value, case and accents folded, then as written', () => {
    expect(
      byKey([
        'Zoé',
        'stagiaire 10',
        'Élodie Ndiaye',
        'Stagiaire 2',
        'أمينة بنعلي',
        'Aminata',
        'Stagiaire 1',
        'zara',
        'Elodie',
        'Élodie',
        'Stagiaire 02',
        'Stagiaire ١١',
        'Stagiaire 9 b',
        'Stagiaire 9',
      ]),
    ).toEqual([
      'Aminata',
      'Elodie',
      'Élodie',
      'Élodie Ndiaye',
      'Stagiaire 1',
      'Stagiaire 02',
      'Stagiaire 2',
      'Stagiaire 9',
      'Stagiaire 9 b',
      'stagiaire 10',
      'Stagiaire ١١',
      'zara',
      'Zoé',
      'أمينة بنعلي',
    ]);
  });

  it('keep long numbers in order and a person without a name by username, then id', () => {
    expect(byKey(['n 100000000000000000001', 'n 99999999999999999999', 'n 3'])).toEqual([
      'n 3',
      'n 99999999999999999999',
      'n 100000000000000000001',
    ]);
    expect(personSortKey(null, 'awa', 'p-1')).toBe(naturalSortKey('awa'));
    expect(personSortKey('', '', 'p-1')).toBe(naturalSortKey('p-1'));
  });
});
