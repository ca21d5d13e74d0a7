import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../src/app/box.app.js';
import { testContext } from './helpers/context.js';

const occupy = (): Promise<{ server: Server; port: number }> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

describe('serve on a port that is taken', () => {
  it('names the setting for the trainee site port', async () => {
    const taken = await occupy();
    cleanups.push(() => taken.server.close());
    const ctx = testContext({ port: taken.port, scorm: { port: 0 } });
    cleanups.push(() => ctx.cleanup());
    const e = await startServer(ctx).then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string },
    );
    expect(e?.code).toBe('port_in_use');
    expect(e?.message).toContain(`port ${taken.port} (--port or FIELDCLASS_PORT) is already in use`);
  });

  it('names the setting for the SCORM package port', async () => {
    const taken = await occupy();
    cleanups.push(() => taken.server.close());
    const free = await occupy();
    const port = free.port;
    await new Promise((r) => free.server.close(r));
    const ctx = testContext({ port, scorm: { port: taken.port } });
    cleanups.push(() => ctx.cleanup());
    const e = await startServer(ctx).then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string },
    );
    expect(e?.code).toBe('port_in_use');
    expect(e?.message).toContain(`port ${taken.port} (--scorm-port or FIELDCLASS_SCORM_PORT)`);
  });
});
