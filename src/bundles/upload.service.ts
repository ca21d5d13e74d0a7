import { existsSync, readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { RecordsService } from '../records/records.service.js';
import { UPLOAD_PATH, uploadHeaders, uploadReceiptSchema } from '../contract/bundle-format.js';
import type { BundlesRepo } from './bundles.repo.js';

export interface UploadOutcome {
  /** Bundle seqs HQ acknowledged in this run. */
  acknowledged: number[];
  /** Not acknowledged yet (HQ unreachable or busy): tried again next run. */
  pending: number[];
  /** HQ refused them (4xx): the reason is kept in bundles.last_error. */
  refused: { bundleSeq: number; code: string; message: string }[];
  /** Set when HQ could not be reached at all. */
  unreachable?: string;
}

export interface UploadOptions {
  /** Attempts per bundle before it stays pending (default 3). */
  attempts?: number;
  /** First backoff delay; doubles each retry (default 1000 ms). */
  baseDelayMs?: number;
  timeoutMs?: number;
}

class Transient extends Error {}

/**
 * Sends bundles HQ has not acknowledged to `<hq.url>/api/bundles` (body: the zip, application/zip), oldest
 * first. A receipt whose sha256 and bundleSeq are the bundle's marks it acknowledged. No connection is not
 * an error: the bundles stay pending for the next run.
 */
export class UploadService {
  constructor(
    private readonly deps: {
      hqUrl: string | undefined;
      records: RecordsService;
      bundles: BundlesRepo;
      clock: Clock;
      logger: Logger;
    },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  configured(): boolean {
    return !!this.deps.hqUrl;
  }

  async uploadPending(opts: UploadOptions = {}): Promise<UploadOutcome> {
    const out: UploadOutcome = { acknowledged: [], pending: [], refused: [] };
    const todo = this.deps.bundles.notAcknowledged().filter((b) => existsSync(b.file));
    if (!this.deps.hqUrl) {
      out.pending = todo.map((b) => b.seq);
      return out;
    }
    const url = this.deps.hqUrl.replace(/\/+$/, '') + UPLOAD_PATH;
    const attempts = opts.attempts ?? 3;
    const base = opts.baseDelayMs ?? 1000;
    for (let i = 0; i < todo.length; i++) {
      const b = todo[i]!;
      let lastError = '';
      let done = false;
      for (let a = 0; a < attempts && !done; a++) {
        if (a > 0) await this.sleep(base * 2 ** (a - 1));
        try {
          const body = readFileSync(b.file);
          const res = await fetch(url, {
            method: 'POST',
            // The signed manifest in the headers lets HQ admit this upload before reading the body, even
            // while strangers fill its quota for unsigned uploads.
            headers: { 'content-type': 'application/zip', ...uploadHeaders(body) },
            body,
            signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
          });
          const text = await res.text();
          if (res.status >= 500 || res.status === 429) throw new Transient(`HQ answered ${res.status}`);
          if (res.status !== 200) {
            const { code, message } = parseError(text, res.status);
            this.deps.records.writeNow(() => this.deps.bundles.recordAttempt(b.seq, `${code}: ${message}`));
            out.refused.push({ bundleSeq: b.seq, code, message });
            this.deps.logger.error({ bundleSeq: b.seq, code, message }, 'HQ refused the bundle');
            done = true;
            break;
          }
          const receipt = uploadReceiptSchema.safeParse(safeJson(text));
          if (!receipt.success) throw new Transient('HQ answered 200 without a valid receipt');
          const r = receipt.data;
          if (
            r.sha256 !== b.sha256 ||
            r.bundleSeq !== b.seq ||
            r.applianceId !== this.deps.records.applianceId
          ) {
            const message = `receipt is for bundle ${r.bundleSeq} (${r.sha256.slice(0, 12)}), not ${b.seq} (${b.sha256.slice(0, 12)})`;
            this.deps.records.writeNow(() => this.deps.bundles.recordAttempt(b.seq, message));
            out.refused.push({ bundleSeq: b.seq, code: 'receipt_mismatch', message });
            done = true;
            break;
          }
          const at = this.deps.clock.now().toISOString();
          this.deps.records.writeNow(() => this.deps.bundles.markAcknowledged(b.seq, at));
          out.acknowledged.push(b.seq);
          done = true;
        } catch (e) {
          lastError = e instanceof Transient ? e.message : `cannot reach HQ: ${(e as Error).message}`;
        }
      }
      if (!done) {
        // HQ is unreachable or failing: leave this and the rest for the next run.
        this.deps.records.writeNow(() => this.deps.bundles.recordAttempt(b.seq, lastError));
        out.unreachable = lastError;
        out.pending.push(...todo.slice(i).map((x) => x.seq));
        this.deps.logger.info({ pending: out.pending.length, reason: lastError }, 'bundles pending upload');
        break;
      }
    }
    return out;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseError(text: string, status: number): { code: string; message: string } {
  const j = safeJson(text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof j?.error?.code === 'string' ? j.error.code : `http_${status}`;
  const message =
    typeof j?.error?.message === 'string' ? j.error.message : text.slice(0, 200) || `HTTP ${status}`;
  return { code, message };
}
