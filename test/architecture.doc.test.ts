import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';

const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
const src = join(PACKAGE_ROOT, 'src');
const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => join(d.parentPath, d.name).slice(src.length + 1));

describe('docs/ARCHITECTURE.md', () => {
  it('names every file of src/', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !doc.includes(basename(f)))).toEqual([]);
  });

  it('stands alone: no path outside the repository', () => {
    expect(doc).not.toMatch(/(^|[\s`(])(\/work|\/home|\/tmp|\.\.\/)/m);
  });
});
