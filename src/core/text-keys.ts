/**
 * Text folded into keys, for the places where two spellings must count as one or names must sort as a
 * person expects: HQ's agency key (the claim key, the course report's groups, the Trainees filter), the
 * trainee search text and the name order of HQ's Trainees list.
 */

/** Text tidied as typed: Unicode NFKC (full-width and compatibility forms fold), trimmed, inner runs of spaces made one. */
export const tidyText = (s: string | null | undefined): string =>
  (s ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ');

/** A name as a key: tidied (tidyText) and lower case. "Police", " police " and "ＰＯＬＩＣＥ" give one key. */
export const foldKey = (s: string | null | undefined): string => tidyText(s).toLowerCase();

/** Text as the trainee search compares it: without accents or other marks (NFKD, marks dropped), lower case. */
export const searchFold = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** Arabic-Indic and Persian digits read as 0-9 (NFKC leaves them alone; "٣٣" is 33). */
export const westernDigits = (s: string): string =>
  s.replace(/[\u0660-\u0669\u06F0-\u06F9]/gu, (d) => String((d.codePointAt(0)! - 0x0660) % 0x90));

/**
 * A name's key for a natural order in plain binary comparison (SQLite has no collation HQ could add
 * through better-sqlite3, and an index serves a binary order): searchFold (no case, no accents: "Élodie"
 * among the e's), spaces tidied, and each run of digits by its value - its length without leading zeros
 * as two digits, then the digits - so "Stagiaire 2" (…"012") comes before "stagiaire 10" (…"0210").
 * The name as written follows a NUL, so names equal once folded still sort one way ("Elodie", then
 * "Élodie"). Scripts sort by code point among themselves (Arabic names after Latin ones).
 */
export function naturalSortKey(name: string): string {
  const folded = westernDigits(searchFold(tidyText(name))).replace(/\d+/g, (run) => {
    const digits = run.replace(/^0+(?=\d)/, '').slice(0, 99);
    return String(digits.length).padStart(2, '0') + digits;
  });
  return `${folded}\0${name}`;
}

/**
 * The key a person is listed by (HQ's persons.sort_name): the natural key of their display name, else
 * their username, else their id. One function for the import and the migration that recomputes it.
 */
export const personSortKey = (displayName: string | null, username: string | null, id: string): string =>
  naturalSortKey(displayName || username || id);
