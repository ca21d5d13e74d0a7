import type { z } from 'zod';
import { AppError, type CodedError } from './errors.js';
import { say, type Language, type Params, type Translations } from './language.js';

/**
 * What is wrong with one field, as a message key and its params: pages show it beside the field in the
 * reader's language; the CLI and JSON get the English text. Schemas name a key as their custom message
 * (`z.string().regex(re, 'pinFormat')`); other zod issues are mapped by their kind.
 */
export interface FieldIssue {
  field: string;
  key: FieldKey;
  params?: Params;
}

export const FIELD_MESSAGES = {
  required: { en: 'required: fill it in', fr: 'obligatoire : remplissez-le', ar: 'مطلوب: املأ هذا الحقل' },
  tooShort: {
    en: 'must have at least {min} characters',
    fr: 'doit avoir au moins {min} caractères',
    ar: 'يجب أن يحتوي على {min} أحرف على الأقل',
  },
  tooLong: {
    en: 'must have at most {max} characters: shorten it',
    fr: 'doit avoir au plus {max} caractères : raccourcissez-le',
    ar: 'يجب ألا يزيد على {max} حرفاً: اختصره',
  },
  tooSmall: {
    en: 'must be at least {min}',
    fr: 'doit être au moins {min}',
    ar: 'يجب أن يكون {min} على الأقل',
  },
  tooBig: { en: 'must be at most {max}', fr: 'doit être au plus {max}', ar: 'يجب ألا يزيد على {max}' },
  notANumber: { en: 'must be a number', fr: 'doit être un nombre', ar: 'يجب أن يكون رقماً' },
  invalidChoice: {
    en: 'is not one of the choices: choose one from the list',
    fr: 'ne fait pas partie des choix : choisissez-en un dans la liste',
    ar: 'ليس من الخيارات المتاحة: اختر واحداً من القائمة',
  },
  invalidFormat: {
    en: 'is not in the expected form: check what was typed',
    fr: 'n’a pas la forme attendue : vérifiez ce qui a été saisi',
    ar: 'ليس بالشكل المتوقع: تحقق مما كُتب',
  },
  invalid: {
    en: 'is not valid: check what was typed',
    fr: 'n’est pas valide : vérifiez ce qui a été saisi',
    ar: 'غير صالح: تحقق مما كُتب',
  },
  pinFormat: {
    en: 'PIN must be 4 to 8 digits',
    fr: 'le code PIN doit avoir 4 à 8 chiffres',
    ar: 'يجب أن يتكون الرمز السري من 4 إلى 8 أرقام',
  },
  usernameShort: {
    en: 'username must have at least 2 characters',
    fr: 'le nom d’utilisateur doit avoir au moins 2 caractères',
    ar: 'يجب أن يحتوي اسم المستخدم على حرفين على الأقل',
  },
  usernameLong: {
    en: 'username must have at most 64 characters',
    fr: 'le nom d’utilisateur doit avoir au plus 64 caractères',
    ar: 'يجب ألا يزيد اسم المستخدم على 64 حرفاً',
  },
  usernameChars: {
    en: 'username may hold only letters, digits, ".", "-" and "_"',
    fr: 'le nom d’utilisateur ne peut contenir que des lettres, des chiffres, « . », « - » et « _ »',
    ar: 'يمكن أن يحتوي اسم المستخدم على حروف وأرقام و"." و"-" و"_" فقط',
  },
  passwordShort: {
    en: 'password must have at least 8 characters',
    fr: 'le mot de passe doit avoir au moins 8 caractères',
    ar: 'يجب أن تحتوي كلمة المرور على 8 أحرف على الأقل',
  },
  passwordLong: {
    en: 'password must have at most 200 characters',
    fr: 'le mot de passe doit avoir au plus 200 caractères',
    ar: 'يجب ألا تزيد كلمة المرور على 200 حرف',
  },
  passwordCommon: {
    en: 'this password is one of the most common ones: choose another (a sentence of a few words is easy to remember)',
    fr: 'ce mot de passe fait partie des plus courants : choisissez-en un autre (une phrase de quelques mots se retient facilement)',
    ar: 'كلمة المرور هذه من أكثر الكلمات شيوعاً: اختر غيرها (جملة من بضع كلمات سهلة التذكر)',
  },
  passwordLikeUsername: {
    en: 'the password must not contain the username',
    fr: 'le mot de passe ne doit pas contenir le nom d’utilisateur',
    ar: 'يجب ألا تحتوي كلمة المرور على اسم المستخدم',
  },
  passwordRepeated: {
    en: 'the password must not be one character repeated',
    fr: 'le mot de passe ne doit pas être un seul caractère répété',
    ar: 'يجب ألا تكون كلمة المرور حرفاً واحداً مكرراً',
  },
  passwordMismatch: {
    en: 'the two passwords are not the same',
    fr: 'les deux mots de passe ne sont pas identiques',
    ar: 'كلمتا المرور غير متطابقتين',
  },
  classCodeFormat: {
    en: 'class code must be 4 to 32 letters, digits or "-"',
    fr: 'le code de classe doit avoir 4 à 32 lettres, chiffres ou « - »',
    ar: 'يجب أن يتكون رمز الصف من 4 إلى 32 حرفاً أو رقماً أو "-"',
  },
  unknownTrainees: {
    en: 'no trainee has these usernames: {usernames}. Check the spelling, or add them on the Trainees page first',
    fr: 'aucune personne en formation n’a ces noms d’utilisateur : {usernames}. Vérifiez l’orthographe, ou ajoutez ces personnes d’abord sur la page Personnes en formation',
    ar: 'لا يوجد متدرب بأسماء المستخدمين هذه: {usernames}. تحقق من الكتابة، أو أضفهم أولاً في صفحة المتدربين',
  },
  timeZone: {
    en: 'is not a time zone: choose one from the list, such as Africa/Dakar, Europe/Paris or UTC',
    fr: 'n’est pas un fuseau horaire : choisissez-en un dans la liste, par exemple Africa/Dakar, Europe/Paris ou UTC',
    ar: 'ليست منطقة زمنية: اختر واحدة من القائمة، مثل Africa/Dakar أو Asia/Dubai أو UTC',
  },
  scheduleTime: {
    en: 'write the hour and minute as HH:MM, for example 01:30 or 18:00',
    fr: 'écrivez l’heure et les minutes sous la forme HH:MM, par exemple 01:30 ou 18:00',
    ar: 'اكتب الساعة والدقائق بصيغة HH:MM، مثلاً 01:30 أو 18:00',
  },
  scheduleDays: {
    en: 'tick at least one day',
    fr: 'cochez au moins un jour',
    ar: 'اختر يوماً واحداً على الأقل',
  },
  scheduleCron: {
    en: 'is not a cron schedule such as "30 1 * * *" (minute hour day month weekday): choose one of the other options instead',
    fr: 'n’est pas une planification cron comme « 30 1 * * * » (minute heure jour mois jour-de-semaine) : choisissez plutôt une des autres options',
    ar: 'ليس جدولاً بصيغة cron مثل "30 1 * * *" (الدقيقة الساعة اليوم الشهر يوم-الأسبوع): اختر أحد الخيارات الأخرى بدلاً من ذلك',
  },
  browserTime: {
    en: 'the browser did not send a valid time (is JavaScript off?)',
    fr: 'le navigateur n’a pas envoyé une heure valide (JavaScript est-il désactivé ?)',
    ar: 'لم يرسل المتصفح وقتاً صالحاً (هل JavaScript معطل؟)',
  },
} satisfies Record<string, Translations>;
export type FieldKey = keyof typeof FIELD_MESSAGES;

export const isFieldKey = (m: string): m is FieldKey => Object.hasOwn(FIELD_MESSAGES, m);

/** zod's issues as field issues with message keys. */
export function fieldIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i): FieldIssue => {
    const field = i.path.map(String).join('.');
    if (isFieldKey(i.message)) return { field, key: i.message };
    switch (i.code) {
      case 'too_small':
        return i.origin === 'string'
          ? i.minimum === 1
            ? { field, key: 'required' }
            : { field, key: 'tooShort', params: { min: Number(i.minimum) } }
          : { field, key: 'tooSmall', params: { min: Number(i.minimum) } };
      case 'too_big':
        return i.origin === 'string'
          ? { field, key: 'tooLong', params: { max: Number(i.maximum) } }
          : { field, key: 'tooBig', params: { max: Number(i.maximum) } };
      case 'invalid_type':
        return i.input === undefined
          ? { field, key: 'required' }
          : { field, key: i.expected === 'number' ? 'notANumber' : 'invalid' };
      case 'invalid_value':
        return { field, key: 'invalidChoice' };
      case 'invalid_format':
        return { field, key: 'invalidFormat' };
      default:
        return { field, key: 'invalid' };
    }
  });
}

/** One field issue as text in a language ("pin: PIN must be 4 to 8 digits" in English, for the CLI). */
export function fieldText(issue: FieldIssue, lang: Language): string {
  return say(lang, FIELD_MESSAGES[issue.key][lang], issue.params);
}

/** A field issue named by the field's label (as the form shows it), in the reader's language. */
const LABELLED: Translations = { en: '{label}: {text}', fr: '{label} : {text}', ar: '{label}: {text}' };

/**
 * One field issue for a reader, away from its field (a button's flash, an error page): the field named by
 * its label in their language when the page knows it, else the message alone (which names what it is
 * about), never the field's code name.
 */
export function readerFieldText(issue: FieldIssue, lang: Language, label: string | undefined): string {
  const text = fieldText(issue, lang);
  return label ? say(lang, LABELLED[lang], { label, text }) : text;
}

/**
 * The `invalid` error for bad input: 400, the English text naming each field (CLI, JSON), and the issues
 * in `details.fields` (pages show them in the reader's language, beside their fields).
 */
export function invalidInput(issues: FieldIssue[] | z.ZodError): CodedError<'invalid'> {
  const fields = Array.isArray(issues) ? issues : fieldIssues(issues);
  const detail = fields.map((f) => (f.field ? `${f.field}: ` : '') + fieldText(f, 'en')).join('; ');
  return new AppError('invalid', detail, 400, { fields }, { detail }) as CodedError<'invalid'>;
}

/** The field issues an error carries (an `invalid` from invalidInput), else none. */
export function issuesOf(e: AppError): FieldIssue[] {
  const f = e.details?.['fields'];
  return Array.isArray(f) ? (f as FieldIssue[]) : [];
}
