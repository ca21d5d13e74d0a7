import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHqConfig } from '../hq/hq.config.js';
import { loadConfig } from './config.js';

describe('the one layered config loader (box and HQ)', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'fieldclass-config-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('HQ: flags > FIELDCLASS_HQ_* > hq-config.json > defaults, sections merged deeply, frozen all the way down', () => {
    const d = dir();
    writeFileSync(
      join(d, 'hq-config.json'),
      JSON.stringify({ port: 9000, host: '0.0.0.0', uploads: { total: 3, perAddress: 1 } }),
    );
    const c = loadHqConfig({ dataDir: d, host: '127.0.0.1' }, { FIELDCLASS_HQ_PORT: '9100' });
    expect(c.port).toBe(9100);
    expect(c.host).toBe('127.0.0.1');
    // A section set in the file keeps its other fields' defaults.
    expect(c.uploads).toMatchObject({ total: 3, perAddress: 1, perAppliance: 2 });
    expect(Object.isFrozen(c.uploads)).toBe(true);
    expect(Object.isFrozen(c.languages)).toBe(true);
  });

  it('names the file or the field at fault, for HQ as for the box', () => {
    const d = dir();
    writeFileSync(join(d, 'hq-config.json'), '[1, 2]');
    expect(() => loadHqConfig({ dataDir: d }, {})).toThrow(
      /hq-config\.json: the file must hold a JSON object/,
    );
    expect(() => loadHqConfig({ dataDir: dir(), port: 'eighty' }, {})).toThrow(/hq config: port/);
    expect(() => loadHqConfig({ dataDir: dir(), nonsense: 1 }, {})).toThrow(/hq config/);
    const b = dir();
    writeFileSync(join(b, 'config.json'), '{ "port": ');
    expect(() => loadConfig({ flags: { dataDir: b }, env: {} })).toThrow(/config\.json/);
    expect(() => loadConfig({ flags: { dataDir: dir(), port: -1 }, env: {} })).toThrow(/config: port/);
  });
});
