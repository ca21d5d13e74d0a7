#!/usr/bin/env node
// Benchmark (issue 9): the box's and HQ's course reports, both computed by the outcomes module
// (src/contract/outcomes.ts), for 5,000 trainees x a 40-activity course, each beside a raw SQL aggregate
// over the same tables measured in the same run (figures as ratios; never asserted in tests); the box's
// report also as the coordinator gets it over HTTP (the page, and the CSV of every line).
//
// The data is made by the real code paths: `demo seed` (LearningService's *Tx methods) on a box with one
// course of 36 lessons and 4 quizzes, the box's ExportService writes signed bundles, HQ imports them.
// Run after `npm run build`: node test/bench/course-reports.bench.mjs  (TRAINEES=500 for a quick look)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmp, writeBenchCourse } from './lib.mjs';

const TRAINEES = Number(process.env.TRAINEES ?? 5000);
const LESSONS = 36;
const QUIZZES = 4;
const RUNS = Number(process.env.RUNS ?? 5);
const imp = (p) => import(join(ROOT, 'dist', p));

const { testConfig } = await imp('core/config.js');
const { silentLogger } = await imp('core/logger.js');
const { openContext } = await imp('app/context.js');
const { seedDemo } = await imp('cli/demo.command.js');
const { loadHqConfig } = await imp('hq/hq.config.js');
const { openHqContext } = await imp('app/hq.context.js');
const { startServer } = await imp('app/box.app.js');

const dir = tmp('fc-course-reports-');
const course = join(dir, 'course');
mkdirSync(join(course, 'lessons'), { recursive: true });
mkdirSync(join(course, 'quizzes'), { recursive: true });
const items = [];
for (let i = 1; i <= LESSONS + QUIZZES; i++) {
  // A quiz after every 9 lessons: 40 activities, 4 of them assessed.
  if (i % 10 === 0) {
    const q = `q${i / 10}`;
    items.push({ id: q, type: 'quiz', title: { en: `Quiz ${i / 10}` }, file: `quizzes/${q}` });
    writeFileSync(
      join(course, 'quizzes', `${q}.en.json`),
      JSON.stringify({
        passMark: 0.75,
        attemptsAllowed: 3,
        questions: [1, 2, 3, 4].map((n) => ({
          id: `x${n}`,
          type: 'single',
          prompt: `Question ${n}?`,
          options: [
            { id: 'a', text: 'Right' },
            { id: 'b', text: 'Wrong' },
          ],
          answer: 'a',
        })),
      }),
    );
  } else {
    items.push({ id: `l${i}`, type: 'lesson', title: { en: `Lesson ${i}` }, file: `lessons/l${i}` });
    writeFileSync(join(course, 'lessons', `l${i}.en.md`), `# Lesson ${i}\n\nText.\n`);
  }
}
writeBenchCourse(course, items);

const t = (ms) => `${(ms / 1000).toFixed(1)} s`;
let t0 = performance.now();
const box = openContext(
  testConfig({ dataDir: join(dir, 'box'), port: 0, host: '127.0.0.1', installSampleCourses: false }),
  { logger: silentLogger },
);
box.content.installFolder(course);
const seeded = await seedDemo(
  box,
  { t: Date.now() },
  { trainees: TRAINEES, statementsPerTrainee: 140, seed: 9, days: 60 },
);
console.log(
  `seeded ${seeded.trainees} trainees, ${seeded.statements} statements in ${t(performance.now() - t0)}`,
);
const progressRows = box.db.records
  .prepare("SELECT count(*) FROM progress WHERE course_id = 'bench-course'")
  .pluck()
  .get();

t0 = performance.now();
const bundles = await box.bundles.exporter.export({ outDir: join(dir, 'stick') });
console.log(`exported ${bundles.length} bundles in ${t(performance.now() - t0)}`);
const hq = openHqContext(loadHqConfig({ dataDir: join(dir, 'hq') }, {}), { logger: silentLogger });
hq.appliances.enrol(box.identity.request());
t0 = performance.now();
for (const b of bundles) {
  const o = await hq.imports.importFile(b.path);
  if (o.status !== 'imported') throw new Error(`${b.path}: ${o.status} ${o.reason ?? ''}`);
}
console.log(`HQ imported them in ${t(performance.now() - t0)}`);
box.db.records.exec('ANALYZE');
hq.db.hq.exec('ANALYZE');

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    fn();
    xs.push(performance.now() - s);
  }
  return median(xs);
};

// References: the raw SQL aggregate over the same rows each report reads (no outcomes, no people).
const boxRaw = box.db.records.prepare(
  `SELECT person_id, sum(activity_id <> '' AND (completed = 1 OR status = 'passed')) AS done,
          max(status = 'failed') AS failed, avg(CASE WHEN activity_id <> '' THEN best_score END), max(updated_at)
     FROM progress WHERE course_id = ? GROUP BY person_id`,
);
const hqRawPerson = hq.db.hq.prepare(
  `SELECT course_id, count(*), sum(done), sum(failed) FROM (
     SELECT person_id, course_id, sum(completed OR passed) AS done, max(failed AND NOT passed) AS failed,
            max(best_score), max(last_at)
       FROM progress GROUP BY person_id, course_id) GROUP BY course_id`,
);
const hqRawLocal = hq.db.hq.prepare(
  `SELECT appliance_no, course_id, count(*), sum(done), sum(failed) FROM (
     SELECT appliance_no, local_id, course_id, sum(completed OR passed) AS done,
            max(failed AND NOT passed) AS failed, max(best_score), max(last_at)
       FROM local_progress GROUP BY appliance_no, local_id, course_id) GROUP BY appliance_no, course_id`,
);

const boxRawMs = time(() => boxRaw.all('bench-course'));
const boxReport = box.adminReports.courseReport('bench-course', 'en', 'progress');
const boxMs = time(() => box.adminReports.courseReport('bench-course', 'en', 'progress'));
// Over HTTP, signed in as a coordinator: the page (first 100 lines) and the CSV (all lines).
const server = await startServer(box);
await box.people.addCoordinator({ username: 'bench-coord', password: 'bench-password-1' });
const { token } = await box.sessions.create(box.people.byUsername('bench-coord'));
const get = async (path) => {
  const r = await fetch(server.url + path, {
    headers: { cookie: `fc_session=${token}`, accept: 'text/html' },
  });
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  await r.arrayBuffer();
};
const timeAsync = async (fn) => {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    xs.push(performance.now() - s);
  }
  return median(xs);
};
const pageMs = await timeAsync(() => get('/admin/reports/courses/bench-course'));
const csvMs = await timeAsync(() => get('/admin/reports/courses/bench-course.csv'));
await server.close();

const hqRawMs = time(() => {
  hqRawPerson.all();
  hqRawLocal.all();
});
const hqRows = hq.reports.courses();
const hqCoursesMs = time(() => hq.reports.courses());
const hqTraineesMs = time(() => hq.reports.trainees());

const all = hqRows.find((r) => r.course === 'bench-course' && r.breakdown === 'all');
const f = boxReport.figures;
const same =
  all && ['enrolled', 'started', 'completed', 'passed', 'failed', 'ratings'].every((k) => all[k] === f[k]);
console.log(
  `${progressRows} box progress rows; box figures: started ${f.started}, completed ${f.completed}, ` +
    `passed ${f.passed}, failed ${f.failed}, ratings ${f.ratings}; HQ's ${same ? 'equal' : 'DIFFER: ' + JSON.stringify(all)}`,
);
const ratio = (a, b) => (a / b).toFixed(2);
console.table([
  { measure: 'box: raw SQL aggregate (reference)', 'median ms': boxRawMs.toFixed(1), ratio: '1.00' },
  { measure: 'box: coordinator course report', 'median ms': boxMs.toFixed(1), ratio: ratio(boxMs, boxRawMs) },
  { measure: 'box: GET report page (HTTP)', 'median ms': pageMs.toFixed(1), ratio: ratio(pageMs, boxRawMs) },
  {
    measure: 'box: GET report CSV, all (HTTP)',
    'median ms': csvMs.toFixed(1),
    ratio: ratio(csvMs, boxRawMs),
  },
  { measure: 'HQ: raw SQL aggregate (reference)', 'median ms': hqRawMs.toFixed(1), ratio: '1.00' },
  {
    measure: 'HQ: course report (all breakdowns)',
    'median ms': hqCoursesMs.toFixed(1),
    ratio: ratio(hqCoursesMs, hqRawMs),
  },
  {
    measure: 'HQ: trainee report',
    'median ms': hqTraineesMs.toFixed(1),
    ratio: ratio(hqTraineesMs, hqRawMs),
  },
]);
console.log(`target: report page < 300 ms for ${TRAINEES} trainees x ${LESSONS + QUIZZES} activities`);
hq.close();
box.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
