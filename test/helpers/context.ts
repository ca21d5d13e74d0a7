import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { startServer, type RunningServer } from '../../src/app/box.app.js';
import { openContext, type AppContext } from '../../src/app/context.js';

/** A fresh data dir in the system temp folder; removed by `cleanup`. */
export function tempDir(prefix = 'fieldclass-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real AppContext on real SQLite files in a temp dir (sample courses off unless asked). */
export function testContext(
  overrides: Record<string, unknown> = {},
): AppContext & { dir: string; cleanup(): void } {
  const t = tempDir();
  const config = testConfig({
    dataDir: t.dir,
    port: 0,
    host: '127.0.0.1',
    installSampleCourses: false,
    ...overrides,
  });
  const ctx = openContext(config, { logger: silentLogger });
  return Object.assign(ctx, {
    dir: t.dir,
    cleanup() {
      ctx.close();
      t.cleanup();
    },
  });
}

/** A real HTTP server on a free loopback port over a real data dir. */
export async function testServer(
  overrides: Record<string, unknown> = {},
): Promise<{ ctx: AppContext; server: RunningServer; url: string; cleanup(): Promise<void> }> {
  const ctx = testContext(overrides);
  const server = await startServer(ctx);
  return {
    ctx,
    server,
    url: server.url,
    async cleanup() {
      await server.close();
      ctx.cleanup();
    },
  };
}
