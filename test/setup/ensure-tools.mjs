#!/usr/bin/env node
// Makes sure the Debian tools the tests drive are present (the browser tests need Debian's chromium;
// playwright's own browser download does not work offline). Installs them with apt-get when it can
// (root on Debian); otherwise says exactly what to install and stops.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** command that must exist -> Debian package that provides it */
const NEEDED = [
  { path: '/usr/bin/chromium', pkg: 'chromium', why: 'browser (end-to-end) tests' },
  { path: '/usr/bin/shellcheck', pkg: 'shellcheck', why: 'provisioning script checks' },
  { path: '/usr/bin/systemd-analyze', pkg: 'systemd', why: 'systemd unit checks' },
  { path: '/usr/sbin/nginx', pkg: 'nginx-light', why: 'the nginx front (provisioning test, benchmarks)' },
  { path: '/usr/bin/ip', pkg: 'iproute2', why: 'offline-installer test in a network namespace' },
  { path: '/usr/sbin/debootstrap', pkg: 'debootstrap', why: 'the booted-box system test (test/system)' },
  { path: '/usr/bin/systemd-nspawn', pkg: 'systemd-container', why: 'the booted-box system test' },
  { path: '/usr/sbin/mkntfs', pkg: 'ntfs-3g', why: 'the USB stick of the system test (NTFS image)' },
  {
    path: '/usr/bin/qemu-aarch64-static',
    pkg: 'qemu-user-static',
    why: 'the arm64 installer run under emulation',
  },
  {
    path: '/usr/bin/aarch64-linux-gnu-g++',
    pkg: 'g++-aarch64-linux-gnu',
    why: 'the arm64 installer (better-sqlite3 cross-compiled)',
  },
];

const missing = NEEDED.filter((n) => !existsSync(n.path));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((m) => m.pkg))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (isRoot && hasApt) {
  console.log(`Installing Debian packages the tests need: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
      stdio: 'inherit',
      env,
    });
  } catch {
    console.error(`apt-get failed. Install them by hand: sudo apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
  process.exit(0);
}

console.error('The tests need these Debian packages, which are not installed:');
for (const m of missing) console.error(`  ${m.pkg.padEnd(12)} for ${m.why} (${m.path})`);
console.error(`Install them with: sudo apt-get install -y ${pkgs.join(' ')}`);
process.exit(1);
