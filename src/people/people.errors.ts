import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of people, cohorts and the trainee CSV. */
export const peopleError = defineErrors({
  username_taken: {
    status: 409,
    en: 'username "{username}" is already taken',
    fr: 'le nom d’utilisateur « {username} » est déjà pris',
    ar: 'اسم المستخدم "{username}" مستخدم بالفعل',
  },
  cohort_exists: {
    status: 409,
    en: 'a cohort named "{name}" already exists',
    fr: 'une classe nommée « {name} » existe déjà',
    ar: 'توجد بالفعل مجموعة باسم "{name}"',
  },
  code_taken: {
    status: 409,
    en: 'class code {code} is already used by cohort "{cohort}"',
    fr: 'le code de classe {code} est déjà utilisé par la classe « {cohort} »',
    ar: 'رمز الصف {code} مستخدم بالفعل في المجموعة "{cohort}"',
  },
  last_coordinator: {
    status: 409,
    en: 'this is the only active coordinator: add or reactivate another one first',
    fr: 'c’est le seul compte de coordination actif : ajoutez ou réactivez d’abord un autre compte de coordination',
    ar: 'هذا هو حساب التنسيق النشط الوحيد: أضف حساب تنسيق آخر أو أعد تفعيل واحد أولاً',
  },
  csv_invalid: {
    status: 400,
    en: '{detail}',
    fr: 'Le fichier CSV a des erreurs : {detail}',
    ar: 'في ملف CSV أخطاء: {detail}',
  },
});
export type PeopleErrorCode = CodeOf<typeof peopleError>;
