import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root, the same from src/core (tests) and dist/core (built). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLE_COURSES_DIR = join(PACKAGE_ROOT, 'content-bundles');
export const WEB_ASSETS_DIR = join(PACKAGE_ROOT, 'src', 'web', 'assets');

export const VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
