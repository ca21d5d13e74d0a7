import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * Log lines for a person at a terminal (`npm start`): `12:04:31 info  fieldclass serving ... key=value`.
 * The box under systemd writes JSON lines (journald keeps them; tools read them).
 */
export function humanLines(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const {
            level,
            time,
            msg,
            pid: _p,
            hostname: _h,
            ...rest
          } = JSON.parse(line) as Record<string, unknown>;
          const extra = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const t = new Date(Number(time)).toTimeString().slice(0, 8);
          out.write(
            `${t} ${(LEVELS[Number(level)] ?? String(level)).padEnd(5)} ${typeof msg === 'string' ? msg : ''}${extra ? '  ' + extra : ''}\n`,
          );
        } catch {
          out.write(line + '\n');
        }
      }
      done();
    },
  });
}

/** JSON lines, or readable lines when `destination` is given (see `humanLines`). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino({ level }, destination) : pino({ level });
}

/** The logger of a long-running command: readable at a terminal, JSON otherwise. */
export function processLogger(level: string): Logger {
  return process.stdout.isTTY ? createLogger(level, humanLines()) : createLogger(level);
}

/** A logger that writes nothing, for tests and CLI commands that print their own output. */
export const silentLogger: Logger = pino({ level: 'silent' });
