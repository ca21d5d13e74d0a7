import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { SAMPLE_COURSES_DIR } from '../src/core/paths.js';
import { openContext } from '../src/app/context.js';
import { tempDir } from './helpers/context.js';

function capturingLogger(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    logger: createLogger('info', sink),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('sample courses on first start', () => {
  it('installs every sample course folder once, logging any that is broken instead of crashing', () => {
    const t = tempDir();
    try {
      const config = testConfig({ dataDir: t.dir, installSampleCourses: true });
      const log = capturingLogger();
      const ctx = openContext(config, { logger: log.logger });
      const installed = ctx.content.listInstalled().map((c) => c.source);
      const folders = readdirSync(SAMPLE_COURSES_DIR).filter((n) =>
        statSync(join(SAMPLE_COURSES_DIR, n)).isDirectory(),
      );
      const failed = log
        .lines()
        .filter((l) => l['msg'] === 'sample course not installed')
        .map((l) => String(l['folder']));
      // Every folder is accounted for: installed, or named in an error log line.
      for (const name of folders)
        expect(
          installed.includes(`sample:${name}`) || failed.includes(join(SAMPLE_COURSES_DIR, name)),
          name,
        ).toBe(true);
      const first = ctx.content.listInstalled();
      ctx.close();
      // A second start does not install again (nor touch what is there).
      const again = openContext(config, { logger: log.logger });
      expect(again.content.listInstalled()).toEqual(first);
      again.close();
    } finally {
      t.cleanup();
    }
  });
});
