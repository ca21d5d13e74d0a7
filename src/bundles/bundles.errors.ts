import { defineErrors, type CodeOf } from '../core/errors.js';

/** The box's bundle errors (exports, the appliance key); the bundle format's own are the contract's. */
export const bundlesError = defineErrors({
  export_busy: {
    status: 409,
    en: '{detail}',
    fr: 'Une exportation est déjà en cours : attendez qu’elle se termine, puis réessayez.',
    ar: 'يجري تصدير بالفعل: انتظر حتى ينتهي ثم حاول مرة أخرى.',
  },
  export_conflict: {
    status: 409,
    en: 'bundle starts at {from}, the cursor is at {cursor}',
    fr: 'L’exportation s’est arrêtée : le paquet ne suit pas le dernier exporté (début {from}, curseur {cursor}). Réessayez ; si cela se répète, lancez `fieldclass doctor`.',
    ar: 'توقف التصدير: الحزمة لا تتبع آخر حزمة مصدّرة (البداية {from}، المؤشر {cursor}). حاول مرة أخرى؛ وإن تكرر ذلك شغّل `fieldclass doctor`.',
  },
  identity_missing: {
    status: 400,
    en: 'no appliance key at {file} (run `fieldclass identity init`): {detail}',
    fr: 'Ce boîtier n’a pas encore de clé d’identité : lancez `fieldclass identity init`, puis enregistrez-le au siège.',
    ar: 'لا يملك هذا الجهاز مفتاح هوية بعد: شغّل `fieldclass identity init` ثم سجّله في المقر.',
  },
  identity_invalid: {
    status: 400,
    en: '{file} is not an Ed25519 private key: {detail}',
    fr: 'La clé d’identité de ce boîtier ({file}) est abîmée : elle n’est pas une clé privée Ed25519.',
    ar: 'مفتاح هوية هذا الجهاز ({file}) تالف: ليس مفتاحاً خاصاً من نوع Ed25519.',
  },
  usb_copy_failed: {
    status: 500,
    en: 'files not copied to the USB stick: {failed} (copied: {copied}): {reasons}',
    fr: 'Fichiers non copiés sur la clé USB : {failed} (copiés : {copied}). La clé est peut-être pleine ou protégée en écriture : essayez une autre clé.',
    ar: 'ملفات لم تُنسخ إلى ذاكرة USB: {failed} (المنسوخة: {copied}). ربما الذاكرة ممتلئة أو محمية من الكتابة: جرّب ذاكرة أخرى.',
  },
  upload_refused: {
    status: 502,
    en: 'progress files HQ refused: {refused} (sent: {acknowledged}, still waiting: {pending}): {reasons}',
    fr: 'Fichiers de progression refusés par le siège : {refused} (envoyés : {acknowledged}, encore en attente : {pending}). La page Synchronisation donne la raison de chaque refus.',
    ar: 'ملفات تقدم رفضها المقر: {refused} (المرسلة: {acknowledged}، ما زالت في الانتظار: {pending}). تعرض صفحة المزامنة سبب كل رفض.',
  },
});
export type BundlesErrorCode = CodeOf<typeof bundlesError>;
