import { defineErrors, type CodeOf } from '../core/errors.js';

/** HQ's own typed errors (the bundle format's are the contract's `bundleErrors`). */
export const hqError = defineErrors({
  bundle_fork: {
    status: 409,
    en: 'fork: {detail}',
    fr: 'Refusé : ce boîtier a envoyé deux versions différentes des mêmes données ({detail}). Rien n’a été importé ; le conflit est enregistré.',
    ar: 'مرفوض: أرسل هذا الجهاز نسختين مختلفتين من البيانات نفسها ({detail}). لم يُستورد شيء؛ وسُجّل التعارض.',
  },
  bundle_size_mismatch: {
    status: 422,
    en: 'Content-Length is {declared} bytes; the signed manifest makes the bundle {bytes}',
    fr: 'Refusé : la taille envoyée ({declared} octets) n’est pas celle du paquet signé ({bytes} octets).',
    ar: 'مرفوض: الحجم المرسل ({declared} بايت) ليس حجم الحزمة الموقعة ({bytes} بايت).',
  },
  bundle_manifest_mismatch: {
    status: 422,
    en: 'the bundle’s manifest is not the one its upload headers announced',
    fr: 'Refusé : le paquet n’est pas celui que l’envoi annonçait.',
    ar: 'مرفوض: الحزمة ليست التي أعلن عنها الإرسال.',
  },
  upload_stalled: {
    status: 408,
    en: 'no data for {seconds} s',
    fr: 'L’envoi s’est interrompu (rien reçu pendant {seconds} s) : réessayez.',
    ar: 'توقف الإرسال (لم يصل شيء خلال {seconds} ث): حاول مرة أخرى.',
  },
  upload_not_multipart: {
    status: 415,
    en: 'send the bundles as a multipart/form-data upload{detail}',
    fr: 'Envoyez les paquets avec le formulaire d’envoi de cette page.',
    ar: 'أرسل الحزم عبر نموذج الإرسال في هذه الصفحة.',
  },
  unsupported_media_type: {
    status: 415,
    en: 'send the bundle as Content-Type: application/zip',
    fr: 'Envoyez le paquet en tant que Content-Type: application/zip.',
    ar: 'أرسل الحزمة بنوع المحتوى Content-Type: application/zip.',
  },
  match_box_unknown: {
    status: 400,
    en: 'appliance {box} has no person in match {match}',
    fr: 'Le boîtier {box} n’a personne dans cette correspondance : rechargez la page.',
    ar: 'ليس للجهاز {box} أي شخص في هذا التطابق: أعد تحميل الصفحة.',
  },
  match_decision_missing: {
    status: 400,
    en: 'choose merge or keep apart',
    fr: 'Choisissez « fusionner » ou « garder séparés ».',
    ar: 'اختر «دمج» أو «إبقاء منفصلين».',
  },
  already_enrolled: {
    status: 409,
    en: 'appliance {appliance} is already enrolled with another key ({key})',
    fr: 'Le boîtier {appliance} est déjà enregistré avec une autre clé ({key}).',
    ar: 'الجهاز {appliance} مسجّل مسبقاً بمفتاح آخر ({key}).',
  },
  key_in_use: {
    status: 409,
    en: 'key {key} is already enrolled for appliance {appliance}',
    fr: 'La clé {key} est déjà enregistrée pour le boîtier {appliance}.',
    ar: 'المفتاح {key} مسجّل مسبقاً للجهاز {appliance}.',
  },
  revocation_point_invalid: {
    status: 400,
    en: '--from {text}: give <epoch>:<sequence>, both whole numbers from 1 (e.g. 2:150)',
    fr: '« {text} » n’est pas un point de révocation : donnez <époque>:<séquence>, deux nombres entiers à partir de 1 (par ex. 2:150).',
    ar: '«{text}» ليست نقطة إلغاء: أعطِ <الحقبة>:<التسلسل>، عددين صحيحين بدءاً من 1 (مثلاً 2:150).',
  },
  username_taken: {
    status: 409,
    en: 'user {username} already exists',
    fr: 'Le compte {username} existe déjà.',
    ar: 'الحساب {username} موجود مسبقاً.',
  },
});
export type HqErrorCode = CodeOf<typeof hqError>;
