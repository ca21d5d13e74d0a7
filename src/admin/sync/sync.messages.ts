import { defineMessages } from '../../web/i18n.js';

/** The sync area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tSync = defineMessages({
  en: {
    exportNow: 'Export now',
    copyUsb: 'Copy pending bundles to the USB stick',
    uploadNow: 'Upload now',
    bundles: 'Bundles',
    state: 'State',
    records: 'Records',
  },
  fr: {
    exportNow: 'Exporter maintenant',
    copyUsb: 'Copier les lots en attente sur la clé USB',
    uploadNow: 'Envoyer maintenant',
    bundles: 'Lots',
    state: 'État',
    records: 'Enregistrements',
  },
  ar: {
    exportNow: 'التصدير الآن',
    copyUsb: 'نسخ الحزم المعلّقة إلى ذاكرة USB',
    uploadNow: 'الرفع الآن',
    bundles: 'الحزم',
    state: 'الحالة',
    records: 'السجلات',
  },
});
