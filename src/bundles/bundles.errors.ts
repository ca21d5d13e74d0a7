import { defineErrors, type AppError, type CodeOf } from '../core/errors.js';
import type { UploadOutcome } from './upload.service.js';
import type { StickCopyResult } from './usb-copy.service.js';

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

/**
 * What went wrong in a copy to USB sticks, for the job and the admin's button alike: null when every
 * bundle was copied. The English (the log, the CLI) names each file and the system's reason; a page says
 * what to do.
 */
export function usbCopyFailure(results: readonly StickCopyResult[]): AppError | null {
  const failed = results.flatMap((r) => r.failed);
  if (!failed.length) return null;
  return bundlesError('usb_copy_failed', {
    failed: failed.length,
    copied: results.reduce((n, r) => n + r.copied.length, 0),
    reasons: failed.map((f) => `${f.file}: ${f.reason}`).join('; '),
  });
}

/** The bundles HQ refused in an upload, for the job and the admin's button alike: null when none was. */
export function uploadFailure(r: UploadOutcome): AppError | null {
  if (!r.refused.length) return null;
  return bundlesError('upload_refused', {
    acknowledged: r.acknowledged.length,
    pending: r.pending.length,
    refused: r.refused.length,
    reasons: r.refused.map((x) => `bundle ${x.bundleSeq}: ${x.message}`).join('; '),
  });
}
