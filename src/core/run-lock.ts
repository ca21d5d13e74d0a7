import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<data>/serve.pid`: which process serves a data dir. `fieldclass serve` writes it at start and removes it
 * when it stops; commands that must not run beside a serving box (backup restore: writes the box
 * acknowledges would end up in the set-aside file) ask `runningBox` first. A pid file left by a crash names a
 * process that no longer exists and is ignored.
 */
const FILE = 'serve.pid';

/** The pid of a live process serving this data dir, or null. */
export function runningBox(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, FILE), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    // EPERM: it exists but belongs to another user (the service user): still running.
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** Mark this process as the one serving the data dir; returns the function that unmarks it. */
export function markServing(dataDir: string): () => void {
  const path = join(dataDir, FILE);
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    if (runningBox(dataDir) === process.pid) rmSync(path, { force: true });
  };
}
