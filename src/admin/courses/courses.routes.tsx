import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { ContentService } from '../../content/content.service.js';
import { spoolUploadTo } from '../../web/upload.js';
import { packagesShareSite } from '../../learning/scorm.routes.js';
import { adminError } from '../admin.errors.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { field } from '../kit/fields.js';
import type { CourseInstallService, InstallOutcome } from './course-install.service.js';
import { CoursesPage } from './courses.pages.js';

export interface CoursesDeps {
  config: Config;
  content: ContentService;
  courseInstall: CourseInstallService;
}

const COURSE_MAX = 512 * 1024 * 1024;
const activeForm = z.object({ active: field(5) });
const usbForm = z.object({ path: field(4096) });

/** Courses: the installed list (enable/disable), install from an upload or a USB stick (audited). */
export function coursesRouter(ctx: CoursesDeps, kit: AdminKit): Router {
  const router = Router();
  const here = () => '/admin/courses';

  /** Audit an install either way; a refused course is the coordinator's error with its reason. */
  const installed = (res: Response, r: InstallOutcome) => {
    if (!r.ok) {
      kit.audit(res, 'course.install_refused', r.source, { error: r.error.message.slice(0, 500) });
      // The reason in the coordinator's language (the content error's own text), framed by install_failed.
      throw adminError('install_failed', { detail: kit.text(r.error, res).slice(0, 380) });
    }
    const { id, version, status, title } = r.result;
    kit.audit(res, 'course.install', id, { version, status, source: r.source });
    kit.back(res, '/admin/courses', 'installed', { title, version });
  };

  router.get('/admin/courses', (req, res) => {
    kit.show(
      res,
      <CoursesPage
        page={kit.page(req, res)}
        courses={ctx.content.listInstalled(res.locals.lang)}
        usb={ctx.courseInstall.usbCourses()}
        usbRoots={ctx.config.export.usbRoots}
        packagesShareSite={packagesShareSite(req, ctx.config.scorm.publicOrigin)}
      />,
    );
  });

  router.post(
    '/admin/courses/:id/active',
    ...kit.action(
      activeForm,
      (input, req, res) => {
        const id = String(req.params['id']);
        const active = input.active === '1';
        ctx.content.setActive(id, active);
        kit.audit(res, active ? 'course.enable' : 'course.disable', id);
        kit.back(res, '/admin/courses', 'saved');
      },
      here,
    ),
  );

  // A multipart form (the course file), streamed to <data>/tmp by the web kit's upload reader: a 500 MB
  // zip is never held in memory.
  router.post(
    '/admin/courses/upload',
    ...kit.action(
      z.unknown(),
      async (_input, req, res) => {
        const up = await spoolUploadTo(req, COURSE_MAX, ctx.courseInstall.uploadDir());
        // The checkbox installs a SCORM package that loads files from the internet (with its warning).
        const allowRemote = up.fields['allowRemote'] === '1';
        installed(res, await ctx.courseInstall.fromUpload(up.file, { allowRemote }));
      },
      here,
    ),
  );

  router.post(
    '/admin/courses/usb',
    ...kit.action(
      usbForm,
      async (input, _req, res) => installed(res, await ctx.courseInstall.fromUsb(input.path)),
      here,
    ),
  );

  return router;
}
