import { defineMessages } from '../../web/i18n.js';

/** The sync area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tSync = defineMessages({
  en: {
    exportNow: 'Export now',
    copyUsb: 'Copy the waiting progress files to the USB stick',
    uploadNow: 'Upload now',
    bundles: 'Progress files',
    state: 'State',
    records: 'Records',
  },
  fr: {
    exportNow: 'Exporter maintenant',
    copyUsb: 'Copier les fichiers de progression en attente sur la clé USB',
    uploadNow: 'Envoyer maintenant',
    bundles: 'Fichiers de progression',
    state: 'État',
    records: 'Enregistrements',
  },
  ar: {
    exportNow: 'التصدير الآن',
    copyUsb: 'نسخ ملفات التقدم المنتظرة إلى ذاكرة USB',
    uploadNow: 'الرفع الآن',
    bundles: 'ملفات التقدم',
    state: 'الحالة',
    records: 'السجلات',
  },
});
