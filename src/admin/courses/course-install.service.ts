import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
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

/**
 * What an install tells the page and the audit log: the course installed, or why it was refused: `error`
 * is the admin's refusal (said for a coordinator, naming the file as they know it), `cause` the content
 * store's code (the audit keeps it; the log keeps its English, the box's paths in it replaced by `file`).
 */
export type InstallOutcome =
  | { ok: true; result: ImportResult; source: string }
  | { ok: false; error: AppError; cause: string; file: string; source: string };

/** A string param of a content error, with the box's own path of the file replaced by the file's name. */
const shown = (v: unknown, path: string, file: string): string =>
  typeof v === 'string' ? v.split(path).join(file) : '';

/**
 * A content store refusal as the coordinator reads it: what to do, naming the file as they chose it. Only
 * a course's own errors (a field of course.json, a file missing from a SCORM package, a file it loads from
 * the internet) are kept, as the author's finding: for the author, not for the coordinator to decode.
 */
export function installRefusal(e: AppError, path: string, file: string): AppError {
  const p = e.params ?? {};
  switch (e.code) {
    case 'zip_invalid':
      return adminError('install_not_zip', { file });
    case 'unsigned_refused':
      return adminError('install_unsigned', { file });
    case 'course_bundle_invalid':
      return adminError('install_damaged', { file });
    case 'course_bundle_signature_invalid':
      return adminError('install_untrusted', { file });
    case 'course_bundle_untrusted':
      return adminError('install_no_key', { file });
    case 'version_lower':
      return adminError('install_older', {
        title: shown(p['course'], path, file),
        version: shown(p['version'], path, file),
        installed: shown(p['installed'], path, file),
      });
    case 'version_conflict':
      return adminError('install_conflict', {
        title: shown(p['course'], path, file),
        version: shown(p['version'], path, file),
      });
    case 'course_invalid':
      // A SCORM package that loads files from the internet: the coordinator may accept it (the checkbox).
      if (Array.isArray(e.details?.['remote']))
        return adminError(
          'install_remote',
          { file },
          { finding: (e.details['remote'] as string[]).slice(0, 20).join('\n') },
        );
      return adminError(
        'install_invalid',
        { file },
        { finding: shown(p['detail'], path, file).slice(0, 2000) },
      );
    default:
      return adminError('install_failed', { file });
  }
}

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
 * one of the admin's `install_*` refusals (installRefusal).
 */
export class CourseInstallService {
  constructor(
    private readonly deps: {
      config: Config;
      content: ContentService;
      logger: Logger;
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
      return await this.install(file.path, basename(file.name) || 'course.zip', `upload:${file.name}`, opts);
    } finally {
      if (file) rmSync(file.path, { force: true });
    }
  }

  /** Install a course the USB scan found (one that left with its stick: 404). */
  async fromUsb(path: string): Promise<InstallOutcome> {
    const found = this.usbCourses().find((u) => u.path === path);
    if (!found) throw adminError('usb_course_gone');
    return this.install(found.path, found.name, `usb:${found.name}`);
  }

  private async install(
    path: string,
    file: string,
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
      if (!isAppError(e)) throw e;
      this.deps.logger.warn(
        { code: e.code, file, err: e.message.split(path).join(file) },
        'course not installed',
      );
      return { ok: false, error: installRefusal(e, path, file), cause: e.code, file, source };
    }
  }
}
