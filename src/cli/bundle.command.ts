import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  bundleError,
  singleKeyResolver,
  verifyBundle,
  type KeyResolver,
  type TrustedKey,
} from '../contract/bundle-format.js';
import { AppError, isAppError } from '../core/errors.js';
import { fail, withContextAsync, type GlobalFlags } from './context.js';
import type { Revocation } from '../hq/appliances.service.js';

const dataOpts = (c: Command): Command =>
  c
    .option('-d, --data <dir>', 'data directory (default ./data)')
    .option('-c, --config <file>', 'config file (default <data>/config.json)');

/** `fieldclass bundle export | verify | upload | copy | list`: signed progress bundles on the box. */
export function registerBundle(program: Command): void {
  const bundle = program
    .command('bundle')
    .description('signed progress bundles: export, verify, copy, upload');

  dataOpts(
    bundle
      .command('export')
      .description('write the next bundle(s) with every journal row not yet exported; prints each path')
      .option('-o, --out <dir>', 'write into this folder instead of the outbox')
      .option(
        '--since-sequence <n>',
        'also write rows from sequence N again (for a lost stick), flagged as a re-export',
      ),
  ).action(async (opts: GlobalFlags & { out?: string; sinceSequence?: string }) => {
    try {
      await withContextAsync(opts, async (ctx) => {
        const since = opts.sinceSequence === undefined ? undefined : Number(opts.sinceSequence);
        if (since !== undefined && (!Number.isInteger(since) || since < 1)) {
          throw new AppError(
            'invalid',
            `--since-sequence: "${opts.sinceSequence}" is not a positive whole number`,
          );
        }
        const written = await ctx.bundles.exporter.export({
          ...(opts.out ? { outDir: opts.out } : {}),
          ...(since !== undefined ? { sinceSequence: since } : {}),
        });
        if (written.length === 0) console.log('nothing pending');
        for (const b of written) console.log(b.path);
      });
    } catch (e) {
      fail(e);
    }
  });

  bundle
    .command('verify <file>')
    .description('check a bundle: exit 0 when valid, otherwise print the reason')
    .requiredOption(
      '-k, --key <file|dir>',
      'public key file (PEM, identity show --json, enrol.json) or an HQ data dir',
    )
    .action(async (file: string, opts: { key: string }) => {
      let close = (): void => undefined;
      try {
        const k = await keyResolver(opts.key);
        close = k.close;
        // With an HQ data dir, each row is also judged by the appliance's revocation, as `hq import` does.
        const v = await verifyBundle(file, { resolveKey: k.resolve }, k.checkRow);
        const m = v.manifest;
        console.log(
          `valid: ${file}\n  appliance ${m.applianceId} key ${m.keyId} epoch ${m.epoch} bundle ${m.bundleSeq}${m.reexport ? ' (re-export)' : ''}\n  journal ${m.fromSeq}..${m.toSeq} (${m.counts.statement} statements, ${m.counts.person} people, ${m.counts.cohort} cohorts, ${m.counts.enrolment} enrolments)\n  sha256 ${v.sha256}`,
        );
      } catch (e) {
        if (isAppError(e)) {
          process.stderr.write(`invalid: ${file}: ${e.code}: ${e.message}\n`);
          process.exitCode = 1;
        } else fail(e);
      } finally {
        close();
      }
    });

  dataOpts(bundle.command('upload').description('send bundles HQ has not acknowledged to hq.url')).action(
    async (opts: GlobalFlags) => {
      try {
        await withContextAsync(opts, async (ctx) => {
          const { uploader } = ctx.bundles;
          const r = await uploader.uploadPending();
          if (!uploader.configured()) {
            console.log(
              r.pending.length
                ? `pending: ${r.pending.length} bundle(s) (hq.url is not set)`
                : 'nothing pending',
            );
            return;
          }
          for (const s of r.acknowledged) console.log(`acknowledged: bundle ${s}`);
          for (const x of r.refused) console.log(`refused: bundle ${x.bundleSeq}: ${x.code}: ${x.message}`);
          if (r.pending.length)
            console.log(`pending: ${r.pending.length} bundle(s) (${r.unreachable ?? 'HQ not reached'})`);
          if (!r.acknowledged.length && !r.refused.length && !r.pending.length)
            console.log('nothing pending');
          if (r.refused.length) process.exitCode = 1;
        });
      } catch (e) {
        fail(e);
      }
    },
  );

  dataOpts(
    bundle
      .command('copy')
      .description('copy the outbox to every USB stick mounted under export.usbRoots (or to --to DIR)')
      .option('--to <dir>', 'copy to this folder as if it were a stick'),
  ).action(async (opts: GlobalFlags & { to?: string }) => {
    try {
      await withContextAsync(opts, async (ctx) => {
        const { usb } = ctx.bundles;
        const results = opts.to ? [usb.copyTo(opts.to)] : usb.copyAll();
        if (results.length === 0) console.log('no USB stick found');
        for (const r of results) {
          console.log(`${r.folder}: ${r.copied.length} copied, ${r.alreadyThere.length} already there`);
          for (const f of r.failed) console.log(`failed: ${f.file}: ${f.reason}`);
          if (r.failed.length) process.exitCode = 1;
        }
        return Promise.resolve();
      });
    } catch (e) {
      fail(e);
    }
  });

  dataOpts(
    bundle.command('list').description('bundles written by this box and their state').option('--json'),
  ).action(async (opts: GlobalFlags & { json?: boolean }) => {
    try {
      await withContextAsync(opts, (ctx) => {
        const list = ctx.bundles.exporter.list();
        if (opts.json) {
          console.log(
            JSON.stringify(
              list.map((b) => ({
                bundleSeq: b.seq,
                epoch: b.epoch,
                fromSeq: b.from_seq,
                toSeq: b.to_seq,
                reexport: b.reexport === 1,
                state: b.state,
                file: b.file,
                present: b.present,
                bytes: b.bytes,
                sha256: b.sha256,
                createdAt: b.created_at,
                copiedAt: b.copied_at,
                acknowledgedAt: b.acknowledged_at,
                lastError: b.last_error,
              })),
              null,
              2,
            ),
          );
        } else if (list.length === 0) console.log('no bundles yet');
        else
          for (const b of list)
            console.log(
              `${String(b.seq).padStart(6)}  ${b.from_seq}..${b.to_seq}  ${b.state.padEnd(12)} ${b.present ? b.file : '(file removed)'}`,
            );
        return Promise.resolve();
      });
    } catch (e) {
      fail(e);
    }
  });
}

/** A key file (PEM, base64, identity/enrol JSON) or an HQ data dir (hq.db: the enrolled keys). */
async function keyResolver(
  arg: string,
): Promise<{ resolve: KeyResolver; close: () => void; checkRow?: (epoch: number, seq: number) => void }> {
  if (!existsSync(arg)) throw new AppError('invalid', `--key: ${arg} does not exist`);
  if (statSync(arg).isDirectory()) {
    if (!existsSync(join(arg, 'hq.db')))
      throw new AppError('invalid', `--key: ${arg} is not an HQ data dir (no hq.db)`);
    const { loadHqConfig } = await import('../hq/hq.config.js');
    const { openHqContext } = await import('../app/hq.context.js');
    const { silentLogger } = await import('../core/logger.js');
    const hq = openHqContext(loadHqConfig({ dataDir: arg }), { logger: silentLogger });
    let revocation: Revocation | null = null;
    return {
      close: () => hq.close(),
      resolve: ({ keyId }) => {
        const a = hq.appliances.byKeyId(keyId);
        if (!a) throw bundleError('bundle_key_unknown', `key ${keyId} is not enrolled at this HQ`);
        revocation = hq.appliances.revocationOf(a);
        if (revocation?.keyRevoked) throw bundleError('bundle_key_revoked', revocation.reason('this bundle'));
        return { publicKey: a.public_key, applianceId: a.id };
      },
      checkRow: (epoch, seq) => {
        if (revocation?.refusesRow(epoch, seq))
          throw bundleError('bundle_key_revoked', revocation.reason(`its row ${epoch}:${seq}`));
      },
    };
  }
  const text = readFileSync(arg, 'utf8');
  let key: TrustedKey;
  if (text.trimStart().startsWith('{')) {
    const j = JSON.parse(text) as { publicKey?: unknown; applianceId?: unknown };
    if (typeof j.publicKey !== 'string')
      throw new AppError('invalid', `--key: ${arg} has no publicKey field`);
    key = {
      publicKey: j.publicKey,
      ...(typeof j.applianceId === 'string' ? { applianceId: j.applianceId } : {}),
    };
  } else key = { publicKey: text };
  return { resolve: singleKeyResolver(key), close: () => undefined };
}
