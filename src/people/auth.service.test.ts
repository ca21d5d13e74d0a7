import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testConfig } from '../core/config.js';
import { openContext } from '../app/context.js';
import { tempDir } from '../../test/helpers/context.js';
import { SigninLimiter, sha256Hex } from './auth.service.js';

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
  it('blocks after N failures per username or per address within a sliding minute', () => {
    let now = 0;
    const l = new SigninLimiter({ perAddressPerMinute: 5, perUsernamePerMinute: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.check('10.0.0.2', 'Awa')).toBeNull();
      l.fail('10.0.0.2', 'Awa');
      now += 1000;
    }
    expect(l.check('10.0.0.9', 'awa')).toBe('username');
    expect(l.check('10.0.0.2', 'brahim')).toBeNull();
    l.fail('10.0.0.2', 'brahim');
    l.fail('10.0.0.2', 'chloe');
    expect(l.check('10.0.0.2', 'dina')).toBe('address');
    expect(l.check('10.0.0.3', 'dina')).toBeNull();
    now += 58_500; // the first failure leaves the window
    expect(l.check('10.0.0.9', 'awa')).toBeNull();
    l.succeed('brahim');
    now += 60_000;
    expect(l.check('10.0.0.2', 'dina')).toBeNull();
  });
});
