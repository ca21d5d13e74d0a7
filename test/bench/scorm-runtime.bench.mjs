// Issue 11's SCORM runtime benchmark (figures as ratios to a reference measured in the same run):
//   1. calls per second the runtime (scorm-again's Scorm2004API, the data model the wrapper page runs)
//      sustains for the usual interaction burst (n = _count; SetValue id/type/response/result), against
//      a reference API that only stores strings in a Map (the cost of a JS call and a string key);
//   2. commit size: the box's commits carry only the values changed since the last confirmed commit;
//      bytes of a 500-interaction burst commit, and of the next commit with one changed value, against
//      the whole CMI (what a commit carrying everything would send each time);
//   3. commits per second through POST /rt/commit on the package origin (real HTTP, records.db with
//      group commit, one changed value each), against GET /w/scorm2004 on the same server (a page
//      served from memory: the HTTP floor).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, tmp, table, ensureTools } from './lib.mjs';

ensureTools([{ cmd: 'zip', pkg: 'zip' }]);
const N = Number(process.env.BENCH_INTERACTIONS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 400);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => (a / b).toFixed(3);

// ---- 1. calls per second ---------------------------------------------------------------------------
const { Scorm2004API } = await import('scorm-again/scorm2004');
const httpService = { processHttpRequest: () => ({ result: true, errorCode: 0 }), updateSettings() {} };
const newApi = () => {
  const api = new Scorm2004API({ autocommit: false, logLevel: 5, httpService, throttleCommits: false });
  api.Initialize('');
  return api;
};
class MapApi {
  store = new Map([['cmi.interactions._count', '0']]);
  GetValue(k) {
    return this.store.get(k) ?? '';
  }
  SetValue(k, v) {
    this.store.set(k, String(v));
    const m = /^cmi\.interactions\.(\d+)\.id$/.exec(k);
    if (m)
      this.store.set(
        'cmi.interactions._count',
        String(Math.max(Number(m[1]) + 1, Number(this.GetValue('cmi.interactions._count')))),
      );
    return 'true';
  }
}
function burst(api) {
  let calls = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const n = api.GetValue('cmi.interactions._count');
    api.SetValue(`cmi.interactions.${n}.id`, `q${i}`);
    api.SetValue(`cmi.interactions.${n}.type`, 'true-false');
    api.SetValue(`cmi.interactions.${n}.learner_response`, 'true');
    api.SetValue(`cmi.interactions.${n}.result`, 'correct');
    calls += 5;
  }
  api.SetValue('cmi.score.scaled', '0.73');
  api.SetValue('cmi.success_status', 'passed');
  api.SetValue('cmi.completion_status', 'completed');
  calls += 3;
  return calls / ((performance.now() - t0) / 1000);
}
const rt = [];
const ref = [];
let lastApi;
for (let r = 0; r < ROUNDS; r++) {
  lastApi = newApi();
  rt.push(burst(lastApi));
  ref.push(burst(new MapApi()));
}
if (lastApi.GetValue('cmi.interactions._count') !== String(N)) throw new Error('the burst lost interactions');
const rtCps = median(rt);
const refCps = median(ref);
table(`1. SCORM 2004 runtime calls per second (burst of ${N} interactions, median of ${ROUNDS})`, [
  ['api', 'calls/s', 'ratio to reference'],
  ['scorm-again Scorm2004API (the runtime)', Math.round(rtCps), ratio(rtCps, refCps)],
  ['reference: Map-backed API', Math.round(refCps), '1.000'],
]);

// ---- 2. commit size ---------------------------------------------------------------------------------
function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj)) {
    const name = `${prefix}.${k}`;
    if (v !== null && typeof v === 'object') flatten(v, name, out);
    else if (v !== undefined && v !== null) out[name] = String(v);
  }
  return out;
}
const cmiOf = (api) => {
  const nested = api.renderCommitCMI(false);
  return flatten(nested.cmi ?? nested, 'cmi', {});
};
const fresh = newApi();
const before = cmiOf(fresh);
burst(fresh);
const afterBurst = cmiOf(fresh);
// What the wrapper sends: values that differ from the last confirmed commit ("" never-set skipped).
const delta = (now, acked) =>
  Object.fromEntries(Object.entries(now).filter(([k, v]) => v !== (acked[k] === undefined ? '' : acked[k])));
const body = (set) => JSON.stringify({ token: 'x'.repeat(180), seq: 2, set, elapsed: 60 });
const burstBytes = body(delta(afterBurst, before)).length;
fresh.SetValue('cmi.location', 'slide-9');
const oneBytes = body(delta(cmiOf(fresh), afterBurst)).length;
const fullBytes = body(cmiOf(fresh)).length;
table(`2. commit size after a ${N}-interaction burst (bytes of the JSON body)`, [
  ['commit', 'bytes', 'ratio to the whole CMI'],
  ['the burst (values changed since the last commit)', burstBytes, ratio(burstBytes, fullBytes)],
  ['the next commit, one value changed', oneBytes, ratio(oneBytes, fullBytes)],
  ['reference: the whole CMI', fullBytes, '1.000'],
]);

// ---- 3. commits per second over HTTP ----------------------------------------------------------------
const dist = (p) => import(join(ROOT, 'dist', p));
const { testConfig } = await dist('core/config.js');
const { silentLogger } = await dist('core/logger.js');
const { openContext } = await dist('app/context.js');
const { createPackageApp } = await dist('app/scorm-package.app.js');
const { ScormScripts } = await dist('learning/scorm.scripts.js');
const { importContent } = await dist('content/course-bundle.js');
const work = tmp('fc-bench-scorm-');
const zipPath = join(work, 'multi.zip');
execFileSync('zip', ['-qr', zipPath, '.'], { cwd: join(ROOT, 'test/fixtures/scorm/scorm2004-multi') });
const ctx = openContext(
  testConfig({ dataDir: join(work, 'data'), port: 0, host: '127.0.0.1', installSampleCourses: false }),
  { logger: silentLogger },
);
await importContent(ctx.content, zipPath, { trustedKeys: [], allowUnsigned: true }, { id: 'checkpoint' });
const person = await ctx.people.addTrainee({ username: 'bench', pin: '2468', displayName: 'Bench' });
const app = createPackageApp(ctx.content, ScormScripts.shared(), ctx.scorm, 'en');
const server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const base = `http://127.0.0.1:${server.address().port}`;
const { launch } = await ctx.scorm.prepareLaunch(person, 'checkpoint', 'sco-brief', 'en');
const post = (path, b) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(b),
  });
if (!(await post('/rt/launch', { token: launch.token })).ok) throw new Error('launch refused');
let seq = 0;
async function rate(n, one) {
  const t0 = performance.now();
  // 8 at a time: a classroom's phones commit concurrently (group commit shares the fsync).
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i++ < n) await one();
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}
const commitOne = async () => {
  const s = ++seq;
  const r = await post('/rt/commit', { token: launch.token, seq: s, set: { 'cmi.location': `slide-${s}` } });
  if (!r.ok) throw new Error(`commit ${s}: HTTP ${r.status}`);
  await r.arrayBuffer();
};
const pageOne = async () => {
  const r = await fetch(`${base}/w/scorm2004`);
  await r.arrayBuffer();
};
await rate(50, pageOne);
const commitRate = await rate(COMMITS, commitOne);
const pageRate = await rate(COMMITS, pageOne);
table(`3. commits per second through POST /rt/commit (${COMMITS}, 8 concurrent)`, [
  ['request', 'per second', 'ratio to reference'],
  ['POST /rt/commit (one value, durable)', Math.round(commitRate), ratio(commitRate, pageRate)],
  ['reference: GET /w/scorm2004 (from memory)', Math.round(pageRate), '1.000'],
]);
server.close();
ctx.close();
