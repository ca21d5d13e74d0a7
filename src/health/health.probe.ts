import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { cpus, loadavg, uptime } from 'node:os';

/** The box's health at one moment. Any figure the hardware cannot give is null. */
export interface HealthSnapshot {
  at: string;
  /** 1-minute load average divided by the CPU count (1 = every core busy). */
  cpuLoad: number | null;
  cpuTempC: number | null;
  memTotalBytes: number | null;
  memAvailableBytes: number | null;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
  uptimeSeconds: number | null;
  /** Raspberry Pi `vcgencmd get_throttled` decoded; null on other machines. */
  throttling: Throttling | null;
}

export interface Throttling {
  raw: string;
  underVoltageNow: boolean;
  throttledNow: boolean;
  underVoltageSinceBoot: boolean;
  throttledSinceBoot: boolean;
}

/** Where health figures come from: systeminformation on the box, a fake in tests. */
export interface HealthProbe {
  snapshot(dataDir: string): Promise<HealthSnapshot>;
}

/** Decode `throttled=0x50005` (bits: 0 under-voltage now, 2 throttled now, 16/18 the same since boot). */
export function decodeThrottled(output: string): Throttling | null {
  const m = /throttled=(0x[0-9a-fA-F]+)/.exec(output);
  if (!m) return null;
  const v = parseInt(m[1]!, 16);
  return {
    raw: m[1]!,
    underVoltageNow: (v & 0x1) !== 0,
    throttledNow: (v & 0x4) !== 0,
    underVoltageSinceBoot: (v & 0x10000) !== 0,
    throttledSinceBoot: (v & 0x40000) !== 0,
  };
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout) => resolve(err ? null : stdout));
  });
}

/** Free and total bytes of the file system holding `dir`. */
export function diskOf(dir: string): { free: number; total: number } | null {
  try {
    const s = statfsSync(dir);
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

/**
 * The real probe: load average and uptime from the OS, temperature and memory from systeminformation,
 * disk from statfs of the data dir, and `vcgencmd get_throttled` when the command exists (Raspberry Pi).
 */
export class SystemHealthProbe implements HealthProbe {
  private vcgencmd: boolean | undefined;

  constructor(private readonly vcgencmdPath = 'vcgencmd') {}

  async snapshot(dataDir: string): Promise<HealthSnapshot> {
    // Loaded on the first snapshot rather than at start: it is large, and only the dashboard and the
    // health job need it.
    const { default: si } = await import('systeminformation');
    const [temp, mem, throttled] = await Promise.all([
      si.cpuTemperature().catch(() => null),
      si.mem().catch(() => null),
      this.vcgencmd === false ? Promise.resolve(null) : run(this.vcgencmdPath, ['get_throttled'], 2000),
    ]);
    if (this.vcgencmd === undefined) this.vcgencmd = throttled !== null;
    const disk = diskOf(dataDir);
    const t = temp?.main;
    return {
      at: new Date().toISOString(),
      cpuLoad: Math.round(((loadavg()[0] ?? 0) / Math.max(cpus().length, 1)) * 100) / 100,
      cpuTempC: typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : null,
      memTotalBytes: mem?.total ?? null,
      memAvailableBytes: mem?.available ?? null,
      diskFreeBytes: disk?.free ?? null,
      diskTotalBytes: disk?.total ?? null,
      uptimeSeconds: Math.round(uptime()),
      throttling: throttled ? decodeThrottled(throttled) : null,
    };
  }
}

/** A probe that answers what it is given (tests, and machines where probing is not wanted). */
export class FixedHealthProbe implements HealthProbe {
  constructor(public values: Partial<HealthSnapshot> = {}) {}

  snapshot(): Promise<HealthSnapshot> {
    return Promise.resolve({
      at: new Date().toISOString(),
      cpuLoad: 0.1,
      cpuTempC: 45,
      memTotalBytes: 4 * 2 ** 30,
      memAvailableBytes: 3 * 2 ** 30,
      diskFreeBytes: 20 * 2 ** 30,
      diskTotalBytes: 32 * 2 ** 30,
      uptimeSeconds: 3600,
      throttling: null,
      ...this.values,
    });
  }
}

/**
 * Whether the data dir's file system is full for practical purposes: less free than SQLite needs to
 * commit a class's writes (64 MB, or 5 % of a small file system). Read from statfs: no write, no wear.
 */
export function storageState(dataDir: string): { full: boolean; freeBytes: number | null } {
  const disk = diskOf(dataDir);
  if (!disk) return { full: false, freeBytes: null };
  const reserve = Math.min(64 * 2 ** 20, disk.total / 20);
  return { full: disk.free < reserve, freeBytes: disk.free };
}
