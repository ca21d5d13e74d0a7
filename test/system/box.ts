// The system-test rig: a Debian 12 root made by debootstrap (cached outside the repo), booted with
// systemd-nspawn, entered with nsenter through the container's leader pid, and reached over a veth pair.
// These machines have no system bus, so machinectl and systemd-run --machine cannot be used: everything
// here is plain processes, namespaces and `ip`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface Run {
  code: number;
  out: string;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number } = {},
): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? (r.error ? String(r.error) : '');
  return { code: r.status ?? -1, out: stdout + stderr, stdout, stderr };
}

/** run(), throwing with the command's output when it fails. */
export function must(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): string {
  const r = run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.out}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Debian packages of the box's root: what install.sh expects on a box (nginx, NetworkManager, dnsmasq,
 * polkitd, fake-hwclock, ntfs-3g, exfatprogs), plus systemd as init and dbus for timedated and polkit.
 */
export const ROOT_PACKAGES = [
  'systemd',
  'systemd-sysv',
  // polkitd depends on "default-logind | logind", an alternative debootstrap does not resolve by itself
  'libpam-systemd',
  'dbus',
  'polkitd',
  'nginx',
  'network-manager',
  'dnsmasq-base',
  'fake-hwclock',
  'ntfs-3g',
  'exfatprogs',
  'ca-certificates',
  'iproute2',
  'util-linux',
  'procps',
];
export const SUITE = 'bookworm';
const MIRROR = process.env['FIELDCLASS_DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian';

/** Where roots, compiled addons and other slow-to-make things are kept between runs (outside the repo). */
export const CACHE_DIR = process.env['FIELDCLASS_SYSTEM_CACHE'] ?? '/var/cache/fieldclass-system-test';

/** What a logged step cost: wall seconds, and CPU seconds of it and its children (load-independent). */
export interface Cost {
  seconds: number;
  cpu: number;
}

/**
 * Run a command to the end with its output appended to a log file (never a pipe: a long run must not stall
 * on a full pipe while the test process is busy), asynchronously, so slow steps can run side by side.
 * Resolves with the exit code and the cost; `times` (bash) reports the CPU of the command and its children.
 */
export function runLogged(
  cmd: string,
  args: string[],
  log: string,
  opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<Cost & { code: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      ['-c', '"$@" >>"$FC_LOG" 2>&1; rc=$?; times; exit $rc', 'bash', cmd, ...args],
      {
        env: { ...(opts.env ?? process.env), FC_LOG: log },
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      },
    );
    let times = '';
    child.stdout.on('data', (b: Buffer) => (times += b.toString()));
    const timer = setTimeout(
      () => {
        appendFileSync(log, `\n(timed out after ${opts.timeout} ms: killed)\n`);
        process.kill(-child.pid!, 'SIGKILL');
      },
      opts.timeout ?? 30 * 60_000,
    );
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // second line of `times`: user and system time of the children, as "1m2.345s 0m6.789s"
      const secs = (t: string) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(t);
        return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
      };
      const [user = '', sys = ''] = (times.trim().split('\n')[1] ?? '').split(/\s+/);
      resolve({
        code: code ?? -1,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        cpu: Math.round((secs(user) + secs(sys)) * 10) / 10,
      });
    });
  });
}

/** The key of the cached root: what it is made of. */
function rootKey(): string {
  return createHash('sha256')
    .update(`${SUITE}\n${MIRROR}\n${ROOT_PACKAGES.join(',')}`)
    .digest('hex')
    .slice(0, 12);
}

/**
 * A debootstrapped Debian root, made once per package list and suite and reused: the test copies it,
 * never boots it. Made in a tmpfs when one can be mounted: dpkg syncs every file it unpacks, which costs
 * nothing there, and a root that is thrown away on failure needs no such care; it is then copied to the
 * cache in one go. Output goes to `log`.
 */
export async function debianRoot(log: string): Promise<{ dir: string; made: boolean } & Cost> {
  const dir = join(CACHE_DIR, `rootfs-${SUITE}-${rootKey()}`);
  if (existsSync(join(dir, '.fieldclass-complete'))) return { dir, made: false, seconds: 0, cpu: 0 };
  mkdirSync(CACHE_DIR, { recursive: true });
  const t0 = Date.now();
  const tmp = `${dir}.partial`;
  const build = `${dir}.tmpfs`;
  rmSync(tmp, { recursive: true, force: true });
  run('umount', [build]);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  const inTmpfs =
    run('mount', ['-t', 'tmpfs', '-o', 'size=4g,mode=0755', 'fc-debootstrap', build]).code === 0;
  const target = inTmpfs ? build : tmp;
  appendFileSync(log, `debootstrap into ${target} (${inTmpfs ? 'tmpfs' : 'disk: tmpfs not mountable'})\n`);
  try {
    const r = await runLogged(
      'debootstrap',
      ['--variant=minbase', `--include=${ROOT_PACKAGES.join(',')}`, SUITE, target, MIRROR],
      log,
      { timeout: 20 * 60_000 },
    );
    if (r.code !== 0)
      throw new Error(`debootstrap failed (${r.code}):\n${readFileSync(log, 'utf8').slice(-4000)}`);
    // debootstrap can end "successfully" with packages left unconfigured (a dependency it did not resolve).
    const audit = run('chroot', [target, 'dpkg', '--audit']);
    if (audit.code !== 0 || audit.stdout.trim())
      throw new Error(`debootstrap left packages unconfigured:\n${audit.out}`);
    // Downloaded .debs are not needed to boot; a smaller root is faster to copy for every test run.
    rmSync(join(target, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(target, 'var/cache/apt/archives/partial'), { recursive: true });
    if (inTmpfs) must('cp', ['-a', build, tmp]);
    writeFileSync(join(tmp, '.fieldclass-complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    must('mv', [tmp, dir]);
    return { dir, made: true, seconds: Math.round((Date.now() - t0) / 100) / 10, cpu: r.cpu };
  } finally {
    if (inTmpfs) run('umount', [build]);
    rmSync(build, { recursive: true, force: true });
  }
}

/**
 * The offline installer for `arch`, as HQ builds it, from this source's dist/ and node_modules, with its
 * downloads and compiled addons cached under CACHE_DIR (so "no cache" is one directory). Returns the tarball.
 */
export async function buildInstaller(
  root: string,
  arch: 'amd64' | 'arm64',
  out: string,
  log: string,
): Promise<{ tarball: string } & Cost> {
  const r = await runLogged(
    join(root, 'provisioning/build-offline-installer.sh'),
    [
      '--arch',
      arch,
      '--out',
      out,
      '--cache',
      join(CACHE_DIR, 'build'),
      '--node-modules-from',
      join(root, 'node_modules'),
      '--skip-build',
    ],
    log,
    { timeout: 30 * 60_000 },
  );
  const text = readFileSync(log, 'utf8');
  if (r.code !== 0)
    throw new Error(`building the ${arch} installer failed (${r.code}):\n${text.slice(-4000)}`);
  const tarball = text.trim().split('\n').at(-1)!;
  if (!tarball.endsWith('.tar.gz'))
    throw new Error(`no tarball from the ${arch} build:\n${text.slice(-2000)}`);
  return { tarball, seconds: r.seconds, cpu: r.cpu };
}

/** What the rig needs on the host; each missing thing is named with the Debian package that provides it. */
export function missingRequirements(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (nspawn, loop devices and network namespaces need it)');
  const tools: [string, string][] = [
    ['/usr/sbin/debootstrap', 'debootstrap'],
    ['/usr/bin/systemd-nspawn', 'systemd-container'],
    ['/usr/bin/nsenter', 'util-linux'],
    ['/usr/sbin/losetup', 'mount'],
    ['/usr/bin/ip', 'iproute2'],
    ['/usr/sbin/mkntfs', 'ntfs-3g'],
    ['/usr/bin/ntfs-3g', 'ntfs-3g'],
    ['/usr/bin/chromium', 'chromium'],
  ];
  for (const [path, pkg] of tools) if (!existsSync(path)) missing.push(`${path} (apt-get install ${pkg})`);
  if (!existsSync('/dev/fuse')) missing.push('/dev/fuse (the NTFS stick is mounted with ntfs-3g)');
  return missing;
}

export const QEMU = '/usr/bin/qemu-aarch64-static';
export const SYSROOT = '/usr/aarch64-linux-gnu';

/** What the arm64 installer test needs besides the box's requirements. */
export function missingArm64(): string[] {
  const missing: string[] = [];
  if (!existsSync(QEMU)) missing.push(`${QEMU} (apt-get install qemu-user-static)`);
  if (!existsSync('/usr/bin/aarch64-linux-gnu-g++'))
    missing.push('/usr/bin/aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)');
  if (!existsSync(join(SYSROOT, 'lib/ld-linux-aarch64.so.1')))
    missing.push(`${SYSROOT} (the arm64 C library: apt-get install g++-aarch64-linux-gnu)`);
  return missing;
}

/** A veth pair: one end on the host, the other in a fresh network namespace that the box boots into. */
export class Veth {
  readonly netns: string;
  readonly hostIf: string;
  readonly boxIf = 'fcbox0';
  readonly hostAddr: string;
  readonly boxAddr: string;

  constructor(id: number) {
    const n = (id % 200) + 20;
    this.netns = `fcsys-${process.pid}-${id}`;
    this.hostIf = `fcsh${process.pid % 10000}${id}`.slice(0, 15);
    this.hostAddr = `10.231.${n}.1`;
    this.boxAddr = `10.231.${n}.2`;
    must('ip', ['netns', 'add', this.netns]);
    must('ip', ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.boxIf, 'netns', this.netns]);
    must('ip', ['addr', 'add', `${this.hostAddr}/24`, 'dev', this.hostIf]);
    must('ip', ['link', 'set', this.hostIf, 'up']);
    must('ip', ['-n', this.netns, 'addr', 'add', `${this.boxAddr}/24`, 'dev', this.boxIf]);
    must('ip', ['-n', this.netns, 'link', 'set', this.boxIf, 'up']);
    must('ip', ['-n', this.netns, 'link', 'set', 'lo', 'up']);
  }

  get path(): string {
    return `/run/netns/${this.netns}`;
  }

  remove(): void {
    run('ip', ['link', 'del', this.hostIf]);
    run('ip', ['netns', 'del', this.netns]);
  }
}

const BOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * One booted box: `systemd-nspawn -b --register=no --keep-unit` on a root directory, in the veth's network
 * namespace, with extra device nodes bound in (the USB stick's loop device, /dev/fuse).
 */
export class Box {
  private nspawn: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  leader = 0;
  boots = 0;

  constructor(
    readonly root: string,
    readonly veth: Veth,
    readonly binds: string[],
    readonly logFile: string,
  ) {}

  /** Boot and wait until systemd reports the system up (running or degraded); returns that state. */
  async boot(timeoutMs = 180_000): Promise<string> {
    const log = openSync(this.logFile, 'a');
    const args = [
      '--quiet',
      '--boot',
      '--register=no',
      '--keep-unit',
      `--directory=${this.root}`,
      '--machine=fieldclass-box',
      `--network-namespace-path=${this.veth.path}`,
      '--resolv-conf=off',
      '--timezone=off',
      '--link-journal=no',
      '--console=read-only',
      ...this.binds.map((b) => `--bind=${b}`),
    ];
    const child = spawn('systemd-nspawn', args, { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.nspawn = child;
    this.boots++;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const end = Date.now() + timeoutMs;
    this.leader = 0;
    while (!this.leader) {
      if (child.exitCode !== null) throw new Error(`systemd-nspawn exited ${child.exitCode}:\n${this.log()}`);
      if (Date.now() > end) throw new Error(`no container leader under nspawn ${child.pid}`);
      this.leader = leaderOf(child.pid ?? 0);
      if (!this.leader) await sleep(100);
    }
    for (;;) {
      const r = this.sh('systemctl is-system-running --wait', { timeout: 60_000 });
      const state = r.stdout.trim();
      if (state === 'running' || state === 'degraded') return state;
      if (Date.now() > end) throw new Error(`the box did not finish booting (${state}):\n${this.log()}`);
      await sleep(500);
    }
  }

  /** Run a shell script inside the box as root (or as `user`, through runuser), in all its namespaces. */
  sh(
    script: string,
    opts: { user?: string; input?: string; timeout?: number; env?: Record<string, string> } = {},
  ): Run {
    if (!this.leader) throw new Error('the box is not running');
    const env = Object.entries({ PATH: BOX_PATH, LANG: 'C.UTF-8', HOME: '/root', ...opts.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    const inner = opts.user
      ? ['runuser', '-u', opts.user, '--', 'bash', '-c', script]
      : ['bash', '-c', script];
    return run('nsenter', ['-t', String(this.leader), '-a', '--', '/usr/bin/env', '-i', ...env, ...inner], {
      ...(opts.input === undefined ? {} : { input: opts.input }),
      timeout: opts.timeout ?? 120_000,
    });
  }

  /** sh(), throwing with the output when the script fails. */
  must(script: string, opts: Parameters<Box['sh']>[1] = {}): string {
    const r = this.sh(script, opts);
    if (r.code !== 0) throw new Error(`in the box: ${script}\nexited ${r.code}:\n${r.out}`);
    return r.stdout;
  }

  /** The crash: SIGKILL to the container's init, which takes every process in it down at once. */
  async kill(): Promise<void> {
    if (this.leader) process.kill(this.leader, 'SIGKILL');
    await this.waitExit();
  }

  /** A clean shutdown through systemd. */
  async poweroff(): Promise<void> {
    if (!this.leader || this.nspawn?.exitCode !== null) return;
    this.sh('systemctl poweroff --no-block', { timeout: 10_000 });
    await this.waitExit(60_000);
  }

  private async waitExit(ms = 30_000): Promise<void> {
    const t = sleep(ms).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, t])) === 'timeout') {
      this.nspawn?.kill('SIGKILL');
      await this.exited;
    }
    this.leader = 0;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-6000);
    } catch {
      return '';
    }
  }
}

/** The container's init: nspawn's child that lives in another pid namespace. */
function leaderOf(nspawnPid: number): number {
  const myPidNs = readlinkSync('/proc/self/ns/pid');
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== nspawnPid) continue;
      if (readlinkSync(`/proc/${p}/ns/pid`) !== myPidNs) return Number(p);
    } catch {
      // a process that just exited
    }
  }
  return 0;
}

/** An NTFS "USB stick": an image file on a loop device (this kernel has no vfat/exfat driver; ntfs-3g is FUSE). */
export class Stick {
  readonly device: string;
  constructor(
    readonly image: string,
    label: string,
    fill?: (mountpoint: string) => void,
  ) {
    must('truncate', ['-s', '64M', image]);
    must('mkntfs', ['-F', '-Q', '-q', '-L', label, image]);
    if (fill) this.withMounted(fill);
    this.device = must('losetup', ['--find', '--show', image]).trim();
  }

  /** Mount the image on the host (it must not be mounted in the box at the time). */
  withMounted<T>(fn: (mountpoint: string) => T): T {
    const mnt = `${this.image}.mnt`;
    mkdirSync(mnt, { recursive: true });
    must('ntfs-3g', [this.image, mnt]);
    try {
      return fn(mnt);
    } finally {
      run('umount', [mnt]);
    }
  }

  /** The kernel name fieldclass-usb@ would get (loop3). */
  get kernelName(): string {
    return this.device.replace('/dev/', '');
  }

  detach(): void {
    if (this.device) run('losetup', ['-d', this.device]);
  }
}
