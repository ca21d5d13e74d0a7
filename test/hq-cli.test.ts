import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, makeBox, writeBundle, type Box } from './hq.fixtures.js';
import { runCli } from './helpers/cli.js';
import { FIGURE_DEFINITIONS, tHq } from '../src/hq/hq.messages.js';
import { toTextTable } from '../src/hq/reports.service.js';

let dir: string;
let data: string;
let out: string[];
let err: string[];

/** Run the real CLI program in-process; returns the exit code it set. */
async function cli(...args: string[]): Promise<number> {
  const r = await runCli(...args);
  out = r.out;
  err = r.err;
  return r.code;
}

let box: Box;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fc-hq-cli-'));
  data = join(dir, 'hq-data');
  box = makeBox('Box A', 'Dakar');
  writeFileSync(join(dir, 'enrol.json'), JSON.stringify(box.enrolRequest));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fieldclass hq', () => {
  it('init, enrol, import (one line per bundle, exit 1 when any is refused), list, report, export, revoke', async () => {
    expect(await cli('hq', 'init', '--data', data)).toBe(0);
    expect(out.join('')).toContain(`HQ data directory ready: ${data}`);
    expect(await cli('hq', 'appliance', 'enrol', join(dir, 'enrol.json'), '--data', data)).toBe(0);
    expect(out[0]).toBe(`enrolled appliance ${box.applianceId} (Box A, Dakar), key ${box.keyId}`);
    expect(await cli('hq', 'appliance', 'enrol', join(dir, 'enrol.json'), '--data', data)).toBe(0);
    expect(out[0]).toMatch(/already enrolled/);

    const j = new Journal();
    j.person({ id: 'p1', externalId: 'OFF-1', gender: 'female' });
    for (let i = 0; i < 8; i++)
      j.statement({ person: 'p1', course: 'c1', activity: 'l1', verb: 'experienced' });
    j.statement({ person: 'p1', course: 'c1', verb: 'completed' });
    const bundles = join(dir, 'stick');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bundles);
    const b1 = await writeBundle(box, bundles, { bundleSeq: 1, rows: j.range(1, 5) });
    await writeBundle(box, bundles, { bundleSeq: 2, rows: j.range(6, 10), prevSha256: b1.sha256 });
    writeFileSync(join(bundles, 'broken.zip'), 'not a zip');

    expect(await cli('hq', 'import', bundles, '--data', data)).toBe(1);
    const lines = out.join('\n').trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${join(bundles, 'broken.zip')}: refused: not a readable zip: `));
    expect(lines[1]).toMatch(/-b000001\.zip: imported \(appliance .*, bundle 1, rows 1-5, 5 new\)$/);
    expect(lines[2]).toMatch(/-b000002\.zip: imported \(appliance .*, bundle 2, rows 6-10, 5 new\)$/);
    expect(lines[3]).toBe('3 bundles: 2 imported, 0 already imported, 1 refused');

    expect(await cli('hq', 'import', b1.path, '--data', data)).toBe(0);
    expect(out.join('')).toBe(`${b1.path}: already imported (appliance ${box.applianceId}, bundle 1)`);

    expect(await cli('hq', 'appliance', 'list', '--json', '--data', data)).toBe(0);
    const list = JSON.parse(out.join('')) as {
      id: string;
      lastSequence: number;
      bundles: number;
      gaps: unknown[];
      forks: unknown[];
      lastImportAt: string;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: box.applianceId, lastSequence: 10, bundles: 2, gaps: [], forks: [] });
    expect(list[0]!.lastImportAt).toMatch(/^\d{4}-/);

    expect(await cli('hq', 'report', 'courses', '--csv', '--data', data)).toBe(0);
    const csv = out.join('');
    // What the figures mean, as comment lines above the header (the page's definitions, in English here).
    const csvLines = csv.slice(1).split('\r\n');
    const header = csvLines.findIndex((l) => !/^"?# /.test(l));
    expect(header).toBe(FIGURE_DEFINITIONS.length);
    for (const [i, k] of FIGURE_DEFINITIONS.entries())
      expect(csvLines[i]).toContain(tHq('en', k).split(',')[0]);
    expect(csvLines[0]).toBe(
      '# Enrolled: people with an active enrolment in the course (by their class or on their own).',
    );
    expect(csvLines[header]!.startsWith('course,breakdown,')).toBe(true);
    // Not enrolled (enrolled counts enrolments only), started and completed.
    expect(csv).toContain('c1,all,,,0,1,1,');

    expect(await cli('hq', 'report', 'trainees', '--data', data)).toBe(0);
    expect(out.join('')).toMatch(/OFF-1/);
    // The terminal tables fit 120 columns (--wide: every column) and print ratios as percentages.
    for (const name of ['trainees', 'courses', 'appliances']) {
      expect(await cli('hq', 'report', name, '--data', data)).toBe(0);
      const lines = out.join('').split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    }
    expect(await cli('hq', 'report', 'courses', '--data', data)).toBe(0);
    expect(out.join('')).toMatch(/passRate/);
    expect(out.join('')).not.toMatch(/\b0\.\d{3}\b/);
    expect(await cli('hq', 'report', 'trainees', '--wide', '--data', data)).toBe(0);
    expect(out.join('')).toMatch(/attemptsGranted/);
    expect(await cli('hq', 'report', 'nonsense', '--data', data)).toBe(1);
    expect(err.join('')).toMatch(/unknown report "nonsense"/);

    const xapi = join(dir, 'statements.ndjson');
    expect(await cli('hq', 'export', '--xapi', '--out', xapi, '--data', data)).toBe(0);
    const statements = readFileSync(xapi, 'utf8').trim().split('\n');
    expect(statements).toHaveLength(9);
    // The actor is HQ's person; the box's external id rides in the context's extensions.
    const first = JSON.parse(statements[0]!) as {
      actor: { account: { name: string } };
      context: { extensions: Record<string, unknown> };
    };
    expect(first.actor.account.name).toMatch(/^p-[0-9a-f]{32}$/);
    expect(first.context.extensions['urn:fieldclass:ext:external-id']).toBe('OFF-1');

    expect(
      await cli('hq', 'appliance', 'revoke', box.applianceId, '--from-sequence', '11', '--data', data),
    ).toBe(0);
    expect(out[0]).toMatch(/from 1:11: rows at or after it, and every later epoch, are refused/);
    expect(out[1]).toMatch(/2 bundle\(s\) imported before the revocation stay/);
    const b3 = await writeBundle(box, dir, {
      bundleSeq: 3,
      rows: [{ ...j.rows[9]!, seq: 11 }],
      prevSha256: null,
    });
    expect(await cli('hq', 'import', b3.path, '--data', data)).toBe(1);
    expect(out.join('')).toMatch(
      /refused: appliance .* was revoked from 1:11 on .*; its row 1:11 is at or after/,
    );

    expect(await cli('hq', 'user', 'add', 'amina', '--password', 'correct horse', '--data', data)).toBe(0);
    expect(out[0]).toBe('added HQ user amina');
    expect(await cli('hq', 'user', 'add', 'amina', '--password', 'correct horse', '--data', data)).toBe(1);
    expect(err.join('')).toMatch(/already exists/);
    expect(await cli('hq', 'user', 'add', 'bob', '--password', 'short', '--data', data)).toBe(1);
    expect(err.join('')).toMatch(/password/);
  });

  it('refuses an enrolment request whose key id is not its key', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...box.enrolRequest, keyId: '0123456789abcdef' }));
    expect(await cli('hq', 'appliance', 'enrol', join(dir, 'bad.json'), '--data', data)).toBe(1);
    expect(err.join('')).toMatch(/keyId 0123456789abcdef is not the id of this public key/);
  });
});

describe('hq report in the terminal', () => {
  it('prints a trainee score as the pages do, a percentage (CSV and JSON keep the fraction)', () => {
    const text = toTextTable(
      ['name', 'score', 'passRate'],
      [
        { name: 'Awa', score: 0.7833333333, passRate: 0.5 },
        { name: 'Binta', score: null, passRate: null },
      ],
    );
    expect(text).toContain('78 %');
    expect(text).toContain('50 %');
    expect(text).not.toMatch(/0\.78/);
  });
});
