/**
 * A tiny cookie-keeping HTTP client for integration tests: real requests to a real server, like a browser
 * that does not run JavaScript (forms posted as urlencoded, redirects not followed, cookies kept).
 */
export class Browserless {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

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
    const res = await fetch(this.base + path, {
      redirect: 'manual',
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
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      body,
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

  /** GET a page, then post its form (with its CSRF token) to `action`. */
  async submit(
    pagePath: string,
    action: string,
    form: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const { html } = await this.page(pagePath);
    return this.post(action, { _csrf: Browserless.csrfOf(html), ...form }, headers);
  }
}
