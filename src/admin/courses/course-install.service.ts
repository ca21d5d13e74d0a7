import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../../core/config.js';
import { isAppError, type AppError } from '../../core/errors.js';
import type { ContentService } from '../../content/content.service.js';
import { importContent, type ImportResult } from '../../content/course-bundle.js';
import { adminError } from '../admin.errors.js';
import { contentError } from '../../content/content.errors.js';

/** A course found on a USB stick: where it is, and how the Courses page names it (`<stick>/<path>`). */
export interface UsbCourse {
  path: string;
  name: string;
}

/** What an install tells the audit log: the course installed, or why it was refused. */
export type InstallOutcome =
  { ok: true; result: ImportResult; source: string } | { ok: false; error: AppError; source: string };

/**
 * Where uploaded course files are streamed while they are installed: `<data>/tmp`. Nothing else writes
 * there, so the serving box empties it at start (an upload cut by a crash or power loss is left there).
 */
export function uploadTempDir(dataDir: string): string {
  return join(dataDir, 'tmp');
}

/** Remove what a previous run left in `<data>/tmp`; returns how many entries went. */
export function cleanUploadTemp(dataDir: string): number {
  const dir = uploadTempDir(dataDir);
  if (!existsSync(dir)) return 0;
  const names = readdirSync(dir);
  for (const n of names) rmSync(join(dir, n), { force: true, recursive: true });
  return names.length;
}

/**
 * Courses the coordinator installs from the admin: an uploaded file (streamed to a private temp file
 * under <data>/tmp, removed after) or a course bundle / folder on a USB stick. A refused course becomes
 * the admin's `install_failed` with the reason.
 */
export class CourseInstallService {
  constructor(
    private readonly deps: {
      config: Config;
      content: ContentService;
      /** The mounted USB sticks (the bundles' stick probe). */
      sticks: () => string[];
    },
  ) {}

  /** A course of the box (the enrol forms list only those); 404 otherwise. */
  requireInstalled(id: string): string {
    if (!this.deps.content.listInstalled().some((c) => c.id === id))
      throw contentError('course_not_installed', { course: id });
    return id;
  }

  /** Course bundles (.zip) and course folders on mounted USB sticks: <stick>/fieldclass/courses/* and <stick>/*. */
  usbCourses(): UsbCourse[] {
    const out: UsbCourse[] = [];
    for (const stick of this.deps.sticks()) {
      for (const dir of [join(stick, 'fieldclass', 'courses'), stick]) {
        if (!existsSync(dir)) continue;
        let names: string[] = [];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const n of names.sort()) {
          if (n.startsWith('.')) continue;
          const p = join(dir, n);
          try {
            const st = statSync(p);
            if (
              (st.isFile() && /\.zip$/i.test(n)) ||
              (st.isDirectory() && existsSync(join(p, 'course.json')))
            )
              out.push({ path: p, name: `${basename(stick)}/${p.slice(stick.length + 1)}` });
          } catch {
            // a file that vanished with the stick
          }
        }
      }
    }
    return out;
  }

  /** The folder uploads are streamed to (created when missing). */
  uploadDir(): string {
    const dir = uploadTempDir(this.deps.config.dataDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Install an uploaded course file (its private temp file is removed here, installed or not). */
  async fromUpload(
    file: { name: string; path: string; size: number } | undefined,
    opts: { allowRemote?: boolean } = {},
  ): Promise<InstallOutcome> {
    try {
      if (!file || file.size === 0) throw adminError('no_course_file');
      return await this.install(file.path, `upload:${file.name}`, opts);
    } finally {
      if (file) rmSync(file.path, { force: true });
    }
  }

  /** Install a course the USB scan found (one that left with its stick: 404). */
  async fromUsb(path: string): Promise<InstallOutcome> {
    const found = this.usbCourses().find((u) => u.path === path);
    if (!found) throw adminError('usb_course_gone');
    return this.install(found.path, `usb:${found.name}`);
  }

  private async install(
    path: string,
    source: string,
    opts: { allowRemote?: boolean } = {},
  ): Promise<InstallOutcome> {
    try {
      return {
        ok: true,
        result: await importContent(
          this.deps.content,
          path,
          this.deps.config.content,
          opts.allowRemote ? { allowRemote: true } : {},
        ),
        source,
      };
    } catch (e) {
      if (isAppError(e)) return { ok: false, error: e, source };
      throw e;
    }
  }
}
