import { defineMessages } from '../../web/i18n.js';

/** The schedule area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tSchedule = defineMessages({
  en: {
    scheduleTitle: 'Schedule',
    schedule: 'Schedule',
    lastRun: 'Last run',
    duration: 'Duration',
    runNow: 'Run now',
    scheduleUnavailable: 'The scheduler is not available on this box yet.',
    jobRunDetails: 'Details (technical)',
  },
  fr: {
    scheduleTitle: 'Planification',
    schedule: 'Planification',
    lastRun: 'Dernière exécution',
    duration: 'Durée',
    runNow: 'Lancer maintenant',
    scheduleUnavailable: 'Le planificateur n’est pas encore disponible sur ce boîtier.',
    jobRunDetails: 'Détails (techniques)',
  },
  ar: {
    scheduleTitle: 'الجدولة',
    schedule: 'الموعد',
    lastRun: 'آخر تشغيل',
    duration: 'المدة',
    runNow: 'تشغيل الآن',
    scheduleUnavailable: 'المُجدول غير متاح على هذا الجهاز بعد.',
    jobRunDetails: 'تفاصيل (تقنية)',
  },
});
