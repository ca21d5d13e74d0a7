import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CSP } from '../src/content/content.routes.js';
import { freePort } from './helpers/http.js';

/**
 * The provisioned box's nginx site as rendered by appliance/nginx/render.sh, run by the real nginx:
 * scriptable course files served from the cache carry Node's sandbox CSP, and the package site
 * (classpkg.lan) reaches only Node's package listener, without cookies.
 */
const REPO = new URL('..', import.meta.url).pathname;
const hasNginx = spawnSync('sh', ['-c', 'command -v nginx']).status === 0;

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe.skipIf(!hasNginx)('the nginx site of a provisioned box', () => {
  const work = mkdtempSync(join(tmpdir(), 'fc-nginx-'));
  let nginx: ChildProcess | undefined;
  const upstreams: Server[] = [];
  let port = 0;
  const seen: { host: string; cookie: string | undefined; url: string }[] = [];
  const svg = createHash('sha256').update('<svg/>').digest('hex');
  const png = createHash('sha256').update('png').digest('hex');

  beforeAll(async () => {
    const cache = join(work, 'cache');
    mkdirSync(cache);
    for (const d of [work, cache]) chmodSync(d, 0o755);
    writeFileSync(
      join(cache, `${svg}.svg`),
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      { mode: 0o644 },
    );
    writeFileSync(join(cache, `${png}.png`), 'png', { mode: 0o644 });
    const listen = async (name: string) => {
      const p = await freePort();
      const s = createServer((req, res) => {
        seen.push({ host: req.headers.host ?? '', cookie: req.headers.cookie, url: req.url ?? '' });
        res.end(name);
      }).listen(p, '127.0.0.1');
      upstreams.push(s);
      return p;
    };
    const app = await listen('app');
    const pkg = await listen('packages');
    port = await freePort();
    const prefix = join(work, 'nginx');
    const r = spawnSync(join(REPO, 'appliance/nginx/render.sh'), [
      'standalone',
      '--prefix',
      prefix,
      '--listen',
      `127.0.0.1:${port}`,
      '--server-names',
      'class.lan',
      '--upstream',
      `127.0.0.1:${app}`,
      '--pkg-upstream',
      `127.0.0.1:${pkg}`,
      '--cache-dir',
      cache,
      '--workers',
      '1',
    ]);
    expect(r.status, String(r.stderr)).toBe(0);
    nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      try {
        await get(port, '/healthz', { host: 'class.lan' });
        break;
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  });
  afterAll(() => {
    nginx?.kill('SIGTERM');
    for (const s of upstreams) s.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves scriptable course files from the cache with the sandbox CSP Node sends; other files without it', async () => {
    const s = await get(port, `/c/${svg}.svg`, { host: 'class.lan' });
    expect(s.status).toBe(200);
    expect(s.body).toContain('<svg');
    expect(s.headers['content-security-policy']).toBe(SANDBOX_CSP);
    expect(s.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const p = await get(port, `/c/${png}.png`, { host: 'class.lan' });
    expect(p.status).toBe(200);
    expect(p.headers['content-security-policy']).toBeUndefined();
  });

  it('sends the package site (classpkg.lan) to the package listener only, without cookies', async () => {
    const r = await get(port, '/p/course/1.0.0/index.html', {
      host: 'classpkg.lan',
      cookie: 'fc_session=secret',
    });
    expect(r.body).toBe('packages');
    expect(seen.at(-1)).toMatchObject({ host: 'classpkg.lan', url: '/p/course/1.0.0/index.html' });
    expect(seen.at(-1)?.cookie).toBeFalsy();
    expect((await get(port, '/', { host: 'class.lan' })).body).toBe('app');
  });
});
