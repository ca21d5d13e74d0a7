import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors a trainee meets (pages, and the phone's queue, which shows them in the trainee's language). */
export const learningError = defineErrors({
  no_attempts_left: {
    status: 409,
    en: 'all {n} attempt(s) at quiz {quiz} are used',
    fr: 'Toutes les tentatives permises pour ce quiz ({n}) ont été utilisées. La personne qui coordonne la formation peut en accorder une autre.',
    ar: 'استُنفدت كل المحاولات المسموح بها لهذا الاختبار ({n}). يمكن لمنسّق التدريب أن يمنحك محاولة أخرى.',
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
});
export type LearningErrorCode = CodeOf<typeof learningError>;
