import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openBundle,
  singleKeyResolver,
  verifyBundle,
  type BundleRow,
  type UploadReceipt,
} from '../src/contract/bundle-format.js';
import { BundlesRepo } from '../src/bundles/bundles.repo.js';
import { bundleServices } from '../src/bundles/bundles.module.js';
import { bundleJobs } from '../src/bundles/bundles.jobs.js';
import { EXPORT_CURSOR, EXPORT_PENDING } from '../src/bundles/export.service.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import type { JobMessage } from '../src/jobs/job.types.js';
import { createScheduler } from '../src/app/jobs.js';
import type { AppContext } from '../src/app/context.js';
import { tempDir, testContext } from './helpers/context.js';

type Ctx = ReturnType<typeof testContext>;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ctxWith(over: Record<string, unknown> = {}): Ctx {
  const ctx = testContext(over);
  cleanups.push(() => ctx.cleanup());
  return ctx;
}

/** Append `n` statements (and a person first) the way the learning loop does. */
function record(ctx: AppContext, n: number): void {
  ctx.records.writeNow(() => {
    const person = { id: `p-${ctx.records.lastSeq() + 1}`, displayName: 'Amina' };
    ctx.records.appendJournal('person', person.id, {
      id: person.id,
      role: 'trainee',
      username: 'amina',
      displayName: 'Amina',
      externalId: 'OFF-1',
      agency: null,
      gender: null,
      language: null,
      active: true,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    for (let i = 0; i < n; i++) {
      ctx.records.appendStatement(
        ctx.records.buildStatement({
          person,
          verb: 'experienced',
          courseId: 'c1',
          activityId: `a${i}`,
          activityType: 'lesson',
        }),
      );
    }
  });
}

async function rowsOf(ctx: AppContext, path: string): Promise<BundleRow[]> {
  const id = ctx.identity.show();
  const b = await openBundle(path, {
    resolveKey: singleKeyResolver({ publicKey: id.publicKey, applianceId: id.applianceId }),
  });
  const out: BundleRow[] = [];
  for await (const r of b.rows()) out.push(r);
  return out;
}

describe('identity', () => {
  it('makes an Ed25519 key pair at first start, private key mode 0600, stable across opens', () => {
    const ctx = ctxWith();
    const key = statSync(ctx.identity.privateKeyPath);
    expect(key.mode & 0o777).toBe(0o600);
    expect(readFileSync(ctx.identity.publicKeyPath, 'utf8')).toContain('BEGIN PUBLIC KEY');
    const id = ctx.identity.show();
    expect(id.applianceId).toBe(ctx.records.applianceId);
    expect(id.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.identity.ensure()).toBe(false);
    expect(ctx.identity.show()).toEqual(id);
    const req = ctx.identity.request();
    expect(req).toMatchObject({ ...id, name: ctx.config.applianceName, location: ctx.config.location });
  });
});

describe('export', () => {
  it('writes every pending row once, incrementally, hash-chained, and then nothing', async () => {
    const ctx = ctxWith();
    const { exporter } = ctx.bundles;
    expect(await exporter.export()).toEqual([]);
    record(ctx, 9); // seq 1..10
    const [b1, ...more] = await exporter.export();
    expect(more).toEqual([]);
    expect(b1!.path.startsWith(join(ctx.dir, 'outbox'))).toBe(true);
    expect(b1!.manifest).toMatchObject({
      bundleSeq: 1,
      fromSeq: 1,
      toSeq: 10,
      prevSha256: null,
      reexport: false,
    });
    expect(b1!.manifest.counts).toEqual({
      statement: 9,
      person: 1,
      cohort: 0,
      enrolment: 0,
      course: 0,
      adjustment: 0,
    });
    const rows1 = await rowsOf(ctx, b1!.path);
    expect(rows1.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows1[1]!.body).toMatchObject({ verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' } });
    expect(ctx.records.getMeta(EXPORT_CURSOR)).toBe('10');
    expect(await exporter.export()).toEqual([]);

    record(ctx, 4); // 11..15
    const [b2] = await exporter.export();
    expect(b2!.manifest).toMatchObject({ bundleSeq: 2, fromSeq: 11, toSeq: 15, prevSha256: b1!.sha256 });
    const list = exporter.list();
    expect(list.map((b) => [b.seq, b.from_seq, b.to_seq, b.state, b.present])).toEqual([
      [1, 1, 10, 'written', true],
      [2, 11, 15, 'written', true],
    ]);
    // No leftovers: no temp file, no lock.
    expect(readdirSync(join(ctx.dir, 'outbox')).sort()).toEqual(
      list.map((b) => b.file.split('/').pop()).sort(),
    );
  });

  it('splits a large backlog into contiguous bundles', async () => {
    const ctx = ctxWith();
    record(ctx, 24); // 25 rows
    const written = await bundleServices(ctx, { maxRowsPerBundle: 10 }).exporter.export();
    expect(written.map((b) => [b.manifest.fromSeq, b.manifest.toSeq])).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
    ]);
    for (let i = 1; i < written.length; i++)
      expect(written[i]!.manifest.prevSha256).toBe(written[i - 1]!.sha256);
  });

  it('re-exports a range for a lost stick without moving the cursor, then exports what is pending', async () => {
    const ctx = ctxWith();
    const { exporter } = ctx.bundles;
    record(ctx, 9);
    await exporter.export();
    record(ctx, 2); // 11..13 pending
    const out = join(ctx.dir, 'stick-again');
    const written = await exporter.export({ sinceSequence: 4, outDir: out });
    expect(
      written.map((b) => [b.manifest.fromSeq, b.manifest.toSeq, b.manifest.reexport, b.manifest.bundleSeq]),
    ).toEqual([
      [4, 10, true, 2],
      [11, 13, false, 3],
    ]);
    expect(written.every((b) => b.path.startsWith(out))).toBe(true);
    expect(ctx.records.getMeta(EXPORT_CURSOR)).toBe('13');
    expect((await rowsOf(ctx, written[0]!.path)).map((r) => r.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    await expect(exporter.export({ sinceSequence: 0 })).rejects.toMatchObject({ code: 'invalid' });
  });

  it('adopts a complete bundle an interrupted export left unrecorded, and drops an unrecorded broken one', async () => {
    const ctx = ctxWith();
    const { exporter } = ctx.bundles;
    record(ctx, 4);
    const [b1] = await exporter.export();
    // Simulate the crash window between the link and the commit: file present, row and cursor not.
    ctx.db.records.exec(`DELETE FROM bundles; DELETE FROM meta WHERE key = '${EXPORT_CURSOR}'`);
    ctx.records.writeNow(() => ctx.records.setMeta(EXPORT_PENDING, b1!.path));
    const again = await exporter.export();
    expect(again.map((b) => [b.adopted, b.sha256])).toEqual([[true, b1!.sha256]]);
    expect(ctx.records.getMeta(EXPORT_CURSOR)).toBe('5');

    // Same window, but the file is damaged: it is removed and written afresh.
    record(ctx, 2);
    const [b2] = await exporter.export();
    ctx.db.records.exec(`DELETE FROM bundles WHERE seq = 2`);
    ctx.records.writeNow(() => ctx.records.setMeta(EXPORT_CURSOR, '5'));
    ctx.records.writeNow(() => ctx.records.setMeta(EXPORT_PENDING, b2!.path));
    writeFileSync(b2!.path, readFileSync(b2!.path).subarray(0, 100));
    const [b2again] = await exporter.export();
    expect(b2again!.adopted).toBe(false);
    expect(b2again!.manifest).toMatchObject({ bundleSeq: 2, fromSeq: 6, toSeq: 8 });
    await verifyBundle(b2again!.path, {
      resolveKey: singleKeyResolver({ publicKey: ctx.identity.show().publicKey }),
    });
  });

  it('keeps the newest export.keep files, never one not yet copied or acknowledged', async () => {
    const ctx = ctxWith({ export: { keep: 2 } });
    const { exporter } = ctx.bundles;
    for (let i = 0; i < 4; i++) {
      record(ctx, 1);
      await exporter.export();
    }
    expect(exporter.list().every((b) => b.present)).toBe(true); // all still 'written'
    const repo = new BundlesRepo(ctx.db.records);
    ctx.records.writeNow(() => repo.markCopied(1, 'x'));
    ctx.records.writeNow(() => repo.markAcknowledged(2, 'x'));
    record(ctx, 1);
    await exporter.export();
    expect(exporter.list().map((b) => b.present)).toEqual([false, false, true, true, true]);
  });
});

describe('USB copy', () => {
  it('copies the outbox to <stick>/fieldclass/outbox, checks it by reading back, marks bundles copied', async () => {
    const ctx = ctxWith();
    const stick = tempDir('fieldclass-stick-');
    cleanups.push(() => stick.cleanup());
    let present: string[] = [];
    const { exporter, usb } = bundleServices(ctx, { probe: { sticks: () => present } });
    record(ctx, 3);
    await exporter.export();
    expect(usb.copyAll()).toEqual([]); // no stick yet
    present = [stick.dir];
    const [r] = usb.copyAll();
    expect(r!.copied.length).toBe(1);
    expect(r!.failed).toEqual([]);
    const onStick = join(stick.dir, 'fieldclass', 'outbox', exporter.list()[0]!.file.split('/').pop()!);
    expect(readFileSync(onStick).equals(readFileSync(exporter.list()[0]!.file))).toBe(true);
    expect(exporter.list()[0]!.state).toBe('copied');
    // Second run: nothing to copy; a damaged copy on the stick is replaced.
    expect(usb.copyAll()[0]!.alreadyThere.length).toBe(1);
    writeFileSync(onStick, 'garbage');
    expect(usb.copyAll()[0]!.copied.length).toBe(1);
    expect(readFileSync(onStick).equals(readFileSync(exporter.list()[0]!.file))).toBe(true);
    expect(readdirSync(join(stick.dir, 'fieldclass', 'outbox')).filter((n) => n.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it("finds sticks from the mount table under the configured roots, each once, not the service's bind mounts", async () => {
    const { mountedSticks } = await import('../src/bundles/usb-copy.service.js');
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const mounts = join(t.dir, 'mountinfo');
    writeFileSync(
      mounts,
      [
        '25 1 179:2 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw',
        '40 25 8:1 / /media/pi/MY\\040STICK rw,nosuid shared:20 - vfat /dev/sda1 rw',
        '41 25 8:17 / /mnt/usb rw,nosuid shared:21 - vfat /dev/sdb1 rw',
        '42 25 8:33 / /mnt/other rw,nosuid shared:22 - vfat /dev/sdc1 rw',
        // Inside fieldclass.service: ReadWritePaths=/media/fieldclass binds that folder of the system
        // disk, and a stick mounted afterwards appears both on the folder and on its bind.
        '428 387 179:2 /media/fieldclass /media/fieldclass rw,nosuid shared:156 master:3 - ext4 /dev/mmcblk0p2 rw',
        '438 387 7:0 / /media/fieldclass/FCSTICK rw,nosuid shared:169 master:153 - fuseblk /dev/loop0 rw',
        '439 428 7:0 / /media/fieldclass/FCSTICK rw,nosuid shared:170 master:153 - fuseblk /dev/loop0 rw',
      ].join('\n'),
    );
    expect(mountedSticks(['/media', '/mnt/usb'], mounts).sticks()).toEqual([
      '/media/pi/MY STICK',
      '/mnt/usb',
      '/media/fieldclass/FCSTICK',
    ]);
    expect(mountedSticks(['/media/fieldclass'], mounts).sticks()).toEqual(['/media/fieldclass/FCSTICK']);
    expect(mountedSticks(['/media'], join(t.dir, 'none')).sticks()).toEqual([]);
  });
});

/** A tiny HQ: answers like the real endpoint, with a scripted sequence of failures first. */
async function fakeHq(
  script: (number | 'drop')[],
): Promise<{ url: string; got: Buffer[]; close(): Promise<void> }> {
  const got: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const step = script.shift();
      if (step === 'drop') return req.socket.destroy();
      if (
        req.url !== '/api/bundles' ||
        req.headers['content-type'] !== 'application/zip' ||
        req.method !== 'POST'
      ) {
        res.writeHead(404).end();
        return;
      }
      if (typeof step === 'number' && step !== 200) {
        res.writeHead(step, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: step === 409 ? 'bundle_fork' : 'busy', message: 'scripted' } }),
        );
        return;
      }
      const body = Buffer.concat(chunks);
      got.push(body);
      void (async () => {
        const { createHash } = await import('node:crypto');
        const dirT = tempDir();
        const f = join(dirT.dir, 'b.zip');
        writeFileSync(f, body);
        const b = await openBundle(f, { resolveKey: ({ keyId: _k }) => ({ publicKey: hqKey! }) });
        for await (const row of b.rows()) void row;
        dirT.cleanup();
        const receipt: UploadReceipt = {
          status: 'imported',
          applianceId: b.manifest.applianceId,
          bundleSeq: b.manifest.bundleSeq,
          sha256: createHash('sha256').update(body).digest('hex'),
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(receipt));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
let hqKey: string | undefined;

describe('upload', () => {
  it('posts pending bundles, retries with backoff, and a receipt marks them acknowledged', async () => {
    const hq = await fakeHq([503, 'drop', 200, 200]);
    cleanups.push(() => hq.close());
    const ctx = ctxWith({ hq: { url: hq.url } });
    hqKey = ctx.identity.show().publicKey;
    const { exporter } = ctx.bundles;
    const delays: number[] = [];
    const { UploadService } = await import('../src/bundles/upload.service.js');
    const uploader = new UploadService(
      {
        hqUrl: hq.url,
        records: ctx.records,
        bundles: new BundlesRepo(ctx.db.records),
        clock: ctx.clock,
        logger: ctx.logger,
      },
      (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    );
    record(ctx, 2);
    await exporter.export();
    record(ctx, 2);
    await exporter.export();
    const r = await uploader.uploadPending({ baseDelayMs: 10 });
    expect(r).toMatchObject({ acknowledged: [1, 2], pending: [], refused: [] });
    expect(delays).toEqual([10, 20]);
    expect(hq.got[0]!.equals(readFileSync(exporter.list()[0]!.file))).toBe(true);
    expect(exporter.list().map((b) => b.state)).toEqual(['acknowledged', 'acknowledged']);
    expect((await uploader.uploadPending()).acknowledged).toEqual([]);
  });

  it('no connection is only "pending"; a refusal is kept with its reason', async () => {
    const ctx = ctxWith({ hq: { url: 'http://127.0.0.1:9' } });
    const { exporter, uploader } = ctx.bundles;
    record(ctx, 1);
    await exporter.export();
    const r = await uploader.uploadPending({ attempts: 2, baseDelayMs: 1 });
    expect(r.pending).toEqual([1]);
    expect(r.unreachable).toMatch(/cannot reach HQ/);
    expect(exporter.list()[0]).toMatchObject({ state: 'written', upload_attempts: 1 });

    const hq = await fakeHq([409]);
    cleanups.push(() => hq.close());
    const ctx2 = ctxWith({ hq: { url: hq.url + '/' } });
    const s2 = ctx2.bundles;
    record(ctx2, 1);
    await s2.exporter.export();
    const r2 = await s2.uploader.uploadPending({ baseDelayMs: 1 });
    expect(r2.refused).toEqual([{ bundleSeq: 1, code: 'bundle_fork', message: 'scripted' }]);
    expect(s2.exporter.list()[0]!.last_error).toBe('bundle_fork: scripted');
  });
});

describe('one exporter per process', () => {
  it('the scheduled export, the admin export and a second exporter never overlap', async () => {
    const ctx = ctxWith();
    record(ctx, 2000);
    // The scheduler's export job uses the context's exporter (built once per process): while the admin's
    // "Export now" (ctx.bundles.exporter) runs, the scheduled run is refused, not run beside it.
    const scheduler = createScheduler(ctx);
    const adminExport = ctx.bundles.exporter.export();
    const scheduled = await scheduler.runNow('export');
    expect(scheduled).toMatchObject({ outcome: 'error', message: 'an export is already running' });
    // Another exporter in the same process (another instance) is refused by the process's lock too.
    await expect(bundleServices(ctx).exporter.export()).rejects.toMatchObject({ code: 'export_busy' });
    const written = await adminExport;
    expect(written).toHaveLength(1);
    const rows = await rowsOf(ctx, written[0]!.path);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: ctx.records.lastSeq() }, (_, i) => i + 1));
    // Once done, the lock is free: the next export finds nothing pending.
    expect((await scheduler.runNow('export')).messageKey).toBe('export_nothing');
    expect(await bundleServices(ctx).exporter.export()).toEqual([]);
  });

  it('takes over a lock file with its own pid that it does not hold (left before a reboot)', async () => {
    const ctx = ctxWith();
    record(ctx, 3);
    writeFileSync(join(ctx.config.dataDir, '.export.lock'), String(process.pid));
    expect(await ctx.bundles.exporter.export()).toHaveLength(1);
    expect(existsSync(join(ctx.config.dataDir, '.export.lock'))).toBe(false);
  });
});

describe('scheduler', () => {
  it('runs bundle jobs on demand, never overlapping, and records each run in job_runs', async () => {
    const stick = tempDir('fieldclass-stick-');
    cleanups.push(() => stick.cleanup());
    const ctx = ctxWith();
    const services = bundleServices(ctx, { probe: { sticks: () => [stick.dir] } });
    const jobs = bundleJobs({ config: ctx.config, bundles: services });
    expect(jobs.map((j) => j.name)).toEqual(['export', 'usb-copy']); // no upload without hq.url
    let release: () => void = () => undefined;
    const slow = {
      name: 'slow',
      schedule: '* * * * *',
      description: 'test',
      run: () => new Promise<JobMessage>((r) => (release = () => r({ key: 'export_nothing' }))),
    };
    const scheduler = new Scheduler(ctx, [...jobs, slow]);
    record(ctx, 3);
    const r1 = await scheduler.runNow('export');
    expect(r1).toMatchObject({
      outcome: 'ok',
      message: 'Progress files written: 1',
      messageKey: 'export_written',
      messageParams: { n: 1 },
    });
    expect(await scheduler.runNow('export')).toMatchObject({
      message: 'Nothing new to export',
      messageKey: 'export_nothing',
    });
    expect(await scheduler.runNow('usb-copy')).toMatchObject({
      messageKey: 'usb_copied',
      messageParams: { n: 1 },
    });
    expect(existsSync(join(stick.dir, 'fieldclass', 'outbox'))).toBe(true);

    const p = scheduler.runNow('slow');
    expect(() => scheduler.runNow('slow')).toThrow(/running already/);
    expect(scheduler.list().find((j) => j.name === 'slow')!.running).toBe(true);
    release();
    await p;
    const runs = scheduler.recentRuns('export');
    expect(runs.length).toBe(2);
    // Kept as a key and its params, said in each reader's language on the Schedule page.
    expect(runs[0]).toMatchObject({ outcome: 'ok', message_key: 'export_nothing', message_params: null });
    expect(runs[1]).toMatchObject({ message_key: 'export_written', message_params: '{"n":1}' });
    expect(runs[0]!.finished_at).not.toBeNull();
    expect(runs[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(() => scheduler.runNow('nope')).toThrow(/no job named nope/);

    // A failing job is recorded as an error.
    const failing = new Scheduler(ctx, [
      {
        name: 'boom',
        schedule: '0 2 * * *',
        description: 't',
        run: () => Promise.reject(new Error('disk full')),
      },
    ]);
    // An error that is not a typed one: the box's fault ('internal'), its English text kept for the log.
    expect(await failing.runNow('boom')).toMatchObject({ outcome: 'error', message: 'disk full' });
    expect(failing.lastRun('boom')).toMatchObject({
      outcome: 'error',
      message: 'disk full',
      message_key: 'internal',
    });
    expect(() => new Scheduler(ctx, [{ ...slow, name: 'bad', schedule: 'not cron' }])).toThrow(/cron/);
  });

  it('adds the upload job when hq.url is set and starts/stops cron tasks', async () => {
    const ctx = ctxWith({ hq: { url: 'http://127.0.0.1:9' } });
    const jobs = bundleJobs(ctx);
    expect(jobs.map((j) => [j.name, j.schedule])).toEqual([
      ['export', '0 2 * * *'],
      ['usb-copy', '* * * * *'],
      ['upload', '*/15 * * * *'],
    ]);
    const s = new Scheduler(ctx, jobs);
    s.start();
    await s.stop();
  });
});
