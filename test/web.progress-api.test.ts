import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const LESSON = '/courses/fixture-course/lessons/intro';

describe('reading-progress API (real server, real SQLite)', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  let b: Browserless;
  let csrf: string;
  let personId: string;
  beforeAll(async () => {
    s = await testServer();
    s.ctx.content.installFolder(FIXTURE);
    personId = (await s.ctx.people.addTrainee({ username: 'reader', pin: '1234' })).id;
    b = new Browserless(s.url);
    expect((await b.submit('/', '/signin', { username: 'reader', pin: '1234' })).status).toBe(303);
    const lesson = await b.page(LESSON);
    expect(lesson.html).toContain('data-progress-course="fixture-course"');
    expect(lesson.html).toMatch(/<script src="\/static\/lesson\.[0-9a-f]+\.js" defer/);
    csrf = Browserless.csrfOf(lesson.html);
  });
  afterAll(async () => s.cleanup());

  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    b.postJson(path, body, csrf, headers);

  it('records progress durably as a progressed statement and the lesson position', async () => {
    const r = await postJson('/api/progress', {
      courseId: 'fixture-course',
      activityId: 'intro',
      progress: 60,
    });
    expect(r.status).toBe(204);
    const row = s.ctx.db.records
      .prepare(`SELECT status, position FROM progress WHERE person_id = ? AND activity_id = 'intro'`)
      .get(personId);
    expect(row).toEqual({ status: 'started', position: '60' });
    const verbs = s.ctx.db.records
      .prepare(`SELECT json_extract(body, '$.verb.id') FROM journal WHERE kind = 'statement' ORDER BY seq`)
      .pluck()
      .all();
    expect(verbs).toContain('http://adlnet.gov/expapi/verbs/progressed');
  });

  it('refuses without the CSRF token, from another origin, signed out, and with bad values', async () => {
    const ok = { courseId: 'fixture-course', activityId: 'intro', progress: 10 };
    const before = s.ctx.records.lastSeq();
    expect((await postJson('/api/progress', ok, { 'x-csrf-token': 'nope' })).status).toBe(403);
    expect((await postJson('/api/progress', ok, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await postJson('/api/progress', ok, { cookie: '' })).status).toBe(403);
    expect((await postJson('/api/progress', { ...ok, progress: 101 })).status).toBe(400);
    expect((await postJson('/api/progress', { ...ok, activityId: 'final-quiz' })).status).toBe(404);
    expect(s.ctx.records.lastSeq()).toBe(before);
  });

  it('answers the session check with 204 and writes nothing', async () => {
    const before = s.ctx.records.lastSeq();
    expect((await postJson('/api/ping', {})).status).toBe(204);
    expect(s.ctx.records.lastSeq()).toBe(before);
  });
});
