/**
 * Text folded into keys, for the places where two spellings must count as one: what HQ compares a
 * person's agency by (the claim key, the course report's groups, the Trainees filter).
 */

/** Text tidied as typed: Unicode NFKC (full-width and compatibility forms fold), trimmed, inner runs of spaces made one. */
export const tidyText = (s: string | null | undefined): string =>
  (s ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ');

/** A name as a key: tidied (tidyText) and lower case. "Police", " police " and "ＰＯＬＩＣＥ" give one key. */
export const foldKey = (s: string | null | undefined): string => tidyText(s).toLowerCase();
