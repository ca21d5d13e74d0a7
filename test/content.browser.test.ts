import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { testServer } from './helpers/context.js';

const FIXTURE = join(PACKAGE_ROOT, 'test', 'fixtures', 'courses', 'fixture-course');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let srv: Awaited<ReturnType<typeof testServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  srv = await testServer();
  srv.ctx.content.installFolder(FIXTURE);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await srv?.cleanup();
});

describe('video from the content store in Chromium', () => {
  it('plays the lesson video and seeks to a later time', async () => {
    const html = srv.ctx.content.getLesson('fixture-course', 'video', 'en')!.html;
    const sha = createHash('sha256')
      .update(readFileSync(join(FIXTURE, 'media/clip.webm')))
      .digest('hex');
    expect(html).toContain(`/c/${sha}.webm`);
    const page = await browser.newPage();
    const mediaStatuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.webm')) mediaStatuses.push(r.status());
    });
    // The lesson page itself belongs to another feature: serve the stored lesson HTML at the box's own
    // origin, so that the <video> talks to the real /c/ route.
    await page.route(`${srv.url}/lesson-under-test`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: `<!doctype html><main>${html}</main>` }),
    );
    await page.goto(`${srv.url}/lesson-under-test`);
    const result = await page.evaluate(async () => {
      const v = document.querySelector('video')!;
      v.muted = true;
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      const seekableEnd = v.seekable.length ? v.seekable.end(v.seekable.length - 1) : 0;
      const seeked = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      v.currentTime = 6;
      await seeked;
      if (v.readyState < 2) await new Promise((r) => v.addEventListener('canplay', r, { once: true }));
      return {
        duration: v.duration,
        seekableEnd,
        currentTime: v.currentTime,
        readyState: v.readyState,
        error: v.error?.message ?? null,
        tracks: v.textTracks.length,
      };
    });
    expect(result.error).toBeNull();
    expect(result.duration).toBeCloseTo(8, 0);
    // A server without Range support gives Chromium nothing seekable beyond what it has buffered.
    expect(result.seekableEnd).toBeCloseTo(8, 0);
    expect(result.currentTime).toBeCloseTo(6, 0);
    expect(result.readyState).toBeGreaterThanOrEqual(2);
    expect(result.tracks).toBe(1);
    expect(mediaStatuses).toContain(206);
    await page.close();
  });
});
