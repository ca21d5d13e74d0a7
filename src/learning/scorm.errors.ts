import { defineErrors, type CodeOf } from '../core/errors.js';

/**
 * Errors of the SCORM runtime and player: the package origin answers them as JSON (the runtime shows
 * "not saved"), the player page and the admin in the reader's language, the CLI in English.
 */
export const scormError = defineErrors({
  launch_invalid: {
    status: 401,
    en: 'launch token {why}',
    fr: 'jeton de lancement {why}',
    ar: 'رمز التشغيل {why}',
  },
  launch_superseded: {
    status: 409,
    en: 'this launch is closed: open the activity again',
    fr: 'ce lancement est fermé : ouvrez l’activité à nouveau',
    ar: 'هذا التشغيل مغلق: افتح النشاط مرة أخرى',
  },
  scorm_commit_invalid: {
    status: 400,
    en: 'the commit is not valid: {detail}',
    fr: 'l’enregistrement n’est pas valide : {detail}',
    ar: 'الحفظ غير صالح: {detail}',
  },
  scorm_commit_too_large: {
    status: 413,
    en: 'the SCO sent too much data: {detail}',
    fr: 'le module a envoyé trop de données : {detail}',
    ar: 'أرسلت الوحدة بيانات كثيرة جداً: {detail}',
  },
  scorm_not_available: {
    status: 403,
    en: '"{title}" is not available yet: the course\'s sequencing rules require other parts first',
    fr: '« {title} » n’est pas encore disponible : les règles du cours demandent d’abord d’autres parties',
    ar: '"{title}" غير متاح بعد: تتطلب قواعد الدورة أجزاء أخرى أولاً',
  },
  scorm_reset_nothing: {
    status: 409,
    en: '{username} has no attempt in progress at {activity}: the next launch already starts a new one',
    fr: '{username} n’a pas de tentative en cours pour {activity} : le prochain lancement en commence déjà une nouvelle',
    ar: 'ليست لدى {username} محاولة جارية في {activity}: التشغيل التالي يبدأ محاولة جديدة بالفعل',
  },
  scorm_unavailable: {
    status: 503,
    en: 'the SCORM package server is not running',
    fr: 'le serveur des modules SCORM ne fonctionne pas',
    ar: 'خادم حزم SCORM لا يعمل',
  },
});
export type ScormErrorCode = CodeOf<typeof scormError>;
