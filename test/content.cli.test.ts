import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { runCli } from './helpers/cli.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');

let dir: string;
let out: string[];
let err: string[];

/** Run the real CLI program in-process; returns the exit code it set. */
async function cli(...args: string[]): Promise<number> {
  const r = await runCli(...args);
  out = r.out;
  err = r.err;
  return r.code;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fc-cli-'));
  process.env['FIELDCLASS_INSTALL_SAMPLES'] = 'false';
  // A course folder is unsigned local content (issue 5): refused unless the box allows it.
  process.env['FIELDCLASS_ALLOW_UNSIGNED'] = '1';
});
afterEach(() => {
  delete process.env['FIELDCLASS_INSTALL_SAMPLES'];
  delete process.env['FIELDCLASS_ALLOW_UNSIGNED'];
  rmSync(dir, { recursive: true, force: true });
});

describe('fieldclass content', () => {
  it('imports a folder, lists it as JSON and as a table, and caches it', async () => {
    expect(await cli('content', 'list', '--json', '--data', dir)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([]);

    expect(await cli('content', 'import', FIXTURE, '--data', dir)).toBe(0);
    expect(out.join('\n')).toMatch(
      /^installed fixture-course 1\.0\.0 "Fixture course" \(en, fr; 3 activities/,
    );
    expect(await cli('content', 'import', FIXTURE, '--data', dir)).toBe(0);
    expect(out.join('\n')).toMatch(/^already installed: fixture-course 1\.0\.0/);

    expect(await cli('content', 'list', '--json', '--data', dir)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([
      {
        id: 'fixture-course',
        version: '1.0.0',
        title: 'Fixture course',
        languages: ['en', 'fr'],
        kind: 'native',
        signed: false,
        active: true,
      },
    ]);
    expect(await cli('content', 'list', '--data', dir)).toBe(0);
    expect(out[0]).toMatch(/^ID\s+VERSION\s+KIND\s+LANGUAGES\s+SIGNED\s+ACTIVE\s+TITLE$/);
    expect(out[1]).toMatch(/^fixture-course\s+1\.0\.0\s+native\s+en,fr\s+no\s+yes\s+Fixture course$/);

    const cache = join(dir, 'cache');
    expect(await cli('content', 'cache', '--out', cache, '--data', dir)).toBe(0);
    expect(out.join('\n')).toMatch(/written/);
    expect(readdirSync(cache).some((f) => f.endsWith('.webm'))).toBe(true);
    // The app's CSS/JS under their fingerprinted names, as the pages link them.
    const assets = readdirSync(join(cache, 'static'));
    expect(assets).toContainEqual(expect.stringMatching(/^app\.[0-9a-f]{12}\.css$/));
    expect(assets).toContainEqual(expect.stringMatching(/^lesson\.[0-9a-f]{12}\.js$/));
  });

  it('refuses a broken course with the reason and a non-zero exit code', async () => {
    const broken = join(dir, 'broken');
    cpSync(FIXTURE, broken, { recursive: true });
    rmSync(join(broken, 'lessons', 'video.fr.md'));
    expect(await cli('content', 'import', broken, '--data', dir)).toBe(1);
    expect(err.join('')).toContain(
      'lessons/video.fr.md: missing (lesson video, language fr, in course.json)',
    );
    expect(await cli('content', 'import', join(dir, 'nothing-here'), '--data', dir)).toBe(1);
    expect(err.join('')).toMatch(/no such course folder/);
    expect(existsSync(join(dir, 'content.db'))).toBe(true);
  });
});
