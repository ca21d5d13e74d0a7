import { execFile } from 'node:child_process';
import { healthError } from './health.errors.js';

/** Sets the box's system clock. The box has no real-time clock; a coordinator's browser may know better. */
export interface ClockSetter {
  set(time: Date): Promise<void>;
}

/**
 * Runs the narrow privileged helper that provisioning installs, through `sudo -n` (never a password
 * prompt): `<command...> <ISO time>`. The command is configurable (`admin.setClockCommand`). A failure
 * is an AppError 'clock_not_set' in plain words; what the helper said is in its `details.detail`, for the
 * server log only.
 */
export class CommandClockSetter implements ClockSetter {
  constructor(
    private readonly command: readonly string[],
    private readonly timeoutMs = 10_000,
  ) {}

  set(time: Date): Promise<void> {
    const [cmd, ...args] = this.command;
    if (!cmd)
      return Promise.reject(
        healthError('clock_not_set', undefined, { detail: 'no clock command is configured' }),
      );
    return new Promise((resolve, reject) => {
      execFile(cmd, [...args, time.toISOString()], { timeout: this.timeoutMs }, (err, _stdout, stderr) => {
        if (!err) return resolve();
        const said = String(stderr || err.message)
          .trim()
          .slice(0, 300);
        reject(healthError('clock_not_set', undefined, { detail: said }));
      });
    });
  }
}
