import { defineErrors, type CodeOf } from '../core/errors.js';

/**
 * The content store's typed errors: why a course was not installed. The English text is the message the
 * CLI prints and the logs keep; a page shows the code's text in the reader's language. `{detail}` is the
 * importer's own finding (a file and field of the course, as its author named them), kept as found.
 */
export const contentError = defineErrors({
  course_not_installed: {
    status: 404,
    en: 'course {course} is not installed',
    fr: 'le cours {course} n’est pas installé',
    ar: 'الدورة {course} غير مثبتة',
  },
  course_invalid: {
    status: 400,
    en: '{detail}',
    fr: 'Ce cours contient des erreurs : {detail}',
    ar: 'تحتوي هذه الدورة على أخطاء: {detail}',
  },
  course_source_missing: {
    status: 404,
    en: '{file}: no such course folder or file',
    fr: '{file} : ce dossier ou fichier de cours n’existe pas.',
    ar: '{file}: لا يوجد مجلد أو ملف دورة بهذا الاسم.',
  },
  zip_invalid: {
    status: 400,
    en: '{file}: {detail}',
    fr: 'Ce fichier zip ne peut pas être utilisé ({file}) : {detail}',
    ar: 'لا يمكن استخدام ملف zip هذا ({file}): {detail}',
  },
  course_bundle_invalid: {
    status: 422,
    en: '{file}: {detail}',
    fr: 'Ce paquet de cours signé est refusé ({file}) : {detail}',
    ar: 'رُفضت حزمة الدورة الموقّعة هذه ({file}): {detail}',
  },
  course_bundle_untrusted: {
    status: 422,
    en: '{file}: this box trusts no content key (config content.trustedKeys is empty)',
    fr: 'Ce boîtier ne fait confiance à aucune clé de contenu : il ne peut installer aucun cours signé. Demandez au siège de configurer content.trustedKeys.',
    ar: 'لا يثق هذا الجهاز بأي مفتاح محتوى: لا يمكنه تثبيت أي دورة موقّعة. اطلب من المقر ضبط content.trustedKeys.',
  },
  course_bundle_signature_invalid: {
    status: 422,
    en: '{file}: the signature does not verify with any trusted content key (untrusted signer or altered manifest)',
    fr: 'La signature de ce paquet de cours ne correspond à aucune clé de confiance : il vient d’ailleurs ou a été modifié.',
    ar: 'توقيع حزمة الدورة هذه لا يطابق أي مفتاح موثوق: إما أنها من مصدر آخر أو أنها عُدّلت.',
  },
  unsigned_refused: {
    status: 403,
    en: '{file}: an unsigned {what}; this box installs only course bundles signed by HQ (set content.allowUnsigned to true, or FIELDCLASS_ALLOW_UNSIGNED=1, to allow local content)',
    fr: 'Ce fichier n’est pas signé par le siège, et ce boîtier n’installe que des cours signés par le siège.',
    ar: 'هذا الملف غير موقّع من المقر، وهذا الجهاز لا يثبّت إلا الدورات الموقّعة من المقر.',
  },
  version_lower: {
    status: 409,
    en: '{course} {version} is older than the installed version {installed}; not installed',
    fr: 'La version {version} du cours {course} est plus ancienne que la version installée ({installed}) : rien n’a été changé.',
    ar: 'الإصدار {version} من الدورة {course} أقدم من الإصدار المثبّت ({installed}): لم يتغيّر شيء.',
  },
  version_conflict: {
    status: 409,
    en: '{course} {version} is already installed with different content; give the changed course a new version',
    fr: 'La version {version} du cours {course} est déjà installée avec un autre contenu : le cours modifié doit porter un nouveau numéro de version.',
    ar: 'الإصدار {version} من الدورة {course} مثبّت مسبقاً بمحتوى مختلف: يجب أن تحمل الدورة المعدّلة رقم إصدار جديداً.',
  },
  course_changed: {
    status: 409,
    en: '{file}: the file changed while it was being installed; try again',
    fr: '{file} a changé pendant l’installation : réessayez.',
    ar: 'تغيّر {file} أثناء التثبيت: حاول مرة أخرى.',
  },
  key_exists: {
    status: 409,
    en: '{file} already exists; not overwriting a signing key',
    fr: '{file} existe déjà : une clé de signature n’est jamais remplacée.',
    ar: '{file} موجود مسبقاً: لا يُستبدل مفتاح التوقيع أبداً.',
  },
});
export type ContentErrorCode = CodeOf<typeof contentError>;
