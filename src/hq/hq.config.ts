import { timeZoneSchema } from '../core/time-zone.js';
import { z } from 'zod';
import { languageSchema, loadLayeredConfig } from '../core/config.js';

/**
 * HQ's own configuration (HQ is a separate place from a box: its own data dir, database and port).
 * Sources, highest first: command-line flags, `FIELDCLASS_HQ_*` environment variables,
 * `<data>/hq-config.json`, defaults: the box's layered loader (deep merge, frozen all the way down).
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

/** HQ's environment variables: each sets one field. */
const ENV: Record<string, (v: string) => Record<string, unknown>> = {
  FIELDCLASS_HQ_DATA_DIR: (v) => ({ dataDir: v }),
  FIELDCLASS_HQ_PORT: (v) => ({ port: v }),
  FIELDCLASS_HQ_HOST: (v) => ({ host: v }),
  FIELDCLASS_HQ_LOG_LEVEL: (v) => ({ logLevel: v }),
  FIELDCLASS_HQ_HOME_PAGE: (v) => ({ homePage: v }),
};

/** Parse HQ's configuration through the one layered loader (core/config.ts); throws 'config_invalid'. */
export function loadHqConfig(
  flags: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): HqConfig {
  return loadLayeredConfig(
    hqConfigSchema,
    { env: ENV, defaultDataDir: './hq-data', fileName: 'hq-config.json', label: 'hq config' },
    { flags, env },
  );
}
