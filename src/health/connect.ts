import { readFileSync } from 'node:fs';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { renderSVG, renderUnicodeCompact } from 'uqr';

/**
 * How trainees and the coordinator reach the box: the site's name (http://class.lan/ on a provisioned box),
 * the LAN addresses a phone can type, the admin address, and the Wi-Fi to join. Shown at a terminal when
 * the box starts, and on the dashboard with QR codes drawn on the server (no script, no CDN).
 */
export interface ConnectInfo {
  /** The site's name, when the box has one (the first of config.allowedOrigins), e.g. http://class.lan/ */
  siteUrl: string | null;
  /** http://<address>[:port]/ for each IPv4 address of the box on a network (loopback aside). */
  lanUrls: string[];
  /** Where the coordinator signs in. */
  adminUrl: string;
  /** The box's own access point, when its network settings are readable. */
  wifi: { ssid: string; passphrase: string } | null;
}

/** The network settings the installer writes (appliance/config/network.conf.default). */
export const NETWORK_CONF = '/etc/fieldclass/network.conf';

export function connectInfo(
  config: { host: string; port: number; allowedOrigins: readonly string[] },
  opts: { interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>; networkConf?: string } = {},
): ConnectInfo {
  const site = config.allowedOrigins.find((o) => /^https?:\/\/[^/]*[a-z]/i.test(o));
  const siteUrl = site ? `${site.replace(/\/+$/, '')}/` : null;
  const loopbackOnly = /^(127\.|::1$|localhost$)/.test(config.host);
  // Behind the box's nginx (Node on loopback), phones reach the site on port 80; otherwise on Node's port.
  const port = loopbackOnly ? 80 : config.port;
  const portPart = port === 80 ? '' : `:${port}`;
  const lanUrls: string[] = [];
  if (!loopbackOnly || siteUrl) {
    for (const list of Object.values(opts.interfaces ?? networkInterfaces()))
      for (const a of list ?? [])
        if (
          a.family === 'IPv4' &&
          !a.internal &&
          (config.host === '0.0.0.0' || config.host === a.address || loopbackOnly)
        )
          lanUrls.push(`http://${a.address}${portPart}/`);
  }
  const home = siteUrl ?? lanUrls[0] ?? `http://127.0.0.1:${config.port}/`;
  return { siteUrl, lanUrls, adminUrl: `${home}admin`, wifi: readWifi(opts.networkConf ?? NETWORK_CONF) };
}

function readWifi(path: string): ConnectInfo['wifi'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const value = (name: string) =>
    new RegExp(`^${name}=(.*)$`, 'm')
      .exec(text)?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, '$1');
  const ssid = value('SSID');
  const passphrase = value('PASSPHRASE');
  if (!ssid || value('WIFI') === 'off') return null;
  return { ssid, passphrase: passphrase ?? '' };
}

/** The text a phone's camera reads as "join this Wi-Fi" (the ZXing WIFI: format; \ ; , : " escaped). */
export function wifiQrText(ssid: string, passphrase: string): string {
  const esc = (s: string) => s.replace(/([\\;,:"])/g, '\\$1');
  return passphrase ? `WIFI:T:WPA;S:${esc(ssid)};P:${esc(passphrase)};;` : `WIFI:T:nopass;S:${esc(ssid)};;`;
}

/** A QR code as an SVG element (black on white, a quiet zone around it), for a page. */
export function qrSvg(text: string): string {
  return renderSVG(text, { border: 2, pixelSize: 6 });
}

/**
 * The start banner, in plain lines (a terminal, or the service's journal: `journalctl -u fieldclass`): the
 * address to give trainees first, then the others, the admin address, the setup code while no coordinator
 * exists, and (at a terminal) a QR code of the site.
 */
export function startBanner(
  info: ConnectInfo,
  setupCode: string | null,
  opts: { qr?: boolean } = {},
): string {
  const lines: string[] = ['', 'fieldclass is running. Trainees open:'];
  if (info.siteUrl) lines.push(`  ${info.siteUrl}`);
  for (const u of info.lanUrls) lines.push(`  ${u}`);
  if (!info.siteUrl && !info.lanUrls.length) lines.push('  (this computer only: no network address found)');
  if (info.wifi) lines.push(`on the Wi-Fi "${info.wifi.ssid}"`);
  lines.push('', `The coordinator: ${info.adminUrl}`);
  if (setupCode) lines.push(`First run: the setup code is ${setupCode} (asked at ${info.adminUrl})`);
  const first = info.siteUrl ?? info.lanUrls[0];
  if (first && opts.qr !== false) lines.push('', renderUnicodeCompact(first, { border: 1 }));
  return lines.join('\n') + '\n';
}
