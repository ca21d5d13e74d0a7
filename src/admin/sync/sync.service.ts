import { basename } from 'node:path';
import type { BundleServices } from '../../bundles/bundles.module.js';
import { uploadFailure, usbCopyFailure } from '../../bundles/bundles.errors.js';
import type { StickCopyResult } from '../../bundles/usb-copy.service.js';
import type { UploadOutcome } from '../../bundles/upload.service.js';
import { notFound, type AppError } from '../../core/errors.js';
import { adminError } from '../admin.errors.js';
import type { SyncSummary } from '../dashboard/dashboard.js';

/** A bundle as the Sync page lists it. */
export interface BundleView {
  seq: number;
  file: string;
  name: string;
  state: string;
  rows: number;
  bytes: number;
  createdAt: string;
  present: boolean;
}

/**
 * What the coordinator's Sync page and dashboard read and do with the box's bundles: the summary, the
 * list, a bundle's file, export, USB copy and upload with their failures as admin errors.
 */
export class AdminSyncService {
  constructor(private readonly bundles: BundleServices) {}

  /** The dashboard's sync figures: last export, rows waiting, last HQ receipt, bundles not acknowledged. */
  summary(): SyncSummary {
    const list = this.bundles.exporter.list();
    const acked = list.filter((b) => b.acknowledged_at).map((b) => b.acknowledged_at!);
    const exportsOnly = list.filter((b) => !b.reexport);
    return {
      lastExportAt: exportsOnly.length
        ? exportsOnly.reduce((a, b) => (b.created_at > a ? b.created_at : a), '')
        : null,
      pendingRows: this.bundles.exporter.pendingRows(),
      lastAckAt: acked.length ? acked.reduce((a, b) => (b > a ? b : a)) : null,
      notAcknowledged: list.filter((b) => b.state !== 'acknowledged').length,
    };
  }

  /** The bundles, newest first. */
  list(): BundleView[] {
    return this.bundles.exporter
      .list()
      .reverse()
      .map((b) => ({
        seq: b.seq,
        file: b.file,
        name: basename(b.file),
        state: b.uploaded_at && b.state !== 'acknowledged' ? 'uploaded' : b.state,
        rows: b.to_seq - b.from_seq + 1,
        bytes: b.bytes,
        createdAt: b.created_at,
        present: b.present,
      }));
  }

  pendingRows(): number {
    return this.bundles.exporter.pendingRows();
  }

  uploadConfigured(): boolean {
    return this.bundles.uploader.configured();
  }

  sticks(): string[] {
    return this.bundles.usb.sticks();
  }

  /** A bundle's file still in the outbox (404 otherwise). */
  file(seq: string): { path: string; name: string } {
    const b = this.bundles.exporter.list().find((x) => String(x.seq) === seq);
    if (!b || !b.present) throw notFound('bundle');
    return { path: b.file, name: basename(b.file) };
  }

  /** Export now (the one exporter of the process: never beside a scheduled export). */
  async export(): Promise<number> {
    return (await this.bundles.exporter.export()).length;
  }

  copyToUsb(): StickCopyResult[] {
    return this.bundles.usb.copyAll();
  }

  /** What went wrong in a USB copy, as the coordinator reads it; null when every bundle was copied. */
  usbProblem(results: StickCopyResult[]): AppError | null {
    if (!results.length) return adminError('no_stick');
    return usbCopyFailure(results);
  }

  upload(): Promise<UploadOutcome> {
    return this.bundles.uploader.uploadPending();
  }

  /** The bundles HQ refused, as the coordinator reads it; null when none was. */
  uploadProblem(r: UploadOutcome): AppError | null {
    return uploadFailure(r);
  }
}
