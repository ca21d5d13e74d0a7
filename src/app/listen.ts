import type { Server } from 'node:http';
import type { Express } from 'express';
import { AppError } from '../core/errors.js';

export interface Listening {
  server: Server;
  /** The port listened on (the one picked when 0 was asked). */
  port: number;
  /** Stops accepting, closes open (keep-alive) connections, resolves once closed. */
  close: () => Promise<void>;
}

/** Listen with an express app (port 0 picks a free one, for tests): the box, HQ and the package origin. */
export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The URL a client on this machine reaches a listener at. */
export function localUrl(host: string, port: number): string {
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** A listen failure said in the box's terms: which setting, and what to do. */
export function listenError(e: unknown, port: number, setting: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new AppError(
      'port_in_use',
      `port ${port} (${setting}) is already in use: is another fieldclass (or another server) running? Stop it, or choose another port with ${setting}`,
    );
  if (code === 'EACCES')
    return new AppError(
      'port_denied',
      `port ${port} (${setting}) needs privileges this user does not have: use a port above 1023`,
    );
  return e;
}
