import { defineMessages } from '../../web/i18n.js';

/** The audit area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tAudit = defineMessages({
  en: {
    auditTitle: 'Audit log',
    who: 'Who',
    target: 'On',
    details: 'Details',
  },
  fr: {
    auditTitle: 'Journal d’audit',
    who: 'Qui',
    target: 'Sur',
    details: 'Détails',
  },
  ar: {
    auditTitle: 'سجل التدقيق',
    who: 'من',
    target: 'على',
    details: 'التفاصيل',
  },
});
