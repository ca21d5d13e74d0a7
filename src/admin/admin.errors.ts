import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the coordinator's admin. */
export const adminError = defineErrors({
  setup_done: {
    status: 409,
    en: 'a coordinator already exists: sign in instead',
    fr: 'un compte de coordination existe déjà : connectez-vous plutôt',
    ar: 'يوجد حساب تنسيق بالفعل: سجّل الدخول بدلاً من ذلك',
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
  // Why a course file was not installed, said for a coordinator: the file's name as they chose it, never a
  // path of the box, a zip library's words or a setting (the content error's English goes to the log).
  install_not_zip: {
    status: 400,
    en: 'The course was not installed: “{file}” is not a course file (it is not a readable zip file, or it is damaged).',
    fr: 'Le cours n’a pas été installé : « {file} » n’est pas un fichier de cours (ce n’est pas un fichier zip lisible, ou il est abîmé).',
    ar: 'لم يتم تثبيت الدورة: «{file}» ليس ملف دورة (ليس ملف zip مقروءاً، أو أنه تالف).',
  },
  install_unsigned: {
    status: 403,
    en: 'The course was not installed: “{file}” is not a course from HQ. This box installs only courses signed by HQ.',
    fr: 'Le cours n’a pas été installé : « {file} » n’est pas un cours du siège. Ce boîtier n’installe que des cours signés par le siège.',
    ar: 'لم يتم تثبيت الدورة: «{file}» ليس دورة من المقر. هذا الجهاز لا يثبّت إلا الدورات الموقّعة من المقر.',
  },
  install_damaged: {
    status: 422,
    en: 'The course was not installed: “{file}” is damaged or incomplete. Ask HQ for the course file again.',
    fr: 'Le cours n’a pas été installé : « {file} » est abîmé ou incomplet. Demandez à nouveau le fichier du cours au siège.',
    ar: 'لم يتم تثبيت الدورة: «{file}» تالف أو ناقص. اطلب ملف الدورة من المقر مرة أخرى.',
  },
  install_untrusted: {
    status: 422,
    en: 'The course was not installed: “{file}” is not signed by HQ for this box (it comes from elsewhere, or it was changed). Ask HQ for the course file.',
    fr: 'Le cours n’a pas été installé : « {file} » n’est pas signé par le siège pour ce boîtier (il vient d’ailleurs, ou il a été modifié). Demandez le fichier du cours au siège.',
    ar: 'لم يتم تثبيت الدورة: «{file}» غير موقّع من المقر لهذا الجهاز (مصدره آخر، أو عُدّل). اطلب ملف الدورة من المقر.',
  },
  install_no_key: {
    status: 422,
    en: 'The course was not installed: this box is not yet set up to install courses from HQ. Ask HQ to set it up.',
    fr: 'Le cours n’a pas été installé : ce boîtier n’est pas encore préparé pour installer les cours du siège. Demandez au siège de le préparer.',
    ar: 'لم يتم تثبيت الدورة: هذا الجهاز غير مهيأ بعد لتثبيت دورات المقر. اطلب من المقر تهيئته.',
  },
  install_older: {
    status: 409,
    en: 'The course was not installed: “{title}” {version} is older than the version on this box ({installed}). Nothing was changed.',
    fr: 'Le cours n’a pas été installé : « {title} » {version} est plus ancien que la version de ce boîtier ({installed}). Rien n’a été changé.',
    ar: 'لم يتم تثبيت الدورة: «{title}» {version} أقدم من الإصدار الموجود على هذا الجهاز ({installed}). لم يتغيّر شيء.',
  },
  install_conflict: {
    status: 409,
    en: 'The course was not installed: “{title}” {version} is already on this box with other content. A changed course needs a new version number: tell its author.',
    fr: 'Le cours n’a pas été installé : « {title} » {version} est déjà sur ce boîtier avec un autre contenu. Un cours modifié doit porter un nouveau numéro de version : prévenez la personne qui l’a créé.',
    ar: 'لم يتم تثبيت الدورة: «{title}» {version} موجود على هذا الجهاز بمحتوى مختلف. الدورة المعدّلة تحتاج رقم إصدار جديداً: أبلغ مؤلفها.',
  },
  install_remote: {
    status: 400,
    en: 'The course was not installed: “{file}” loads files from the internet, which this box does not have, so parts of it would not work in class. To install it anyway, tick “Allow files from the internet”. The files it loads:',
    fr: 'Le cours n’a pas été installé : « {file} » charge des fichiers depuis internet, que ce boîtier n’a pas : des parties ne marcheraient pas en salle. Pour l’installer quand même, cochez « Autoriser les fichiers venant d’internet ». Les fichiers qu’il charge :',
    ar: 'لم يتم تثبيت الدورة: «{file}» يحمّل ملفات من الإنترنت، وهذا الجهاز بلا إنترنت، فلن تعمل أجزاء منها في القاعة. لتثبيتها رغم ذلك، فعّل «السماح بملفات من الإنترنت». الملفات التي يحمّلها:',
  },
  install_invalid: {
    status: 400,
    en: 'The course was not installed: “{file}” has errors. What the check found, for the course’s author:',
    fr: 'Le cours n’a pas été installé : « {file} » contient des erreurs. Ce que la vérification a trouvé, pour la personne qui a créé le cours :',
    ar: 'لم يتم تثبيت الدورة: «{file}» يحتوي على أخطاء. ما وجده الفحص، لمؤلف الدورة:',
  },
  install_failed: {
    status: 400,
    en: 'The course was not installed: “{file}” could not be read. Try again; if it happens again, ask HQ for the file again.',
    fr: 'Le cours n’a pas été installé : « {file} » n’a pas pu être lu. Réessayez ; si cela se reproduit, demandez à nouveau le fichier au siège.',
    ar: 'لم يتم تثبيت الدورة: تعذّرت قراءة «{file}». حاول مرة أخرى؛ وإن تكرر ذلك فاطلب الملف من المقر مرة أخرى.',
  },
  no_stick: {
    status: 400,
    en: 'no USB stick is plugged in',
    fr: 'aucune clé USB n’est branchée',
    ar: 'لا توجد وحدة USB موصولة',
  },
  scheduler_stopped: {
    status: 503,
    en: 'the scheduler is not running in this process',
    fr: 'le planificateur ne tourne pas dans ce processus',
    ar: 'المجدول لا يعمل في هذه العملية',
  },
});
export type AdminErrorCode = CodeOf<typeof adminError>;
