import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { openContext } from '../src/app/context.js';
import { tempDir } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

/** Start `fieldclass serve --port 0` and read its URL from the start-up log line. */
function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      join(PACKAGE_ROOT, 'bin/fieldclass.js'),
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
    ],
    {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, FIELDCLASS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${out}`));
    });
  });
}

describe('a progress write acknowledged to the browser survives kill -9', () => {
  const t = tempDir();
  let child: ChildProcess | undefined;
  beforeAll(() => {
    // The data dir with its sample courses and one trainee, made in-process and closed again.
    const ctx = openContext(testConfig({ dataDir: t.dir }), { logger: silentLogger });
    return ctx.people.addTrainee({ username: 'awa', pin: '2468' }).finally(() => ctx.close());
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    t.cleanup();
  });

  it('finds the statements and progress after SIGKILL right after the 303', async () => {
    const s = await serve(t.dir);
    child = s.child;
    const b = new Browserless(s.url);
    expect((await b.submit('/', '/signin', { username: 'awa', pin: '2468' })).status).toBe(303);
    const lesson = '/courses/public-integrity/lessons/what-is-corruption';
    const done = await b.submit(lesson, `${lesson}/done`, {});
    expect(done.status).toBe(303);
    const quiz = '/courses/public-integrity/quizzes/check-quiz';
    const { html } = await b.page(quiz);
    const first = /name="(q_[^"]+)" value="([^"]+)"/.exec(html)!;
    const graded = await b.post(quiz, { _csrf: Browserless.csrfOf(html), [first[1]!]: first[2]! });
    expect(graded.status).toBe(303);
    // Acknowledged: now pull the plug.
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const db = new Database(join(t.dir, 'records.db'), { readonly: true });
    try {
      const person = db.prepare("SELECT id FROM people WHERE username = 'awa'").pluck().get() as string;
      const verbs = (
        db
          .prepare(
            `SELECT json_extract(body, '$.verb.display.en-US') || ' ' || json_extract(body, '$.object.id')
               FROM journal WHERE kind = 'statement' ORDER BY seq`,
          )
          .pluck()
          .all() as string[]
      ).map((v) => v.replace('urn:fieldclass:course:public-integrity', ''));
      expect(verbs).toContain('completed /what-is-corruption');
      expect(verbs.some((v) => v.startsWith('answered /check-quiz'))).toBe(true);
      expect(verbs.some((v) => v === 'passed /check-quiz' || v === 'failed /check-quiz')).toBe(true);
      const progress = db
        .prepare('SELECT activity_id, status FROM progress WHERE person_id = ? ORDER BY activity_id')
        .all(person) as { activity_id: string; status: string }[];
      expect(progress).toContainEqual({ activity_id: 'what-is-corruption', status: 'completed' });
      expect(progress.find((p) => p.activity_id === 'check-quiz')?.status).toMatch(/passed|failed/);
      expect(db.prepare('SELECT count(*) FROM attempts WHERE person_id = ?').pluck().get(person)).toBe(1);
      // The sign-in session was durable too.
      expect(db.prepare('SELECT count(*) FROM sessions WHERE person_id = ?').pluck().get(person)).toBe(1);
    } finally {
      db.close();
    }
  });
});
