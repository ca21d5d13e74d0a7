import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { singleKeyResolver, verifyBundle } from '../src/contract/bundle-format.js';
import { testConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { openContext, type AppContext } from '../src/app/context.js';
import { tempDir } from './helpers/context.js';

const CLI = join(PACKAGE_ROOT, 'bin/fieldclass.js');

const t = tempDir('fieldclass-crash-');
afterAll(() => t.cleanup());

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    // No sample courses: installing one journals a `course` row, and these tests count journal rows.
    env: { ...process.env, FIELDCLASS_LOG_LEVEL: 'silent', FIELDCLASS_INSTALL_SAMPLES: '0' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Append rows straight into the journal (fast, like a busy week of classes). */
function appendRows(ctx: AppContext, n: number): void {
  const ins = ctx.db.records.prepare(
    "INSERT INTO journal (seq, epoch, kind, ref, body, recorded_at) VALUES (?, 1, 'statement', ?, ?, '2025-01-01T00:00:00.000Z')",
  );
  ctx.db.records.transaction(() => {
    let seq = ctx.records.lastSeq();
    for (let i = 0; i < n; i++) {
      seq++;
      const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
      ins.run(
        seq,
        id,
        JSON.stringify({
          id,
          actor: {
            objectType: 'Agent',
            account: { homePage: 'https://fieldclass.invalid', name: `p${seq % 97}` },
          },
          verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
          object: { objectType: 'Activity', id: `urn:fieldclass:course:c1/a${seq % 31}` },
          timestamp: '2025-01-01T00:00:00.000Z',
        }),
      );
    }
  })();
}

describe('bundle CLI', () => {
  it('identity show/request, export, verify, list', () => {
    const data = join(t.dir, 'cli');
    const show = cli('identity', 'show', '--json', '--data', data);
    expect(show.code).toBe(0);
    const id = JSON.parse(show.out) as { applianceId: string; keyId: string; publicKey: string };
    expect(Object.keys(id)).toEqual(['applianceId', 'keyId', 'publicKey']);
    const req = JSON.parse(cli('identity', 'request', '--data', data).out) as Record<string, unknown>;
    expect(req).toMatchObject({ ...id, name: 'fieldclass box', location: '' });
    expect(cli('bundle', 'export', '--data', data).out.trim()).toBe('nothing pending');

    const ctx = openContext(testConfig({ dataDir: data, installSampleCourses: false }), {
      logger: silentLogger,
    });
    appendRows(ctx, 50);
    ctx.close();
    const exp = cli('bundle', 'export', '--data', data);
    expect(exp.code).toBe(0);
    const file = exp.out.trim();
    expect(file).toMatch(/outbox\/fieldclass-[0-9a-f]{8}-e1-b000001\.zip$/);

    const keyFile = join(t.dir, 'identity.json');
    writeFileSync(keyFile, show.out);
    const pem = join(t.dir, 'appliance.pub');
    writeFileSync(pem, id.publicKey);
    const ok = cli('bundle', 'verify', file, '--key', keyFile);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^valid: .*\n.*bundle 1\n.*journal 1\.\.50 \(50 statements/);
    expect(cli('bundle', 'verify', file, '--key', pem).code).toBe(0);

    const bad = join(t.dir, 'bad.zip');
    const bytes = readFileSync(file);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0x01;
    writeFileSync(bad, bytes);
    const refused = cli('bundle', 'verify', bad, '--key', keyFile);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^invalid: .*bad\.zip: bundle_\w+: /);
    writeFileSync(join(t.dir, 'other.json'), JSON.stringify({ ...id, applianceId: 'someone-else' }));
    expect(cli('bundle', 'verify', file, '--key', join(t.dir, 'other.json')).err).toMatch(
      /bundle_appliance_mismatch/,
    );

    const list = JSON.parse(cli('bundle', 'list', '--json', '--data', data).out) as Record<string, unknown>[];
    expect(list).toMatchObject([{ bundleSeq: 1, fromSeq: 1, toSeq: 50, state: 'written', present: true }]);
    const up = cli('bundle', 'upload', '--data', data);
    expect(up.out.trim()).toBe('pending: 1 bundle(s) (hq.url is not set)');
  });
});

describe('crash safety', () => {
  it('SIGKILL at random moments of `bundle export` never leaves a gap, a duplicate or a bad bundle', async () => {
    const data = join(t.dir, 'crash');
    const ctx = openContext(testConfig({ dataDir: data, installSampleCourses: false }), {
      logger: silentLogger,
    });
    writeFileSync(
      join(data, 'config.json'),
      JSON.stringify({ installSampleCourses: false, export: { maxRowsPerBundle: 4000 } }),
    );
    let killedMidway = 0;
    let finishedBeforeKill = 0;
    // How long one export of a round takes on this machine (measured by round 0, which is not killed),
    // so the kills land anywhere inside an export whatever the machine's speed.
    let exportMs = 0;
    try {
      for (let round = 0; round < 14; round++) {
        appendRows(ctx, 12_000);
        const started = performance.now();
        const child = spawn(process.execPath, [CLI, 'bundle', 'export', '--data', data], {
          env: { ...process.env, FIELDCLASS_LOG_LEVEL: 'silent' },
          stdio: 'ignore',
        });
        const delay = round === 0 ? undefined : Math.floor(Math.random() * exportMs);
        const timer = delay === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), delay);
        const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
        clearTimeout(timer);
        if (round === 0) exportMs = performance.now() - started;
        else if (signal === 'SIGKILL') killedMidway++;
        else finishedBeforeKill++;
      }
      // A last export that runs to the end.
      const final = cli('bundle', 'export', '--data', data);
      expect(final.code, final.err).toBe(0);

      const bundles = ctx.db.records.prepare('SELECT * FROM bundles ORDER BY seq').all() as {
        seq: number;
        from_seq: number;
        to_seq: number;
        sha256: string;
        prev_sha256: string | null;
        file: string;
        reexport: number;
      }[];
      expect(bundles.length).toBeGreaterThan(14);
      let expectFrom = 1;
      let prev: string | null = null;
      const id = ctx.identity.show();
      for (const b of bundles) {
        expect(b.reexport).toBe(0);
        expect(b.from_seq, `bundle ${b.seq}`).toBe(expectFrom);
        expect(b.prev_sha256).toBe(prev);
        const v = await verifyBundle(b.file, {
          resolveKey: singleKeyResolver({ publicKey: id.publicKey, applianceId: id.applianceId }),
        });
        expect(v.sha256).toBe(b.sha256);
        expect([v.manifest.fromSeq, v.manifest.toSeq, v.manifest.bundleSeq]).toEqual([
          b.from_seq,
          b.to_seq,
          b.seq,
        ]);
        expectFrom = b.to_seq + 1;
        prev = b.sha256;
      }
      expect(expectFrom - 1).toBe(ctx.records.lastSeq());
      expect(ctx.records.getMeta('export_cursor')).toBe(String(ctx.records.lastSeq()));
      // The outbox holds exactly the recorded bundles: no temp file, no unrecorded bundle, no lock.
      const outbox = join(data, 'outbox');
      expect(readdirSync(outbox).sort()).toEqual(bundles.map((b) => b.file.split('/').pop()!).sort());
      expect(existsSync(join(data, '.export.lock'))).toBe(false);
      // The kills must actually have interrupted exports for this test to mean anything.
      expect(killedMidway).toBeGreaterThanOrEqual(5);
      console.log(
        `crash test: ${killedMidway} exports killed, ${finishedBeforeKill} finished, ${bundles.length} bundles`,
      );
    } finally {
      ctx.close();
    }
  });
});
