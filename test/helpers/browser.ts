import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

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

/** The classroom's host names: the app, and the packages on a site of their own. */
export const LAN_HOSTS = { app: 'class.lan', packages: 'classpkg.lan' } as const;

/**
 * Launch headless Chromium; throws a clear error saying what to install when it is missing.
 * `hosts` maps LAN names to test servers (`{ 'class.lan': 'http://127.0.0.1:41234' }`), so that pages load
 * as `http://class.lan` on port 80 the way phones reach the box: a plain-HTTP name is not a secure context
 * (no service worker, no Cache Storage), where localhost and 127.0.0.1 would be.
 */
export async function launchChromium(opts: { hosts?: Record<string, string> } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (Debian) or set FIELDCLASS_CHROMIUM`,
    );
  }
  const rules = Object.entries(opts.hosts ?? {}).map(([name, target]) => {
    const u = new URL(target);
    // "name" is reached on port 80; "name:port" on that port (a second server on the same name).
    return `MAP ${name.includes(':') ? name : `${name}:80`} ${u.hostname}:${u.port || '80'}`;
  });
  const args = rules.length ? [...CHROMIUM_ARGS, `--host-resolver-rules=${rules.join(',')}`] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
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

/**
 * A trainee signs in on the box's sign-in page (`site` + '/') and the test goes on once the box has
 * answered with a signed-in page: the sign-in form is gone (the URL is '/' before and after, so it
 * cannot tell).
 */
export async function signInTrainee(page: Page, site: string, username: string, pin = '2468'): Promise<void> {
  await page.goto(`${site}/`);
  await page.locator('#username').fill(username);
  await page.locator('#pin').fill(pin);
  await page.locator('form[action="/signin"] button[type="submit"]').click();
  // A locator wait, not expect.poll: this also runs in beforeAll, where vitest has no test to poll in.
  await page.locator('form[action="/signin"]').waitFor({ state: 'detached', timeout: 20_000 });
}

/**
 * Double-click a submit button as a hurried thumb does, and wait for where the page ends up (`to`),
 * loaded. A native double submit can send twice, the second aborting the first navigation
 * (net::ERR_ABORTED): so no single navigation is awaited, only the URL it settles on.
 */
export async function doubleSubmit(page: Page, button: Locator, to: RegExp): Promise<void> {
  await button.dblclick();
  await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(to);
  await page.waitForLoadState();
}
