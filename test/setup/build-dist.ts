import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/paths.js';

/**
 * Vitest global setup: build dist/ once from the current source, so every test that runs the real CLI
 * (`node bin/fieldclass.js ...`) runs this code.
 */
export default function setup(): void {
  const r = spawnSync(
    process.execPath,
    [join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: PACKAGE_ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`building dist/ failed:\n${r.stdout}${r.stderr}`);
}
