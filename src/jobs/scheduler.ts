import cron, { type ScheduledTask } from 'node-cron';
import { configError } from '../core/config.js';
import { isAppError } from '../core/errors.js';
import type { Params } from '../core/language.js';
import { jobsError } from './jobs.errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/connection.js';
import type { RecordsService } from '../records/records.service.js';
import type { Job } from './job.types.js';
import { tJobs } from './jobs.messages.js';
import { JobRunsRepo, type JobRunRow } from './job-runs.repo.js';
import { isStoredSchedule, SCHEDULE_OFF } from './simple-schedule.js';

export interface JobRunResult {
  job: string;
  outcome: 'ok' | 'error';
  /** English, for the log and the CLI. */
  message: string;
  /** What the page says: a jobs catalog key (ok) or an error code (error); null when the job said nothing. */
  messageKey: string | null;
  messageParams: Params | null;
  durationMs: number;
}

export interface JobStatus {
  name: string;
  schedule: string;
  description: string;
  running: boolean;
  lastRun: JobRunRow | undefined;
  /** When its cron task runs next (UTC ISO), while the scheduler is started. */
  nextRun: string | undefined;
}

/** What the scheduler works with (a box's context has all of it). */
export interface SchedulerDeps {
  db: { records: Db };
  records: RecordsService;
  clock: Clock;
  logger: Logger;
  /** The box's time zone (records/time-zone.service.ts): cron times are read in it, and follow its changes. */
  timeZone: { get(): string; onChange(fn: (zone: string) => void): () => void };
}

/**
 * Runs jobs on their cron schedules (node-cron) and on demand (`runNow`). A job never overlaps itself: a
 * tick that comes while the previous run is still going is skipped. Every run is recorded in job_runs.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<string, Promise<JobRunResult>>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly taskByJob = new Map<string, ScheduledTask>();
  private readonly runs: JobRunsRepo;
  private started = false;
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly ctx: SchedulerDeps,
    jobs: readonly Job[],
  ) {
    this.runs = new JobRunsRepo(ctx.db.records);
    for (const j of jobs) {
      if (this.jobs.has(j.name)) throw new Error(`two jobs are named ${j.name}`);
      if (!isStoredSchedule(j.schedule)) {
        throw configError('config_invalid', {
          detail: `job ${j.name}: "${j.schedule}" is not a valid cron expression`,
        });
      }
      this.jobs.set(j.name, j);
    }
  }

  /** Start the cron tasks. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const j of this.jobs.values()) this.schedule(j);
    // "Every day at 01:30" means 01:30 where the box is: a new zone re-creates every task in it.
    this.unfollow = this.ctx.timeZone.onChange(() => {
      for (const name of [...this.taskByJob.keys()]) this.replaceTask(name);
    });
    this.ctx.logger.info(
      { jobs: [...this.jobs.keys()], timeZone: this.ctx.timeZone.get() },
      'scheduler started',
    );
  }

  /** The time zone the cron tasks run in. */
  timeZone(): string {
    return this.ctx.timeZone.get();
  }

  /**
   * Give a job a new schedule now (the admin's Schedule page): its cron task is replaced; a run in
   * progress goes on. Throws schedule_invalid for an invalid expression, job_unknown for an unknown job.
   */
  reschedule(name: string, schedule: string): void {
    const j = this.jobs.get(name);
    if (!j) throw jobsError('job_unknown', { job: name });
    if (!isStoredSchedule(schedule)) {
      throw jobsError('schedule_invalid', { schedule });
    }
    this.jobs.set(name, { ...j, schedule });
    this.replaceTask(name);
  }

  /**
   * A started scheduler's cron task for a job made again (new schedule or new zone), or dropped when the
   * job is now off; a run in progress goes on.
   */
  private replaceTask(name: string): void {
    const j = this.jobs.get(name);
    if (!j || !this.started) return;
    const old = this.taskByJob.get(name);
    if (old) {
      this.tasks.splice(this.tasks.indexOf(old), 1);
      this.taskByJob.delete(name);
      void Promise.resolve(old.stop()).then(() => old.destroy());
    }
    this.schedule(j);
  }

  /** The job's cron task, in the box's zone; none for a job that is off (it runs only on "run now"). */
  private schedule(j: Job): void {
    if (j.schedule === SCHEDULE_OFF) return;
    const task = cron.createTask(
      j.schedule,
      async () => {
        if (this.running.has(j.name)) {
          this.ctx.logger.warn({ job: j.name }, 'previous run still going: tick skipped');
          return;
        }
        await this.execute(j);
      },
      { name: j.name, timezone: this.ctx.timeZone.get() },
    );
    void task.start();
    this.tasks.push(task);
    this.taskByJob.set(j.name, task);
  }

  /** Stop the cron tasks and wait for the runs in progress. */
  async stop(): Promise<void> {
    this.started = false;
    this.unfollow?.();
    this.unfollow = undefined;
    this.taskByJob.clear();
    for (const t of this.tasks.splice(0)) {
      await t.stop();
      await t.destroy();
    }
    await Promise.allSettled([...this.running.values()]);
  }

  /** Whether the cron tasks run (the serve command starts them; a test server does not). */
  isStarted(): boolean {
    return this.started;
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  /** The newest runs of a job, newest first. */
  recentRuns(name: string, limit = 20): JobRunRow[] {
    return this.runs.recent(name, limit);
  }

  lastRun(name: string): JobRunRow | undefined {
    return this.runs.last(name);
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map((j) => ({
      name: j.name,
      schedule: j.schedule,
      description: j.description,
      running: this.running.has(j.name),
      lastRun: this.runs.last(j.name),
      nextRun: this.taskByJob.get(j.name)?.getNextRun()?.toISOString(),
    }));
  }

  /** Run a job now (admin button, tests). Throws job_busy if it is running already. */
  runNow(name: string): Promise<JobRunResult> {
    const j = this.jobs.get(name);
    if (!j) throw jobsError('job_unknown', { job: name });
    if (this.running.has(name)) throw jobsError('job_busy', { job: name });
    return this.execute(j);
  }

  private execute(j: Job): Promise<JobRunResult> {
    const { records, clock, logger } = this.ctx;
    const started = performance.now();
    const id = records.writeNow(() => this.runs.start(j.name, clock.now().toISOString()));
    const p = (async (): Promise<JobRunResult> => {
      let outcome: 'ok' | 'error' = 'ok';
      let message = '';
      let messageKey: string | null = null;
      let messageParams: Params | null = null;
      try {
        const said = await j.run();
        if (said) {
          message = tJobs('en', said.key, said.params);
          messageKey = said.key;
          messageParams = said.params ?? null;
        }
      } catch (e) {
        outcome = 'error';
        message = e instanceof Error ? e.message : String(e);
        // A typed error is said in the reader's language by its code; anything else is the box's fault.
        messageKey = isAppError(e) ? e.code : 'internal';
        messageParams = isAppError(e) ? (e.params ?? null) : null;
        logger.error({ job: j.name, err: e }, 'job failed');
      }
      const durationMs = Math.round(performance.now() - started);
      try {
        records.writeNow(() =>
          this.runs.finish(id, {
            at: clock.now().toISOString(),
            outcome,
            message,
            messageKey,
            messageParams,
            durationMs,
          }),
        );
      } catch (e) {
        logger.error({ job: j.name, err: e }, 'could not record the job run');
      }
      return { job: j.name, outcome, message, messageKey, messageParams, durationMs };
    })();
    this.running.set(j.name, p);
    void p.finally(() => this.running.delete(j.name));
    return p;
  }
}
