import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors a trainee meets (pages, and the phone's queue, which shows them in the trainee's language). */
export const learningError = defineErrors({
  no_attempts_left: {
    status: 409,
    en: 'all {n} attempt(s) at quiz {quiz} are used',
    fr: 'Toutes les tentatives permises pour ce quiz ({n}) ont été utilisées. La personne qui coordonne la formation peut en accorder une autre.',
    ar: 'استُنفدت كل المحاولات المسموح بها لهذا الاختبار ({n}). يمكن للشخص الذي ينسّق التدريب أن يمنحك محاولة أخرى.',
  },
  course_replaced: {
    status: 409,
    en: 'course {course} was updated since these answers were given: take the quiz again',
    fr: 'Le cours a été mis à jour depuis ces réponses : reprenez le quiz.',
    ar: 'تم تحديث الدورة بعد هذه الإجابات: أعد الاختبار.',
  },
  not_completed: {
    status: 409,
    en: 'rate a course once you have completed it',
    fr: 'Vous pourrez évaluer le cours une fois celui-ci terminé.',
    ar: 'يمكنك تقييم الدورة بعد إكمالها.',
  },
  answers_invalid: {
    status: 400,
    en: 'answers: {detail}',
    fr: 'Les réponses envoyées ne sont pas lisibles. Rechargez la page et répondez à nouveau.',
    ar: 'الإجابات المرسلة غير مقروءة. أعد تحميل الصفحة وأجب مرة أخرى.',
  },
  rating_invalid: {
    status: 400,
    en: 'rating: must be a whole number from 1 to 5',
    fr: 'Choisissez une note de 1 à 5 étoiles.',
    ar: 'اختر تقييماً من 1 إلى 5 نجوم.',
  },
  comment_invalid: {
    status: 400,
    en: 'comment: must be text of at most {max} characters',
    fr: 'Le commentaire doit être un texte d’au plus {max} caractères.',
    ar: 'يجب أن يكون التعليق نصاً لا يزيد على {max} حرفاً.',
  },
  progress_invalid: {
    status: 400,
    en: 'progress must be a whole number from 0 to 100 (got {got})',
    fr: 'L’avancement envoyé par le téléphone n’est pas lisible. Rechargez la page.',
    ar: 'التقدم المرسل من الهاتف غير مقروء. أعد تحميل الصفحة.',
  },
  grant_count_invalid: {
    status: 400,
    en: 'the number of attempts to add must be a whole number from 1 to {max} (got {got})',
    fr: 'Le nombre de tentatives à ajouter doit être un nombre entier de 1 à {max} (reçu : {got}).',
    ar: 'يجب أن يكون عدد المحاولات المضافة عدداً صحيحاً من 1 إلى {max} (المستلم: {got}).',
  },
});
export type LearningErrorCode = CodeOf<typeof learningError>;
