import type { Clock } from '../src/core/clock.js';
import { testConfig } from '../src/core/config.js';
import { silentLogger, type Logger } from '../src/core/logger.js';
import { FixedHealthProbe } from '../src/health/health.probe.js';
import type { ClockSetter } from '../src/health/clock-setter.js';
import { startServer, type RunningServer } from '../src/app/box.app.js';
import { openContext, type AppContext } from '../src/app/context.js';
import { tempDir } from './helpers/context.js';
import { Browserless } from './helpers/http.js';

/** A clock setter that records what it was asked, and fails when told to. */
export class FakeClockSetter implements ClockSetter {
  calls: Date[] = [];
  failWith: string | null = null;
  set(time: Date): Promise<void> {
    this.calls.push(time);
    return this.failWith ? Promise.reject(new Error(this.failWith)) : Promise.resolve();
  }
}

export interface AdminServer {
  ctx: AppContext;
  server: RunningServer;
  url: string;
  dir: string;
  probe: FixedHealthProbe;
  clock: FakeClockSetter;
  cleanup(): Promise<void>;
}

/** A real server over a real data dir, with a fake health probe and clock setter. */
export async function adminServer(
  overrides: Record<string, unknown> = {},
  opts: { sticks?: string[]; clock?: Clock; networkConf?: string; logger?: Logger } = {},
): Promise<AdminServer> {
  const t = tempDir('fieldclass-admin-');
  const probe = new FixedHealthProbe();
  const clock = new FakeClockSetter();
  const ctx = openContext(
    testConfig({ dataDir: t.dir, port: 0, host: '127.0.0.1', installSampleCourses: false, ...overrides }),
    {
      logger: opts.logger ?? silentLogger,
      healthProbe: probe,
      clockSetter: clock,
      ...(opts.clock ? { clock: opts.clock } : {}),
      // No test reads the machine's own /etc/fieldclass/network.conf.
      networkConf: opts.networkConf ?? '/nonexistent/network.conf',
      ...(opts.sticks ? { stickProbe: { sticks: () => opts.sticks! } } : {}),
    },
  );
  const server = await startServer(ctx);
  return {
    ctx,
    server,
    url: server.url,
    dir: t.dir,
    probe,
    clock,
    async cleanup() {
      await server.close();
      ctx.close();
      t.cleanup();
    },
  };
}

/**
 * Sign a coordinator in through the admin sign-in form, the browser asking for `lang`; returns the client
 * holding the session.
 */
export async function coordinatorClient(
  url: string,
  username: string,
  password: string,
  lang = 'en',
): Promise<Browserless> {
  const b = new Browserless(url, { 'accept-language': lang });
  const res = await b.submit('/admin/signin', '/admin/signin', { username, password });
  if (res.status !== 303) throw new Error(`coordinator sign-in failed: ${res.status}`);
  return b;
}

/** POST a multipart form (a file upload) the way a browser does, CSRF token in the action URL. */
export async function postFile(
  b: Browserless,
  pagePath: string,
  action: string,
  file: { name: string; data: Buffer | string; type?: string },
  fields: Record<string, string> = {},
): Promise<Response> {
  const { html } = await b.page(pagePath);
  const csrf = Browserless.csrfOf(html);
  const form = new FormData();
  const op = Browserless.opOf(html, action);
  if (op && !('op' in fields)) form.append('op', op);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(
    'file',
    new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], {
      type: file.type ?? 'text/csv',
    }),
    file.name,
  );
  const res = await fetch(`${b.base}${action}?_csrf=${encodeURIComponent(csrf)}`, {
    method: 'POST',
    redirect: 'manual',
    body: form,
    headers: {
      accept: 'text/html',
      origin: new URL(b.base).origin,
      cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
  });
  return res;
}
