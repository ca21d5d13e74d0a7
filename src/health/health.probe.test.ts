import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandClockSetter } from './clock-setter.js';
import { SystemHealthProbe, decodeThrottled } from './health.probe.js';

describe('health probe', () => {
  it('decodes vcgencmd get_throttled', () => {
    expect(decodeThrottled('throttled=0x0\n')).toMatchObject({ underVoltageNow: false, throttledNow: false });
    expect(decodeThrottled('throttled=0x50005\n')).toEqual({
      raw: '0x50005',
      underVoltageNow: true,
      throttledNow: true,
      underVoltageSinceBoot: true,
      throttledSinceBoot: true,
    });
    expect(decodeThrottled('throttled=0x50000')).toMatchObject({
      underVoltageNow: false,
      underVoltageSinceBoot: true,
    });
    expect(decodeThrottled('error')).toBeNull();
  });

  it('reads this machine: disk of the data dir, uptime, memory; no throttling without vcgencmd', async () => {
    const h = await new SystemHealthProbe('/nonexistent/vcgencmd').snapshot(tmpdir());
    expect(h.diskFreeBytes).toBeGreaterThan(0);
    expect(h.diskTotalBytes).toBeGreaterThanOrEqual(h.diskFreeBytes!);
    expect(h.uptimeSeconds).toBeGreaterThan(0);
    expect(h.memTotalBytes).toBeGreaterThan(0);
    expect(h.throttling).toBeNull();
  });

  it('uses vcgencmd when it is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-vcgencmd-'));
    const fake = join(dir, 'vcgencmd');
    writeFileSync(fake, '#!/bin/sh\necho throttled=0x1\n');
    chmodSync(fake, 0o755);
    try {
      const h = await new SystemHealthProbe(fake).snapshot(dir);
      expect(h.throttling?.underVoltageNow).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clock setter', () => {
  it('passes the ISO time to the helper, and reports its failure clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-clock-'));
    const out = join(dir, 'out');
    const helper = join(dir, 'set-clock');
    writeFileSync(
      helper,
      `#!/bin/sh\necho "$1" > ${out}\n[ "$1" = "2027-01-02T03:04:05.000Z" ] || { echo "refused: $1" >&2; exit 3; }\n`,
    );
    chmodSync(helper, 0o755);
    try {
      await new CommandClockSetter([helper]).set(new Date('2027-01-02T03:04:05Z'));
      await expect(
        new CommandClockSetter([helper]).set(new Date('2030-01-01T00:00:00Z')),
      ).rejects.toMatchObject({
        code: 'clock_not_set',
        // Plain words for the page; what the helper said kept apart, for the server log.
        message: expect.not.stringContaining('refused:') as unknown,
        details: { detail: 'refused: 2030-01-01T00:00:00.000Z' },
      });
      await expect(new CommandClockSetter(['/nonexistent/helper']).set(new Date())).rejects.toMatchObject({
        code: 'clock_not_set',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
