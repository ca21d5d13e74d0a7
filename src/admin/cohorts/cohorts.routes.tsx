import type { Language } from '../../core/language.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ContentService } from '../../content/content.service.js';
import { randomClassCode, type CohortService } from '../../people/cohorts.service.js';
import type { PeopleService } from '../../people/people.service.js';
import type { AuditService } from '../../records/audit.service.js';
import type { RecordsService } from '../../records/records.service.js';
import type { AdminKit } from '../kit/admin.middleware.js';
import { tr, type AdminPage } from '../kit/admin.layout.js';
import { field } from '../kit/fields.js';
import type { FormState } from '../kit/form.js';
import type { CourseInstallService } from '../courses/course-install.service.js';
import type { AdminReportsService } from '../reports.service.js';
import { CohortPage, CohortsPage, type ClassProgress } from './cohorts.pages.js';

export interface CohortsDeps {
  records: RecordsService;
  audit: AuditService;
  adminReports: AdminReportsService;
  people: PeopleService;
  cohorts: CohortService;
  content: ContentService;
  courseInstall: CourseInstallService;
}

// The service keeps class names to 120 characters (the form's maxlength): the same limit, one message.
const nameForm = z.object({ name: field(120), op: field(64) });
const codeForm = z.object({ code: field(100), generate: field(10), op: field(64) });
const membersForm = z.object({ usernames: field(60_000), op: field(64) });
const memberForm = z.object({ personId: field(100), op: field(64) });
const enrolForm = z.object({ courseId: field(200), op: field(64) });

/** Classes (cohorts): create, class code, members (add by username, remove), enrol the class in a course. */
export function cohortsRouter(ctx: CohortsDeps, kit: AdminKit): Router {
  const router = Router();
  const here = (req: Request) => `/admin/cohorts/${String(req.params['id'])}`;
  const cohortOf = (req: Request) => ctx.cohorts.require(String(req.params['id']));
  const cohortPage = (req: Request, formOf?: 'code' | 'members') => (page: AdminPage, form?: FormState) => {
    const cohort = cohortOf(req);
    // Each of the class's courses reported for its members only, by the same report as the Reports area.
    const progress: ClassProgress[] = cohort.courses.map((courseId) => {
      const r = ctx.adminReports.courseReport(courseId, page.lang, 'name', { cohortId: cohort.id });
      return {
        courseId,
        title: r.course.title,
        figures: r.figures,
        lines: new Map(r.lines.map((l) => [l.personId, l])),
      };
    });
    return (
      <CohortPage
        page={page}
        cohort={cohort}
        members={ctx.cohorts.members(cohort.id, 1000)}
        courses={ctx.content.listInstalled(page.lang)}
        progress={progress}
        form={form}
        formOf={formOf}
      />
    );
  };

  /** Each installed course's title in the reader's language (the class list names its courses by title). */
  const titlesIn = (lang: Language): Map<string, string> =>
    new Map(ctx.content.listInstalled(lang).map((c) => [c.id, c.title]));

  router.get('/admin/cohorts', (req, res) =>
    kit.show(
      res,
      <CohortsPage
        page={kit.page(req, res)}
        cohorts={ctx.cohorts.list()}
        titles={titlesIn(res.locals.lang)}
      />,
    ),
  );

  router.post(
    '/admin/cohorts',
    ...kit.form(
      nameForm,
      (page, form) => (
        <CohortsPage page={page} cohorts={ctx.cohorts.list()} titles={titlesIn(page.lang)} form={form} />
      ),
      async (input, _req, res) => {
        // Under the form's operation id: a double submit creates the class once (one audit row), and the
        // second answer is the first one's (that class's page), not "a class with that name exists".
        const { id } = await kit.once(
          res,
          { op: input.op, action: 'cohort.create', target: 'cohorts' },
          () => {
            const c = ctx.cohorts.createTx(input.name);
            kit.audit(res, 'cohort.create', c.name);
            return { id: c.id };
          },
        );
        kit.back(res, `/admin/cohorts/${id}`, 'saved');
      },
    ),
  );

  router.get('/admin/cohorts/:id', (req, res) => kit.show(res, cohortPage(req)(kit.page(req, res))));

  router.post(
    '/admin/cohorts/:id/code',
    ...kit.form(
      codeForm,
      (page, form, req) => cohortPage(req, 'code')(page, form),
      async (input, req, res) => {
        const cohort = cohortOf(req);
        // A double click on "new code" makes one code, not two (the first would be gone already).
        await kit.once(res, { op: input.op, action: 'cohort.class_code', target: cohort.id }, () => {
          const code = input.generate ? randomClassCode() : input.code;
          const c = ctx.cohorts.setClassCode(cohort.id, code || null);
          kit.audit(res, c.classCode ? 'cohort.class_code' : 'cohort.class_code_removed', c.name);
          return true;
        });
        kit.back(res, `/admin/cohorts/${cohort.id}`, 'saved');
      },
    ),
  );

  router.post(
    '/admin/cohorts/:id/members',
    ...kit.form(
      membersForm,
      (page, form, req) => cohortPage(req, 'members')(page, form),
      async (input, req, res) => {
        const cohort = cohortOf(req);
        const names = input.usernames
          .split(/[\s,;]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        // The known names are added; the unknown ones come back in the field, named, to correct. A
        // repeat (double click) adds nothing more and says the same.
        const { n, unknown } = await kit.once(
          res,
          { op: input.op, action: 'cohort.members_add', target: cohort.id },
          () => {
            const ids: string[] = [];
            const unknown: string[] = [];
            for (const name of names) {
              const p = ctx.people.byUsername(name);
              if (p && p.role === 'trainee') ids.push(p.id);
              else unknown.push(name);
            }
            const n = ids.length ? ctx.cohorts.addMembers(cohort.id, ids) : 0;
            if (n) kit.audit(res, 'cohort.members_add', cohort.name, { count: n });
            return { n, unknown };
          },
        );
        if (!unknown.length) return kit.back(res, `/admin/cohorts/${cohort.id}`, 'membersAdded', { n });
        const page = kit.page(req, res);
        const flash = {
          kind: 'error' as const,
          text: tr(page)('membersPartly', { added: n, unknown: unknown.length }),
        };
        const form: FormState = {
          values: { usernames: unknown.join('\n') },
          fields: [
            {
              field: 'usernames',
              key: 'unknownTrainees',
              params: { usernames: unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? ', …' : '') },
            },
          ],
        };
        kit.show(res, cohortPage(req, 'members')({ ...page, flash }, form), 400);
      },
    ),
  );

  router.post(
    '/admin/cohorts/:id/members/remove',
    ...kit.action(
      memberForm,
      async (input, req, res) => {
        const cohort = cohortOf(req);
        await kit.once(
          res,
          { op: input.op, action: 'cohort.member_remove', target: `${cohort.id}/${input.personId}` },
          () => {
            ctx.cohorts.removeMember(cohort.id, input.personId);
            kit.audit(res, 'cohort.member_remove', cohort.name, { personId: input.personId });
            return true;
          },
        );
        kit.back(res, `/admin/cohorts/${cohort.id}`, 'saved');
      },
      here,
    ),
  );

  router.post(
    '/admin/cohorts/:id/enrol',
    ...kit.action(
      enrolForm,
      async (input, req, res) => {
        const cohort = cohortOf(req);
        const courseId = ctx.courseInstall.requireInstalled(input.courseId);
        const n = await kit.once(
          res,
          { op: input.op, action: 'cohort.enrol', target: `${cohort.id}/${courseId}` },
          () => {
            const n = ctx.cohorts.enrolCohort(cohort.id, courseId);
            kit.audit(res, 'cohort.enrol', cohort.name, { courseId, trainees: n });
            return n;
          },
        );
        kit.back(res, `/admin/cohorts/${cohort.id}`, 'enrolled', { n });
      },
      here,
    ),
  );

  return router;
}
