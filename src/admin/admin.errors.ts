import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the coordinator's admin. */
export const adminError = defineErrors({
  setup_done: {
    status: 409,
    en: 'a coordinator already exists: sign in instead',
    fr: 'un coordinateur existe déjà : connectez-vous plutôt',
    ar: 'يوجد منسق بالفعل: سجّل الدخول بدلاً من ذلك',
  },
  bad_setup_code: {
    status: 403,
    en: 'That setup code is not right. Check the box’s log for the latest code.',
    fr: 'Ce code de configuration n’est pas bon. Consultez le dernier code dans le journal du boîtier.',
    ar: 'رمز الإعداد غير صحيح. راجع أحدث رمز في سجل الجهاز.',
  },
  too_many_attempts: {
    status: 429,
    en: 'Too many attempts. Wait a minute and try again.',
    fr: 'Trop de tentatives. Attendez une minute et réessayez.',
    ar: 'محاولات كثيرة جداً. انتظر دقيقة ثم حاول مرة أخرى.',
  },
  import_expired: {
    status: 409,
    en: 'This check has expired. Upload the file again.',
    fr: 'Cette vérification a expiré. Envoyez le fichier à nouveau.',
    ar: 'انتهت صلاحية هذا الفحص. أرسل الملف مرة أخرى.',
  },
  no_course_file: {
    status: 400,
    en: 'no course file was sent',
    fr: 'aucun fichier de cours n’a été envoyé',
    ar: 'لم يُرسل أي ملف دورة',
  },
  usb_course_gone: {
    status: 404,
    en: 'that course is no longer on a USB stick',
    fr: 'ce cours n’est plus sur une clé USB',
    ar: 'لم تعد هذه الدورة على وحدة USB',
  },
  install_failed: {
    status: 400,
    en: 'The course was not installed: {detail}',
    fr: 'Le cours n’a pas été installé : {detail}',
    ar: 'لم يتم تثبيت الدورة: {detail}',
  },
  no_stick: {
    status: 400,
    en: 'no USB stick is plugged in',
    fr: 'aucune clé USB n’est branchée',
    ar: 'لا توجد وحدة USB موصولة',
  },
  copy_failed: {
    status: 400,
    en: '{detail}',
    fr: 'La copie a échoué : {detail}',
    ar: 'فشل النسخ: {detail}',
  },
  upload_refused: {
    status: 400,
    en: '{detail}',
    fr: 'HQ a refusé : {detail}',
    ar: 'رفض المقر: {detail}',
  },
  scheduler_stopped: {
    status: 503,
    en: 'the scheduler is not running in this process',
    fr: 'le planificateur ne tourne pas dans ce processus',
    ar: 'المجدول لا يعمل في هذه العملية',
  },
});
export type AdminErrorCode = CodeOf<typeof adminError>;
