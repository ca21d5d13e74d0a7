import { request } from 'node:http';
import { createServer } from 'node:net';

/**
 * A tiny cookie-keeping HTTP client for integration tests: real requests to a real server, like a browser
 * that does not run JavaScript (forms posted as urlencoded, redirects not followed, cookies kept).
 * `connectTo` sends the requests to that address while keeping the base's host name (Host header, Origin),
 * as a phone does whose DNS answers http://class.lan with the box's address (fetch cannot set Host).
 */
export class Browserless {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = {},
    private readonly connectTo?: string,
  ) {}

  private send(
    path: string,
    init: { method?: string; headers: Record<string, string>; body?: string },
  ): Promise<Response> {
    if (!this.connectTo) return fetch(this.base + path, { ...init, redirect: 'manual' });
    const url = new URL(this.base + path);
    const body = init.body;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.connectTo,
          port: url.port || 80,
          path: url.pathname + url.search,
          method: init.method ?? 'GET',
          headers: { ...init.headers, host: url.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, x);
            const status = res.statusCode ?? 502;
            const nobody = status === 204 || status === 304;
            resolve(new Response(nobody ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, decodeURIComponent(value));
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.send(path, {
      headers: { accept: 'text/html', cookie: this.cookieHeader(), ...this.headers, ...headers },
    });
    this.keep(res);
    return res;
  }

  async page(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
    const res = await this.get(path, headers);
    return { status: res.status, html: await res.text() };
  }

  /** The `_csrf` value of the first form in a page. */
  static csrfOf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no _csrf field in the page');
    return m[1]!;
  }

  async post(
    path: string,
    form: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.send(path, {
      method: 'POST',
      body: body.toString(),
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(this.base).origin,
        cookie: this.cookieHeader(),
        ...this.headers,
        ...headers,
      },
    });
    this.keep(res);
    return res;
  }

  /** POST JSON as the pages' scripts do: the CSRF token in the X-CSRF-Token header; `headers` override. */
  async postJson(
    path: string,
    data: unknown,
    csrf: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const res = await this.send(path, {
      method: 'POST',
      body: JSON.stringify(data),
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-csrf-token': csrf,
        origin: new URL(this.base).origin,
        cookie: this.cookieHeader(),
        ...this.headers,
        ...headers,
      },
    });
    this.keep(res);
    return res;
  }

  /**
   * The operation id (`op`) of the page's first form that posts to `action`, as a browser would send it;
   * undefined when that form has none (a sign-in, a trainee's page).
   */
  static opOf(html: string, action: string): string | undefined {
    for (const m of html.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
      if (m[1]!.replace(/&amp;/g, '&').split('?')[0] !== action) continue;
      return /name="op" value="([^"]+)"/.exec(m[2]!)?.[1];
    }
    return undefined;
  }

  /** GET a page, then post its form (with its CSRF token and, if it has one, its operation id) to `action`. */
  async submit(
    pagePath: string,
    action: string,
    form: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const { html } = await this.page(pagePath);
    const op = Browserless.opOf(html, action);
    return this.post(action, { _csrf: Browserless.csrfOf(html), ...(op ? { op } : {}), ...form }, headers);
  }
}

/** A TCP port free on 127.0.0.1 right now (for a second server the test starts, e.g. the packages' site). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
  });
}
