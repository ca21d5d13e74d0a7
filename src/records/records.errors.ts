import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the records: operation ids (src/records/operations.ts). */
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
});
export type RecordsErrorCode = CodeOf<typeof recordsError>;
