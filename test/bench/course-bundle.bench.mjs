// Installing a 200 MB course bundle: seconds and peak RSS of the importing process (target: at most
// 150 MB), beside a reference measured in the same run (reading and hashing the same file once).
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const { generateContentKey, buildCourseBundle } = await import(join(dist, 'content/course-bundle.js'));
const work = mkdtempSync(join(tmpdir(), 'fc-bench-bundle-'));
try {
  const course = join(work, 'course');
  cpSync(join(root, 'test/fixtures/courses/fixture-course'), course, { recursive: true });
  mkdirSync(join(course, 'media'), { recursive: true });
  for (let i = 0; i < 4; i++)
    writeFileSync(join(course, 'media', `video${i}.webm`), randomBytes(50 * 1024 * 1024));
  const key = generateContentKey(join(work, 'keys'));
  let t = performance.now();
  const b = await buildCourseBundle(course, key.privateKeyPath, join(work, 'out'));
  const buildS = (performance.now() - t) / 1000;

  t = performance.now();
  const h = createHash('sha256');
  const fd = openSync(b.path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let n; (n = readSync(fd, buf)) > 0;) h.update(buf.subarray(0, n));
  closeSync(fd);
  const refS = (performance.now() - t) / 1000;

  const child = `
    const { openContext } = await import(${JSON.stringify(join(dist, 'app', 'context.js'))});
    const { testConfig } = await import(${JSON.stringify(join(dist, 'core/config.js'))});
    const { silentLogger } = await import(${JSON.stringify(join(dist, 'core/logger.js'))});
    const { importContent } = await import(${JSON.stringify(join(dist, 'content/course-bundle.js'))});
    const ctx = openContext(testConfig({ dataDir: ${JSON.stringify(join(work, 'data'))}, installSampleCourses: false }), { logger: silentLogger });
    const base = process.resourceUsage().maxRSS;
    const t = performance.now();
    const r = await importContent(ctx.content, ${JSON.stringify(b.path)}, { trustedKeys: [${JSON.stringify(key.publicKeyBase64)}], allowUnsigned: false });
    const s = (performance.now() - t) / 1000;
    ctx.close();
    console.log(JSON.stringify({ status: r.status, s, baseKb: base, peakKb: process.resourceUsage().maxRSS }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  const mb = (b.bytes / 1024 / 1024).toFixed(0);
  console.log(`course bundle of ${mb} MB (${b.manifest.files.length} files)`);
  console.log(`build:                ${buildS.toFixed(2)} s`);
  console.log(`reference (sha256):   ${refS.toFixed(2)} s`);
  console.log(`install (${m.status}): ${m.s.toFixed(2)} s = ${(m.s / refS).toFixed(1)} x the reference`);
  console.log(
    `peak RSS: ${(m.peakKb / 1024).toFixed(0)} MB (process before the import: ${(m.baseKb / 1024).toFixed(0)} MB; target <= 150 MB)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
