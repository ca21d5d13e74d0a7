import { defineMessages } from '../../web/i18n.js';

/** The courses area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tCourses = defineMessages({
  en: {
    coursesTitle: 'Courses',
    languages: 'Languages',
    disable: 'Disable',
    enable: 'Enable',
    disabled: 'Disabled',
    uploadCourse: 'Import a course file',
    uploadHint: 'A course file from HQ.',
    allowRemote: 'Allow files from the internet (SCORM packages)',
    allowRemoteHint:
      'A package that loads files from the internet is refused unless this is ticked. The box is offline: those parts will not show, and the course says so.',
    sameSiteWarning:
      'SCORM packages are served from the same site as this page (the box is reached by address, not by its class name): a package could read or change trainees’ sign-in. Use the box as provisioned (class.lan) before installing packages you do not trust.',
    upload: 'Upload and install',
    usbTitle: 'From a USB stick',
    usbNone: 'No USB stick with courses was found (looked in {roots}).',
    install: 'Install',
  },
  fr: {
    coursesTitle: 'Cours',
    languages: 'Langues',
    disable: 'Désactiver',
    enable: 'Activer',
    disabled: 'Désactivé',
    uploadCourse: 'Importer un fichier de cours',
    uploadHint: 'Un fichier de cours venant du siège.',
    allowRemote: 'Autoriser les fichiers venant d’internet (paquets SCORM)',
    allowRemoteHint:
      'Un paquet qui charge des fichiers depuis internet est refusé sauf si cette case est cochée. Le boîtier est hors ligne : ces parties ne s’afficheront pas, et le cours le signale.',
    sameSiteWarning:
      'Les paquets SCORM sont servis depuis le même site que cette page (le boîtier est joint par son adresse, pas par son nom de classe) : un paquet pourrait lire ou modifier la connexion des personnes en formation. Utilisez le boîtier tel qu’installé (class.lan) avant d’installer des paquets d’origine incertaine.',
    upload: 'Envoyer et installer',
    usbTitle: 'Depuis une clé USB',
    usbNone: 'Aucune clé USB contenant des cours n’a été trouvée (recherché dans {roots}).',
    install: 'Installer',
  },
  ar: {
    coursesTitle: 'الدورات',
    languages: 'اللغات',
    disable: 'تعطيل',
    enable: 'تفعيل',
    disabled: 'معطّلة',
    uploadCourse: 'استيراد ملف دورة',
    uploadHint: 'ملف دورة من المقر.',
    allowRemote: 'السماح بملفات من الإنترنت (حزم SCORM)',
    allowRemoteHint:
      'تُرفض الحزمة التي تحمّل ملفات من الإنترنت ما لم يُحدَّد هذا الخيار. الجهاز غير متصل بالإنترنت: لن تظهر تلك الأجزاء، وستنبّه الدورة إلى ذلك.',
    sameSiteWarning:
      'تُقدَّم حزم SCORM من نفس موقع هذه الصفحة (يتم الوصول إلى الجهاز بعنوانه لا باسم الفصل): قد تقرأ حزمة ما تسجيل دخول المتدربين أو تغيّره. استخدم الجهاز كما تم إعداده (class.lan) قبل تثبيت حزم لا تثق بها.',
    upload: 'رفع وتثبيت',
    usbTitle: 'من ذاكرة USB',
    usbNone: 'لم يتم العثور على ذاكرة USB فيها دورات (تم البحث في {roots}).',
    install: 'تثبيت',
  },
});
