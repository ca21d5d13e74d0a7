import type { Clock } from '../../core/clock.js';
import { isAppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { healthError } from '../../health/health.errors.js';
import type { ClockSetter } from '../../health/clock-setter.js';
import type { AuditService } from '../../records/audit.service.js';

/**
 * Setting the box clock from a coordinator's browser (the box has no real-time clock). Both outcomes are
 * audited with the time before and after: a clock change moves every later record's time. A refusal is
 * said in plain words (clock_not_set); what the system command printed goes to the server log only, not
 * to the page nor the audit log, which coordinators read.
 */
export class BoxClockService {
  constructor(
    private readonly deps: { clock: Clock; clockSetter: ClockSetter; audit: AuditService; logger: Logger },
  ) {}

  async setFromBrowser(actorId: string, time: Date): Promise<void> {
    const from = this.deps.clock.now().toISOString();
    const to = time.toISOString();
    try {
      await this.deps.clockSetter.set(time);
    } catch (e) {
      const said =
        isAppError(e) && typeof e.details?.['detail'] === 'string'
          ? e.details['detail']
          : (e as Error).message;
      this.deps.logger.warn({ from, to, said }, 'the box clock was not set');
      this.deps.audit.record(actorId, 'clock.set.failed', null, { from, to, code: 'clock_not_set' });
      throw healthError('clock_not_set', undefined, { detail: said });
    }
    this.deps.audit.record(actorId, 'clock.set', null, { from, to });
  }
}
