import { defineErrors, type CodeOf } from '../core/errors.js';

/** Errors of the box's health and clock. */
export const healthError = defineErrors({
  clock_not_set: {
    status: 503,
    en: 'the box clock was not changed: {detail}',
    fr: 'l’horloge du boîtier n’a pas été changée : {detail}',
    ar: 'لم يتم تغيير ساعة الجهاز: {detail}',
  },
});
export type HealthErrorCode = CodeOf<typeof healthError>;
