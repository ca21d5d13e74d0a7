import { timeZoneSchema } from '../core/time-zone.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { formatZodError, languageSchema } from '../core/config.js';
import { AppError } from '../core/errors.js';

/**
 * HQ's own configuration (HQ is a separate place from a box: its own data dir, database and port).
 * Sources, highest first: command-line flags, `FIELDCLASS_HQ_*` environment variables,
 * `<data>/hq-config.json`, defaults. Parsed once and frozen.
 */
export const hqConfigSchema = z
  .object({
    dataDir: z.string().default('./hq-data'),
    port: z.coerce.number().int().min(0).max(65535).default(8090),
    host: z.string().default('127.0.0.1'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    languages: z.array(languageSchema).min(1).default(['en', 'fr', 'ar']),
    defaultLanguage: languageSchema.default('en'),
    /** The time zone staff read dates in (IANA name); stored times stay UTC. */
    timeZone: timeZoneSchema,
    reports: z
      .object({
        /** Rating comments are a survey: shown without trainee names unless this is set. */
        showRatingNames: z.boolean().default(false),
        /** Rows per page of the Trainees page. */
        pageSize: z.number().int().min(10).max(1000).default(50),
      })
      .prefault({}),
    /** Public origin(s) HQ is reached at (behind a proxy); the request's own Host is always allowed. */
    allowedOrigins: z.array(z.string()).default([]),
    /** Used as the xAPI account homePage of resolved people in `hq export --xapi`. */
    homePage: z.url().default('https://hq.fieldclass.invalid'),
    sessions: z.object({ ttlHours: z.number().positive().default(8) }).prefault({}),
    signinRateLimit: z
      .object({
        perAddressPerMinute: z.number().int().positive().default(20),
        perUsernamePerMinute: z.number().int().positive().default(5),
      })
      .prefault({}),
    /** Largest bundle accepted over HTTP (bytes): the bundle format's own limit (docs/bundle-format.md). */
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024),
    /**
     * POST /api/bundles admission (unauthenticated: a bundle's signature is only known once it is read).
     * Unsigned uploads (boxes older than the manifest headers) are taken at most `perAddress` at a time
     * from one address and `total` at a time, and only while the bytes they declare fit the spool quota.
     * Uploads whose headers carry a valid signed manifest are admitted apart (`perAppliance` at a time),
     * so strangers filling the quota cannot keep a genuine box out. Every upload needs the disk to keep
     * `minFreeDiskBytes` free after it; /healthz says "degraded" below that.
     */
    uploads: z
      .object({
        perAddress: z.number().int().positive().default(2),
        total: z.number().int().positive().default(8),
        perAppliance: z.number().int().positive().default(2),
        spoolQuotaBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024 * 1024),
        minFreeDiskBytes: z
          .number()
          .int()
          .nonnegative()
          .default(1024 * 1024 * 1024),
        /** A body that sends nothing for this long is dropped (its slot freed). */
        idleTimeoutSeconds: z.number().positive().default(60),
        retryAfterSeconds: z.number().int().positive().default(60),
      })
      .prefault({}),
  })
  .strict();

export type HqConfig = Readonly<z.infer<typeof hqConfigSchema>>;

const ENV: Record<string, keyof HqConfig> = {
  FIELDCLASS_HQ_DATA_DIR: 'dataDir',
  FIELDCLASS_HQ_PORT: 'port',
  FIELDCLASS_HQ_HOST: 'host',
  FIELDCLASS_HQ_LOG_LEVEL: 'logLevel',
  FIELDCLASS_HQ_HOME_PAGE: 'homePage',
};

/** Parse HQ's configuration; throws AppError('config_invalid') naming the field. */
export function loadHqConfig(
  flags: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): HqConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[field] = v;
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const dataDir = (defined['dataDir'] ?? fromEnv['dataDir'] ?? './hq-data') as string;
  const file = join(dataDir, 'hq-config.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new AppError('config_invalid', `${file}: ${(e as Error).message}`);
    }
  }
  const result = hqConfigSchema.safeParse({ ...fromFile, ...fromEnv, ...defined });
  if (!result.success) throw new AppError('config_invalid', formatZodError(result.error, 'hq config'));
  return Object.freeze({ ...result.data, dataDir: resolve(result.data.dataDir) });
}
