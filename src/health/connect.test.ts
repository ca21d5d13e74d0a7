import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from 'uqr';
import { connectInfo, qrSvg, startBanner, wifiQrText } from './connect.js';
import { tempDir } from '../../test/helpers/context.js';

const ifaces = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  wlan0: [
    { address: '10.42.0.1', family: 'IPv4', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false },
  ],
  eth0: [{ address: '192.168.1.20', family: 'IPv4', internal: false }],
} as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('how trainees connect', () => {
  it('puts the site name first, then the LAN addresses; behind nginx the port is 80', () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const conf = join(t.dir, 'network.conf');
    writeFileSync(conf, 'SSID=Salle 3; "A"\nPASSPHRASE=k3y:with;odd,chars\nWIFI=auto\n');
    const info = connectInfo(
      { host: '127.0.0.1', port: 8080, allowedOrigins: ['http://class.lan'] },
      { interfaces: ifaces, networkConf: conf },
    );
    expect(info).toEqual({
      siteUrl: 'http://class.lan/',
      lanUrls: ['http://10.42.0.1/', 'http://192.168.1.20/'],
      adminUrl: 'http://class.lan/admin',
      wifi: { ssid: 'Salle 3; "A"', passphrase: 'k3y:with;odd,chars' },
    });
    const banner = startBanner(info, 'ABCD-EFGH');
    const lines = banner.split('\n');
    expect(lines.indexOf('  http://class.lan/')).toBeLessThan(lines.indexOf('  http://10.42.0.1/'));
    expect(banner).toContain('The coordinator: http://class.lan/admin');
    expect(banner).toContain('the setup code is ABCD-EFGH');
    expect(startBanner(info, null)).not.toContain('setup code');
  });

  it('on a development machine (no site name, Node on all addresses) gives the addresses with the port', () => {
    const info = connectInfo(
      { host: '0.0.0.0', port: 8080, allowedOrigins: [] },
      { interfaces: ifaces, networkConf: '/nonexistent' },
    );
    expect(info.siteUrl).toBeNull();
    expect(info.lanUrls).toEqual(['http://10.42.0.1:8080/', 'http://192.168.1.20:8080/']);
    expect(info.adminUrl).toBe('http://10.42.0.1:8080/admin');
    expect(info.wifi).toBeNull();
  });

  it('escapes the Wi-Fi text and draws QR codes that decode back to it', () => {
    const text = wifiQrText('Salle 3; "A"', 'k3y:with;odd,chars');
    expect(text).toBe('WIFI:T:WPA;S:Salle 3\\; \\"A\\";P:k3y\\:with\\;odd\\,chars;;');
    expect(wifiQrText('Open', '')).toBe('WIFI:T:nopass;S:Open;;');
    const svg = qrSvg(text);
    expect(svg).toMatch(/^<svg [^>]*viewBox/);
    // One dark square per dark module of the code for exactly this text.
    const dark = encode(text, { border: 2 }).data.flat().filter(Boolean).length;
    expect(svg.match(/h6v6h-6z/g)?.length).toBe(dark);
  });
});
