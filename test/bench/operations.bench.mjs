// Issue 14's write benchmark: the phones' one write endpoint, POST /api/operations, under a classroom's
// worth of phones sending what they queued at once (100 connections, 40 trainees signed in, each request
// with its own session, CSRF token and a fresh operation id), beside references measured in the same
// run on the same server: a GET of a static file (the stylesheet every page loads, from memory) and a
// no-op POST that passes the same session, Origin and CSRF checks (/api/ping). Also: a resend of an
// operation already applied (a phone that lost the answer) and the SQLite commits per 100 writes.
// Node alone (no nginx front), pinned to core 0; wrk pinned to core 1. Only on 127.0.0.1.
import { join } from 'node:path';
import {
  ROOT,
  CLI,
  tmp,
  freePort,
  ensureTools,
  start,
  stop,
  waitForHttp,
  wrk,
  table,
  fmt,
  signInTrainee,
  cookieHeader,
} from './lib.mjs';

ensureTools([
  { cmd: 'wrk', pkg: 'wrk' },
  { cmd: 'taskset', pkg: 'util-linux' },
]);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const TRAINEES = Number(process.env.TRAINEES ?? 40);
const data = tmp();

// --- data: the sample courses + trainees (in-process, through the same services the CLI uses) ---
const { loadConfig } = await import(join(ROOT, 'dist/core/config.js'));
const { openContext } = await import(join(ROOT, 'dist/app/context.js'));
const { silentLogger } = await import(join(ROOT, 'dist/core/logger.js'));
{
  const ctx = openContext(loadConfig({ flags: { dataDir: data }, env: {} }), { logger: silentLogger });
  for (let i = 0; i < TRAINEES; i++) await ctx.people.addTrainee({ username: `t${i}`, pin: '4821' });
  ctx.close();
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const box = start(
  process.execPath,
  [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', data],
  {
    cpus: 0,
    env: { FIELDCLASS_LOG_LEVEL: 'warn' },
  },
);
await waitForHttp(`${base}/healthz`).catch((e) => {
  throw new Error(`${e.message}\n--- server output ---\n${box.output()}`);
});

// --- every trainee signs in and opens a lesson: their cookie and the page's CSRF token ---
const course = 'public-integrity';
const lessons = ['what-is-corruption', 'conflicts-of-interest', 'gifts-hospitality', 'access-to-information'];
const phones = [];
let stylesheet = '';
for (let i = 0; i < TRAINEES; i++) {
  const { jar } = await signInTrainee(base, `t${i}`, '4821');
  const res = await fetch(`${base}/courses/${course}/lessons/${lessons[0]}`, {
    headers: { cookie: cookieHeader(jar) },
  });
  if (!res.ok) throw new Error(`lesson page answered ${res.status}`);
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  stylesheet ||= /<link rel="stylesheet" href="(\/static\/[^"]+\.css)"/.exec(html)?.[1] ?? '';
  phones.push({ cookie: cookieHeader(jar), csrf });
}
if (!stylesheet) throw new Error('no stylesheet on the lesson page');

const post = (phone, path, body) => ({
  method: 'POST',
  path,
  headers: {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    Cookie: phone.cookie,
    'X-CSRF-Token': phone.csrf,
    Origin: base,
  },
  body: JSON.stringify(body),
});
const op = (phone, i, action, extra = {}) =>
  post(phone, '/api/operations', {
    opId: '__OPID__',
    action,
    target: { courseId: course, activityId: lessons[i % lessons.length] },
    actedAt: new Date().toISOString(),
    ...extra,
  });

const health = async () => {
  const h = await (await fetch(`${base}/healthz`)).json();
  return { ...h.records, lastSeq: h.lastSeq };
};
const run = (requests) => wrk({ base, requests, seconds: SECONDS });

const staticGet = run([{ path: stylesheet, headers: { 'Accept-Encoding': 'gzip' } }]);
const ping = run(phones.map((p) => post(p, '/api/ping', {})));
let before = await health();
const progress = run(
  phones.map((p, i) => op(p, i, 'lesson.progress', { body: { progress: 40 + (i % 60) } })),
);
let after = await health();
const progressCommits = { commits: after.commits - before.commits, writes: after.writes - before.writes };
before = after;
const complete = run(phones.map((p, i) => op(p, i, 'lesson.complete')));
after = await health();
const completeCommits = { commits: after.commits - before.commits, writes: after.writes - before.writes };

// A resend: each phone sends again an operation the box has applied (the answer was lost on the way).
const replayed = [];
for (const [i, p] of phones.entries()) {
  const opId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const r = op(p, i, 'lesson.progress', { body: { progress: 10 } });
  r.body = r.body.replace('__OPID__', opId);
  const res = await fetch(base + r.path, { method: 'POST', headers: r.headers, body: r.body });
  if (!res.ok) throw new Error(`operation answered ${res.status}: ${await res.text()}`);
  replayed.push(r);
}
before = await health();
const replay = run(replayed);
after = await health();
const replayRows = after.lastSeq - before.lastSeq;

await stop(box);

const row = (name, r, ref) => [
  name,
  fmt(r.rps, 0),
  fmt(r.p50),
  fmt(r.p99),
  r.errors + r.non2xx,
  fmt(r.rps / staticGet.rps, 2),
  fmt(r.rps / ping.rps, 2),
];
table(
  `POST /api/operations (${TRAINEES} trainees, 100 connections, ${SECONDS} s each; node on core 0, wrk on core 1)`,
  [
    ['request', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs static GET', 'vs no-op POST'],
    row('GET the stylesheet (static, reference)', staticGet),
    row('POST /api/ping (checks only, reference)', ping),
    row('lesson.progress (new opId each)', progress),
    row('lesson.complete (new opId each)', complete),
    row('resend of an applied opId', replay),
  ],
);
console.log(
  `  SQLite commits per 100 acknowledged writes: progress ${fmt((progressCommits.commits / progressCommits.writes) * 100, 2)} ` +
    `(${progressCommits.commits}/${progressCommits.writes}), complete ${fmt((completeCommits.commits / completeCommits.writes) * 100, 2)} ` +
    `(${completeCommits.commits}/${completeCommits.writes}); journal rows written by the ${replay.requests} resends: ${replayRows} (target 0)`,
);
