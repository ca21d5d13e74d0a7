import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { scormError } from './scorm.errors.js';

/**
 * The one content launch: a token scoped to one trainee, one activity and one attempt, made when the
 * app opens the player and carried by the package-origin runtime on every commit. The package origin
 * has no session and no CSRF token (it must never see the app's), so this token is its only credential:
 * a forged or expired one is refused, and one launch's token cannot write another activity or attempt.
 * Stateless (HMAC-SHA256 with a key kept in records.db meta), so a box restart keeps open launches
 * valid. Reused by every kind of content that runs on the package origin (SCORM now; xAPI/cmi5 later).
 */
export interface LaunchClaims {
  /** person id */
  p: string;
  /** course id */
  c: string;
  /** activity id */
  a: string;
  /** attempt number */
  n: number;
  /** launch (session) id: commit numbers grow within it */
  s: string;
  /** issued at, epoch seconds */
  i: number;
}

/** A launch stays valid for a long day in class (a tab left open overnight is refused, then reloaded). */
export const LAUNCH_TTL_SECONDS = 24 * 3600;

const b64 = (b: Buffer) => b.toString('base64url');

export class LaunchTokens {
  constructor(
    private readonly key: Buffer,
    private readonly nowSeconds: () => number,
  ) {}

  /** A fresh random key (32 bytes, hex) to keep in meta. */
  static newKey(): string {
    return randomBytes(32).toString('hex');
  }

  issue(claims: Omit<LaunchClaims, 'i'>): string {
    const body = b64(Buffer.from(JSON.stringify({ ...claims, i: Math.floor(this.nowSeconds()) })));
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a valid token; 401 `launch_invalid` otherwise (bad shape, bad MAC, expired). */
  verify(token: unknown): LaunchClaims {
    const bad = (why: string) => scormError('launch_invalid', { why });
    if (typeof token !== 'string' || token.length > 2048) throw bad('missing');
    const [body, mac] = token.split('.');
    if (!body || !mac) throw bad('malformed');
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw bad('not valid');
    let claims: LaunchClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LaunchClaims;
    } catch {
      throw bad('malformed');
    }
    if (this.nowSeconds() - claims.i > LAUNCH_TTL_SECONDS) throw bad('expired: reload the page');
    return claims;
  }

  private mac(body: string): string {
    return b64(createHmac('sha256', this.key).update(`fieldclass-launch-v1\n${body}`).digest());
  }
}
