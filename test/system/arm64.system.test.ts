// The arm64 offline installer (the Raspberry Pi's), built on this x86 machine as HQ builds it: Node for
// arm64 from the npm registry, better-sqlite3 cross-compiled with Debian's g++-aarch64-linux-gnu. Its Node and
// native addon are run under qemu-aarch64-static, called explicitly with the cross toolchain's sysroot (-L):
// binfmt_misc is not mounted on these machines, so an arm64 binary cannot be started directly.
// What this cannot show without a real Pi: the Wi-Fi access point, udev, SD card wear and fsync latency.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QEMU, SYSROOT, missingArm64, must, run } from './box.js';

const missing = missingArm64();
const CI = process.env['CI'] === 'true';
if (missing.length && !CI)
  console.warn(`arm64 system test skipped (not in CI): missing ${missing.join('; ')}`);

describe.skipIf(missing.length > 0 && !CI)('the arm64 installer under qemu-aarch64-static', () => {
  let work = '';
  let release = '';
  let data = '';
  const timings: Record<string, number> = {};
  /** The installer's arm64 Node, emulated: `qemu-aarch64-static -L <sysroot> node ...`. */
  const arm = (args: string[], timeout = 300_000) =>
    run(QEMU, ['-L', SYSROOT, join(release, 'node/bin/node'), ...args], {
      env: { ...process.env, FIELDCLASS_CONFIG: '/nonexistent' },
      timeout,
    });
  const cli = (...args: string[]) => arm([join(release, 'app/bin/fieldclass.js'), ...args, '--data', data]);

  beforeAll(() => {
    if (missing.length)
      throw new Error(
        `the arm64 system test cannot run on this machine (CI=true): missing ${missing.join('; ')}`,
      );
    work = mkdtempSync('/var/tmp/fc-arm64-');
    // Built by the project's global setup (prepare.ts), beside the amd64 one.
    const { arm64 } = inject('system');
    if (!arm64.path) throw new Error(`no arm64 offline installer: ${arm64.error}`);
    const tarball = arm64.path;
    must('tar', ['-xzf', tarball, '-C', work]);
    release = join(
      work,
      readdirSync(work).find((f) => f.endsWith('-linux-arm64'))!,
    );
    data = join(work, 'data');
  }, 40 * 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    console.log(`arm64 system test timings (s): ${JSON.stringify(timings)}`);
  });

  it('is built for arm64: an aarch64 Node, the addon cross-compiled and checked under qemu by the build', () => {
    const info = readFileSync(join(release, 'BUILDINFO'), 'utf8');
    expect(info).toMatch(/^ARCH=arm64$/m);
    expect(info).toMatch(/^NATIVE_BUILD=cross-compiled on x86_64 with aarch64-linux-gnu-g\+\+$/m);
    expect(info).toMatch(/^NATIVE_CHECKED=yes$/m);
    // ELF e_machine (offset 18, little-endian) 183 is AArch64.
    const machine = (file: string) => readFileSync(file).readUInt16LE(18);
    expect(machine(join(release, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(
      183,
    );
    expect(machine(join(release, 'node/bin/node'))).toBe(183);
    const v = arm(['-p', 'process.arch + " " + process.version']);
    expect(v.stdout.trim(), v.out).toBe(`arm64 v${/^NODE_VERSION=(.*)$/m.exec(info)![1]}`);
  });

  it('fieldclass migrate and doctor run on the emulated arm64 Node with the cross-compiled SQLite', () => {
    const m = cli('migrate');
    expect(m.code, m.out).toBe(0);
    expect(m.stdout).toMatch(/records: schema version \d+/);
    const d = cli('doctor', '--json');
    expect(d.code, d.out).toBe(0);
    const checks = JSON.parse(d.stdout) as { level: string; name: string; message: string }[];
    expect(checks.length).toBeGreaterThan(3);
    // The databases' checks (integrity, schema, WAL with synchronous=FULL, journal) pass; a bare data dir
    // outside a box may warn about other things (no config file), which are not the runtime's.
    expect(checks.filter((c) => c.level === 'FAIL')).toEqual([]);
    const level = (name: string) => checks.find((c) => c.name === name)?.level;
    expect(['records', 'content', 'durability', 'journal'].map(level)).toEqual(['OK', 'OK', 'OK', 'OK']);
  });

  it('serves /healthz from the emulated arm64 Node', async () => {
    const port = 18600 + (process.pid % 300);
    const child = spawn(
      QEMU,
      [
        '-L',
        SYSROOT,
        join(release, 'node/bin/node'),
        join(release, 'app/bin/fieldclass.js'),
        'serve',
        '--data',
        data,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--scorm-port',
        String(port + 1),
      ],
      { env: { ...process.env, FIELDCLASS_CONFIG: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    try {
      const t0 = Date.now();
      let body: { status?: string } = {};
      while (Date.now() - t0 < 180_000 && child.exitCode === null) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`);
          body = (await r.json()) as { status?: string };
          if (r.status === 200) break;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      timings['serve until /healthz'] = Math.round((Date.now() - t0) / 1000);
      expect(child.exitCode, log).toBeNull();
      expect(body.status, log).toBe('ok');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 300_000);
});
