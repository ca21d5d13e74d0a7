import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the box's health and clock. */
export const healthError = defineErrors({
  // Plain words only: what the clock helper printed (sudo, date...) goes to the server log, never to a page.
  clock_not_set: {
    status: 503,
    en: 'The box’s clock was not changed: the box refused to set it, and nothing else changed. Ask the technician to look at the box’s log, which says why.',
    fr: 'L’horloge du boîtier n’a pas été changée : le boîtier a refusé de la régler, et rien d’autre n’a changé. Demandez à l’équipe technique de consulter le journal du boîtier, qui en donne la raison.',
    ar: 'لم تتغير ساعة الجهاز: رفض الجهاز ضبطها، ولم يتغير شيء آخر. اطلب من الفني الاطلاع على سجل الجهاز الذي يوضح السبب.',
  },
});
export type HealthErrorCode = CodeOf<typeof healthError>;
