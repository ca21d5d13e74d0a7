import type { Language } from '../core/config.js';

export type Role = 'trainee' | 'coordinator';
export type Gender = 'female' | 'male' | 'other' | 'undisclosed';

/** A person as the rest of the box sees them (never the secret hash). */
export interface Person {
  id: string;
  role: Role;
  username: string;
  displayName: string;
  externalId: string | null;
  agency: string | null;
  gender: Gender | null;
  language: Language | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The signed-in user of a request, set by the session middleware. */
export interface SessionUser {
  person: Person;
  csrfToken: string;
  tokenHash: string;
}
