import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testConfig } from '../core/config.js';
import { openContext } from '../app/context.js';
import { tempDir } from '../../test/helpers/context.js';
import { DeviceTrust, SigninLimiter, sha256Hex } from './auth.service.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function context() {
  const t = tempDir();
  const clock = fixedClock(new Date('2026-03-01T08:00:00Z'));
  const ctx = openContext(
    testConfig({ dataDir: t.dir, installSampleCourses: false, sessions: { ttlHours: 2 } }),
    {
      logger: silentLogger,
      clock,
    },
  );
  cleanups.push(() => {
    ctx.close();
    t.cleanup();
  });
  return { ctx, clock };
}

describe('SessionService', () => {
  it('stores only the hash of the token, looks it up, expires it and destroys it', async () => {
    const { ctx, clock } = context();
    const p = await ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    const { token, user, maxAgeSeconds } = await ctx.sessions.create(p);
    expect(maxAgeSeconds).toBe(7200);
    expect(user.tokenHash).toBe(sha256Hex(token));
    const stored = ctx.db.records.prepare('SELECT * FROM sessions').all() as Record<string, string>[];
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0]!['role']).toBe('trainee');

    expect(ctx.sessions.lookup(token)).toMatchObject({
      person: { id: p.id },
      role: 'trainee',
      csrfToken: user.csrfToken,
    });
    expect(ctx.sessions.lookup(token + 'x')).toBeUndefined();
    expect(ctx.sessions.lookup('')).toBeUndefined();
    clock.advance(2 * 3600 * 1000 + 1);
    expect(ctx.sessions.lookup(token)).toBeUndefined();

    const again = await ctx.sessions.create(p);
    expect(ctx.sessions.lookup(again.token)).toBeDefined();
    await ctx.sessions.destroy(again.user.tokenHash);
    expect(ctx.sessions.lookup(again.token)).toBeUndefined();
  });

  it('ends the sessions of a deactivated person and checks the role at sign-in', async () => {
    const { ctx } = context();
    const p = await ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    await ctx.people.addCoordinator({ username: 'boss', password: 'long-password' });
    const { token } = await ctx.sessions.create(p);
    ctx.people.update(p.id, { active: false });
    expect(ctx.sessions.lookup(token)).toBeUndefined();
    expect(await ctx.sessions.verify('awa', '1234', 'trainee')).toBeUndefined();
    expect(await ctx.sessions.verify('boss', 'long-password', 'trainee')).toBeUndefined();
    expect(await ctx.sessions.verify('boss', 'long-password', 'coordinator')).toMatchObject({
      role: 'coordinator',
    });
    expect(ctx.sessions.destroyAll(p.id)).toBe(1);
  });
});

describe('SigninLimiter', () => {
  it('counts a username per address: an attacker elsewhere never locks the person out', () => {
    let now = 0;
    const l = new SigninLimiter({ perAddressPerMinute: 50, perUsernamePerMinute: 5 }, () => now);
    for (let i = 0; i < 5; i++) {
      expect(l.check('10.0.0.66', 'Awa')).toBeNull();
      l.fail('10.0.0.66', 'Awa');
      now += 1000;
    }
    expect(l.check('10.0.0.66', 'awa')).toBe('username');
    expect(l.check('10.0.0.66', 'brahim')).toBeNull();
    expect(l.check('10.0.0.7', 'awa')).toBeNull();
    // A browser with the device cookie is never refused, even from the attacker's own address.
    expect(l.check('10.0.0.66', 'awa', true)).toBeNull();
    now += 55_500; // the first failure leaves the window
    expect(l.check('10.0.0.66', 'awa')).toBeNull();
  });

  it('refuses an address after its own limit over all usernames', () => {
    let now = 0;
    const l = new SigninLimiter({ perAddressPerMinute: 6, perUsernamePerMinute: 5 }, () => now);
    for (const u of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) l.fail('10.0.0.2', u);
    expect(l.check('10.0.0.2', 'dina')).toBe('address');
    expect(l.check('10.0.0.2', 'dina', true)).toBeNull();
    expect(l.check('10.0.0.3', 'dina')).toBeNull();
    now += 60_001;
    expect(l.check('10.0.0.2', 'dina')).toBeNull();
  });

  it('throttles codes per address only', () => {
    const l = new SigninLimiter(
      { perAddressPerMinute: 50, perUsernamePerMinute: 5, codesPerAddressPerMinute: 3 },
      () => 0,
    );
    for (let i = 0; i < 3; i++) l.failCode('10.0.0.66');
    expect(l.checkCode('10.0.0.66')).toBe(false);
    expect(l.checkCode('10.0.0.7')).toBe(true);
  });

  it('runs on the clock it is given (monotonic by default), so a wall-clock jump changes nothing', () => {
    const wall = fixedClock(new Date('2026-03-01T10:00:00Z'));
    const l = new SigninLimiter({ perAddressPerMinute: 50, perUsernamePerMinute: 2 });
    l.fail('10.0.0.2', 'awa');
    l.fail('10.0.0.2', 'awa');
    wall.advance(-3_600_000); // the box's date goes back an hour: the limiter never reads it
    expect(l.check('10.0.0.2', 'awa')).toBe('username');
    let mono = 1_000;
    const m = new SigninLimiter({ perAddressPerMinute: 50, perUsernamePerMinute: 2 }, () => mono);
    m.fail('10.0.0.2', 'awa');
    m.fail('10.0.0.2', 'awa');
    mono += 60_001;
    expect(m.check('10.0.0.2', 'awa')).toBeNull();
  });

  it('keeps a bounded LRU: spraying usernames is stopped by the address window long before it evicts', () => {
    const now = 0;
    const l = new SigninLimiter({ perAddressPerMinute: 50, perUsernamePerMinute: 3 }, () => now, 200);
    for (let i = 0; i < 3; i++) l.fail('10.0.0.66', 'awa');
    let sprayed = 0;
    for (let i = 0; i < 1000; i++) {
      if (l.check('10.0.0.66', `spray${i}`)) break;
      l.fail('10.0.0.66', `spray${i}`);
      sprayed++;
    }
    expect(sprayed).toBe(47);
    expect(l.check('10.0.0.66', 'awa')).toBe('username');
    // Many addresses spraying: memory stays bounded, oldest windows go first.
    for (let a = 0; a < 100; a++) for (let i = 0; i < 10; i++) l.fail(`10.1.0.${a}`, `u${i}`);
    expect(l.size).toBeLessThanOrEqual(200);
  });
});

describe('DeviceTrust', () => {
  it('trusts a browser only for the usernames that signed in there, and cannot be forged', () => {
    const key = Buffer.alloc(32, 7);
    const d = new DeviceTrust(() => key);
    const one = d.add(undefined, 'Awa');
    expect(d.trusts(one, 'awa')).toBe(true);
    expect(d.trusts(one, 'brahim')).toBe(false);
    const two = d.add(one, 'brahim');
    expect(d.trusts(two, 'awa')).toBe(true);
    expect(d.trusts(two, 'brahim')).toBe(true);
    const [payload, mac] = two.split('.');
    const forged = Buffer.from(JSON.stringify(['chloe']), 'utf8').toString('base64url');
    expect(d.trusts(`${forged}.${mac}`, 'chloe')).toBe(false);
    expect(d.trusts(`${payload}.${mac}x`, 'awa')).toBe(false);
    expect(new DeviceTrust(() => Buffer.alloc(32, 8)).trusts(two, 'awa')).toBe(false);
    expect(d.trusts('garbage', 'awa')).toBe(false);
    let many: string | undefined;
    for (let i = 0; i < 20; i++) many = d.add(many, `t${i}`);
    expect(d.trusts(many, 't19')).toBe(true);
    expect(d.trusts(many, 't0')).toBe(false);
  });
});
