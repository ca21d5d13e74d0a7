import { recordsError } from './records.errors.js';

/**
 * THE operation id: every write a person can repeat (a double tap, a resend after a timeout, later a
 * phone replaying its offline queue, a coordinator's admin action, an LRS statement) carries one. It is a
 * UUID made by the page script, or put in the form by the box when JavaScript is off; nothing is signed.
 * It is claimed in the same records.db transaction as the write it guards (RecordsService.writeOnce, inside
 * the group commit), so of two concurrent sends exactly one writes. The same person repeating the same
 * action on the same target gets the first result and nothing is written; the same id with another person,
 * action or target is refused (409 operation_conflict); a malformed id is refused (400 operation_id_invalid).
 * Rows are kept at least OPERATION_KEEP_DAYS days.
 */
export interface Operation {
  id: string;
  personId: string;
  /** What is done, e.g. 'quiz.submit'. */
  action: string;
  /** What it is done to, e.g. '<course>/<quiz>'. */
  target: string;
  /**
   * When the person acted (ISO time), when that was earlier than now: a phone's queue sends what was done
   * offline later. The statements the write makes carry it as their `timestamp`; the journal keeps the
   * box's time as the stored time. A time after the box's clock is not believed (the box's time is used).
   */
  actedAt?: string | undefined;
}

export const OPERATION_KEEP_DAYS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A well-formed operation id (a UUID, lowercased), or 400 operation_id_invalid. */
export function parseOperationId(v: unknown): string {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (!UUID.test(s)) throw recordsError('operation_id_invalid');
  return s;
}

/** An ISO time sent by a page (when the person acted), or 400 acted_at_invalid. */
export function parseActedAt(v: unknown): string {
  const ms = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw recordsError('acted_at_invalid');
  return new Date(ms).toISOString();
}
