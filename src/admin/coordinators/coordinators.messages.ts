import { defineMessages } from '../../web/i18n.js';

/** The coordinators area's strings of the coordinator's admin (tAdmin in admin.messages.ts joins every area's). */
export const tCoordinators = defineMessages({
  en: {
    coordinatorsTitle: 'Coordinators',
    addCoordinator: 'Add a coordinator',
    coordinatorTitle: 'Coordinator {name}',
    coordinatorDeactivateHint:
      'A deactivated coordinator can no longer sign in; their open sessions end now. The last active coordinator cannot be deactivated.',
    coordinatorReactivateHint: 'Reactivated, this coordinator can sign in again with their password.',
    newPasswordTitle: 'Set a new password',
    newPasswordOtherHint: 'Give the new password to this coordinator in person. Their open sessions end now.',
    newPasswordSelfHint: 'Your new password is used from your next sign-in.',
    setPassword: 'Set the password',
  },
  fr: {
    coordinatorsTitle: 'Coordination',
    addCoordinator: 'Ajouter un compte de coordination',
    coordinatorTitle: 'Compte de coordination {name}',
    coordinatorDeactivateHint:
      'Un compte désactivé ne peut plus se connecter ; ses sessions ouvertes sont fermées tout de suite. Le dernier compte de coordination actif ne peut pas être désactivé.',
    coordinatorReactivateHint:
      'Une fois réactivé, ce compte peut se connecter à nouveau avec son mot de passe.',
    newPasswordTitle: 'Définir un nouveau mot de passe',
    newPasswordOtherHint:
      'Communiquez le nouveau mot de passe en personne. Les sessions ouvertes de ce compte sont fermées tout de suite.',
    newPasswordSelfHint: 'Votre nouveau mot de passe sert dès votre prochaine connexion.',
    setPassword: 'Enregistrer le mot de passe',
  },
  ar: {
    coordinatorsTitle: 'التنسيق',
    addCoordinator: 'إضافة حساب تنسيق',
    coordinatorTitle: 'حساب التنسيق {name}',
    coordinatorDeactivateHint:
      'لا يمكن تسجيل الدخول بحساب معطَّل، وتُغلق جلساته المفتوحة فوراً. لا يمكن تعطيل آخر حساب تنسيق نشط.',
    coordinatorReactivateHint: 'بعد إعادة التفعيل يمكن تسجيل الدخول بهذا الحساب بكلمة مروره من جديد.',
    newPasswordTitle: 'تعيين كلمة مرور جديدة',
    newPasswordOtherHint: 'سلِّم كلمة المرور الجديدة يداً بيد. تُغلق جلسات هذا الحساب المفتوحة فوراً.',
    newPasswordSelfHint: 'تُستخدم كلمة مرورك الجديدة من تسجيل الدخول التالي.',
    setPassword: 'حفظ كلمة المرور',
  },
});
