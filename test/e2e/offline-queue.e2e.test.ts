/**
 * Unit tests of the phone's queue (src/web/assets/offline.js + store.js), apart from the product's pages:
 * the real scripts in real Chromium with real IndexedDB, on a page served as http://class.lan (not a
 * secure context, as in the classroom), talking to a scripted box over real HTTP that can refuse the
 * connection, apply an operation and lose its answer, be slow, or answer 401/409/503. The page's timers
 * run on Playwright's clock, so the retry delays are read exactly, not timed.
 * What the box does with an operation id (applied once) is tested in test/web.operations-api.test.ts;
 * here: the phone sends in the order the trainee acted, keeps the same operation id on every resend,
 * never has one step in flight twice, and backs off 5 s, 10 s, 20 s, 40 s, 60 s, 60 s... from the last try.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { tLayout } from '../../src/web/messages/layout.messages.js';
import { launchChromium, phoneContext } from '../helpers/browser.js';

const ASSETS = join(PACKAGE_ROOT, 'src', 'web', 'assets');
const SITE = 'http://class.lan';
const SLOW = { timeout: 15_000 };
const T0 = Date.parse('2026-11-30T08:00:00Z');
/** A small catalog of the banner's texts, as the layout hands them (a count's text as its plural forms). */
const TEXTS: Record<string, unknown> = {
  offlineNeedsWifi: 'Next needs Wi-Fi.',
  offlineKept: 'Kept.',
  offlineQueued: { one: '1 waiting', other: '{n} waiting' },
  offlineSent: 'Sent',
  offlineSignIn: 'Sign in again',
  offlineRefused: 'Refused ({reason})',
  offlineQuizGraded: '{quiz}: {percent}',
  offlineAttemptsUsed: '{quiz}: no attempts left',
  offlineCourseReplaced: '{quiz}: course replaced',
};

interface Op {
  opId: string;
  action: string;
  target: { courseId: string; activityId?: string };
  body?: unknown;
  actedAt: string;
}

/** The box as the queue sees it: one endpoint, answering as the test says. */
type Mode = 'up' | 'unreachable' | 'answer-lost' | 'signin' | 'busy' | 'refuse-quiz';

class ScriptedBox {
  mode: Mode = 'up';
  /** Milliseconds the box takes to answer (to hold a request in flight). */
  delayMs = 0;
  /** Every request that reached the endpoint, in arrival order. */
  received: Op[] = [];
  /** The operations applied, once each (the box's operation-id rule, as in src/records/operations.ts). */
  applied = new Map<string, Op>();
  inFlight = new Set<string>();
  /** An operation id received while a request with the same id was still open. */
  overlaps: string[] = [];
  server: Server;
  person = 'p';
  /** The page's language, its banner texts and its "Mark as done" steps. */
  lang = 'en';
  texts = TEXTS;
  steps = ['l1', 'l2', 'l3'];

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  reset(person: string) {
    Object.assign(this, { mode: 'up', delayMs: 0, received: [], overlaps: [], person });
    Object.assign(this, { lang: 'en', texts: TEXTS, steps: ['l1', 'l2', 'l3'] });
    this.applied = new Map();
    this.inFlight = new Set();
  }

  private page() {
    // The settings the layout hands the page script (src/web/layout.tsx), with a small catalog.
    const settings = {
      person: this.person,
      csrf: 'token',
      t: this.texts,
    };
    const step = (id: string) =>
      `<form method="post" action="/done/${id}" data-queue="lesson.complete" data-course="c" data-activity="${id}" data-title="Lesson ${id}">
         <input type="hidden" name="op" value=""><button type="submit" id="done-${id}">Done ${id}</button></form>`;
    return `<!doctype html><html lang="${this.lang}"><head><meta charset="utf-8"><title>queue</title></head><body>
      <p id="fc-banner" hidden></p>
      ${this.steps.map(step).join('')}
      <form method="post" action="/quiz" data-queue="quiz.submit" data-course="c" data-activity="q1" data-title="Quiz">
        <input type="hidden" name="op" value="">
        <label><input type="radio" name="q_a" value="x" checked> x</label>
        <input type="text" name="q_b" value="112">
        <button type="submit" id="send-quiz">Send my answers</button></form>
      <script type="application/json" id="fc-offline">${JSON.stringify(settings)}</script>
      <script>
        // What the test reads: when the script called fetch for an operation (on the page's clock), and
        // each time it rewrote the banner (a flush reported: its retry, if any, is scheduled by then).
        window.__sends = [];
        window.__reports = 0;
        var realFetch = window.fetch;
        window.fetch = function (url, init) {
          if (String(url) === '/api/operations') window.__sends.push(Date.now());
          return realFetch.apply(this, arguments);
        };
        new MutationObserver(function () { window.__reports++; })
          .observe(document.getElementById('fc-banner'), { childList: true });
      </script>
      <script src="/store.js" defer></script>
      <script src="/offline.js" defer></script>
    </body></html>`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/#'))) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(this.page());
    }
    if (req.method === 'GET' && (req.url === '/store.js' || req.url === '/offline.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(join(ASSETS, req.url.slice(1))));
    }
    if (req.method !== 'POST' || req.url !== '/api/operations') {
      res.writeHead(404);
      return res.end();
    }
    // Out of reach: the connection is cut before the box reads anything.
    if (this.mode === 'unreachable') return req.socket.destroy();
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const op = JSON.parse(raw) as Op;
    expect(req.headers['x-csrf-token']).toBe('token');
    if (this.inFlight.has(op.opId)) this.overlaps.push(op.opId);
    this.inFlight.add(op.opId);
    this.received.push(op);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight.delete(op.opId);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    switch (this.mode) {
      case 'signin':
        return json(401, { error: { code: 'unauthenticated' } });
      case 'busy':
        return json(503, { error: { code: 'unavailable' } });
      case 'refuse-quiz':
        if (op.action === 'quiz.submit')
          return json(409, { error: { code: 'no_attempts_left', text: 'no attempts left' } });
        break;
    }
    // Applied once per operation id; a resend is answered with the first result.
    if (!this.applied.has(op.opId)) this.applied.set(op.opId, op);
    if (this.mode === 'answer-lost') return req.socket.destroy();
    const result =
      op.action === 'quiz.submit' ? { percent: 80, url: '#result' } : { url: `#next-${op.opId}` };
    json(200, { opId: op.opId, result });
  }
}

describe('the queue on the phone (offline.js and store.js in Chromium, a scripted box)', () => {
  const box = new ScriptedBox();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let n = 0;

  beforeAll(async () => {
    await new Promise<void>((r) => box.server.listen(0, '127.0.0.1', r));
    const port = (box.server.address() as AddressInfo).port;
    browser = await launchChromium({ hosts: { 'class.lan': `http://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await browser?.close();
    box.server.closeAllConnections();
    await new Promise((r) => box.server.close(r));
  });
  beforeEach(async (t) => {
    box.reset(`trainee-${++n}`);
    await context?.close();
    context = await phoneContext(browser);
    page = await context.newPage();
    // The page's clock stands still unless a test moves it: no retry goes by itself (each test says when).
    await page.clock.install({ time: T0 });
    await page.clock.pauseAt(T0 + 60_000);
    t.onTestFinished(() => context.close());
  });

  const open = async () => {
    await page.goto(`${SITE}/`);
    await expect.poll(() => page.evaluate(() => typeof window.fieldclassQueue)).toBe('object');
  };
  const banner = () => page.locator('#fc-banner').textContent();
  const queued = () =>
    page.evaluate(
      async (person) =>
        (await (await window.fieldclassStore.open(person))!.all('queue')) as {
          opId: string;
          action: string;
        }[],
      box.person,
    );
  const reports = () => page.evaluate(() => (window as unknown as { __reports: number }).__reports);
  const sends = () => page.evaluate(() => (window as unknown as { __sends: number[] }).__sends.slice());
  /**
   * The browser's `online` event, as Chromium fires it when the Wi-Fi comes back. Dispatched rather than
   * caused with context.setOffline: a fetch started while the emulated network changes state can hang
   * until the script's 10 s abort, which never comes on a page clock that stands still.
   */
  const online = () => page.evaluate(() => window.dispatchEvent(new Event('online')));
  const activities = (ops: Op[]) => ops.map((o) => `${o.action} ${o.target.activityId ?? ''}`.trim());

  it('sends in the order the trainee acted, steps and reading progress alike, once the box is back', async () => {
    await open();
    box.mode = 'unreachable';
    await page.locator('#done-l1').click();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 1 waiting');
    await page.evaluate(() => window.fieldclassQueue.progress('c', 'l2', 40));
    await page.locator('#done-l2').click();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 2 waiting');
    await page.locator('#send-quiz').click();
    await expect.poll(banner, SLOW).toBe('3 waiting');
    expect(box.applied.size).toBe(0);
    const waiting = await queued();
    expect(activities(waiting as Op[])).toEqual([
      'lesson.complete l1',
      'lesson.progress l2',
      'lesson.complete l2',
      'quiz.submit q1',
    ]);

    box.mode = 'up';
    box.received = [];
    await online(); // the queue goes at once
    await expect.poll(() => box.applied.size, SLOW).toBe(4);
    // In order, each once, under the operation id it was queued with.
    expect(activities(box.received)).toEqual(activities(waiting as Op[]));
    expect(box.received.map((o) => o.opId)).toEqual(waiting.map((o) => o.opId));
    expect(new Set(box.received.map((o) => o.opId)).size).toBe(4);
    for (const o of box.received) expect(o.opId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
    // The quiz carried every answer; the banner says what became of it; nothing is left on the phone.
    expect(box.received[3]!.body).toEqual({ answers: { a: ['x'], b: ['112'] } });
    await expect.poll(banner, SLOW).toBe('Quiz: 80%');
    expect(await queued()).toEqual([]);
  });

  it('an answer lost after the box applied it: resent under the same operation id, kept until answered', async () => {
    await open();
    box.mode = 'answer-lost';
    await page.locator('#done-l1').click();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 1 waiting');
    expect(box.applied.size).toBe(1);
    const [first] = await queued();
    expect(first!.opId).toBe(box.received[0]!.opId);
    // Lost again on the retry the browser's `online` starts: still the same operation, still queued.
    const before = await reports();
    await online();
    await expect.poll(async () => (await sends()).length, SLOW).toBe(2);
    await expect.poll(reports, SLOW).toBeGreaterThan(before);
    expect((await queued()).map((o) => o.opId)).toEqual([first!.opId]);
    box.mode = 'up';
    await online();
    await expect.poll(banner, SLOW).toBe('Sent');
    expect((await sends()).length).toBe(3);
    // Chromium itself may send a POST again when its connection is cut before the answer (a reused
    // socket): the box can see one send more than once. Every copy is the same operation.
    expect(box.received.length).toBeGreaterThanOrEqual(3);
    expect(new Set(box.received.map((o) => o.opId))).toEqual(new Set([first!.opId]));
    expect(new Set(box.received.map((o) => o.actedAt)).size).toBe(1);
    expect(box.applied.size).toBe(1);
    expect(await queued()).toEqual([]);
  });

  it('a double tap queues one step; flushes started together never have one step in flight twice', async () => {
    await open();
    box.mode = 'unreachable';
    await page.locator('#done-l1').dblclick();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 1 waiting');
    await page.locator('#done-l2').click();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 2 waiting');
    expect((await queued()).length).toBe(2);
    // A slow box, and everything that starts a flush at once: `online` twice, reading progress, a tap.
    box.mode = 'up';
    box.delayMs = 400;
    box.received = [];
    await page.evaluate(() => {
      window.dispatchEvent(new Event('online'));
      window.dispatchEvent(new Event('online'));
      void window.fieldclassQueue.progress('c', 'l3', 10);
    });
    await page.locator('#done-l3').dblclick();
    await expect.poll(() => box.applied.size, SLOW).toBe(4);
    await expect.poll(async () => (await queued()).length, SLOW).toBe(0);
    expect(box.overlaps).toEqual([]);
    expect(box.received.length).toBe(4);
    expect(activities(box.received)).toEqual([
      'lesson.complete l1',
      'lesson.complete l2',
      'lesson.progress l3',
      'lesson.complete l3',
    ]);
  });

  it('retries with backoff from the last try: 5 s, 10 s, 20 s, 40 s, 60 s, 60 s; the browser’s `online` starts again at 5 s', async () => {
    await open();
    box.mode = 'unreachable';
    await page.locator('#done-l1').click();
    await expect.poll(banner, SLOW).toBe('Next needs Wi-Fi. 1 waiting');
    expect((await sends()).length).toBe(1);

    /** Let the page's clock run `ms`; then wait for the flush each send starts to have reported. */
    const run = async (ms: number, expectSends: number) => {
      const before = await reports();
      await page.clock.runFor(ms);
      await expect.poll(async () => (await sends()).length, SLOW).toBe(expectSends);
      await expect.poll(reports, SLOW).toBeGreaterThan(before);
    };
    const gaps = async () => {
      const s = await sends();
      return s.slice(1).map((t, i) => t - s[i]!);
    };
    // Just before each delay nothing is sent; at it, one try. A try that went early would be stamped
    // 1 ms early (the clock stays paused while it is sent), and the gaps below would say so.
    const delays = [5000, 10_000, 20_000, 40_000, 60_000, 60_000];
    for (const [i, d] of delays.entries()) {
      await page.clock.runFor(d - 1);
      await page.waitForTimeout(200);
      expect((await sends()).length).toBe(i + 1);
      await run(1, i + 2);
    }
    expect(await gaps()).toEqual(delays);
    expect(box.received.length).toBe(0); // each try was cut before the box read it
    expect(box.applied.size).toBe(0);

    // The browser says it is online again: a try at once, and the next delay is 5 s again.
    const tries = (await sends()).length;
    const before = await reports();
    await online();
    await expect.poll(async () => (await sends()).length, SLOW).toBe(tries + 1);
    await expect.poll(reports, SLOW).toBeGreaterThan(before);
    await page.clock.runFor(4999);
    await page.waitForTimeout(200);
    expect((await sends()).length).toBe(tries + 1);
    await run(1, tries + 2);
    expect((await gaps()).slice(-1)).toEqual([5000]);
    // And the box is back: the next try sends it; nothing more is tried afterwards.
    box.mode = 'up';
    await run(10_000, tries + 3);
    await expect.poll(banner, SLOW).toBe('Sent');
    expect(box.applied.size).toBe(1);
    await page.clock.runFor(120_000);
    expect((await sends()).length).toBe(tries + 3);
  });

  it('waits without sending more after a 401 (until signed in) and a 503; a refusal is said and does not hold up what follows', async () => {
    await open();
    box.mode = 'signin';
    await page.locator('#done-l1').click();
    await expect.poll(banner, SLOW).toBe('Sign in again');
    await page.locator('#done-l2').click();
    await expect.poll(() => box.received.length, SLOW).toBe(2);
    // Nothing after the step the box would not take yet was sent: l1 twice (its own tap and l2's flush).
    expect(activities(box.received)).toEqual(['lesson.complete l1', 'lesson.complete l1']);
    box.mode = 'busy';
    await page.locator('#send-quiz').click();
    await expect.poll(banner, SLOW).toBe('3 waiting');
    expect(activities(box.received).slice(-1)).toEqual(['lesson.complete l1']);
    expect(box.applied.size).toBe(0);
    // The box takes lessons again but the quiz is refused (attempts used up): said, dropped, not blocking.
    box.mode = 'refuse-quiz';
    await page.evaluate(() => window.fieldclassQueue.progress('c', 'l3', 100));
    await expect.poll(() => box.applied.size, SLOW).toBe(3);
    await expect.poll(banner, SLOW).toBe('Quiz: no attempts left');
    expect([...box.applied.values()].map((o) => `${o.action} ${o.target.activityId}`)).toEqual([
      'lesson.complete l1',
      'lesson.complete l2',
      'lesson.progress l3',
    ]);
    expect(await queued()).toEqual([]);
  });

  it('counts in the page’s language with the catalog’s plural forms: Arabic one, two (the dual), 3-10, 11-99', async () => {
    box.lang = 'ar';
    box.texts = { offlineNeedsWifi: 'Wi-Fi.', offlineQueued: tLayout.text('ar', 'offlineQueued') };
    box.steps = Array.from({ length: 11 }, (_, i) => `l${i + 1}`);
    await open();
    box.mode = 'unreachable';
    // What the page says for each count is what the box's own catalog says for it (one mechanism) ...
    const said: string[] = [];
    for (let i = 1; i <= 11; i++) {
      await page.locator(`#done-l${i}`).click();
      await expect.poll(banner, SLOW).toBe(`Wi-Fi. ${tLayout('ar', 'offlineQueued', { n: i })}`);
      said.push((await banner())!);
    }
    // ... and each count has the form Arabic grammar gives it (no "2 خطوات", no "11 خطوات").
    expect(said[0]).toContain('حُفظت خطوة واحدة');
    expect(said[1]).toContain('حُفظت خطوتان');
    expect(said[2]).toContain('حُفظت 3 خطوات');
    expect(said[9]).toContain('حُفظت 10 خطوات');
    expect(said[10]).toContain('حُفظت 11 خطوةً');
    expect(new Set(said.slice(0, 3).concat(said[10]!)).size).toBe(4);
  });
});

declare global {
  interface Window {
    fieldclassQueue: { progress(c: string, a: string, v: number, leaving?: boolean): Promise<unknown> };
    fieldclassStore: { open(p: string): Promise<{ all(s: string): Promise<unknown[]> } | null> };
  }
}
