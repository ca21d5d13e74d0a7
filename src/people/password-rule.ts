import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';

/**
 * The coordinator password rule, shown before submit and checked on every path that sets one (setup,
 * adding a coordinator, a reset from the web or `fieldclass admin password`): at least 8 characters, not
 * one of the commonest passwords (a list shipped with the package), not the username, not one character
 * repeated. A coordinator's password guards every trainee's records, and the box's sign-in is on a LAN any
 * trainee's phone reaches.
 */
export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'likeUsername' | 'repeated';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(join(PACKAGE_ROOT, 'src', 'people', 'common-passwords.txt'), 'utf8');
    common = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')));
  }
  return common;
}

/** What is wrong with a password, or null. */
export function passwordProblem(password: string, username?: string): PasswordProblem | null {
  if (password.length < PASSWORD_MIN) return 'tooShort';
  if (password.length > PASSWORD_MAX) return 'tooLong';
  const key = password.normalize('NFKC').toLowerCase();
  if (/^(.)\1*$/su.test(key)) return 'repeated';
  if (username && key.includes(username.normalize('NFKC').trim().toLowerCase())) return 'likeUsername';
  if (commonPasswords().has(key) || commonPasswords().has(key.trim())) return 'common';
  return null;
}

/** The problems in English (CLI, logs, the zod message); pages use the codes. */
export const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  tooShort: `password must have at least ${PASSWORD_MIN} characters`,
  tooLong: `password must have at most ${PASSWORD_MAX} characters`,
  common:
    'this password is one of the most common ones: choose another (a sentence of a few words is easy to remember)',
  likeUsername: 'the password must not contain the username',
  repeated: 'the password must not be one character repeated',
};
