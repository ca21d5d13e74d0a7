import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { recordsMigrations } from '../db/migrations/records.js';
import { RecordsService } from './records.service.js';

let db: Db;
afterEach(() => db.close());

function service(windowMs = 2) {
  db = openDatabase(':memory:', 'precious');
  migrate(db, recordsMigrations);
  const records = new RecordsService(db, fixedClock(new Date('2026-01-01T00:00:00Z')), {
    groupCommitMs: windowMs,
    maxBatch: 50,
  });
  records.ensureIdentityMeta();
  return records;
}

const person = { id: 'p1', displayName: 'Awa' };

describe('RecordsService', () => {
  it('numbers journal rows gap-free and commits concurrent writes together', async () => {
    const records = service();
    const commitsBefore = records.committer.commits;
    const seqs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        records.write(() =>
          records.appendStatement(
            records.buildStatement({
              person,
              verb: 'experienced',
              courseId: 'c',
              activityId: `a${i}`,
              activityType: 'lesson',
            }),
          ),
        ),
      ),
    );
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records.committer.commits - commitsBefore).toBe(1);
  });

  it('rolls back only the write that failed, without leaving a gap', async () => {
    const records = service();
    const stmt = () =>
      records.buildStatement({
        person,
        verb: 'launched',
        courseId: 'c',
        activityId: '',
        activityType: 'course',
      });
    const results = await Promise.allSettled([
      records.write(() => records.appendStatement(stmt())),
      records.write(() => {
        records.appendStatement(stmt());
        throw new Error('boom');
      }),
      records.write(() => records.appendStatement(stmt())),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toEqual({ status: 'fulfilled', value: 2 });
    expect(records.lastSeq()).toBe(2);
  });

  it('refuses to change or delete journal rows', async () => {
    const records = service();
    await records.write(() =>
      records.appendJournal('person', 'p1', {
        id: 'p1',
        role: 'trainee',
        username: 'amina',
        displayName: 'Amina',
        externalId: null,
        agency: null,
        gender: null,
        language: null,
        active: true,
        updatedAt: '2026-01-01T00:00:00.000Z',
      }),
    );
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE journal SET body = '{}'").run()).toThrow(/append-only/);
  });

  it('builds xAPI statements with ADL verbs and the course as parent', () => {
    const records = service();
    const s = records.buildStatement({
      person,
      verb: 'passed',
      courseId: 'crime-scene',
      activityId: 'quiz-1',
      activityType: 'assessment',
      result: { score: { scaled: 0.8 }, success: true },
    });
    expect(s.verb.id).toBe('http://adlnet.gov/expapi/verbs/passed');
    expect(s.object.id).toBe('urn:fieldclass:course:crime-scene/quiz-1');
    expect(s.context.contextActivities?.parent?.[0]?.id).toBe('urn:fieldclass:course:crime-scene');
    expect(s.actor.account.name).toBe('p1');
    expect(s.timestamp).toBe('2026-01-01T00:00:00.000Z');
  });
});
