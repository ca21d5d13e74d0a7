import type { Params } from '../core/language.js';
import type { JobMessageKey } from './jobs.messages.js';

/** What a run did: a key of the jobs catalog (jobs.messages.ts) and its params, said in each reader's language. */
export interface JobMessage {
  key: JobMessageKey;
  params?: Params;
}

/**
 * A scheduled job as a feature declares it: plain data, built from the services the job uses and
 * registered by the wiring (src/app/jobs.ts) at serve time, never at import. `run` returns what it did as
 * a message key (kept in job_runs, shown translated) or throws: an AppError is kept as its code and
 * params (its text in the error catalogs), any other error as an internal failure (the log has it).
 */
export interface Job {
  /** Unique, kebab-case: 'export', 'usb-copy', 'upload', 'backup'... */
  name: string;
  /** Cron expression (node-cron, 5 or 6 fields), usually from config. */
  schedule: string;
  /** One-line description (English: the log, the CLI); the admin shows the catalog's `jobDesc_<name>`. */
  description: string;
  run(): Promise<JobMessage | void> | JobMessage | void;
}
