import { defineMessages } from '../../web/i18n.js';

/** The backups area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tBackups = defineMessages({
  en: {
    backupsTitle: 'Backups',
    backupHint: 'Restoring is done on the box: fieldclass backup restore <file>.',
  },
  fr: {
    backupsTitle: 'Sauvegardes',
    backupHint: 'La restauration se fait sur le boîtier : fieldclass backup restore <fichier>.',
  },
  ar: {
    backupsTitle: 'النسخ الاحتياطية',
    backupHint: 'تتم الاستعادة على الجهاز: fieldclass backup restore <ملف>.',
  },
});
