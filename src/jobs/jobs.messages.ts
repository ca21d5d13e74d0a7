import { defineMessages } from '../web/i18n.js';

/**
 * What a job's run did, in the coordinator's language: a job returns one of these keys with its params
 * (`jobMessage`), the scheduler keeps both in job_runs (and the English text for the log and the CLI), the
 * admin's Schedule page says it in the reader's language. Counts are given after a colon ("Files
 * copied: 3"), so no sentence depends on a plural.
 */
export const tJobs = defineMessages({
  en: {
    export_written: 'Progress files written: {n}',
    export_nothing: 'Nothing new to export',
    usb_no_stick: 'No USB stick plugged in',
    usb_copied: 'Files copied to the USB stick: {n}',
    upload_done: 'Sent to HQ: {acknowledged}; still waiting: {pending}',
    backup_done: 'Backup made: {name} ({size})',
    health_ok: 'Free storage: {free}; temperature: {temp}',
    health_warning: 'Check the box: free storage {free}, temperature {temp}',
    health_power:
      'Check the power supply: the box is short of power (free storage {free}, temperature {temp})',
    cleanup_done: 'Removed: expired sign-ins {sessions}, old job records {runs}, old operation ids {ops}',
    scorm_closed: 'SCORM sessions closed: {n}',
    scorm_none: 'No SCORM session left open',
  },
  fr: {
    export_written: 'Fichiers de progression écrits : {n}',
    export_nothing: 'Rien de nouveau à exporter',
    usb_no_stick: 'Aucune clé USB branchée',
    usb_copied: 'Fichiers copiés sur la clé USB : {n}',
    upload_done: 'Envoyés au siège : {acknowledged} ; encore en attente : {pending}',
    backup_done: 'Sauvegarde faite : {name} ({size})',
    health_ok: 'Espace libre : {free} ; température : {temp}',
    health_warning: 'Vérifiez le boîtier : espace libre {free}, température {temp}',
    health_power:
      'Vérifiez l’alimentation : le boîtier manque de courant (espace libre {free}, température {temp})',
    cleanup_done:
      'Supprimés : connexions expirées {sessions}, anciens relevés de tâches {runs}, anciens identifiants d’opération {ops}',
    scorm_closed: 'Sessions SCORM fermées : {n}',
    scorm_none: 'Aucune session SCORM restée ouverte',
  },
  ar: {
    export_written: 'ملفات التقدم المكتوبة: {n}',
    export_nothing: 'لا جديد للتصدير',
    usb_no_stick: 'لا توجد ذاكرة USB موصولة',
    usb_copied: 'الملفات المنسوخة إلى ذاكرة USB: {n}',
    upload_done: 'أُرسل إلى المقر: {acknowledged}؛ ما زال في الانتظار: {pending}',
    backup_done: 'تمت النسخة الاحتياطية: {name} ({size})',
    health_ok: 'المساحة الحرة: {free}؛ الحرارة: {temp}',
    health_warning: 'افحص الجهاز: المساحة الحرة {free}، الحرارة {temp}',
    health_power: 'افحص مصدر الكهرباء: الجهاز لا يتلقى طاقة كافية (المساحة الحرة {free}، الحرارة {temp})',
    cleanup_done: 'حُذف: جلسات منتهية {sessions}، سجلات مهام قديمة {runs}، معرّفات عمليات قديمة {ops}',
    scorm_closed: 'جلسات SCORM المغلقة: {n}',
    scorm_none: 'لا توجد جلسة SCORM بقيت مفتوحة',
  },
});
export type JobMessageKey = keyof typeof tJobs.catalog.en;
