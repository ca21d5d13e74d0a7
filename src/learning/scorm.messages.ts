import { defineMessages } from '../web/i18n.js';

/** The SCORM player page. */
export const tScorm = defineMessages({
  en: {
    backToCourse: 'Back to the course',
    contents: 'Contents',
    previous: 'Previous',
    next: 'Next',
    saved: 'Progress saved',
    notSaved: 'Not saved — reconnect to the class Wi-Fi',
    remoteContent:
      'This course loads some files from the internet, which the class Wi-Fi does not have: parts of it may not work.',
    statusPassed: 'Passed',
    statusFailed: 'Not passed yet',
    statusCompleted: 'Done',
    statusStarted: 'Started',
    statusNotStarted: 'Not started',
    openSco: 'Open',
    notAvailableYet: 'Not available yet',
    notAvailableDetail: 'This part is not available yet: the course asks you to finish other parts first.',
  },
  fr: {
    backToCourse: 'Retour au cours',
    contents: 'Sommaire',
    previous: 'Précédent',
    next: 'Suivant',
    saved: 'Progression enregistrée',
    notSaved: 'Non enregistré — reconnectez-vous au Wi-Fi de la classe',
    remoteContent:
      'Ce cours charge des fichiers depuis internet, que le Wi-Fi de la classe n’offre pas : certaines parties peuvent ne pas fonctionner.',
    statusPassed: 'Réussi',
    statusFailed: 'Pas encore réussi',
    statusCompleted: 'Terminé',
    statusStarted: 'Commencé',
    statusNotStarted: 'Pas commencé',
    openSco: 'Ouvrir',
    notAvailableYet: 'Pas encore disponible',
    notAvailableDetail:
      'Cette partie n’est pas encore disponible : le cours demande de terminer d’autres parties avant.',
  },
  ar: {
    backToCourse: 'العودة إلى الدورة',
    contents: 'المحتويات',
    previous: 'السابق',
    next: 'التالي',
    saved: 'تم حفظ التقدم',
    notSaved: 'لم يتم الحفظ — أعد الاتصال بشبكة Wi-Fi الخاصة بالصف',
    remoteContent:
      'تحمّل هذه الدورة بعض الملفات من الإنترنت، وشبكة Wi-Fi الخاصة بالصف لا توفرها: قد لا تعمل بعض أجزائها.',
    statusPassed: 'ناجح',
    statusFailed: 'لم تنجح بعد',
    statusCompleted: 'مكتمل',
    statusStarted: 'بدأ',
    statusNotStarted: 'لم يبدأ',
    openSco: 'فتح',
    notAvailableYet: 'غير متاح بعد',
    notAvailableDetail: 'هذا الجزء غير متاح بعد: تطلب الدورة إنهاء أجزاء أخرى أولاً.',
  },
});
