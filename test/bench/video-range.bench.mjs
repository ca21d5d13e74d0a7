// Issue 5's video benchmark: 50 concurrent clients doing 1 MiB HTTP Range reads of a course video,
//   - from the content store through Node (GET /c/<sha256>.webm, chunks read from SQLite),
//   - through the shipped front (nginx, sendfile from the materialized cache, Node behind it),
//   - reference: nginx alone serving the same file from disk,
// each server pinned to core 0, wrk to core 1; MB/s and ratio to the reference.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
  wrk,
  table,
  fmt,
  startFront,
  startReferenceNginx,
} from './lib.mjs';

ensureTools([
  { cmd: 'wrk', pkg: 'wrk' },
  { cmd: 'nginx', pkg: 'nginx-light' },
]);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const MIB = 1024 * 1024;
const SIZE = 32 * MIB;

const work = tmp('fc-bench-video-');
const course = join(work, 'course');
cpSync(join(ROOT, 'test/fixtures/courses/fixture-course'), course, { recursive: true });
mkdirSync(join(course, 'media'), { recursive: true });
writeFileSync(join(course, 'media', 'lecture.webm'), randomBytes(SIZE));
const data = join(work, 'data');
cli(['content', 'import', course, '--data', data], {
  env: { ...process.env, FIELDCLASS_ALLOW_UNSIGNED: '1', FIELDCLASS_INSTALL_SAMPLES: '0' },
});
const db = new Database(join(data, 'content.db'), { readonly: true });
const sha = db.prepare("SELECT sha256 FROM course_files WHERE path = 'media/lecture.webm'").pluck().get();
db.close();
if (!sha) throw new Error('the video did not reach the content store');
const cache = join(work, 'cache');
cli(['content', 'cache', '--out', cache, '--data', data]);

const path = `/c/${sha}.webm`;
const ranges = Array.from({ length: SIZE / MIB }, (_, i) => ({
  path,
  headers: { Range: `bytes=${i * MIB}-${(i + 1) * MIB - 1}` },
}));
const run = (base) => wrk({ base, requests: ranges, connections: 50, seconds: SECONDS });
const mbps = (r) => (r.rps * MIB) / 1e6;

// Node alone (the content store)
const nodePort = await freePort();
const node = start(
  process.execPath,
  [CLI, 'serve', '--port', String(nodePort), '--host', '127.0.0.1', '--data', data],
  {
    cpus: 0,
    env: { FIELDCLASS_LOG_LEVEL: 'warn', FIELDCLASS_INSTALL_SAMPLES: '0' },
  },
);
await waitForHttp(`http://127.0.0.1:${nodePort}/healthz`);
const fromStore = run(`http://127.0.0.1:${nodePort}`);

// The shipped front: nginx + node
const front = await startFront({ upstreamPort: nodePort, cacheDir: cache });
const shipped = run(front.base);
await front.stop();
await stop(node);

// Reference: nginx alone, the same file from disk
const refNginx = await startReferenceNginx({ server: `location /c/ { alias ${cache}/; }`, probePath: path });
const reference = run(refNginx.base);
await refNginx.stop();

table(
  `video range reads (50 clients, 1 MiB ranges of a ${SIZE / MIB} MiB file; servers on core 0, wrk on core 1)`,
  [
    ['server', 'MB/s', 'p99 ms', 'errors', 'ratio to nginx'],
    [
      'nginx alone, file from disk (reference)',
      fmt(mbps(reference), 0),
      fmt(reference.p99),
      reference.errors + reference.non2xx,
      '1.00',
    ],
    [
      'shipped: nginx front, sendfile from the cache',
      fmt(mbps(shipped), 0),
      fmt(shipped.p99),
      shipped.errors + shipped.non2xx,
      fmt(mbps(shipped) / mbps(reference), 2),
    ],
    [
      'node alone, chunks from the content store',
      fmt(mbps(fromStore), 0),
      fmt(fromStore.p99),
      fromStore.errors + fromStore.non2xx,
      fmt(mbps(fromStore) / mbps(reference), 2),
    ],
  ],
);
