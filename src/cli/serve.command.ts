import type { Command } from 'commander';
import { processLogger } from '../core/logger.js';
import { startServer } from '../app/box.app.js';
import { openContext } from '../app/context.js';
import { createScheduler } from '../app/jobs.js';
import { configFrom, type GlobalFlags } from './context.js';
import { markServing } from '../core/run-lock.js';
import { connectInfo, startBanner } from '../health/connect.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the appliance: trainee site, coordinator admin and scheduled jobs')
    .option('-p, --port <n>', 'port to listen on (default 8080)')
    .option('--host <addr>', 'address to listen on (default 0.0.0.0)')
    .option('--scorm-port <n>', 'port of the SCORM package origin (default 8081)')
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)')
    .action(async (opts: GlobalFlags & { port?: string; host?: string; scormPort?: string }) => {
      const started = performance.now();
      const config = configFrom(opts, {
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        ...(opts.scormPort !== undefined ? { scorm: { port: opts.scormPort } } : {}),
      });
      const logger = processLogger(config.logLevel);
      const ctx = openContext(config, { logger });
      const scheduler = createScheduler(ctx);
      const running = await startServer(ctx, { scheduler });
      scheduler.start();
      const unmark = markServing(config.dataDir);
      // First run: no coordinator yet, so print the one-time setup code /admin asks for.
      const setupCode = ctx.setup.announceIfNeeded(logger) ?? null;
      // The addresses to give trainees and the setup code in plain lines, whether stdout is a terminal
      // (`npm start`) or the journal (the log's JSON line has them as fields too); the QR only at a terminal.
      const connect = connectInfo(
        { ...config, port: Number(new URL(running.url).port) || config.port },
        { networkConf: ctx.networkConf },
      );
      process.stdout.write(startBanner(connect, setupCode, { qr: !!process.stdout.isTTY }));
      logger.info(
        {
          url: running.url,
          site: connect.siteUrl,
          lan: connect.lanUrls,
          admin: connect.adminUrl,
          dataDir: config.dataDir,
          startupMs: Math.round(performance.now() - started),
        },
        `fieldclass serving on http://${config.host}:${config.port}`,
      );
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping');
        void Promise.all([running.close(), scheduler.stop()]).then(() => {
          ctx.close();
          unmark();
          process.exit(0);
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
