// Vitest global setup of the system project: the slow things both system test files need, made once per
// run and side by side rather than one after the other: the Debian root (debootstrap: mostly downloads and
// disk, little CPU) starts at once; dist/ is built; then the amd64 and arm64 offline installers are built
// in parallel (each compiles SQLite, one file that keeps one core busy). Each test file gets the result
// through inject('system'), or the error that stopped its part, which it then throws.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import buildDist from '../setup/build-dist.js';
import {
  CACHE_DIR,
  buildInstaller,
  debianRoot,
  missingArm64,
  missingRequirements,
  type Cost,
} from './box.js';

/** One prepared part: its path, or why it could not be made (the test file that needs it throws that). */
export interface Part {
  path?: string;
  error?: string;
}
export interface SystemPrepared {
  /** The cached Debian root to copy (never booted itself). */
  root: Part;
  /** The amd64 offline installer tarball. */
  amd64: Part;
  /** The arm64 offline installer tarball. */
  arm64: Part;
}

declare module 'vitest' {
  export interface ProvidedContext {
    system: SystemPrepared;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const t0 = Date.now();
  const work = mkdtempSync('/var/tmp/fc-system-prepared-');
  const logs = join(work, 'logs');
  mkdirSync(logs);
  const phases: { phase: string; start: number; seconds: number; cpu: number | string }[] = [];
  const since = () => Math.round((Date.now() - t0) / 100) / 10;
  const part = async (
    phase: string,
    make: () => Promise<{ path: string; note?: string } & Cost>,
  ): Promise<Part> => {
    const start = since();
    try {
      const r = await make();
      phases.push({ phase: phase + (r.note ?? ''), start, seconds: since() - start, cpu: r.cpu });
      return { path: r.path };
    } catch (e) {
      phases.push({ phase: `${phase} (FAILED)`, start, seconds: since() - start, cpu: '?' });
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const skipped = (why: string[]): Promise<Part> =>
    Promise.resolve({ error: `cannot run here: missing ${why.join('; ')}` });

  const missing = missingRequirements();
  const root = missing.length
    ? skipped(missing)
    : part('debootstrap', async () => {
        const r = await debianRoot(join(logs, 'debootstrap.log'));
        return { path: r.dir, note: r.made ? '' : ' (cached root)', ...r };
      });
  // The installers ship dist/: it is built from this source first (the integration project does the same).
  const distStart = since();
  await buildDist();
  phases.push({ phase: 'build dist/ (tsc)', start: distStart, seconds: since() - distStart, cpu: '-' });
  const installer = (arch: 'amd64' | 'arm64') =>
    part(`${arch} installer build`, async () => {
      const r = await buildInstaller(PACKAGE_ROOT, arch, work, join(logs, `build-${arch}.log`));
      return { path: r.tarball, ...r };
    });
  const amd64 = missing.length ? skipped(missing) : installer('amd64');
  const arm64Missing = missingArm64();
  const arm64 = arm64Missing.length ? skipped(arm64Missing) : installer('arm64');
  const system: SystemPrepared = { root: await root, amd64: await amd64, arm64: await arm64 };
  project.provide('system', system);

  console.log(
    `system test preparation (cache ${CACHE_DIR}), ${since()} s:\n` +
      phases
        .map((p) => `  ${p.phase}: from ${p.start} s, ${p.seconds.toFixed(1)} s wall, ${p.cpu} s CPU`)
        .join('\n'),
  );
  return () => rmSync(work, { recursive: true, force: true });
}
