import { timeZoneSchema } from '../core/time-zone.js';
import { invalidInput } from '../core/validation.js';
import type { RecordsService } from './records.service.js';

const KEY = 'time_zone';

/**
 * THE box's time zone: one IANA name in records meta (`time_zone`), written at first-run setup (or by
 * `fieldclass admin time-zone` from the installer) and changed by the coordinator on the Schedule page.
 * Every date a person reads on the box (pages, CSVs) and every job's schedule use it; stored times stay
 * UTC, and the system's own time zone is never read or changed. A missing or unreadable value is UTC.
 */
export class TimeZoneService {
  private cached: string | undefined;
  private readonly listeners = new Set<(zone: string) => void>();

  constructor(private readonly records: RecordsService) {}

  /** The zone now in force. */
  get(): string {
    if (this.cached === undefined) {
      const r = timeZoneSchema.safeParse(this.records.getMeta(KEY) ?? 'UTC');
      this.cached = r.success ? r.data : 'UTC';
    }
    return this.cached;
  }

  /** Whether a zone was ever chosen (the setup page and the installer write one; otherwise UTC is a default). */
  chosen(): boolean {
    return this.records.getMeta(KEY) !== undefined;
  }

  /**
   * Keep a new zone (checked by the one schema; a bad name is an `invalid` error on the field `timeZone`)
   * and tell whoever follows it (the scheduler). Returns the zone as stored (its canonical spelling).
   */
  set(name: string): string {
    const r = timeZoneSchema.safeParse(name);
    if (!r.success) throw invalidInput([{ field: 'timeZone', key: 'timeZone' }]);
    const zone = r.data;
    this.records.writeNow(() => this.records.setMeta(KEY, zone));
    const changed = zone !== this.get();
    this.cached = zone;
    if (changed) for (const fn of this.listeners) fn(zone);
    return zone;
  }

  /** Follow changes (the scheduler re-creates its tasks); returns how to stop following. */
  onChange(fn: (zone: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
