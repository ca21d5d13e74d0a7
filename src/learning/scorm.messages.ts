import { defineMessages } from '../web/i18n.js';

/** The SCORM player page. */
export const tScorm = defineMessages({
  en: {
    backToCourse: 'Back to the course',
    contents: 'Contents',
    previous: 'Previous',
    next: 'Next',
    saved: 'Progress saved',
    statusPassed: 'Passed',
    statusFailed: 'Not passed yet',
    statusCompleted: 'Done',
    statusStarted: 'Started',
    statusNotStarted: 'Not started',
    openSco: 'Open',
  },
  fr: {
    backToCourse: 'Retour au cours',
    contents: 'Sommaire',
    previous: 'Précédent',
    next: 'Suivant',
    saved: 'Progression enregistrée',
    statusPassed: 'Réussi',
    statusFailed: 'Pas encore réussi',
    statusCompleted: 'Terminé',
    statusStarted: 'Commencé',
    statusNotStarted: 'Pas commencé',
    openSco: 'Ouvrir',
  },
  ar: {
    backToCourse: 'العودة إلى الدورة',
    contents: 'المحتويات',
    previous: 'السابق',
    next: 'التالي',
    saved: 'تم حفظ التقدم',
    statusPassed: 'ناجح',
    statusFailed: 'لم تنجح بعد',
    statusCompleted: 'مكتمل',
    statusStarted: 'بدأ',
    statusNotStarted: 'لم يبدأ',
    openSco: 'فتح',
  },
});
