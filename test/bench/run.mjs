#!/usr/bin/env node
// npm run bench [-- name-filter]: runs every test/bench/*.bench.mjs in turn (each prints its own table).
// Not part of the test suite: these machines are shared and noisy, so figures are ratios to a reference
// measured in the same run, never pass/fail assertions.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs') && f.includes(filter))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (failed) {
  console.error(`\n${failed} benchmark file(s) failed to run`);
  process.exit(1);
}
