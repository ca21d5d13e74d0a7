import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../src/core/paths.js';

/**
 * Vitest global setup: build dist/ once from the current source, so every test that runs the real CLI
 * (`node bin/fieldclass.js ...`) runs this code. Asynchronous, so the system project can run it while its
 * Debian root is being made.
 */
export default async function setup(): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      [join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: PACKAGE_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`building dist/ failed:\n${err.stdout ?? ''}${err.stderr ?? String(e)}`);
  }
}
