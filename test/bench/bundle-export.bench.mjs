#!/usr/bin/env node
// Bundle export benchmark (npm run bench -- bundle-export). Plain Node ESM over dist/ (run `npm run build`
// first). A box with 30,000 trainees x 50 statements (1.5M statements + 30,000 roster rows) generated
// straight into records.db; then, each in a fresh child process so that its peak RSS is its own:
//   1. `ExportService.export()`: the real export (signed, hash-chained bundles of 100,000 rows, fsynced);
//   2. reference: a raw better-sqlite3 loop selecting the same rows and writing them as NDJSON to a file.
// Printed as a table with the ratio export / raw. Never asserted in tests.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmp } from './lib.mjs';

const DIST = join(ROOT, 'dist');
const TRAINEES = Number(process.env.EXPORT_BENCH_TRAINEES ?? 30_000);
const PER = Number(process.env.EXPORT_BENCH_PER_TRAINEE ?? 50);
const imp = (p) => import(join(DIST, p));

async function openBox(dataDir) {
  const { loadConfig } = await imp('core/config.js');
  const { silentLogger } = await imp('core/logger.js');
  const { openContext } = await imp('app/context.js');
  return openContext(loadConfig({ flags: { dataDir }, env: {} }), { logger: silentLogger });
}

async function child(mode, dataDir) {
  if (mode === 'seed') {
    const ctx = await openBox(dataDir);
    const db = ctx.db.records;
    const appliance = ctx.records.applianceId;
    const ins = db.prepare(
      'INSERT INTO journal (seq, epoch, kind, ref, body, recorded_at) VALUES (?, 1, ?, ?, ?, ?)',
    );
    const verbs = ['launched', 'experienced', 'progressed', 'answered', 'passed', 'completed'];
    let seq = 0;
    db.transaction(() => {
      for (let t = 0; t < TRAINEES; t++) {
        const person = randomUUID();
        const at = new Date(Date.UTC(2025, 0, 1, 8) + t * 60_000).toISOString();
        ins.run(
          ++seq,
          'person',
          person,
          JSON.stringify({
            id: person,
            role: 'trainee',
            username: `trainee${t}`,
            displayName: `Trainee ${t}`,
            externalId: `OFF-${100000 + t}`,
            agency: ['police', 'customs', 'justice'][t % 3],
            gender: ['female', 'male', 'undisclosed'][t % 3],
            language: ['en', 'fr', 'ar'][t % 3],
            active: true,
          }),
          at,
        );
        for (let i = 0; i < PER; i++) {
          const id = randomUUID();
          const verb = verbs[i % verbs.length];
          const course = `course-${t % 12}`;
          const activity = `lesson-${i % 20}`;
          const stmt = {
            id,
            actor: {
              objectType: 'Agent',
              name: `Trainee ${t}`,
              account: { homePage: `https://fieldclass.invalid/appliances/${appliance}`, name: person },
            },
            verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
            object: {
              objectType: 'Activity',
              id: `urn:fieldclass:course:${course}/${activity}`,
              definition: {
                type: 'http://adlnet.gov/expapi/activities/lesson',
                name: { en: `Lesson ${i % 20}` },
              },
            },
            ...(verb === 'answered' || verb === 'passed'
              ? {
                  result: {
                    score: { scaled: ((t + i) % 100) / 100, raw: (t + i) % 100, min: 0, max: 100 },
                    success: (t + i) % 100 >= 50,
                  },
                }
              : {}),
            context: {
              platform: 'fieldclass',
              registration: person,
              language: 'en',
              contextActivities: {
                parent: [{ id: `urn:fieldclass:course:${course}`, objectType: 'Activity' }],
              },
              extensions: {
                'https://fieldclass.invalid/xapi/course-id': course,
                'https://fieldclass.invalid/xapi/activity-id': activity,
                'https://fieldclass.invalid/xapi/course-version': '1.0.0',
              },
            },
            timestamp: at,
          };
          ins.run(++seq, 'statement', id, JSON.stringify(stmt), at);
        }
      }
    })();
    const bytes = db.prepare('SELECT sum(length(body)) FROM journal').pluck().get();
    ctx.close();
    return { rows: seq, bodyBytes: bytes };
  }
  if (mode === 'export') {
    const ctx = await openBox(dataDir);
    const t0 = performance.now();
    const written = await ctx.bundles.exporter.export();
    const seconds = (performance.now() - t0) / 1000;
    ctx.close();
    const bytes = written.reduce((n, b) => n + b.bytes, 0);
    return {
      seconds,
      bundles: written.length,
      rows: written.at(-1)?.manifest.toSeq ?? 0,
      bytes,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
  if (mode === 'raw') {
    const { default: Database } = await import(join(ROOT, 'node_modules/better-sqlite3/lib/index.js'));
    const db = new Database(join(dataDir, 'records.db'), { readonly: true });
    const out = join(dataDir, 'raw.ndjson');
    const t0 = performance.now();
    const fd = openSync(out, 'w');
    let text = '';
    let rows = 0;
    for (const r of db
      .prepare('SELECT seq, epoch, kind, ref, body, recorded_at FROM journal WHERE seq > 0 ORDER BY seq')
      .iterate()) {
      text += `{"seq":${r.seq},"epoch":${r.epoch},"kind":"${r.kind}","ref":${JSON.stringify(r.ref)},"recordedAt":"${r.recorded_at}","body":${r.body}}\n`;
      rows++;
      if (text.length > 256 * 1024) {
        writeSync(fd, text);
        text = '';
      }
    }
    writeSync(fd, text);
    closeSync(fd);
    const seconds = (performance.now() - t0) / 1000;
    const bytes = statSync(out).size;
    rmSync(out);
    db.close();
    return { seconds, rows, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  throw new Error(`unknown mode ${mode}`);
}

function runChild(mode, dataDir) {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, mode, dataDir], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${mode} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

if (process.argv[2]) {
  process.stdout.write(JSON.stringify(await child(process.argv[2], process.argv[3])) + '\n');
} else {
  const dataDir = tmp('fc-bench-export-');
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ installSampleCourses: false }));
  try {
    const t0 = performance.now();
    const seed = runChild('seed', dataDir);
    console.log(
      `seeded ${seed.rows.toLocaleString('en')} journal rows (${TRAINEES} trainees x ${PER} statements + roster), ` +
        `${(seed.bodyBytes / 1e6).toFixed(0)} MB of JSON, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const raw = runChild('raw', dataDir);
    const exp = runChild('export', dataDir);
    const row = (name, r, extra) =>
      `| ${name.padEnd(34)} | ${r.seconds.toFixed(2).padStart(7)} | ${Math.round(r.rows / r.seconds)
        .toLocaleString('en')
        .padStart(
          11,
        )} | ${r.maxRssMb.toFixed(0).padStart(12)} | ${(r.bytes / 1e6).toFixed(0).padStart(8)} | ${extra.padEnd(24)} |`;
    console.log(
      '| run                                |       s |      rows/s | peak RSS MB | out MB | note                     |',
    );
    console.log(
      '|------------------------------------|---------|-------------|--------------|----------|--------------------------|',
    );
    console.log(row('bundle export (signed, deflated)', exp, `${exp.bundles} bundles`));
    console.log(row('raw SQLite loop -> NDJSON file', raw, 'reference'));
    console.log(
      `\nexport / raw time: ${(exp.seconds / raw.seconds).toFixed(2)}x   (targets: export <= 10 s, <= 150 MB)`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
