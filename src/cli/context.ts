import { loadConfig, type Config } from '../core/config.js';
import { isAppError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { openContext, type AppContext } from '../app/context.js';

/** Options every command accepts. */
export interface GlobalFlags {
  data?: string;
  config?: string;
}

/** Config from flags (named as config fields), environment and the config file. */
export function configFrom(flags: GlobalFlags, extra: Record<string, unknown> = {}): Config {
  const f: Record<string, unknown> = { ...extra };
  if (flags.data) f['dataDir'] = flags.data;
  return loadConfig(flags.config ? { flags: f, configFile: flags.config } : { flags: f });
}

/** Open the box's databases for a one-shot command; the command prints its own output. */
export function withContext<T>(flags: GlobalFlags, fn: (ctx: AppContext) => T): T {
  const ctx = openContext(configFrom(flags), { logger: silentLogger });
  try {
    return fn(ctx);
  } finally {
    ctx.close();
  }
}

export async function withContextAsync<T>(
  flags: GlobalFlags,
  fn: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  const ctx = openContext(configFrom(flags), { logger: silentLogger });
  try {
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}

/** Print an error the way every command does, and set a non-zero exit code. */
export function fail(e: unknown): void {
  const msg = isAppError(e) ? e.message : e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${msg}\n`);
  process.exitCode = isAppError(e) && e.code === 'config_invalid' ? 78 : 1;
}
