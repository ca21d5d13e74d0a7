import { notFound } from '../core/errors.js';
import { peopleError } from './people.errors.js';
import { newId } from '../core/ids.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';
import { PeopleRepo } from './people.repo.js';
import {
  newCoordinatorSchema,
  newTraineeSchema,
  PASSWORD_KEYS,
  passwordSchema,
  personFieldsSchema,
  pinSchema,
  usernameKey,
  type NewCoordinator,
  type NewTrainee,
  type PersonUpdate,
} from './people.schema.js';
import type { PersonBody } from '../contract/journal.js';
import type { Person, Role } from './people.types.js';
import { DUMMY_HASH, hashSecret, verifySecret } from './secret.js';
import { passwordProblem } from './password-rule.js';
import { invalidInput } from '../core/validation.js';
import type { z } from 'zod';

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw invalidInput(r.error);
  return r.data;
}

/** What the journal carries about a trainee (kind 'person'; the contract's schema). */
export const rosterEntry = (p: Person): PersonBody => ({
  id: p.id,
  role: p.role,
  username: p.username,
  displayName: p.displayName,
  externalId: p.externalId,
  agency: p.agency,
  gender: p.gender,
  language: p.language,
  active: p.active,
  updatedAt: p.updatedAt,
});

/**
 * Trainees and coordinators. Records are never deleted (deactivate instead). Every change to a trainee
 * is also journalled (kind 'person') so HQ can read the statements that name them; secrets never are.
 */
export class PeopleService {
  private readonly repo: PeopleRepo;

  constructor(
    db: Db,
    private readonly records: RecordsService,
  ) {
    this.repo = new PeopleRepo(db);
  }

  /** Create a trainee (CLI, admin, CSV import, self sign-up). Throws 'username_taken' when it exists. */
  async addTrainee(input: NewTrainee): Promise<Person> {
    const v = parse(newTraineeSchema, input);
    const hash = await hashSecret(v.pin, 'pin');
    return this.records.writeNow(() => this.insert('trainee', v, hash));
  }

  async addCoordinator(input: NewCoordinator): Promise<Person> {
    const v = parse(newCoordinatorSchema, input);
    const hash = await hashSecret(v.password, 'password');
    return this.records.writeNow(() => this.insert('coordinator', v, hash));
  }

  /**
   * Insert inside the caller's transaction (for bulk imports that write many people at once).
   * `secretHash` comes from `hashSecret`.
   */
  insert(
    role: Role,
    v: { username: string; displayName?: string | undefined } & z.infer<typeof personFieldsSchema>,
    secretHash: string,
  ): Person {
    const key = usernameKey(v.username);
    if (this.repo.byUsernameKeyWithSecret(key)) {
      throw peopleError('username_taken', { username: v.username });
    }
    const id = newId();
    const at = this.records.now();
    this.repo.insert({
      id,
      role,
      username: v.username,
      usernameKey: key,
      displayName: v.displayName?.trim() || v.username,
      secretHash,
      externalId: v.externalId ?? null,
      agency: v.agency ?? null,
      gender: v.gender ?? null,
      language: v.language ?? null,
      at,
    });
    const person = this.repo.byId(id)!;
    if (role === 'trainee') this.records.appendJournal('person', id, rosterEntry(person));
    return person;
  }

  get(id: string): Person | undefined {
    return this.repo.byId(id);
  }

  byUsername(username: string): Person | undefined {
    return this.repo.byUsernameKeyWithSecret(usernameKey(username))?.person;
  }

  require(username: string): Person {
    const p = this.byUsername(username);
    if (!p) throw notFound(`trainee "${username}"`);
    return p;
  }

  /**
   * Check a username and secret. Returns the person only when active and the secret matches; takes the
   * same time whether or not the username exists.
   */
  async authenticate(username: string, secret: string): Promise<Person | undefined> {
    const found = this.repo.byUsernameKeyWithSecret(usernameKey(username));
    const ok = await verifySecret(secret, found?.secretHash ?? DUMMY_HASH);
    return ok && found && found.person.active ? found.person : undefined;
  }

  update(id: string, changes: PersonUpdate): Person {
    const v = parse(personFieldsSchema, changes);
    return this.records.writeNow(() => {
      const p = this.repo.byId(id);
      if (!p) throw notFound('person');
      const deactivating = changes.active === false && p.active;
      if (deactivating && p.role === 'coordinator' && this.repo.countActive('coordinator') <= 1)
        throw peopleError('last_coordinator');
      const next: Person = {
        ...p,
        displayName: v.displayName?.trim() || p.displayName,
        externalId: v.externalId !== undefined ? v.externalId : p.externalId,
        agency: v.agency !== undefined ? v.agency : p.agency,
        gender: v.gender !== undefined ? v.gender : p.gender,
        language: v.language !== undefined ? v.language : p.language,
        active: changes.active ?? p.active,
      };
      const at = this.records.now();
      this.repo.update(next, at);
      const saved = this.repo.byId(id)!;
      if (saved.role === 'trainee') this.records.appendJournal('person', id, rosterEntry(saved));
      return saved;
    });
  }

  async setPin(id: string, pin: string): Promise<void> {
    const v = parse(pinSchema, pin);
    const hash = await hashSecret(v, 'pin');
    this.records.writeNow(() => this.repo.setSecret(id, hash, this.records.now()));
  }

  /** A coordinator's new password (the rule of password-rule.ts, username included). */
  async setPassword(id: string, password: string): Promise<void> {
    (await this.preparePassword(id, password))();
  }

  /**
   * A new password checked and hashed (slow: outside any transaction); the returned function stores it,
   * so a caller can put that write inside its own (the admin's reset under an operation id).
   */
  async preparePassword(id: string, password: string): Promise<() => void> {
    const v = parse(passwordSchema, password);
    const person = this.repo.byId(id);
    if (!person) throw notFound('person');
    if (passwordProblem(v, person.username) === 'likeUsername')
      throw invalidInput([{ field: 'password', key: PASSWORD_KEYS.likeUsername }]);
    const hash = await hashSecret(v, 'password');
    return () => this.records.writeNow(() => this.repo.setSecret(id, hash, this.records.now()));
  }

  count(role: Role): number {
    return this.repo.count(role);
  }

  /** Active people of a role (at least one coordinator always stays active). */
  countActive(role: Role): number {
    return this.repo.countActive(role);
  }

  search(opts: { role: Role; query?: string; limit?: number; offset?: number; includeInactive?: boolean }) {
    return this.repo.search({ ...opts, limit: opts.limit ?? 50, offset: opts.offset ?? 0 });
  }
}
