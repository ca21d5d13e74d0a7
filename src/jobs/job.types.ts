/**
 * A scheduled job as a feature declares it: plain data, built from the services the job uses and
 * registered by the wiring (src/app/jobs.ts) at serve time, never at import. `run` returns a short message
 * for job_runs (what it did) or throws (recorded as an error).
 */
export interface Job {
  /** Unique, kebab-case: 'export', 'usb-copy', 'upload', 'backup'... */
  name: string;
  /** Cron expression (node-cron, 5 or 6 fields), usually from config. */
  schedule: string;
  /** One-line description shown on the admin page. */
  description: string;
  run(): Promise<string | void> | string | void;
}
