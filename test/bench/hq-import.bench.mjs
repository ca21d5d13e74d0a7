#!/usr/bin/env node
// HQ import benchmark (npm run bench -- hq-import). Plain Node ESM over dist/ (run `npm run build` first).
//
// A box with 30,000 trainees x 50 statements (1.5M statements, generated straight into records.db) is
// exported by the box's own ExportService as 300 bundles; then, each in a fresh child process so that its
// peak RSS is its own:
//   1. HQ imports the 300 bundles (statements/s, peak RSS);
//   2. HQ imports the same 300 again (must change nothing: SQLite total_changes() stays 0; and be faster);
//   3. reference, the "raw insert loop": the box's journal rows read from its records.db (better-sqlite3,
//      one statement iterated) and inserted as they are stored (the same body text) into the journal table
//      of a fresh HQ database (HQ's schema and pragmas: WAL, synchronous=FULL), in one transaction, with
//      one prepared INSERT. No zip, no JSON, no checks, nothing derived: what storing the rows costs.
// Figures are printed as a table, with the import as a ratio to the raw loop (wall time, and CPU time,
// which the load of a shared machine changes less). Never asserted in tests.
//
// HQ_BENCH_RUNS=5: steps 1 and 3 run 5 times each (a fresh HQ each time, alternating import and raw so
//   that both see the same machine); figures are the median with the min-max spread.
// HQ_BENCH_DIR=<dir>: keep the generated box and bundles there and reuse them on the next run (the
//   generation of 1M statements takes minutes); the HQ under it is made again each run.
// HQ_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": extra node flags for the import child.
// The load average (/proc/loadavg) is printed before and after: on a shared machine it says what the
// figures are worth.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmp } from './lib.mjs';

const DIST = join(ROOT, 'dist');
const TRAINEES = Number(process.env.HQ_BENCH_TRAINEES ?? 30_000);
const PER = Number(process.env.HQ_BENCH_PER_TRAINEE ?? 50);
// Fewer bundles = bigger bundles: the import's peak RSS must not grow with them (HQ_BENCH_BUNDLES=2 vs 300).
const BUNDLES = Number(process.env.HQ_BENCH_BUNDLES ?? 300);
const RUNS = Number(process.env.HQ_BENCH_RUNS ?? 1);
const NODE_ARGS = (process.env.HQ_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const loadavg = () =>
  existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?';

const imp = (p) => import(join(DIST, p));
/** CPU seconds (user + system) this process used since `c0`: what a shared machine's load changes least. */
const cpuSince = (c0) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
};

async function child(mode, args) {
  if (mode === 'import' || mode === 'reimport') {
    const [hqDir, bundleDir] = args;
    const { loadHqConfig } = await imp('hq/hq.config.js');
    const { openHqContext } = await imp('app/hq.context.js');
    const { silentLogger } = await imp('core/logger.js');
    const ctx = openHqContext(loadHqConfig({ dataDir: hqDir }, {}), { logger: silentLogger });
    const files = readdirSync(bundleDir)
      .filter((f) => f.endsWith('.zip'))
      .sort()
      .map((f) => join(bundleDir, f));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const counts = { imported: 0, already_imported: 0, refused: 0 };
    let firstRefusal = '';
    for (const f of files) {
      const o = await ctx.imports.importFile(f);
      counts[o.status]++;
      if (o.status === 'refused' && !firstRefusal) firstRefusal = `${f}: ${o.reason}`;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpuSince(c0);
    const db = ctx.db.hq;
    const changes = db.prepare('SELECT total_changes()').pluck().get();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true });
    const statements = db.prepare("SELECT count(*) FROM journal WHERE kind = 'statement'").pluck().get();
    ctx.close();
    return {
      seconds,
      cpuSeconds,
      counts,
      firstRefusal,
      changes,
      statements,
      dbBytes,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
  if (mode === 'reports') {
    // Every HQ report over the imported data, each timed 5 times: median and spread (min-max).
    const [hqDir] = args;
    const { loadHqConfig } = await imp('hq/hq.config.js');
    const { openHqContext } = await imp('app/hq.context.js');
    const { silentLogger } = await imp('core/logger.js');
    const { toCsv, csvNotes, REPORT_COLUMNS } = await imp('hq/reports.service.js');
    const ctx = openHqContext(loadHqConfig({ dataDir: hqDir }, {}), { logger: silentLogger });
    const out = {};
    const csv = (name) => toCsv(REPORT_COLUMNS[name], ctx.reports.report(name), csvNotes(name, 'en'));
    // The three reports whole (CSV, CLI), and the Trainees page as the page asks for it: one page of 50,
    // unfiltered and with a search plus a filter.
    const runs = {
      courses: () => ctx.reports.report('courses'),
      trainees: () => ctx.reports.report('trainees'),
      'trainees CSV (hq report trainees --csv, the web CSV)': () => csv('trainees'),
      'courses CSV': () => csv('courses'),
      appliances: () => ctx.reports.report('appliances'),
      'trainees page': () => ctx.reports.traineePage({}, 3, 50),
      'trainees page, search + filter': () =>
        ctx.reports.traineePage({ q: 'trainee 12', agency: 'Police', result: 'passed' }, 1, 50),
    };
    for (const [name, run] of Object.entries(runs)) {
      const ms = [];
      const cpu = [];
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        run();
        ms.push(performance.now() - t0);
        cpu.push(cpuSince(c0) * 1000);
      }
      ms.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      out[name] = { median: ms[2], min: ms[0], max: ms[4], cpu: cpu[2] };
    }
    ctx.close();
    return out;
  }
  if (mode === 'raw') {
    const [boxDb, rawDir] = args;
    const { openDatabase } = await imp('db/connection.js');
    const { migrate } = await imp('db/migrate.js');
    const { hqMigrations } = await imp('db/migrations/hq.js');
    const src = openDatabase(boxDb, 'precious', { readonly: true });
    const dst = openDatabase(join(rawDir, 'raw.db'), 'precious');
    migrate(dst, hqMigrations);
    const ins = dst.prepare(
      'INSERT INTO journal (appliance_no, epoch, seq, kind, ref, body, recorded_at) VALUES (1, ?, ?, ?, ?, ?, ?)',
    );
    const rows = src.prepare('SELECT seq, epoch, kind, ref, body, recorded_at FROM journal ORDER BY seq');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let statements = 0;
    dst.transaction(() => {
      for (const r of rows.iterate()) {
        ins.run(r.epoch, r.seq, r.kind, r.ref, r.body, r.recorded_at);
        if (r.kind === 'statement') statements++;
      }
    })();
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpuSince(c0);
    src.close();
    dst.close();
    return { seconds, cpuSeconds, statements, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  throw new Error(`unknown mode ${mode}`);
}

function runChild(mode, ...args) {
  const flags = mode === 'import' ? NODE_ARGS : [];
  const r = spawnSync(
    process.execPath,
    [...flags, new URL(import.meta.url).pathname, '--child', mode, ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Fill a box's records.db directly: trainees (journal 'person' rows) and their statements. */
function generate(ctx) {
  const db = ctx.db.records;
  const applianceId = ctx.records.applianceId;
  const home = `https://fieldclass.invalid/appliances/${applianceId}`;
  const ins = db.prepare(
    'INSERT INTO journal (seq, epoch, kind, ref, body, recorded_at) VALUES (?, 1, ?, ?, ?, ?)',
  );
  const courses = ['public-integrity', 'crime-scene-preservation'];
  const genders = ['female', 'male', 'female', 'male', 'undisclosed'];
  const agencies = ['Police', 'Gendarmerie', 'Customs', 'Justice'];
  let seq = db.prepare('SELECT coalesce(max(seq), 0) FROM journal').pluck().get();
  const base = Date.parse('2026-01-05T08:00:00Z');
  db.transaction(() => {
    for (let t = 0; t < TRAINEES; t++) {
      const id = randomUUID();
      const at = new Date(base + t * 60_000).toISOString();
      const person = {
        id,
        role: 'trainee',
        username: `t${t}`,
        displayName: `Trainee ${t}`,
        externalId: t % 2 === 0 ? `OFF-${t}` : null,
        agency: agencies[t % agencies.length],
        gender: genders[t % genders.length],
        language: 'fr',
        active: true,
        updatedAt: at,
      };
      ins.run(++seq, 'person', id, JSON.stringify(person), at);
      const course = courses[t % 2];
      for (let i = 0; i < PER; i++) {
        const sid = randomUUID();
        const ts = new Date(base + t * 60_000 + i * 1000).toISOString();
        let verb = 'experienced';
        let activity = `lesson-${i % 8}`;
        let type = 'lesson';
        let result = '';
        if (i === PER - 3) {
          verb = t % 5 === 0 ? 'failed' : 'passed';
          activity = 'final-quiz';
          type = 'assessment';
          result = `,"result":{"score":{"scaled":${(t % 5 === 0 ? 0.4 : 0.7 + (t % 30) / 100).toFixed(2)}},"success":${t % 5 !== 0}}`;
        } else if (i === PER - 2) {
          verb = t % 5 === 0 ? 'progressed' : 'completed';
          activity = '';
          type = 'course';
        } else if (i === PER - 1) {
          verb = 'rated';
          activity = '';
          type = 'course';
          result = `,"result":{"score":{"raw":${1 + (t % 5)},"min":1,"max":5}}`;
        } else if (i % 7 === 3) {
          verb = 'answered';
          activity = `question-${i}`;
          type = 'question';
          result = `,"result":{"success":${i % 2 === 0},"response":"b"}`;
        }
        const verbIri =
          verb === 'rated' ? 'http://id.tincanapi.com/verb/rated' : `http://adlnet.gov/expapi/verbs/${verb}`;
        const obj = activity
          ? `urn:fieldclass:course:${course}/${activity}`
          : `urn:fieldclass:course:${course}`;
        const parent = activity
          ? `,"contextActivities":{"parent":[{"id":"urn:fieldclass:course:${course}","objectType":"Activity"}]}`
          : '';
        const body =
          `{"id":"${sid}","actor":{"objectType":"Agent","name":"Trainee ${t}","account":{"homePage":"${home}","name":"${id}"}},` +
          `"verb":{"id":"${verbIri}","display":{"en-US":"${verb}"}},` +
          `"object":{"objectType":"Activity","id":"${obj}","definition":{"type":"http://adlnet.gov/expapi/activities/${type}"}}${result},` +
          `"context":{"platform":"fieldclass","language":"fr"${parent},"extensions":{"urn:fieldclass:ext:course-id":"${course}","urn:fieldclass:ext:activity-id":"${activity}","urn:fieldclass:ext:course-version":"1.0.0"}},` +
          `"timestamp":"${ts}"}`;
        ins.run(++seq, 'statement', sid, body, ts);
      }
    }
  })();
  return seq;
}

async function main() {
  if (!existsSync(join(DIST, 'hq', 'import.service.js'))) throw new Error('run `npm run build` first');
  const { testConfig } = await imp('core/config.js');
  const { openContext } = await imp('app/context.js');
  const { silentLogger } = await imp('core/logger.js');
  const { bundleServices } = await imp('bundles/bundles.module.js');
  const { loadHqConfig } = await imp('hq/hq.config.js');
  const { openHqContext } = await imp('app/hq.context.js');

  const keep = process.env.HQ_BENCH_DIR;
  const work = keep ?? tmp('fc-hq-bench-');
  const loadBefore = loadavg();
  try {
    const boxDir = join(work, 'box');
    const outDir = join(work, 'bundles');
    const boxDb = join(boxDir, 'records.db');
    const saved = join(work, 'generated.json');
    let gen;
    if (keep && existsSync(saved)) {
      gen = JSON.parse(readFileSync(saved, 'utf8'));
      if (gen.trainees !== TRAINEES || gen.per !== PER || gen.bundles !== BUNDLES)
        throw new Error(`${work} holds another size (${JSON.stringify(gen)}): use another HQ_BENCH_DIR`);
    } else {
      mkdirSync(outDir, { recursive: true });
      const ctx = openContext(testConfig({ dataDir: boxDir, installSampleCourses: false }), {
        logger: silentLogger,
      });
      let t0 = performance.now();
      const rows = generate(ctx);
      const genSeconds = (performance.now() - t0) / 1000;
      const perBundle = Math.ceil(rows / BUNDLES);
      t0 = performance.now();
      const written = await bundleServices(ctx, { maxRowsPerBundle: perBundle }).exporter.export({ outDir });
      const exportSeconds = (performance.now() - t0) / 1000;
      gen = {
        trainees: TRAINEES,
        per: PER,
        bundles: BUNDLES,
        rows,
        perBundle,
        written: written.length,
        genSeconds,
        exportSeconds,
        request: ctx.identity.request(),
      };
      ctx.close();
      if (keep) writeFileSync(saved, JSON.stringify(gen));
    }
    const { rows, perBundle } = gen;

    const hqDir = join(work, 'hq');
    const rawDir = join(work, 'raw');
    const freshHq = () => {
      rmSync(hqDir, { recursive: true, force: true });
      const hq = openHqContext(loadHqConfig({ dataDir: hqDir }, {}), { logger: silentLogger });
      hq.appliances.enrol(gen.request);
      hq.close();
    };
    const firsts = [];
    const raws = [];
    for (let k = 0; k < RUNS; k++) {
      freshHq();
      firsts.push(runChild('import', hqDir, outDir));
      rmSync(rawDir, { recursive: true, force: true });
      mkdirSync(rawDir);
      raws.push(runChild('raw', boxDb, rawDir));
    }
    // The last run's HQ stays for the re-import and the reports.
    const first = firsts[firsts.length - 1];
    const again = runChild('reimport', hqDir, outDir);
    const reports = runChild('reports', hqDir);

    const statements = first.statements;
    const med = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
    };
    const rate = med(firsts.map((f) => f.statements / f.seconds));
    const rawRate = med(raws.map((r) => r.statements / r.seconds));
    const ratio = med(
      firsts.map((f, k) => f.statements / f.seconds / (raws[k].statements / raws[k].seconds)),
    );
    // The same ratio over CPU seconds: the load of a shared machine stretches wall time unevenly between
    // the two children (they run one after the other), much less their CPU time.
    const cpuRatio = med(firsts.map((f, k) => raws[k].cpuSeconds / f.cpuSeconds));
    const rss = med(firsts.map((f) => f.maxRssMb));
    const rawRss = med(raws.map((r) => r.maxRssMb));
    const fmt = (n, d = 0) =>
      n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    const spread = (m, d = 0, unit = '') =>
      RUNS > 1
        ? `${fmt(m.median, d)}${unit} (${fmt(m.min, d)}-${fmt(m.max, d)})`
        : `${fmt(m.median, d)}${unit}`;
    console.log(
      `box: ${fmt(TRAINEES)} trainees x ${PER} statements = ${fmt(rows)} journal rows, generated in ${fmt(gen.genSeconds, 1)} s; exported as ${gen.written} bundles in ${fmt(gen.exportSeconds, 1)} s`,
    );
    console.log(
      `runs: ${RUNS}${RUNS > 1 ? ' (median, min-max)' : ''}; load average before ${loadBefore}, after ${loadavg()}`,
    );
    if (first.firstRefusal) console.log(`first refusal: ${first.firstRefusal}`);
    const table = [
      ['measure', 'value', 'target', 'ok'],
      [
        'bundles imported',
        `${first.counts.imported}/${gen.written}`,
        'all',
        first.counts.imported === gen.written,
      ],
      ['statements imported', fmt(statements), fmt(TRAINEES * PER), statements === TRAINEES * PER],
      ['import time (CPU time)', `${fmt(first.seconds, 2)} s (${fmt(first.cpuSeconds, 2)} s)`, '', ''],
      ['import statements/s', spread(rate), '', ''],
      ['raw 1-transaction INSERT loop statements/s', spread(rawRate), '(reference)', ''],
      ['import / raw', spread(ratio, 2), '>= 0.33', ratio.median >= 1 / 3],
      ['import / raw, in CPU time', spread(cpuRatio, 2), '>= 0.33', cpuRatio.median >= 1 / 3],
      ['import peak RSS', spread(rss, 0, ' MB'), '<= 200 MB', rss.max <= 200],
      ['raw loop peak RSS', spread(rawRss, 0, ' MB'), '(reference)', ''],
      ['rows per bundle', fmt(perBundle), '', ''],
      ['hq.db bytes per statement', fmt(first.dbBytes / statements), '', ''],
      [
        're-import: already imported',
        `${again.counts.already_imported}/${gen.written}`,
        'all',
        again.counts.already_imported === gen.written,
      ],
      ['re-import: rows changed (total_changes)', String(again.changes), '0', again.changes === 0],
      [
        're-import time',
        `${fmt(again.seconds, 2)} s`,
        `< ${fmt(first.seconds, 2)} s`,
        again.seconds < first.seconds,
      ],
      ['re-import peak RSS', `${fmt(again.maxRssMb)} MB`, '', ''],
      ...Object.entries(reports).map(([name, r]) => [
        `hq report ${name} (median of 5, min-max; CPU)`,
        `${fmt(r.median)} ms (${fmt(r.min)}-${fmt(r.max)}; ${fmt(r.cpu)})`,
        '< 300 ms',
        r.median < 300,
      ]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
    for (const [i, r] of table.entries()) {
      console.log(
        r.map((c, j) => String(c === true ? 'yes' : c === false ? 'NO' : c).padEnd(widths[j])).join('  '),
      );
      if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

const i = process.argv.indexOf('--child');
if (i >= 0) {
  const r = await child(process.argv[i + 1], process.argv.slice(i + 2));
  console.log(JSON.stringify(r));
} else {
  await main();
}
