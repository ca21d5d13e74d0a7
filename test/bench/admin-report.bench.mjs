// Benchmark: the coordinator's course report for 5,000 trainees x 40 activities (200,000 progress rows),
// server time, beside the raw SQL query alone measured in the same run.
// Run after `npm run build`: node test/bench/admin-report.bench.mjs
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../../dist/core/config.js';
import { silentLogger } from '../../dist/core/logger.js';
import { openContext } from '../../dist/app/context.js';
import { startServer } from '../../dist/app/box.app.js';
import { writeBenchCourse } from './lib.mjs';

const TRAINEES = Number(process.env.TRAINEES ?? 5000);
const ACTIVITIES = Number(process.env.ACTIVITIES ?? 40);
const RUNS = 15;

const dir = mkdtempSync(join(tmpdir(), 'fc-admin-bench-'));
const course = join(dir, 'course');
mkdirSync(join(course, 'lessons'), { recursive: true });
const items = [];
for (let i = 1; i <= ACTIVITIES; i++) {
  writeFileSync(join(course, 'lessons', `l${i}.en.md`), `# Lesson ${i}\n\nText.\n`);
  items.push({ id: `l${i}`, type: 'lesson', title: { en: `Lesson ${i}` }, file: `lessons/l${i}` });
}
writeBenchCourse(course, items);

const data = join(dir, 'data');
const ctx = openContext(
  testConfig({ dataDir: data, port: 0, host: '127.0.0.1', installSampleCourses: false }),
  {
    logger: silentLogger,
  },
);
ctx.content.installFolder(course);
const db = ctx.db.records;
const now = Date.now();
console.log(`seeding ${TRAINEES} trainees x ${ACTIVITIES} activities ...`);
db.transaction(() => {
  const person = db.prepare(
    `INSERT INTO people (id, role, username, username_key, display_name, secret_hash, active, created_at, updated_at)
     VALUES (?, 'trainee', ?, ?, ?, 'x', 1, ?, ?)`,
  );
  const enrol = db.prepare(
    `INSERT INTO enrolments (person_id, course_id, cohort_id, created_at) VALUES (?, ?, NULL, ?)`,
  );
  const prog = db.prepare(
    `INSERT INTO progress (person_id, course_id, activity_id, status, best_score, attempts, position, last_seq, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?)`,
  );
  let seq = 0;
  for (let t = 0; t < TRAINEES; t++) {
    const id = `p-${String(t).padStart(6, '0')}`;
    const at = new Date(now - t * 60_000).toISOString();
    person.run(id, `t${t}`, `t${t}`, `Trainee ${t}`, at, at);
    enrol.run(id, 'bench-course', at);
    // Another course beside it, so the report has rows to skip.
    prog.run(id, 'other-course', '', 'started', null, ++seq, at);
    const done = t % (ACTIVITIES + 1);
    prog.run(id, 'bench-course', '', done === ACTIVITIES ? 'completed' : 'started', null, ++seq, at);
    for (let a = 1; a <= ACTIVITIES; a++)
      prog.run(
        id,
        'bench-course',
        `l${a}`,
        a <= done ? 'completed' : 'started',
        a % 10 === 0 ? (t % 100) / 100 : null,
        ++seq,
        at,
      );
  }
})();
db.exec('ANALYZE');

const raw = db.prepare(
  `SELECT person_id, sum(activity_id <> '' AND status IN ('completed','passed')) AS done,
          avg(CASE WHEN activity_id <> '' THEN best_score END), max(updated_at)
     FROM progress WHERE course_id = ? GROUP BY person_id`,
);
const plan = db.prepare(`EXPLAIN QUERY PLAN ${raw.source}`).all('bench-course');
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
};

const sqlMs = await time(() => raw.all('bench-course'));
const serviceMs = await time(() => ctx.adminReports.courseReport('bench-course', 'en', 'progress'));

// Over HTTP, signed in as a coordinator: the page (first 100 lines) and the CSV (all lines).
const server = await startServer(ctx);
await ctx.people.addCoordinator({ username: 'bench-coord', password: 'bench-password-1' });
const coord = ctx.people.byUsername('bench-coord');
const { token } = await ctx.sessions.create(coord);
const headers = { cookie: `fc_session=${token}`, accept: 'text/html' };
const get = async (path) => {
  const r = await fetch(server.url + path, { headers });
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  await r.arrayBuffer();
};
const pageMs = await time(() => get('/admin/reports/courses/bench-course'));
const csvMs = await time(() => get('/admin/reports/courses/bench-course.csv'));
await server.close();
ctx.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });

console.log(`query plan: ${plan.map((p) => p.detail).join(' | ')}`);
console.table([
  { measure: 'raw SQL aggregate (reference)', 'median ms': sqlMs.toFixed(1), ratio: '1.00' },
  {
    measure: 'course report (service)',
    'median ms': serviceMs.toFixed(1),
    ratio: (serviceMs / sqlMs).toFixed(2),
  },
  { measure: 'GET report page (HTTP)', 'median ms': pageMs.toFixed(1), ratio: (pageMs / sqlMs).toFixed(2) },
  {
    measure: 'GET report CSV, all rows (HTTP)',
    'median ms': csvMs.toFixed(1),
    ratio: (csvMs / sqlMs).toFixed(2),
  },
]);
console.log(`target: report page < 300 ms for ${TRAINEES} trainees x ${ACTIVITIES} activities`);
