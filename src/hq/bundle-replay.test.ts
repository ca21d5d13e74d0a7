import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBundle, singleKeyResolver } from '../contract/bundle-format.js';
import { Journal, makeBox, writeBundle } from '../../test/hq.fixtures.js';
import { replayJournal } from './bundle-replay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fixture(rows = 3000) {
  const dir = mkdtempSync(join(tmpdir(), 'fc-replay-'));
  dirs.push(dir);
  const box = makeBox();
  const j = new Journal();
  j.person({ id: 'p1', displayName: 'Awa « Diop » \u{1F600}', externalId: 'OFF-1' });
  for (let i = 1; i < rows; i++)
    j.statement({ person: 'p1', course: 'c1', activity: `l${i}`, verb: 'experienced' });
  const b = await writeBundle(box, dir, { bundleSeq: 1, rows: j.rows });
  const opened = await openBundle(b.path, {
    resolveKey: singleKeyResolver({ publicKey: box.publicKeyPem, applianceId: box.applianceId }),
  });
  for await (const r of opened.rows()) void r;
  return { j, path: b.path, payload: opened.payload };
}

describe('replayJournal', () => {
  it('reads every row again, in order, each body exactly as the box wrote it (many 64 KiB pieces)', async () => {
    const { j, path, payload } = await fixture();
    expect(payload.compressedSize).toBeGreaterThan(64 * 1024);
    const rows = [...replayJournal(path, payload)];
    expect(rows).toHaveLength(j.rows.length);
    rows.forEach((r, i) => {
      const want = j.rows[i]!;
      expect([r.seq, r.epoch, r.kind, r.ref, r.recordedAt, r.body]).toEqual([
        want.seq,
        want.epoch,
        want.kind,
        want.ref,
        want.recorded_at,
        want.body,
      ]);
      expect(r.parsed).toEqual(JSON.parse(want.body));
    });
  });

  it('throws when the file changed after it was verified', async () => {
    const { path, payload } = await fixture(200);
    const bytes = readFileSync(path);
    bytes[payload.offset + Math.floor(payload.compressedSize / 2)]! ^= 0x01;
    writeFileSync(path, bytes);
    expect(() => [...replayJournal(path, payload)]).toThrow();
  });
});
