import { defineMessages } from '../../web/i18n.js';

/** The schedule area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tSchedule = defineMessages({
  en: {
    scheduleTitle: 'Schedule',
    schedule: 'Schedule',
    lastRun: 'Last run',
    duration: 'Duration',
    runNow: 'Run now',
    timeZoneTitle: 'Time zone of the box',
    timeZoneHint:
      'Every time on these pages, in the CSV files and in the schedules below is in this zone. The box’s clock itself does not change. Now: {now}.',
    nextRun: 'Next run',
    scheduleUnavailable: 'The scheduler is not available on this box yet.',
    jobRunDetails: 'Details (technical)',
  },
  fr: {
    scheduleTitle: 'Planification',
    schedule: 'Planification',
    lastRun: 'Dernière exécution',
    duration: 'Durée',
    runNow: 'Lancer maintenant',
    timeZoneTitle: 'Fuseau horaire du boîtier',
    timeZoneHint:
      'Toutes les heures de ces pages, des fichiers CSV et des planifications ci-dessous sont dans ce fuseau. L’horloge du boîtier elle-même ne change pas. Maintenant : {now}.',
    nextRun: 'Prochaine exécution',
    scheduleUnavailable: 'Le planificateur n’est pas encore disponible sur ce boîtier.',
    jobRunDetails: 'Détails (techniques)',
  },
  ar: {
    scheduleTitle: 'الجدولة',
    schedule: 'الموعد',
    lastRun: 'آخر تشغيل',
    duration: 'المدة',
    runNow: 'تشغيل الآن',
    timeZoneTitle: 'المنطقة الزمنية للجهاز',
    timeZoneHint:
      'كل الأوقات في هذه الصفحات وفي ملفات CSV وفي المواعيد أدناه بهذه المنطقة الزمنية. ساعة الجهاز نفسها لا تتغير. الآن: {now}.',
    nextRun: 'التشغيل التالي',
    scheduleUnavailable: 'المُجدول غير متاح على هذا الجهاز بعد.',
    jobRunDetails: 'تفاصيل (تقنية)',
  },
});
