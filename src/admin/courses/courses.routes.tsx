import { rmSync } from 'node:fs';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { ContentService } from '../../content/content.service.js';
import { spoolUploadTo } from '../../web/upload.js';
import { packagesShareSite } from '../../learning/scorm.routes.js';
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
const activeForm = z.object({ active: field(5), op: field(64) });
const usbForm = z.object({ path: field(4096), op: field(64) });

/** What an install did, as kept under its operation id (a repeat says the same). */
interface Installed {
  id: string;
  version: string;
  status: string;
  title: string;
  source: string;
}

/** Courses: the installed list (enable/disable), install from an upload or a USB stick (audited). */
export function coursesRouter(ctx: CoursesDeps, kit: AdminKit): Router {
  const router = Router();
  const here = () => '/admin/courses';

  /**
   * An install under its form's operation id (AdminKit.once), audited either way. A refused course is the
   * admin's refusal (said for a coordinator); the audit keeps the content store's code and the file's
   * name, never its English text (paths, settings). The same course file again is said to be there
   * already; the same form sent twice (a double click) installs once and says "installed" both times.
   */
  const install = async (res: Response, op: string, target: string, run: () => Promise<InstallOutcome>) => {
    const r = await kit.once(
      res,
      { op, action: 'course.install', target },
      (done: Installed) => {
        kit.audit(res, 'course.install', done.id, {
          version: done.version,
          status: done.status,
          source: done.source,
        });
        return done;
      },
      async (): Promise<Installed> => {
        const r = await run();
        if (!r.ok) {
          kit.audit(res, 'course.install_refused', r.source, { code: r.cause, file: r.file });
          throw r.error;
        }
        const { id, version, status, title } = r.result;
        return { id, version, status, title, source: r.source };
      },
    );
    kit.back(res, '/admin/courses', r.status === 'unchanged' ? 'alreadyInstalled' : 'installed', {
      title: r.title,
      version: r.version,
    });
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
      async (input, req, res) => {
        const id = String(req.params['id']);
        const active = input.active === '1';
        const action = active ? 'course.enable' : 'course.disable';
        await kit.once(res, { op: input.op, action, target: id }, () => {
          ctx.content.setActive(id, active);
          kit.audit(res, action, id);
          return true;
        });
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
        try {
          await install(res, up.fields['op'] ?? '', 'upload', () =>
            ctx.courseInstall.fromUpload(up.file, { allowRemote }),
          );
        } finally {
          // A repeat answered with the first outcome (or a form with no operation id) leaves its copy unread.
          if (up.file) rmSync(up.file.path, { force: true });
        }
      },
      here,
    ),
  );

  router.post(
    '/admin/courses/usb',
    ...kit.action(
      usbForm,
      (input, _req, res) => install(res, input.op, 'usb', () => ctx.courseInstall.fromUsb(input.path)),
      here,
    ),
  );

  return router;
}
