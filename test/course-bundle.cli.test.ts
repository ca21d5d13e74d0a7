import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { SCORM_FIXTURES, zipFolder } from './fixtures/scorm/make-zip.js';
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
  dir = mkdtempSync(join(tmpdir(), 'fc-cb-cli-'));
  process.env['FIELDCLASS_INSTALL_SAMPLES'] = 'false';
});
afterEach(() => {
  delete process.env['FIELDCLASS_INSTALL_SAMPLES'];
  delete process.env['FIELDCLASS_ALLOW_UNSIGNED'];
  rmSync(dir, { recursive: true, force: true });
});

describe('fieldclass content keygen / build / import', () => {
  it('signs at HQ, imports on a box that trusts the key, lists kind and signed', async () => {
    const data = join(dir, 'data');
    expect(await cli('content', 'keygen', '--out', join(dir, 'keys'))).toBe(0);
    const trusted = /content\.trustedKeys: \["([^"]+)"\]/.exec(out.join('\n'))![1]!;
    expect(
      await cli(
        'content',
        'build',
        FIXTURE,
        '--key',
        join(dir, 'keys', 'content-signing.key'),
        '--out',
        join(dir, 'out'),
      ),
    ).toBe(0);
    const bundle = out.join('\n').trim();
    expect(bundle).toBe(join(dir, 'out', 'fixture-course-1.0.0.course.zip'));
    const scormZip = zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(dir, 'radio.zip'));
    expect(
      await cli(
        'content',
        'build',
        scormZip,
        '--key',
        join(dir, 'keys', 'content-signing.key'),
        '--out',
        join(dir, 'out'),
        '--id',
        'radio-procedure',
      ),
    ).toBe(0);
    const scormBundle = out.join('\n').trim();

    // A box with no trusted key refuses, and nothing is installed.
    expect(await cli('content', 'import', bundle, '--data', data)).toBe(1);
    expect(err.join('')).toMatch(/trusts no content key/);

    writeFileSync(join(data, 'config.json'), JSON.stringify({ content: { trustedKeys: [trusted] } }));
    expect(await cli('content', 'import', bundle, '--data', data)).toBe(0);
    expect(out.join('\n')).toMatch(
      /installed fixture-course 1\.0\.0[\s\S]*kind: native; signed by [0-9a-f]{16}/,
    );
    expect(await cli('content', 'import', scormBundle, '--data', data)).toBe(0);

    // Unsigned SCORM zip: refused by default (exit 1, reason named), installed when allowed.
    const other = zipFolder(join(SCORM_FIXTURES, 'scorm2004-multi'), join(dir, 'checkpoint.zip'));
    expect(await cli('content', 'import', other, '--data', data)).toBe(1);
    expect(err.join('')).toMatch(
      /unsigned SCORM package; this box installs only course bundles signed by HQ/,
    );
    process.env['FIELDCLASS_ALLOW_UNSIGNED'] = '1';
    expect(await cli('content', 'import', other, '--data', data, '--id', 'checkpoint')).toBe(0);
    expect(out.join('\n')).toMatch(/kind: scorm2004; UNSIGNED/);

    expect(await cli('content', 'list', '--json', '--data', data)).toBe(0);
    const list = (JSON.parse(out.join('\n')) as { id: string; kind: string; signed: boolean }[]).map((c) => [
      c.id,
      c.kind,
      c.signed,
    ]);
    expect(list).toEqual([
      ['checkpoint', 'scorm2004', false],
      ['fixture-course', 'native', true],
      ['radio-procedure', 'scorm12', true],
    ]);
  });

  it('names what is wrong with an invalid SCORM zip (exit 1)', async () => {
    process.env['FIELDCLASS_ALLOW_UNSIGNED'] = '1';
    const nested = zipFolder(join(SCORM_FIXTURES, 'scorm12-single'), join(dir, 'nested.zip'), {
      prefix: 'radio/',
    });
    expect(await cli('content', 'import', nested, '--data', join(dir, 'data'))).toBe(1);
    expect(err.join('')).toMatch(/imsmanifest\.xml: not at the root of the zip/);
  });
});
