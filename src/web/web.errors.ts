import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the web kit (session, Origin/CSRF, request reading), shared by the box and HQ. */
export const webError = defineErrors({
  bad_csrf: {
    status: 403,
    en: 'This form has expired. Go back, reload the page and try again.',
    fr: 'Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.',
    ar: 'انتهت صلاحية هذا النموذج. ارجع وأعد تحميل الصفحة ثم حاول مرة أخرى.',
  },
  bad_origin: {
    status: 403,
    en: 'This request did not come from this site, so it was refused.',
    fr: 'Cette demande ne vient pas de ce site : elle a été refusée.',
    ar: 'لم يأتِ هذا الطلب من هذا الموقع، لذلك تم رفضه.',
  },
  unauthenticated: {
    status: 401,
    en: 'Please sign in first.',
    fr: 'Veuillez d’abord vous connecter.',
    ar: 'يرجى تسجيل الدخول أولاً.',
  },
  wrong_role: {
    status: 403,
    en: 'This page is not for your account.',
    fr: 'Cette page n’est pas pour votre compte.',
    ar: 'هذه الصفحة ليست لحسابك.',
  },
  too_large: {
    status: 413,
    en: 'What you sent is too large.',
    fr: 'Ce que vous avez envoyé est trop volumineux.',
    ar: 'ما أرسلته كبير جداً.',
  },
  file_too_large: {
    status: 413,
    en: 'the file is larger than {maxMb} MB',
    fr: 'le fichier dépasse {maxMb} Mo',
    ar: 'الملف أكبر من {maxMb} ميغابايت',
  },
  not_multipart: {
    status: 400,
    en: 'expected a file upload (multipart/form-data)',
    fr: 'un fichier était attendu (formulaire d’envoi de fichier)',
    ar: 'كان من المتوقع رفع ملف',
  },
  upload_unreadable: {
    status: 400,
    en: 'upload could not be read: {detail}',
    fr: 'l’envoi n’a pas pu être lu : {detail}',
    ar: 'تعذرت قراءة الملف المرسل: {detail}',
  },
  bad_request: {
    status: 400,
    en: 'Something in the request is not right.',
    fr: 'Quelque chose ne va pas dans la demande.',
    ar: 'هناك خطأ في الطلب.',
  },
});
export type WebErrorCode = CodeOf<typeof webError>;
