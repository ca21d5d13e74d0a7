// Provisioning: the offline installer is built once (native addon cached in ~/.cache/fieldclass-build),
// installed into a target root, checked file by file, run from that root, and installed again offline in
// a network namespace with no route. Needs Debian packages shellcheck, systemd (systemd-analyze) and nginx.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'fc-prov-'));
chmodSync(work, 0o755); // nginx workers (nobody) traverse it
const children: ChildProcess[] = [];
let tarball = '';
const hqKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
let bundleDir = '';
const root = join(work, 'root');
/** A whole install.sh run: about 50 s on a quiet 2-core machine, up to 190 s seen at load 25. A safeguard, not a measure. */
const INSTALL_TIMEOUT = 300_000;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
}

function has(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).code === 0;
}

/** A minimal target root: the accounts files (so useradd --prefix works), os-release, systemd's own units. */
function seedRoot(dir: string) {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n',
  );
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nwww-data:x:33:\n');
  writeFileSync(join(dir, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nwww-data:*:19000:0:99999:7:::\n', {
    mode: 0o640,
  });
  writeFileSync(join(dir, 'etc/gshadow'), 'root:*::\nwww-data:*::\n', { mode: 0o640 });
  cpSync('/etc/os-release', join(dir, 'etc/os-release'), { dereference: true });
  // The system's time zone, which a first install writes as the box's (Debian keeps it here too).
  writeFileSync(join(dir, 'etc/timezone'), 'Africa/Nairobi\n');
  // systemd's own units (sysinit.target...), which systemd-analyze verify --root needs inside the root.
  if (existsSync('/lib/systemd/system/sysinit.target')) {
    mkdirSync(join(dir, 'usr/lib/systemd'), { recursive: true });
    execFileSync('cp', ['-a', '/lib/systemd/system', join(dir, 'usr/lib/systemd/')]);
  }
}

function idOf(file: string, name: string): number {
  const line = readFileSync(join(root, file), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`${name} not in ${file}`);
  return Number(line.split(':')[2]);
}

/** The box's time zone as its records keep it (meta time_zone; undefined while none was written). */
function boxZone(): string | undefined {
  const db = new Database(join(root, 'var/lib/fieldclass/records.db'), { readonly: true });
  try {
    return db.prepare("SELECT value FROM meta WHERE key = 'time_zone'").pluck().get() as string | undefined;
  } finally {
    db.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(p));
    });
  });
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(port: number, path: string, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await get(port, path);
      if (r.status === 200) return r;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`nothing answered 200 on :${port}${path}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every file under the root with mode, owner, size and content hash (for the idempotency check). */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = p.slice(dir.length);
      if (rel.startsWith('/usr/lib/systemd') || /\.db-(wal|shm)$/.test(rel)) continue;
      if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}/ ${st.mode.toString(8)} ${st.uid}:${st.gid}`);
        walk(p);
      } else {
        const h = createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16);
        out.push(`${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${h} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.join('\n');
}

beforeAll(() => {
  const r = run(join(REPO, 'provisioning/build-offline-installer.sh'), [
    '--arch',
    'amd64',
    '--out',
    work,
    '--node-modules-from',
    join(REPO, 'node_modules'),
    '--skip-build',
  ]);
  expect(r.code, r.out).toBe(0);
  tarball = r.stdout.trim().split('\n').at(-1) ?? '';
  expect(existsSync(tarball)).toBe(true);
  seedRoot(root);
}, 900_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

describe('scripts', () => {
  it('pass shellcheck', () => {
    const scripts = [
      ...readdirSync(join(REPO, 'provisioning'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `provisioning/${f}`),
      ...readdirSync(join(REPO, 'appliance/bin')).map((f) => `appliance/bin/${f}`),
      'appliance/lib/template.sh',
      'appliance/lib/fileops.sh',
      'appliance/nginx/render.sh',
    ];
    expect(scripts.length).toBeGreaterThan(8);
    const r = run('shellcheck', ['-x', ...scripts], { cwd: REPO });
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the set-clock helper accepts an ISO timestamp and refuses anything else', () => {
    const bin = join(REPO, 'appliance/bin/fieldclass-set-clock');
    const env = { ...process.env, FIELDCLASS_CLOCK_DRY_RUN: '1' };
    expect(run(bin, ['2026-11-28T16:05:09+02:00'], { env }).stdout).toBe(
      'would set the clock to 2026-11-28 14:05:09 UTC\n',
    );
    for (const bad of ['2026-02-30T10:00:00Z', '$(reboot)', '2026-11-28 10:00', '1999-01-01T00:00:00Z', '']) {
      const r = run(bin, [bad], { env });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/fieldclass-set-clock|usage/);
    }
  });

  it('a template with a placeholder left unfilled is an error, not a broken file', () => {
    const r = run(
      'bash',
      [
        '-c',
        `. appliance/lib/template.sh; render_template appliance/nginx/fieldclass-site.conf.template LISTEN=80`,
      ],
      {
        cwd: REPO,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no value for @CACHE_DIR@');
  });
});

describe('install.sh --root', () => {
  let firstRun = '';
  beforeAll(() => {
    const key = join(work, 'hq-content.pub');
    writeFileSync(key, hqKey);
    const r = run(join(REPO, 'provisioning/install.sh'), [
      '--bundle',
      tarball,
      '--root',
      root,
      '--name',
      'Nakuru training room',
      '--location',
      'Nakuru',
      '--country',
      'ke',
      '--ssid',
      'Police Academy',
      '--wifi-passphrase',
      'correct horse battery',
      '--hq-key',
      key,
      '--hq-url',
      'https://hq.example.org/',
    ]);
    firstRun = r.out;
    expect(r.code, r.out).toBe(0);
  }, 300_000);

  it('creates the service user and the directories with their modes and owners', () => {
    const uid = idOf('etc/passwd', 'fieldclass');
    const gid = idOf('etc/group', 'fieldclass');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(
      /^fieldclass:x:\d+:\d+:.*:\/var\/lib\/fieldclass:\/usr\/sbin\/nologin$/m,
    );
    const www = idOf('etc/group', 'www-data');
    const want: [string, number, number, number][] = [
      ['/opt/fieldclass', 0o755, 0, 0],
      ['/etc/fieldclass', 0o750, 0, gid],
      ['/etc/fieldclass/config.json', 0o640, 0, gid],
      ['/etc/fieldclass/network.conf', 0o600, 0, 0],
      ['/var/lib/fieldclass', 0o711, uid, gid],
      ['/var/lib/fieldclass/outbox', 0o750, uid, gid],
      ['/var/lib/fieldclass/content-cache', 0o2750, uid, www],
      ['/var/lib/fieldclass/upgrade-backups', 0o700, 0, 0],
      ['/var/lib/fieldclass/records.db', 0o640, uid, gid],
      ['/etc/systemd/system/fieldclass.service', 0o644, 0, 0],
      ['/etc/systemd/system/fieldclass-usb@.service', 0o644, 0, 0],
      ['/etc/systemd/system/fieldclass-content-cache.service', 0o644, 0, 0],
      ['/etc/systemd/system/fieldclass-content-cache.timer', 0o644, 0, 0],
      ['/etc/udev/rules.d/90-fieldclass-usb.rules', 0o644, 0, 0],
      ['/etc/polkit-1/rules.d/50-fieldclass-clock.rules', 0o644, 0, 0],
      ['/etc/NetworkManager/system-connections/fieldclass-ap.nmconnection', 0o600, 0, 0],
      ['/etc/NetworkManager/dnsmasq-shared.d/fieldclass.conf', 0o644, 0, 0],
      ['/etc/nginx/sites-available/fieldclass', 0o644, 0, 0],
      ['/etc/modprobe.d/fieldclass-wifi.conf', 0o644, 0, 0],
    ];
    for (const [p, mode, u, g] of want) {
      const st = statSync(join(root, p));
      expect([p, (st.mode & 0o7777).toString(8), st.uid, st.gid]).toEqual([p, mode.toString(8), u, g]);
    }
  });

  it('installs the release under /opt/fieldclass with a current link, the bundled Node and the app', () => {
    const current = readlinkSync(join(root, 'opt/fieldclass/current'));
    expect(current).toMatch(/^releases\/0\.\d+\.\d+-[0-9a-f]{12}$/);
    const rel = join(root, 'opt/fieldclass', current);
    expect(readFileSync(join(rel, 'BUILDINFO'), 'utf8')).toMatch(/^NODE_VERSION=24\.\d+\.\d+$/m);
    const st = statSync(join(rel, 'node/bin/node'));
    expect(st.uid).toBe(0);
    expect(st.mode & 0o022).toBe(0); // the service user cannot change the code it runs
    expect(existsSync(join(rel, 'app/dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(rel, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(
      true,
    );
    expect(existsSync(join(rel, 'app/node_modules/vitest'))).toBe(false); // no dev packages
    expect(existsSync(join(rel, 'appliance/bin/fieldclass-set-clock'))).toBe(true);
    expect(readlinkSync(join(root, 'usr/local/bin/fieldclass'))).toBe(
      '/opt/fieldclass/current/appliance/bin/fieldclass',
    );
    expect(
      readlinkSync(join(root, 'etc/systemd/system/timers.target.wants/fieldclass-content-cache.timer')),
    ).toBe('/etc/systemd/system/fieldclass-content-cache.timer');
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/fieldclass.service'))).toBe(
      '/etc/systemd/system/fieldclass.service',
    );
  });

  it('writes the config: box defaults, the given name, HQ url and key, valid for the app', () => {
    const cfg: unknown = JSON.parse(readFileSync(join(root, 'etc/fieldclass/config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/var/lib/fieldclass',
      applianceName: 'Nakuru training room',
      location: 'Nakuru',
      hq: { url: 'https://hq.example.org/' },
      export: { usbRoots: ['/media/fieldclass'], outboxDir: '/var/lib/fieldclass/outbox' },
      content: { trustedKeys: [hqKey.trim()] },
      allowedOrigins: ['http://class.lan'],
      // SCORM packages on a site of their own, served by the nginx block below
      scorm: { publicOrigin: 'http://classpkg.lan' },
    });
    // the admin's "set clock" runs the helper directly (polkit), never through sudo (NoNewPrivileges)
    const admin = (cfg as { admin?: { setClockCommand?: string[] } }).admin;
    if (admin)
      expect(admin.setClockCommand).toEqual(['/opt/fieldclass/current/appliance/bin/fieldclass-set-clock']);
  });

  it('renders the hardened unit, the access point, DNS and nginx site from the settings', () => {
    const unit = readFileSync(join(root, 'etc/systemd/system/fieldclass.service'), 'utf8');
    for (const line of [
      'User=fieldclass',
      'Restart=on-failure',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'PrivateTmp=yes',
      'ReadWritePaths=/var/lib/fieldclass',
      'CapabilityBoundingSet=',
      'ExecStart=/opt/fieldclass/current/node/bin/node /opt/fieldclass/current/app/bin/fieldclass.js serve --config /etc/fieldclass/config.json',
    ])
      expect(unit.split('\n')).toContain(line);
    const ap = readFileSync(
      join(root, 'etc/NetworkManager/system-connections/fieldclass-ap.nmconnection'),
      'utf8',
    );
    expect(ap).toContain('\nssid=Police Academy\n');
    expect(ap).toContain('\npsk=correct horse battery\n');
    expect(ap).toContain('\nmode=ap\n');
    expect(ap).toContain('\nmethod=shared\naddress1=10.42.0.1/24\n');
    expect(readFileSync(join(root, 'etc/modprobe.d/fieldclass-wifi.conf'), 'utf8')).toContain(
      'ieee80211_regdom=KE',
    );
    const dns = readFileSync(join(root, 'etc/NetworkManager/dnsmasq-shared.d/fieldclass.conf'), 'utf8');
    expect(dns).toContain('address=/class.lan/10.42.0.1');
    const site = readFileSync(join(root, 'etc/nginx/sites-available/fieldclass'), 'utf8');
    expect(site).toContain('server 127.0.0.1:8080;');
    expect(site).toContain('root /var/lib/fieldclass/content-cache;');
    expect(site).toContain('server_name classpkg.lan;');
    expect(site).toContain('server 127.0.0.1:8081;');
    expect(readlinkSync(join(root, 'etc/nginx/sites-enabled/fieldclass'))).toBe(
      '../sites-available/fieldclass',
    );
    expect(firstRun).toContain(
      'Wi-Fi: "Police Academy"  passphrase: correct horse battery  site: http://class.lan/',
    );
  });

  it('makes the identity and prints the enrolment request and the setup code (when the app has those commands)', (ctx) => {
    const enrol = join(root, 'var/lib/fieldclass/enrol-request.json');
    if (!existsSync(enrol))
      ctx.skip("this build has no 'fieldclass identity request': enrolment request NOT checked");
    const req = JSON.parse(readFileSync(enrol, 'utf8')) as Record<string, unknown>;
    expect(req).toMatchObject({ name: 'Nakuru training room', location: 'Nakuru' });
    expect(JSON.stringify(req)).toMatch(/"(applianceId|id)":"[^"]+"/);
    expect(statSync(enrol).uid).toBe(idOf('etc/passwd', 'fieldclass'));
    expect(firstRun).toContain('Enrolment request for HQ');
    expect(firstRun).toMatch(/First-run setup code for http:\/\/class\.lan\/admin : .*[A-Z0-9]{4}/);
  });

  it('writes the box’s time zone from the system’s on a first install (no --time-zone given)', () => {
    expect(firstRun).toContain('time zone Africa/Nairobi (from the system)');
    expect(boxZone()).toBe('Africa/Nairobi');
  });

  it(
    'refuses an HQ key that is not an Ed25519 public key, naming it, and changes nothing',
    () => {
      const before = readFileSync(join(root, 'etc/fieldclass/config.json'), 'utf8');
      const bad = join(work, 'not-a-key.pub');
      writeFileSync(bad, 'hello\n');
      const r = run(join(REPO, 'provisioning/install.sh'), [
        '--bundle',
        tarball,
        '--root',
        root,
        '--hq-key',
        bad,
      ]);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('content.trustedKeys: "hello...": not an Ed25519 public key');
      expect(readFileSync(join(root, 'etc/fieldclass/config.json'), 'utf8')).toBe(before);
    },
    INSTALL_TIMEOUT,
  );

  it('systemd-analyze verify accepts the units', (ctx) => {
    if (!has('systemd-analyze')) ctx.skip('systemd-analyze is not installed (apt-get install systemd)');
    if (!existsSync(join(root, 'usr/lib/systemd/system/sysinit.target')))
      ctx.skip('no /lib/systemd/system here to copy into the root: systemd-analyze verify NOT run');
    const r = run('systemd-analyze', [
      'verify',
      `--root=${root}`,
      'fieldclass.service',
      'fieldclass-usb@sda1.service',
      'fieldclass-content-cache.service',
      'fieldclass-content-cache.timer',
    ]);
    expect(r.out).toBe(''); // warnings (unknown keys, missing binaries) are printed with exit 0: none allowed
    expect(r.code).toBe(0);
    // and it does catch a mistake:
    const bad = readFileSync(join(root, 'etc/systemd/system/fieldclass.service'), 'utf8').replace(
      'ProtectSystem=',
      'ProtectSystm=',
    );
    writeFileSync(join(root, 'etc/systemd/system/fc-bad.service'), bad);
    expect(run('systemd-analyze', ['verify', `--root=${root}`, 'fc-bad.service']).out).toContain(
      "Unknown key 'ProtectSystm'",
    );
    rmSync(join(root, 'etc/systemd/system/fc-bad.service'));
  });

  it(
    'a second run changes nothing',
    () => {
      const before = snapshot(root);
      const r = run(join(REPO, 'provisioning/install.sh'), ['--bundle', tarball, '--root', root]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('== done: 0 changes');
      expect(r.out).toContain('time zone Africa/Nairobi (kept; --time-zone changes it)');
      expect(snapshot(root)).toBe(before);
    },
    INSTALL_TIMEOUT,
  );

  it(
    'refuses a bad setting with a message naming it, leaving the settings as they were',
    () => {
      const before = readFileSync(join(root, 'etc/fieldclass/network.conf'), 'utf8');
      const r = run(join(REPO, 'provisioning/install.sh'), [
        '--bundle',
        tarball,
        '--root',
        root,
        '--wifi-passphrase',
        'short',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('PASSPHRASE must have 8 to 63 characters');
      expect(readFileSync(join(root, 'etc/fieldclass/network.conf'), 'utf8')).toBe(before);
      const ok = run(join(REPO, 'provisioning/install.sh'), ['--bundle', tarball, '--root', root]);
      expect(ok.out).toContain('== done: 0 changes');
    },
    INSTALL_TIMEOUT,
  );

  it(
    'a technician’s --time-zone replaces the zone; a malformed one is refused before anything changes',
    () => {
      const bad = run(join(REPO, 'provisioning/install.sh'), [
        '--bundle',
        tarball,
        '--root',
        root,
        '--time-zone',
        'UTC+3 Nairobi',
      ]);
      expect(bad.code).not.toBe(0);
      expect(bad.out).toContain('--time-zone: an IANA name such as Africa/Nairobi or UTC');
      expect(boxZone()).toBe('Africa/Nairobi');
      const r = run(join(REPO, 'provisioning/install.sh'), [
        '--bundle',
        tarball,
        '--root',
        root,
        '--time-zone',
        'africa/dakar',
      ]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('time zone Africa/Dakar (--time-zone)');
      expect(r.out).toContain('== done: 1 changes');
      expect(boxZone()).toBe('Africa/Dakar');
    },
    INSTALL_TIMEOUT,
  );

  it(
    'the installed tree, run with the Node runtime it installed, serves /healthz, also through the nginx config',
    async (ctx) => {
      const node = join(root, 'opt/fieldclass/current/node/bin/node');
      expect(execFileSync(node, ['-v'], { encoding: 'utf8' })).toMatch(/^v24\./);
      const port = await freePort();
      const app = spawn(
        node,
        [
          join(root, 'opt/fieldclass/current/app/bin/fieldclass.js'),
          'serve',
          '--config',
          join(root, 'etc/fieldclass/config.json'),
          '--data',
          join(root, 'var/lib/fieldclass'),
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, FIELDCLASS_CONFIG: join(root, 'etc/fieldclass/config.json') },
        },
      );
      children.push(app);
      let log = '';
      app.stdout?.on('data', (c: Buffer) => (log += c.toString()));
      app.stderr?.on('data', (c: Buffer) => (log += c.toString()));
      const h = await waitFor(port, '/healthz', 60_000).catch((e: Error) => {
        throw new Error(`${e.message}; exit ${app.exitCode}; server output:\n${log.slice(-3000)}`);
      });
      expect(JSON.parse(h.body)).toMatchObject({ status: 'ok' });

      if (!has('nginx'))
        ctx.skip('nginx is not installed (apt-get install nginx): the site config was not exercised');
      const cache = join(root, 'var/lib/fieldclass/content-cache');
      chmodSync(cache, 0o2755); // the test's nginx workers run as nobody, not www-data
      for (const d of [root, join(root, 'var'), join(root, 'var/lib')]) chmodSync(d, 0o755);
      const sha = createHash('sha256').update('lesson image').digest('hex');
      writeFileSync(join(cache, `${sha}.txt`), 'lesson image', { mode: 0o644 });
      const nport = await freePort();
      const prefix = join(work, 'nginx');
      const r = run(join(REPO, 'appliance/nginx/render.sh'), [
        'standalone',
        '--prefix',
        prefix,
        '--listen',
        `127.0.0.1:${nport}`,
        '--server-names',
        'class.lan 127.0.0.1',
        '--upstream',
        `127.0.0.1:${port}`,
        '--cache-dir',
        cache,
        '--workers',
        '1',
      ]);
      expect(r.code, r.out).toBe(0);
      const ngx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
        stdio: 'ignore',
      });
      children.push(ngx);
      const viaNginx = await waitFor(nport, '/healthz');
      expect(JSON.parse(viaNginx.body)).toMatchObject({ status: 'ok' });
      const file = await get(nport, `/c/${sha}.txt`);
      expect([file.status, file.body]).toEqual([200, 'lesson image']);
      expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const home = await get(nport, '/', { 'accept-encoding': 'gzip', host: 'class.lan' });
      expect(home.status).toBeLessThan(500);
      if (Number(home.headers['content-length'] ?? 1000) > 512)
        expect(home.headers['content-encoding']).toBe('gzip');
      // captive-portal checks from phones, whose names local DNS points at the box
      expect((await get(nport, '/generate_204', { host: 'connectivitycheck.gstatic.com' })).status).toBe(204);
      expect((await get(nport, '/hotspot-detect.html', { host: 'captive.apple.com' })).body).toContain(
        'Success',
      );
      expect((await get(nport, '/connecttest.txt', { host: 'www.msftconnecttest.com' })).body).toBe(
        'Microsoft Connect Test',
      );
      const typed = await get(nport, '/news', { host: 'www.example.org' });
      expect([typed.status, typed.headers.location]).toEqual([302, 'http://class.lan/']);
      ngx.kill('SIGTERM');
      app.kill('SIGTERM');
    },
    INSTALL_TIMEOUT,
  );

  it(
    'an upgrade backs up the databases, keeps the previous release, and rollback.sh goes back',
    () => {
      // A "newer" build: the same bundle with another build id.
      const unpacked = join(work, 'next');
      mkdirSync(unpacked);
      execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
      bundleDir = join(unpacked, readdirSync(unpacked)[0] ?? '');
      const info = readFileSync(join(bundleDir, 'BUILDINFO'), 'utf8');
      writeFileSync(join(bundleDir, 'BUILDINFO'), info.replace(/^BUILD_ID=.*$/m, 'BUILD_ID=0123456789ab'));
      const oldRelease = readlinkSync(join(root, 'opt/fieldclass/current'));
      const r = run(join(REPO, 'provisioning/install.sh'), ['--bundle', bundleDir, '--root', root]);
      expect(r.code, r.out).toBe(0);
      expect(readlinkSync(join(root, 'opt/fieldclass/current'))).toMatch(/-0123456789ab$/);
      expect(readlinkSync(join(root, 'opt/fieldclass/previous'))).toBe(oldRelease);
      // The upgrade keeps the box's zone (the system's is Africa/Nairobi; the technician chose Dakar).
      expect(r.out).toContain('time zone Africa/Dakar (kept');
      expect(boxZone()).toBe('Africa/Dakar');
      expect(existsSync(join(root, 'opt/fieldclass', oldRelease, 'node/bin/node'))).toBe(true);
      const backups = readdirSync(join(root, 'var/lib/fieldclass/upgrade-backups'));
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatch(new RegExp(`-from-${oldRelease.replace('releases/', '')}$`));
      expect(readdirSync(join(root, 'var/lib/fieldclass/upgrade-backups', backups[0] ?? ''))).toContain(
        'records.db',
      );

      const back = run(join(REPO, 'provisioning/rollback.sh'), ['--root', root, '--yes']);
      expect(back.code, back.out).toBe(0);
      expect(readlinkSync(join(root, 'opt/fieldclass/current'))).toBe(oldRelease);
      expect(readlinkSync(join(root, 'opt/fieldclass/previous'))).toMatch(/-0123456789ab$/);
    },
    INSTALL_TIMEOUT,
  );
});

describe('offline installer', () => {
  it('unpacks and installs in a network namespace with no route anywhere, then serves /healthz', (ctx) => {
    if (!has('ip')) ctx.skip('no ip command (apt-get install iproute2)');
    const ns = `fc-prov-${process.pid}`;
    const add = run('ip', ['netns', 'add', ns]);
    if (add.code !== 0) ctx.skip(`ip netns add is not permitted here: ${add.out.trim()}`);
    try {
      const dir = join(work, 'offline');
      mkdirSync(dir);
      const script = `
set -e
ip link set lo up
if ip route get 104.16.0.1 >/dev/null 2>&1; then echo "a route exists"; exit 9; fi
cd ${dir}
tar -xzf ${tarball}
b=$(ls -d fieldclass-*/)
mkdir -p r/etc
cp ${root}/etc/os-release r/etc/
./$b/install.sh --root ${dir}/r --skip-apt --country FR
n=${dir}/r/opt/fieldclass/current/node/bin/node
$n ${dir}/r/opt/fieldclass/current/app/bin/fieldclass.js serve --config ${dir}/r/etc/fieldclass/config.json --data ${dir}/r/var/lib/fieldclass --port 18491 --host 127.0.0.1 >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
  if $n -e "fetch('http://127.0.0.1:18491/healthz').then(r=>r.json()).then(j=>{console.log('HEALTHZ '+j.status);process.exit(0)},()=>process.exit(1))"; then break; fi
  sleep 0.2
done
kill $pid
`;
      const r = run('ip', ['netns', 'exec', ns, 'bash', '-c', script]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('HEALTHZ ok');
    } finally {
      run('ip', ['netns', 'del', ns]);
    }
  }, 180_000);
});
