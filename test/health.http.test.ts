import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';

describe('GET /healthz (real server, real SQLite)', () => {
  let s: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(async () => s.cleanup());

  it('answers 200 with status, version, database state and the group-commit counters', async () => {
    await s.ctx.people.addTrainee({ username: 'awa', pin: '1234' });
    const r = await fetch(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      version: VERSION,
      databases: { records: 'ok', content: 'ok' },
      lastSeq: 1,
    });
    const records = body['records'] as { commits: number; writes: number };
    expect(records.writes).toBeGreaterThanOrEqual(records.commits);
    expect(records.commits).toBeGreaterThan(0);
  });

  it('answers 503 and names the database when one does not answer', async () => {
    s.ctx.db.content.close();
    const r = await fetch(`${s.url}/healthz`);
    expect(r.status).toBe(503);
    const body = (await r.json()) as { status: string; databases: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(body.databases['records']).toBe('ok');
    expect(body.databases['content']).toMatch(/not open/);
  });
});
