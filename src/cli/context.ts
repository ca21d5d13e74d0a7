import { loadConfig, type Config } from '../core/config.js';
import { AppError, isAppError } from '../core/errors.js';
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

/**
 * Read a secret (a PIN, a password) without putting it on the command line, which `ps` shows to every
 * user of the machine: from an environment variable, else standard input (a pipe: the first line), else a
 * prompt at the terminal that does not echo what is typed.
 */
export async function readSecret(what: string, envName: string): Promise<string> {
  const env = process.env[envName];
  if (env) return env;
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
  }
  return promptHidden(`${what}: `);
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('cancelled', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
