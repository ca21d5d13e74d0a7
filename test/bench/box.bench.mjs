// Issue 2's benchmarks for one box, each beside a reference measured in the same run:
//   lesson burst    100 connections fetching a lesson page and its assets through the shipped front
//                   (nginx, one worker, sendfile for content-addressed files, proxy to Node for pages),
//                   vs nginx alone serving the same bytes from disk; both servers pinned to core 0,
//                   wrk pinned to core 1.
//   progress writes 100 connections posting durable progress, vs the same server answering a no-op POST;
//                   plus SQLite commits per 100 acknowledged writes (group commit).
//   sign-in burst   100 trainees signing in at once.
//   memory/startup  idle RSS, RSS after the load, time from process start to serving (vs a bare node:http).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  CLI,
  tmp,
  freePort,
  cli,
  ensureTools,
  start,
  stop,
  waitForHttp,
  rssMb,
  wrk,
  table,
  fmt,
  startFront,
  startReferenceNginx,
  signInTrainee,
  cookieHeader,
} from './lib.mjs';

ensureTools([
  { cmd: 'wrk', pkg: 'wrk' },
  { cmd: 'nginx', pkg: 'nginx-light' },
  { cmd: 'taskset', pkg: 'util-linux' },
]);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const TRAINEES = 100;
const data = tmp();
const env = { FIELDCLASS_LOG_LEVEL: 'warn' };

// --- data: sample courses + 100 trainees (in-process through the same services the CLI uses) ---
const { loadConfig } = await import(join(ROOT, 'dist/core/config.js'));
const { openContext } = await import(join(ROOT, 'dist/app/context.js'));
const { silentLogger } = await import(join(ROOT, 'dist/core/logger.js'));
{
  const ctx = openContext(loadConfig({ flags: { dataDir: data }, env: {} }), { logger: silentLogger });
  for (let i = 0; i < TRAINEES; i++) await ctx.people.addTrainee({ username: `t${i}`, pin: '4821' });
  ctx.close();
}

// --- start-up time and idle RSS: the real CLI, vs a bare node:http server ---
async function startupOf(args, url, opts) {
  const t0 = performance.now();
  const child = start(process.execPath, args, opts);
  await waitForHttp(url).catch((e) => {
    throw new Error(`${e.message}\n--- server output ---\n${child.output()}`);
  });
  return { child, ms: performance.now() - t0 };
}
const refPort = await freePort();
const ref = await startupOf(
  ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${refPort},'127.0.0.1')`],
  `http://127.0.0.1:${refPort}/`,
  {},
);
await stop(ref.child);

const nodePort = await freePort();
const base = `http://127.0.0.1:${nodePort}`;
const box = await startupOf(
  [CLI, 'serve', '--port', String(nodePort), '--host', '127.0.0.1', '--data', data],
  `${base}/healthz`,
  { cpus: 0, env },
);
await new Promise((r) => setTimeout(r, 1500));
const idleRss = rssMb(box.child.pid);

// --- sign in one trainee and read a lesson page to learn its assets ---
const signIn = (username) => signInTrainee(base, username, '4821');
const { jar } = await signIn('t0');
const lessonPath = '/courses/public-integrity/lessons/conflicts-of-interest';
const lessonRes = await fetch(base + lessonPath, { headers: { cookie: cookieHeader(jar) } });
if (!lessonRes.ok) throw new Error(`lesson page answered ${lessonRes.status}`);
const lessonHtml = await lessonRes.text();
const csrfToken = /name="_csrf" value="([^"]+)"/.exec(lessonHtml)?.[1];
const assets = [...lessonHtml.matchAll(/(?:href|src)="(\/(?:static|c)\/[^"]+)"/g)]
  .map((m) => m[1])
  .filter((u) => !/\.(webm|mp4|mp3|ogg)$/.test(u));
const uniqueAssets = [...new Set(assets)];
const gz = { 'Accept-Encoding': 'gzip' };
const burst = [
  { path: lessonPath, headers: { ...gz, Cookie: cookieHeader(jar) } },
  ...uniqueAssets.map((path) => ({ path, headers: gz })),
];

// --- lesson burst: shipped front (nginx + node) vs nginx alone from disk ---
const cacheDir = join(data, 'content-cache');
cli(['content', 'cache', '--out', cacheDir, '--data', data]);
const front = await startFront({ upstreamPort: nodePort, cacheDir });
const shipped = wrk({ base: front.base, requests: burst, seconds: SECONDS });
await front.stop();

// nginx alone: the same bytes from disk (the page saved as a file; assets copied)
const docroot = tmp('fc-docroot-');
mkdirSync(join(docroot, lessonPath, '..'), { recursive: true });
writeFileSync(join(docroot, lessonPath), lessonHtml);
for (const a of uniqueAssets) {
  const r = await fetch(base + a);
  mkdirSync(join(docroot, a, '..'), { recursive: true });
  writeFileSync(join(docroot, a), Buffer.from(await r.arrayBuffer()));
}
const refNginx = await startReferenceNginx({
  server: `root ${docroot}; location / { try_files $uri =404; }`,
  probePath: uniqueAssets[0],
});
const reference = wrk({ base: refNginx.base, requests: burst, seconds: SECONDS });
await refNginx.stop();

// node alone (no nginx front), for the record
const nodeOnly = wrk({ base, requests: burst, seconds: SECONDS });

table('lesson burst (100 connections, page + assets, servers on core 0, wrk on core 1)', [
  ['configuration', 'req/s', 'p99 ms', 'errors', 'ratio to nginx'],
  [
    'nginx alone, same files from disk (reference)',
    fmt(reference.rps, 0),
    fmt(reference.p99),
    reference.errors + reference.non2xx,
    '1.00',
  ],
  [
    'shipped: nginx front (sendfile /c/) + node',
    fmt(shipped.rps, 0),
    fmt(shipped.p99),
    shipped.errors + shipped.non2xx,
    fmt(shipped.rps / reference.rps, 2),
  ],
  [
    'node alone (no front)',
    fmt(nodeOnly.rps, 0),
    fmt(nodeOnly.p99),
    nodeOnly.errors + nodeOnly.non2xx,
    fmt(nodeOnly.rps / reference.rps, 2),
  ],
]);
console.log(`  requests per visit: 1 page + ${uniqueAssets.length} assets (${uniqueAssets.join(', ')})`);

// --- progress writes: durable POST vs no-op POST on the same server ---
const healthBefore = await (await fetch(`${base}/healthz`)).json();
const post = (path, body) => ({
  method: 'POST',
  path,
  headers: {
    'Content-Type': 'application/json',
    Cookie: cookieHeader(jar),
    'X-CSRF-Token': csrfToken,
    Origin: base,
  },
  body: JSON.stringify(body),
});
const writes = wrk({
  base,
  requests: [
    post('/api/operations', {
      opId: '__OPID__',
      action: 'lesson.progress',
      target: { courseId: 'public-integrity', activityId: 'conflicts-of-interest' },
      body: { progress: 42 },
    }),
  ],
  seconds: SECONDS,
});
const healthAfter = await (await fetch(`${base}/healthz`)).json();
const noop = wrk({ base, requests: [post('/api/ping', {})], seconds: SECONDS });
const commits = healthAfter.records.commits - healthBefore.records.commits;
const acked = healthAfter.records.writes - healthBefore.records.writes;

// --- sign-in burst: 100 trainees at once ---
const clients = [];
for (let i = 0; i < TRAINEES; i++) clients.push(i);
const times = (await Promise.all(clients.map((i) => signIn(`t${i}`)))).map((r) => r.ms).sort((a, b) => a - b);
const p99 = times[Math.ceil(times.length * 0.99) - 1];

const loadRss = rssMb(box.child.pid);
await stop(box.child);

table('progress writes (100 connections, server on core 0)', [
  ['endpoint', 'req/s', 'p99 ms', 'errors', 'ratio'],
  ['no-op POST /api/ping (reference)', fmt(noop.rps, 0), fmt(noop.p99), noop.errors + noop.non2xx, '1.00'],
  [
    'durable POST /api/operations (reading progress)',
    fmt(writes.rps, 0),
    fmt(writes.p99),
    writes.errors + writes.non2xx,
    fmt(writes.rps / noop.rps, 2),
  ],
]);
console.log(
  `  SQLite commits per 100 acknowledged writes: ${fmt((commits / acked) * 100, 2)} (${commits} commits for ${acked} writes; target <= 10)`,
);
table('sign-in burst (100 trainees at once, server on core 0)', [
  ['figure', 'value', 'target'],
  ['p99 ms', fmt(p99, 0), '<= 1000'],
  ['median ms', fmt(times[49], 0), ''],
]);
table('memory and start-up', [
  ['figure', 'fieldclass', 'reference', 'target'],
  ['start to serving ms', fmt(box.ms, 0), `${fmt(ref.ms, 0)} (bare node:http)`, '<= 400'],
  ['idle RSS MB', fmt(idleRss, 1), '', '<= 60'],
  ['RSS after load MB', fmt(loadRss, 1), '', '<= 120'],
]);
