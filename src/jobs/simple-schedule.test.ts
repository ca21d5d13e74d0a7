import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { fromCron, parseTime, toCron, type SimpleSchedule } from './simple-schedule.js';

describe('schedules in words and in cron', () => {
  it('reads every default schedule of the box in words', () => {
    expect(fromCron('30 1 * * *')).toEqual({ kind: 'daily', time: '01:30' });
    expect(fromCron('0 2 * * *')).toEqual({ kind: 'daily', time: '02:00' });
    expect(fromCron('*/15 * * * *')).toEqual({ kind: 'minutes', every: 15 });
    expect(fromCron('* * * * *')).toEqual({ kind: 'minutes', every: 1 });
    expect(fromCron('0 */6 * * *')).toEqual({ kind: 'hours', every: 6 });
    expect(fromCron('0 * * * *')).toEqual({ kind: 'hours', every: 1 });
    expect(fromCron('off')).toEqual({ kind: 'off' });
  });

  it('reads weekdays as lists and ranges (7 is Sunday), all seven as every day', () => {
    expect(fromCron('0 18 * * 1,4')).toEqual({ kind: 'weekly', days: [1, 4], time: '18:00' });
    expect(fromCron('5 7 * * 1-5')).toEqual({ kind: 'weekly', days: [1, 2, 3, 4, 5], time: '07:05' });
    expect(fromCron('0 9 * * 6,7')).toEqual({ kind: 'weekly', days: [0, 6], time: '09:00' });
    expect(fromCron('0 9 * * 0-6')).toEqual({ kind: 'daily', time: '09:00' });
  });

  it('keeps what the words cannot say as custom', () => {
    for (const c of [
      '15 2 1 * *',
      '0 0 * 1 *',
      '*/7 * * * *',
      '0 */5 * * *',
      '30 */6 * * *',
      '0 1-5 * * *',
      '0 0 0 * * *',
    ])
      expect(fromCron(c)).toEqual({ kind: 'custom', cron: c });
  });

  it('writes cron node-cron takes, read back the same', () => {
    const all: SimpleSchedule[] = [
      { kind: 'minutes', every: 1 },
      { kind: 'minutes', every: 30 },
      { kind: 'hours', every: 1 },
      { kind: 'hours', every: 8 },
      { kind: 'daily', time: '01:30' },
      { kind: 'weekly', days: [0, 3, 6], time: '23:59' },
    ];
    for (const s of all) {
      const c = toCron(s);
      expect(cron.validate(c), c).toBe(true);
      expect(fromCron(c)).toEqual(s);
    }
    expect(toCron({ kind: 'daily', time: '1:30' })).toBe('30 1 * * *');
    expect(toCron({ kind: 'weekly', days: [4, 1, 4], time: '18:00' })).toBe('0 18 * * 1,4');
    expect(toCron({ kind: 'off' })).toBe('off');
  });

  it('reads times as people write them and refuses the rest', () => {
    expect(parseTime('01:30')).toEqual([1, 30]);
    expect(parseTime(' 1h30 ')).toEqual([1, 30]);
    expect(parseTime('18h')).toEqual([18, 0]);
    expect(parseTime('7')).toEqual([7, 0]);
    expect(parseTime('23.05')).toEqual([23, 5]);
    for (const bad of ['24:00', '1:60', 'une heure', '', '1:3', '-1:00', '01:30 pm'])
      expect(parseTime(bad), bad).toBeUndefined();
  });
});
