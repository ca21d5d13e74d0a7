import { defineMessages } from '../../web/i18n.js';

/** The setup area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tSetup = defineMessages({
  en: {
    signInTitle: 'Coordinator sign-in',
    signIn: 'Sign in',
    wrongPassword: 'Wrong username or password.',
    missing: 'Enter your username and password.',
    tooMany: 'Too many attempts. Wait a minute and try again.',
    setupTitle: 'Set up this box',
    setupIntro:
      'No coordinator account exists yet. Enter the setup code shown in the box’s log (or printed by {command}), then choose your username and password.',
    setupCode: 'Setup code',
    createAccount: 'Create the coordinator account',
    passwordMismatch: 'The two passwords are not the same.',
    timeZoneSetupHint:
      'Where the class is: dates and schedules are shown in this zone. You can change it later on the Schedule page.',
  },
  fr: {
    signInTitle: 'Connexion à la coordination',
    signIn: 'Se connecter',
    wrongPassword: 'Nom d’utilisateur ou mot de passe incorrect.',
    missing: 'Saisissez votre nom d’utilisateur et votre mot de passe.',
    tooMany: 'Trop de tentatives. Attendez une minute et réessayez.',
    setupTitle: 'Configurer ce boîtier',
    setupIntro:
      'Aucun compte de coordination n’existe encore. Saisissez le code de configuration affiché dans le journal du boîtier (ou par la commande {command}), puis choisissez votre nom d’utilisateur et votre mot de passe.',
    setupCode: 'Code de configuration',
    createAccount: 'Créer le compte de coordination',
    passwordMismatch: 'Les deux mots de passe ne sont pas identiques.',
    timeZoneSetupHint:
      'Là où se tient la formation : les dates et les planifications sont affichées dans ce fuseau. Vous pourrez le changer plus tard sur la page Planification.',
  },
  ar: {
    signInTitle: 'الدخول إلى واجهة التنسيق',
    signIn: 'تسجيل الدخول',
    wrongPassword: 'اسم المستخدم أو كلمة المرور غير صحيحة.',
    missing: 'أدخل اسم المستخدم وكلمة المرور.',
    tooMany: 'محاولات كثيرة جداً. انتظر دقيقة ثم حاول مرة أخرى.',
    setupTitle: 'إعداد هذا الجهاز',
    setupIntro:
      'لا يوجد حساب تنسيق بعد. أدخل رمز الإعداد الظاهر في سجل الجهاز (أو الذي يطبعه الأمر {command})، ثم اختر اسم المستخدم وكلمة المرور.',
    setupCode: 'رمز الإعداد',
    createAccount: 'إنشاء حساب التنسيق',
    passwordMismatch: 'كلمتا المرور غير متطابقتين.',
    timeZoneSetupHint:
      'مكان التدريب: تُعرض التواريخ والمواعيد بهذه المنطقة الزمنية. يمكنك تغييرها لاحقاً في صفحة الجدولة.',
  },
});
