import { randomBytes } from 'node:crypto';
import { invalidInput } from '../../core/validation.js';
import { adminError } from '../admin.errors.js';
import type { Logger } from '../../core/logger.js';
import type { PeopleService } from '../../people/people.service.js';
import { newCoordinatorSchema, type NewCoordinator } from '../../people/people.schema.js';
import type { Person } from '../../people/people.types.js';
import { hashSecret } from '../../people/secret.js';
import { safeEqual } from '../../people/auth.service.js';
import type { AuditService } from '../../records/audit.service.js';
import type { RecordsService } from '../../records/records.service.js';

const META_KEY = 'admin_setup_code';
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Codes are typed by people: ignore case, spaces and dashes. */
export const normalizeCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');

/**
 * First run: while no coordinator exists, `/admin` asks for a one-time setup code that only someone
 * with the box's log or shell can read (`fieldclass admin setup-code`, or the log line at start). The
 * code stays the same until it is used or replaced on purpose (`setup-code --new`), so a code printed by
 * the installer, a restart and the CLI all agree. It is kept in records meta (readable only by the
 * service user and root, like the records themselves) and cleared when used. 60 bits of randomness and
 * a rate-limited form.
 */
export class SetupService {
  constructor(
    private readonly records: RecordsService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
  ) {}

  needsSetup(): boolean {
    return this.people.count('coordinator') === 0;
  }

  /** Make a new setup code (replacing any earlier one) and return it; the caller shows it. */
  issueCode(): string {
    const bytes = randomBytes(12);
    let s = '';
    for (let i = 0; i < 12; i++) s += ALPHABET[bytes[i]! % ALPHABET.length];
    const code = `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
    this.records.writeNow(() => this.records.setMeta(META_KEY, code));
    return code;
  }

  /** The code in force, made when there is none yet. */
  currentCode(): string {
    return this.records.getMeta(META_KEY) || this.issueCode();
  }

  /** At start: when no coordinator exists, log the code where the person setting up looks. */
  announceIfNeeded(logger: Logger): string | undefined {
    if (!this.needsSetup()) return undefined;
    const code = this.currentCode();
    logger.warn(
      { setupCode: code },
      `no coordinator yet: open /admin on the box and enter the setup code ${code} (or run "fieldclass admin setup-code")`,
    );
    return code;
  }

  /**
   * Create the first coordinator with the setup code. Refuses a wrong or used code ('bad_setup_code'),
   * and refuses once a coordinator exists ('setup_done'): checked inside the write, so two browsers
   * racing cannot both succeed.
   */
  async complete(code: string, input: NewCoordinator): Promise<Person> {
    const v = newCoordinatorSchema.safeParse(input);
    if (!v.success) throw invalidInput(v.error);
    const secretHash = await hashSecret(v.data.password, 'password');
    return this.records.writeNow(() => {
      if (!this.needsSetup()) throw adminError('setup_done');
      const stored = this.records.getMeta(META_KEY) ?? '';
      if (!stored || !safeEqual(normalizeCode(stored), normalizeCode(code)))
        throw adminError('bad_setup_code');
      this.records.setMeta(META_KEY, '');
      const person = this.people.insert('coordinator', v.data, secretHash);
      this.audit.recordTx(person.id, 'coordinator.setup', person.username);
      return person;
    });
  }
}
