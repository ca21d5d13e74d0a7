import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineErrors, type CodeOf } from './errors.js';
import { languageSchema } from './language.js';
import { FIELD_MESSAGES, isFieldKey } from './validation.js';

/**
 * The one configuration schema. Sources, highest first: command-line flags, environment variables
 * `FIELDCLASS_*`, `config.json` in the data dir, defaults. Parsed once at start and frozen; an invalid value
 * stops the process with a message that names the field.
 */
// The languages are defined in core/language.ts (errors and catalogs use them without the config).
export { languageSchema, type Language } from './language.js';

const cron = z.string().min(9, 'must be a cron expression such as "0 2 * * *"');

export const configSchema = z
  .object({
    port: z.coerce.number().int().min(0, 'must be 0 (any free port) to 65535').max(65535).default(8080),
    host: z.string().default('0.0.0.0'),
    dataDir: z.string().default('./data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    applianceName: z.string().default('fieldclass box'),
    /** Shown to trainees on every page (header and title) instead of "fieldclass". */
    organisation: z
      .object({
        name: z.string().trim().max(80, 'must be 80 characters at most').default(''),
        /** A PNG, SVG, JPEG or WebP file (absolute, or relative to the data dir), at most 256 KB; also the favicon. */
        logo: z
          .string()
          .regex(/\.(png|svg|jpe?g|webp)$/i, 'must be a .png, .svg, .jpg or .webp file')
          .optional(),
      })
      .prefault({}),
    location: z.string().default(''),
    languages: z.array(languageSchema).min(1).default(['en', 'fr', 'ar']),
    defaultLanguage: languageSchema.default('en'),
    /** Public origin(s) the box is reached at, for the Origin check; the request's own Host is always allowed. */
    allowedOrigins: z.array(z.string()).default([]),
    /** Install the courses in content-bundles/ on first start. */
    installSampleCourses: z.boolean().default(true),
    selfSignup: z
      .object({
        enabled: z.boolean().default(false),
        classCode: z.string().min(4).optional(),
      })
      .prefault({}),
    sessions: z.object({ ttlHours: z.number().positive().default(12) }).prefault({}),
    /**
     * Sign-in throttle (people/auth.service.ts SigninLimiter). Failures per username are counted per
     * address, and a browser where the person signed in before is never refused. Per address: a class of
     * 40 behind one NAT address, each mistyping a few times, stays under it.
     */
    signinRateLimit: z
      .object({
        perAddressPerMinute: z.number().int().positive().default(200),
        perUsernamePerMinute: z.number().int().positive().default(5),
        /** Wrong class codes (sign-up) or setup codes per address. */
        codesPerAddressPerMinute: z.number().int().positive().default(40),
      })
      .prefault({}),
    recording: z
      .object({
        /** How long concurrent writes wait to commit together (group commit). */
        groupCommitMs: z.number().min(0).max(50).default(4),
        maxBatch: z.number().int().positive().default(200),
      })
      .prefault({}),
    export: z
      .object({
        schedule: cron.default('0 2 * * *'),
        outboxDir: z.string().optional(),
        keep: z.number().int().positive().default(60),
        usbRoots: z.array(z.string()).default(['/media', '/mnt/usb']),
        /** At most this many journal rows per bundle file (smaller files for slow uploads). */
        maxRowsPerBundle: z.number().int().min(1).max(100_000).default(100_000),
      })
      .prefault({}),
    hq: z
      .object({
        url: z.url().optional(),
        uploadSchedule: cron.default('*/15 * * * *'),
      })
      .prefault({}),
    content: z
      .object({
        trustedKeys: z.array(z.string()).default([]),
        allowUnsigned: z.boolean().default(false),
      })
      .prefault({}),
    /** SCORM packages are served from their own origin (src/learning/scorm.package-app.ts). */
    scorm: z
      .object({
        /** Port of the package origin (0: any free port, for tests). */
        port: z.coerce.number().int().min(0).max(65535).default(8081),
        /** The package origin as browsers reach it, e.g. "http://classpkg.lan" beside an app at "http://class.lan":
         * a host name that is neither the app's nor a parent or child of it, so that package script can
         * neither read nor set the app's cookies; default: the host the page was requested with, on `port`
         * (same site: fine for a developer, not for a classroom). */
        publicOrigin: z.url().optional(),
      })
      .prefault({}),
    backup: z
      .object({
        schedule: cron.default('30 1 * * *'),
        keep: z.number().int().positive().default(7),
      })
      .prefault({}),
    /** The coordinator's admin (src/admin, src/health). */
    admin: z
      .object({
        /**
         * Sets the system clock; the ISO time is appended. Installed by provisioning; a polkit rule lets
         * the service user change the time through timedated (sudo cannot work under NoNewPrivileges).
         */
        setClockCommand: z
          .array(z.string())
          .default(['/opt/fieldclass/current/appliance/bin/fieldclass-set-clock']),
        lowDiskMb: z.number().int().positive().default(1024),
        highTempC: z.number().positive().default(75),
        healthSchedule: cron.default('*/15 * * * *'),
        cleanupSchedule: cron.default('15 3 * * *'),
        /**
         * Show trainees' names beside their course ratings and comments in the reports (default: hidden;
         * the rating form tells the trainee which applies).
         */
        ratingNames: z.boolean().default(false),
        /** job_runs and health snapshots older than this are removed by the cleanup job. */
        keepJobRunsDays: z.number().int().positive().default(90),
      })
      .prefault({}),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Environment variables that map onto config fields (documented in the README). */
const ENV: Record<string, (v: string) => Record<string, unknown>> = {
  FIELDCLASS_PORT: (v) => ({ port: v }),
  FIELDCLASS_HOST: (v) => ({ host: v }),
  FIELDCLASS_SCORM_PORT: (v) => ({ scorm: { port: v } }),
  FIELDCLASS_DATA_DIR: (v) => ({ dataDir: v }),
  FIELDCLASS_LOG_LEVEL: (v) => ({ logLevel: v }),
  FIELDCLASS_APPLIANCE_NAME: (v) => ({ applianceName: v }),
  FIELDCLASS_LOCATION: (v) => ({ location: v }),
  FIELDCLASS_ORGANISATION_NAME: (v) => ({ organisation: { name: v } }),
  FIELDCLASS_ORGANISATION_LOGO: (v) => ({ organisation: { logo: v } }),
  FIELDCLASS_DEFAULT_LANGUAGE: (v) => ({ defaultLanguage: v }),
  FIELDCLASS_SELF_SIGNUP: (v) => ({ selfSignup: { enabled: v === 'true' || v === '1' } }),
  FIELDCLASS_CLASS_CODE: (v) => ({ selfSignup: { classCode: v } }),
  FIELDCLASS_HQ_URL: (v) => ({ hq: { url: v } }),
  FIELDCLASS_ALLOW_UNSIGNED: (v) => ({ content: { allowUnsigned: v === 'true' || v === '1' } }),
  FIELDCLASS_INSTALL_SAMPLES: (v) => ({ installSampleCourses: v === 'true' || v === '1' }),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? merge(prev, v) : v;
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (isObject(o) || Array.isArray(o)) {
    for (const v of Object.values(o as object)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export function formatZodError(err: z.ZodError, source: string): string {
  return (
    err.issues
      // A schema shared with pages names a field message key: the config error says its English text.
      .map(
        (i) =>
          `${source}: ${i.path.length ? i.path.join('.') : '(root)'}: ${isFieldKey(i.message) ? FIELD_MESSAGES[i.message].en : i.message}`,
      )
      .join('\n')
  );
}

export interface LoadConfigOptions {
  /** Values from command-line flags (already named as config fields). */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** A config file to read instead of `<dataDir>/config.json` (the installed box uses /etc/fieldclass). */
  configFile?: string;
}

/** Where one place (the box, HQ) takes its configuration from, beside its schema. */
export interface ConfigSources {
  /** How each environment variable sets part of the config (`FIELDCLASS_PORT` -> `{ port }`). */
  env: Record<string, (v: string) => Record<string, unknown>>;
  /** The data dir when neither a flag nor the environment names one. */
  defaultDataDir: string;
  /** The config file's name inside the data dir. */
  fileName: string;
  /** How errors name this config ("config", "hq config"). */
  label: string;
}

/** The configuration's typed error: a setting that is wrong, named with its field (`{detail}`). */
export const configError = defineErrors({
  config_invalid: {
    status: 400,
    en: '{detail}',
    fr: 'La configuration n’est pas valable : {detail}',
    ar: 'الإعدادات غير صالحة: {detail}',
  },
});
export type ConfigErrorCode = CodeOf<typeof configError>;

/**
 * THE layered config loader, for the box and HQ: flags > environment > the JSON file (<dataDir>/<fileName>
 * or `configFile`) > the schema's defaults, merged deeply (a flag or variable sets one field of a section,
 * the rest of the section stays), parsed by `schema`, the data dir made absolute, frozen all the way down.
 * Throws AppError('config_invalid') naming the field.
 */
export function loadLayeredConfig<S extends z.ZodType<{ dataDir: string }>>(
  schema: S,
  sources: ConfigSources,
  opts: LoadConfigOptions = {},
): Readonly<z.output<S>> {
  const env = opts.env ?? process.env;
  let fromEnv: Record<string, unknown> = {};
  for (const [name, map] of Object.entries(sources.env)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv = merge(fromEnv, map(v));
  }
  const flags = opts.flags ?? {};
  const dataDir = (flags['dataDir'] ?? fromEnv['dataDir'] ?? sources.defaultDataDir) as string;
  const file = opts.configFile ?? join(dataDir, sources.fileName);
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isObject(parsed)) throw new Error('the file must hold a JSON object');
      fromFile = parsed;
    } catch (e) {
      throw configError('config_invalid', { detail: `${file}: ${(e as Error).message}` });
    }
  }
  const result = schema.safeParse(merge(merge(merge({}, fromFile), fromEnv), flags));
  if (!result.success)
    throw configError('config_invalid', { detail: formatZodError(result.error, sources.label) });
  return deepFreeze({ ...result.data, dataDir: resolve(result.data.dataDir) });
}

/** Parse the box's configuration from all sources. Throws AppError('config_invalid') naming the field. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cfg = loadLayeredConfig(
    configSchema,
    { env: ENV, defaultDataDir: './data', fileName: 'config.json', label: 'config' },
    { ...opts, env, configFile: opts.configFile ?? env['FIELDCLASS_CONFIG'] },
  );
  if (cfg.selfSignup.enabled && !cfg.selfSignup.classCode) {
    throw configError('config_invalid', {
      detail: 'config: selfSignup.classCode: required when selfSignup.enabled is true',
    });
  }
  return cfg;
}

/** Defaults only (tests). */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return loadConfig({ flags: overrides, env: {}, configFile: '/nonexistent/config.json' });
}
