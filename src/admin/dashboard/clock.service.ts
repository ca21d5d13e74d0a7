import type { Clock } from '../../core/clock.js';
import { isAppError } from '../../core/errors.js';
import { healthError } from '../../health/health.errors.js';
import type { ClockSetter } from '../../health/clock-setter.js';
import type { AuditService } from '../../records/audit.service.js';

/**
 * Setting the box clock from a coordinator's browser (the box has no real-time clock). Both outcomes are
 * audited with the time before and after: a clock change moves every later record's time.
 */
export class BoxClockService {
  constructor(private readonly deps: { clock: Clock; clockSetter: ClockSetter; audit: AuditService }) {}

  async setFromBrowser(actorId: string, time: Date): Promise<void> {
    const from = this.deps.clock.now().toISOString();
    const to = time.toISOString();
    try {
      await this.deps.clockSetter.set(time);
    } catch (e) {
      this.deps.audit.record(actorId, 'clock.set.failed', null, { from, to, error: (e as Error).message });
      if (isAppError(e)) throw e;
      throw healthError('clock_not_set', { detail: (e as Error).message });
    }
    this.deps.audit.record(actorId, 'clock.set', null, { from, to });
  }
}
