import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

/**
 * Run the real CLI program in-process (the same commander program `bin/fieldclass.js` runs), capturing
 * what it prints: console.log and process.stdout lines in `out`, process.stderr in `err`.
 */
export async function runCli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  process.exitCode = 0;
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'fieldclass', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    log.mockRestore();
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = 0;
  }
}
