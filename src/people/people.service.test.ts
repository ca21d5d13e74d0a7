import { afterEach, describe, expect, it } from 'vitest';
import { testContext } from '../../test/helpers/context.js';

let ctx: ReturnType<typeof testContext>;
afterEach(() => ctx.cleanup());

describe('PeopleService', () => {
  it('adds a trainee, journals the roster entry without the secret, and authenticates by PIN', async () => {
    ctx = testContext();
    const p = await ctx.people.addTrainee({
      username: 'Awa.Diallo',
      pin: '4821',
      displayName: 'Awa Diallo',
      externalId: 'OF-1093',
      gender: 'female',
    });
    expect(p.displayName).toBe('Awa Diallo');
    expect(await ctx.people.authenticate('awa.diallo', '4821')).toMatchObject({ id: p.id });
    expect(await ctx.people.authenticate('awa.diallo', '0000')).toBeUndefined();
    expect(await ctx.people.authenticate('nobody', '4821')).toBeUndefined();
    const rows = [...ctx.records.iterateJournal(0)];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.kind).toBe('person');
    expect(rows[0]!.body).toContain('OF-1093');
    expect(rows[0]!.body).not.toContain('scrypt');
  });

  it('refuses a taken username (case and width insensitive) and bad input with the field named', async () => {
    ctx = testContext();
    await ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    await expect(ctx.people.addTrainee({ username: 'ＡＷＡ', pin: '1234' })).rejects.toThrow(/already taken/);
    await expect(ctx.people.addTrainee({ username: 'bob', pin: '12' })).rejects.toThrow(
      /pin: PIN must be 4 to 8 digits/,
    );
    await expect(ctx.people.addTrainee({ username: 'b o', pin: '1234' })).rejects.toThrow(
      /username may hold only/,
    );
    expect(ctx.people.count('trainee')).toBe(1);
  });

  it('deactivates instead of deleting, and a deactivated trainee cannot sign in', async () => {
    ctx = testContext();
    const p = await ctx.people.addTrainee({ username: 'moussa', pin: '5555' });
    ctx.people.update(p.id, { active: false });
    expect(await ctx.people.authenticate('moussa', '5555')).toBeUndefined();
    expect(ctx.people.search({ role: 'trainee' }).total).toBe(0);
    expect(ctx.people.search({ role: 'trainee', includeInactive: true }).total).toBe(1);
  });
});

describe('coordinator accounts', () => {
  it('refuses the commonest passwords, the username inside it and repeats; takes a sentence', async () => {
    ctx = testContext();
    for (const weak of [
      'password',
      '12345678',
      'Password',
      'azertyuiop',
      'motdepasse',
      'qwertyuiop',
      'aaaaaaaaaa',
    ])
      await expect(ctx.people.addCoordinator({ username: 'amina', password: weak })).rejects.toThrow(
        /most common|repeated/,
      );
    await expect(ctx.people.addCoordinator({ username: 'amina', password: 'amina2026!' })).rejects.toThrow(
      /must not contain the username/,
    );
    await expect(ctx.people.addCoordinator({ username: 'amina', password: 'short' })).rejects.toThrow(
      /at least 8 characters/,
    );
    const a = await ctx.people.addCoordinator({ username: 'amina', password: 'le thé est chaud' });
    await expect(ctx.people.setPassword(a.id, 'iloveyou')).rejects.toThrow(/most common/);
    await expect(ctx.people.setPassword(a.id, 'AMINA-secret')).rejects.toThrow(/username/);
    await ctx.people.setPassword(a.id, 'three green camels');
    expect(await ctx.people.authenticate('amina', 'three green camels')).toMatchObject({ id: a.id });
  });

  it('keeps at least one active coordinator: the last cannot be deactivated, others can, and come back', async () => {
    ctx = testContext();
    const a = await ctx.people.addCoordinator({ username: 'amina', password: 'le thé est chaud' });
    expect(() => ctx.people.update(a.id, { active: false })).toThrow(/only active coordinator/);
    const k = await ctx.people.addCoordinator({ username: 'karim', password: 'three green camels' });
    ctx.people.update(k.id, { active: false });
    expect(await ctx.people.authenticate('karim', 'three green camels')).toBeUndefined();
    expect(() => ctx.people.update(a.id, { active: false })).toThrow(/only active coordinator/);
    ctx.people.update(k.id, { active: true });
    ctx.people.update(a.id, { active: false });
    expect(ctx.people.countActive('coordinator')).toBe(1);
    expect(await ctx.people.authenticate('karim', 'three green camels')).toMatchObject({ id: k.id });
  });
});
