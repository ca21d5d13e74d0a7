import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of scheduled jobs. */
export const jobsError = defineErrors({
  job_unknown: {
    status: 404,
    en: 'no job named {job}',
    fr: 'aucune tâche ne s’appelle {job}',
    ar: 'لا توجد مهمة باسم {job}',
  },
  job_busy: {
    status: 409,
    en: 'job {job} is running already',
    fr: 'la tâche {job} est déjà en cours',
    ar: 'المهمة {job} قيد التشغيل بالفعل',
  },
  schedule_invalid: {
    status: 400,
    en: '"{schedule}" is not a cron schedule such as "30 1 * * *" (minute hour day month weekday)',
    fr: '« {schedule} » n’est pas une planification cron comme « 30 1 * * * » (minute heure jour mois jour-de-semaine)',
    ar: '"{schedule}" ليس جدولاً بصيغة cron مثل "30 1 * * *" (الدقيقة الساعة اليوم الشهر يوم-الأسبوع)',
  },
});
export type JobsErrorCode = CodeOf<typeof jobsError>;
