import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's chromium: never a browser download (this network refuses them). */
export const CHROMIUM_PATH = process.env['FIELDCLASS_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The classroom's host names, resolved to this machine: phone tests load the app as http://class.lan
 * and packages as http://classpkg.lan (another site), never localhost (a secure context, and a special
 * case for cookies).
 */
export const LAN_HOSTS = { app: 'class.lan', packages: 'classpkg.lan' } as const;
export const LAN_RESOLVER = `--host-resolver-rules=MAP ${LAN_HOSTS.app} 127.0.0.1, MAP ${LAN_HOSTS.packages} 127.0.0.1`;

/** Launch headless Chromium; throws a clear error saying what to install when it is missing. */
export async function launchChromium(extraArgs: string[] = [LAN_RESOLVER]): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (Debian) or set FIELDCLASS_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
}

/** A phone-sized page context (360x740, touch), in a language. */
export async function phoneContext(
  browser: Browser,
  opts: { locale?: string; javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: opts.locale ?? 'en-US',
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
  });
}
