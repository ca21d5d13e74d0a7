// Shared helpers for the benchmarks in test/bench/ (plain Node ESM; they drive the built CLI in dist/).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'fieldclass.js');

/**
 * The benchmarks' course: `course.json` in `dir` for one module of `items` (lessons and quizzes whose files
 * the caller wrote), id `bench-course`, English.
 */
export function writeBenchCourse(dir, items) {
  writeFileSync(
    join(dir, 'course.json'),
    JSON.stringify({
      id: 'bench-course',
      version: '1.0.0',
      language: 'en',
      languages: ['en'],
      title: { en: 'Bench course' },
      description: { en: 'Benchmark' },
      modules: [{ id: 'm1', title: { en: 'All' }, items }],
    }),
  );
}

/** A temp dir readable by nginx's worker user (mkdtemp makes 0700 dirs). */
export const tmp = (prefix = 'fc-bench-') => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, 0o755);
  return d;
};

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Run the CLI synchronously; returns stdout. */
export function cli(args, opts = {}) {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
}

/** Debian tools the benchmarks need; installs them when root on Debian, else says what to install. */
export function ensureTools(list) {
  const missing = list.filter((t) => spawnSync('sh', ['-c', `command -v ${t.cmd}`]).status !== 0);
  if (missing.length === 0) return;
  const pkgs = missing.map((t) => t.pkg);
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  throw new Error(`the benchmarks need: sudo apt-get install -y ${pkgs.join(' ')}`);
}

// Every server a benchmark starts is killed when the benchmark exits, even when it fails half-way: a
// leftover box would keep its ports (8081 for SCORM packages) and break the next run.
const children = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Start a process, optionally pinned to CPU cores with taskset. */
export function start(cmd, args, { cpus, env, cwd } = {}) {
  const [c, a] = cpus !== undefined ? ['taskset', ['-c', String(cpus), cmd, ...args]] : [cmd, args];
  const child = spawn(c, a, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.output = () => out;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function waitForHttp(url, timeoutMs = 15000) {
  const t0 = performance.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return performance.now() - t0;
    } catch {}
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Resident set size of a process in MB (from /proc). `pid` of the node process, not of taskset. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export const LUA_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;

/**
 * Run wrk against `requests` (each {method, path, headers, body}) in rotation. Returns req/s and p99 (ms).
 */
let wrkRuns = 0;
export function wrk({ base, requests, connections = 100, seconds = 8, cpus = 1, threads = 2 }) {
  const run = ++wrkRuns;
  const dir = tmp('fc-wrk-');
  // wrk.format leaves out its default Host header when given a headers table: always send one.
  const host = new URL(base).host;
  const reqs = requests
    .map(
      (r) =>
        `{ method = ${JSON.stringify(r.method ?? 'GET')}, path = ${JSON.stringify(r.path)}, headers = {${Object.entries(
          { Host: host, ...r.headers },
        )
          .map(([k, v]) => `[${JSON.stringify(k)}]=${JSON.stringify(v)}`)
          .join(',')}}, body = ${r.body !== undefined ? JSON.stringify(r.body) : 'nil'} }`,
    )
    .join(',\n');
  // A body may hold __OPID__: each request gets its own operation id there (unique per wrk thread and
  // request, and per run of wrk in this process), so that a write benchmark measures writes, not replays.
  // The first failing response is printed, so a benchmark never reports errors it cannot explain.
  const lua = `local reqs = {\n${reqs}\n}\nlocal threads = 0\nsetup = function(thread)\n  threads = threads + 1\n  thread:set("tid", threads)\nend\nlocal i = 0\nlocal n = 0\nrequest = function()\n  i = i % #reqs + 1\n  n = n + 1\n  local r = reqs[i]\n  local body = r.body\n  if body then body = string.gsub(body, "__OPID__", string.format("%08x-%04x-4000-8000-%012x", tid or 0, ${run}, n)) end\n  return wrk.format(r.method, r.path, r.headers, body)\nend\nlocal shown = false\nresponse = function(status, headers, body)\n  if status >= 400 and not shown then shown = true; io.write('WRKFAIL ' .. status .. ' ' .. string.sub(body, 1, 300) .. '\\n') end\nend\n${LUA_DONE}`;
  const script = join(dir, 'script.lua');
  writeFileSync(script, lua);
  const out = execFileSync(
    'taskset',
    [
      '-c',
      String(cpus),
      'wrk',
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      base,
    ],
    {
      encoding: 'utf8',
    },
  );
  const fail = /WRKFAIL (.*)/.exec(out)?.[1];
  if (fail) console.log(`  first failing response: ${fail}`);
  const json = /WRKJSON (.*)/.exec(out)?.[1];
  if (!json) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(json);
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p99: r.p99_us / 1000,
    p50: r.p50_us / 1000,
    errors: r.errors,
    non2xx: r.non2xx,
    requests: r.requests,
  };
}

export function table(title, rows) {
  console.log(`\n${title}`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [n, r] of rows.entries()) {
    console.log('  ' + r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
    if (n === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
export { existsSync, join, dirname };

/**
 * The shipped front: nginx (one worker, pinned to `cpus`) rendered from appliance/nginx, serving the
 * content cache with sendfile and proxying the rest to Node on `upstreamPort`. Returns { base, stop }.
 */
export async function startFront({ upstreamPort, cacheDir, cpus = 0 }) {
  const prefix = tmp('fc-front-');
  const port = await freePort();
  execFileSync('bash', [
    join(ROOT, 'appliance/nginx/render.sh'),
    'standalone',
    '--prefix',
    prefix,
    '--listen',
    `127.0.0.1:${port}`,
    '--server-names',
    '127.0.0.1',
    '--upstream',
    `127.0.0.1:${upstreamPort}`,
    '--cache-dir',
    cacheDir,
    '--workers',
    '1',
  ]);
  const child = start('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    cpus,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);
  return { base, stop: () => stop(child) };
}

/**
 * The reference: nginx alone (one worker, pinned to `cpus`) serving files from disk with sendfile and
 * the same gzip types as the front. `server` is the body of its server block (root/locations).
 */
export async function startReferenceNginx({ server, probePath, cpus = 0 }) {
  const prefix = tmp('fc-ref-');
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, d));
  const port = await freePort();
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http { include /etc/nginx/mime.types; default_type text/html; access_log off; sendfile on; tcp_nopush on;
  keepalive_requests 10000; gzip on; gzip_comp_level 5; gzip_types text/css image/svg+xml application/javascript;
  client_body_temp_path ${prefix}/client_body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  server { listen 127.0.0.1:${port}; ${server} } }`,
  );
  const child = start('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    cpus,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(base + probePath);
  return { base, stop: () => stop(child) };
}

/** Cookies a response sets, into `jar` (name -> value). */
export function cookiesFrom(res, jar = {}) {
  for (const c of res.headers.getSetCookie()) {
    const [kv] = c.split(';');
    const i = kv.indexOf('=');
    jar[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return jar;
}

export const cookieHeader = (jar) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** Sign a trainee in through the sign-in form, as a phone does. Returns { jar, ms } (ms: the POST). */
export async function signInTrainee(base, username, pin) {
  const jar = {};
  const page = await fetch(`${base}/`, { redirect: 'manual' });
  cookiesFrom(page, jar);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  const t0 = performance.now();
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: cookieHeader(jar) },
    body: new URLSearchParams({ _csrf: csrf, username, pin }),
  });
  const ms = performance.now() - t0;
  cookiesFrom(res, jar);
  if (res.status !== 303 && res.status !== 302)
    throw new Error(`sign-in of ${username} answered ${res.status}`);
  return { jar, ms };
}
