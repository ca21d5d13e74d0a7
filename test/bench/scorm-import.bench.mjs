// Importing a SCORM package with one 500 MB deflated entry (a screen recording, ~40:1), side by side in
// one run: the import's seconds against a reference measured in the same run (inflating the same entry
// with Node's zlib stream and hashing it, once), the importing process's peak RSS (target: under 150 MB
// resident), and the serving thread's worst event-loop delay while the import runs (it runs on the install
// worker) against the same process idle. Before the streaming zip reader, a 510 MiB entry peaked at
// 1.15 GB (inflated whole, twice); before the install worker, the serving thread was held for the whole
// import (~27 s here).
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import yazl from 'yazl';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const ENTRY = 500 * 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'fc-bench-scorm-import-'));
try {
  // The package: a manifest, a page, and the large entry (1.5 KiB of noise per 64 KiB block).
  const zipPath = join(work, 'large.zip');
  let seed = 0x9e3779b9;
  function* blocks() {
    for (let left = ENTRY; left > 0;) {
      const block = Buffer.alloc(Math.min(65536, left));
      for (let i = 0; i < Math.min(1536, block.length); i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        block[i] = seed & 0xff;
      }
      left -= block.length;
      yield block;
    }
  }
  const zip = new yazl.ZipFile();
  zip.addBuffer(
    Buffer.from(`<?xml version="1.0"?><manifest identifier="bench.large" version="1.0"
      xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
      <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>Large</title>
      <item identifier="watch" identifierref="r"><title>Watch</title></item></organization></organizations>
      <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources></manifest>`),
    'imsmanifest.xml',
  );
  zip.addBuffer(Buffer.from('<video src="media/video.mp4" controls></video>'), 'index.html');
  zip.addReadStream(Readable.from(blocks()), 'media/video.mp4', { compress: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));

  // Reference: inflate the entry once with Node's zlib (yauzl's stream) and hash it.
  let t = performance.now();
  const refSha = await new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      z.on('entry', (e) => {
        if (e.fileName !== 'media/video.mp4') return z.readEntry();
        z.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          const h = createHash('sha256');
          s.on('data', (c) => h.update(c));
          s.on('end', () => {
            z.close();
            resolve(h.digest('hex'));
          });
          s.on('error', reject);
        });
      });
      z.readEntry();
    });
  });
  const refS = (performance.now() - t) / 1000;

  const child = `
    const { openContext } = await import(${JSON.stringify(join(dist, 'app', 'context.js'))});
    const { testConfig } = await import(${JSON.stringify(join(dist, 'core/config.js'))});
    const { silentLogger } = await import(${JSON.stringify(join(dist, 'core/logger.js'))});
    const { importContent } = await import(${JSON.stringify(join(dist, 'content/course-bundle.js'))});
    const ctx = openContext(testConfig({ dataDir: ${JSON.stringify(join(work, 'data'))}, installSampleCourses: false }), { logger: silentLogger });
    const { monitorEventLoopDelay } = await import('node:perf_hooks');
    // The serving thread's loop delay (what a trainee's request waits before it is even read), sampled
    // every 10 ms: idle for 3 s, then while the import runs.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    await new Promise((r) => setTimeout(r, 3000));
    loop.disable();
    const idleMs = loop.max / 1e6;
    loop.reset();
    const base = process.resourceUsage().maxRSS;
    loop.enable();
    const t = performance.now();
    const r = await importContent(ctx.content, ${JSON.stringify(zipPath)}, { trustedKeys: [], allowUnsigned: true });
    const s = (performance.now() - t) / 1000;
    loop.disable();
    const f = ctx.content.fileByPath(r.id, 'media/video.mp4');
    ctx.close();
    console.log(JSON.stringify({ status: r.status, s, sha256: f.sha256, baseKb: base, peakKb: process.resourceUsage().maxRSS, idleMs, busyMs: loop.max / 1e6, busyP99Ms: loop.percentile(99) / 1e6 }));`;
  // A file, not `-e`: the install worker inherits the process's flags, and `--input-type` is not for it.
  const childPath = join(work, 'child.mjs');
  writeFileSync(childPath, child);
  const r = spawnSync(process.execPath, [childPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  if (m.sha256 !== refSha) throw new Error(`stored sha256 ${m.sha256} is not the entry's ${refSha}`);
  console.log(
    `SCORM zip of ${(statSync(zipPath).size / 1048576).toFixed(1)} MB, one deflated entry of ${ENTRY / 1048576} MiB`,
  );
  console.log(`reference (zlib inflate + sha256, once): ${refS.toFixed(2)} s`);
  console.log(`import (${m.status}): ${m.s.toFixed(2)} s = ${(m.s / refS).toFixed(1)} x the reference`);
  console.log(
    `peak RSS: ${(m.peakKb / 1024).toFixed(0)} MB (process before the import: ${(m.baseKb / 1024).toFixed(0)} MB; target < 150 MB)`,
  );
  console.log(
    `serving thread's worst event-loop delay: ${m.busyMs.toFixed(0)} ms during the import (p99 ${m.busyP99Ms.toFixed(0)} ms), ${m.idleMs.toFixed(0)} ms idle`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
