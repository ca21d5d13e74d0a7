import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the records: operation ids (src/records/operations.ts) and backups (backup.service.ts). */
export const recordsError = defineErrors({
  operation_id_invalid: {
    status: 400,
    en: 'the operation id must be a UUID (e.g. from the page)',
    fr: 'Cet envoi n’est pas reconnu (identifiant d’opération invalide). Rechargez la page et réessayez.',
    ar: 'لم يُتعرّف على هذا الإرسال (معرّف عملية غير صالح). أعد تحميل الصفحة وحاول مجدداً.',
  },
  operation_conflict: {
    status: 409,
    en: 'this operation id was already used for something else',
    fr: 'Cet envoi a déjà servi pour autre chose. Rechargez la page et réessayez.',
    ar: 'سبق استخدام هذا الإرسال لشيء آخر. أعد تحميل الصفحة وحاول مجدداً.',
  },
  acted_at_invalid: {
    status: 400,
    en: 'actedAt must be an ISO date and time',
    fr: 'La date envoyée par le téléphone n’est pas lisible.',
    ar: 'التاريخ المرسل من الهاتف غير مقروء.',
  },
  backup_failed: {
    status: 500,
    en: 'backup not written: {detail}',
    fr: 'La sauvegarde n’a pas été écrite ({detail}). Les données du boîtier ne sont pas touchées ; réessayez, et si cela recommence, faites appel à l’assistance technique.',
    ar: 'لم تُكتب النسخة الاحتياطية ({detail}). بيانات الجهاز لم تُمس؛ حاول مرة أخرى، وإذا تكرر ذلك فاستعن بالفني.',
  },
  backup_invalid: {
    status: 400,
    en: '{file}: {detail}',
    fr: '{file} n’est pas une sauvegarde utilisable : {detail}',
    ar: '{file} ليس نسخة احتياطية صالحة للاستخدام: {detail}',
  },
  backup_other_box: {
    status: 400,
    en: '{file} is a backup of appliance {backupOf}, not of this box ({current})',
    fr: '{file} est la sauvegarde d’un autre boîtier ({backupOf}), pas de celui-ci ({current}).',
    ar: '{file} نسخة احتياطية لجهاز آخر ({backupOf})، وليست لهذا الجهاز ({current}).',
  },
});
export type RecordsErrorCode = CodeOf<typeof recordsError>;
