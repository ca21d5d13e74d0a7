import type { Language } from '../core/config.js';
import { defineMessages } from '../web/i18n.js';
import type { ScormLater } from './scorm/scorm-package.js';

/**
 * What the content store says about an installed course besides errors: the SCORM features a package
 * uses that the box plays differently (shown by `content import` in English and on the admin's Courses
 * page in the coordinator's language). `{where}` lists the package's own item titles or files.
 */
export const tContent = defineMessages({
  en: {
    playsDifferently: 'This package uses SCORM features the box plays differently:',
    later_randomizationControls:
      'random order or selection of parts ({where}): every part is played, in the package’s order',
    later_stopForwardTraversal: 'rules that stop Next ({where}): Next is not stopped',
    later_rollupConsiderations:
      'rollup considerations ({where}): every part counts toward the result of its group',
    later_choiceExit:
      'parts that may not be left from the contents ({where}): trainees can still open another part',
    later_constrainChoice:
      'constrained choice ({where}): trainees can open any available part from the contents',
    later_preventActivation:
      'prevent activation ({where}): trainees can start any available part from the contents',
    later_durationLimits: 'time limits ({where}): time is not limited, the limit is never reached',
    later_abandon: 'the “abandon” request ({where}): the attempt is kept, as after Exit',
  },
  fr: {
    playsDifferently: 'Ce paquet utilise des fonctions SCORM que le boîtier joue autrement :',
    later_randomizationControls:
      'ordre ou sélection au hasard des parties ({where}) : toutes les parties sont jouées, dans l’ordre du paquet',
    later_stopForwardTraversal: 'règles qui bloquent « Suivant » ({where}) : « Suivant » n’est pas bloqué',
    later_rollupConsiderations:
      'conditions de prise en compte ({where}) : chaque partie compte dans le résultat de son groupe',
    later_choiceExit:
      'parties qu’on ne doit pas quitter par le sommaire ({where}) : les personnes en formation peuvent quand même ouvrir une autre partie',
    later_constrainChoice:
      'choix restreint ({where}) : les personnes en formation peuvent ouvrir toute partie disponible depuis le sommaire',
    later_preventActivation:
      'activation empêchée ({where}) : les personnes en formation peuvent commencer toute partie disponible depuis le sommaire',
    later_durationLimits:
      'limites de temps ({where}) : le temps n’est pas limité, la limite n’est jamais atteinte',
    later_abandon: 'la demande « abandonner » ({where}) : la tentative est gardée, comme après « Quitter »',
  },
  ar: {
    playsDifferently: 'تستخدم هذه الحزمة ميزات SCORM يشغّلها الجهاز بشكل مختلف:',
    later_randomizationControls: 'ترتيب الأجزاء أو اختيارها عشوائياً ({where}): تُشغَّل كل الأجزاء بترتيب الحزمة',
    later_stopForwardTraversal: 'قواعد توقف زر «التالي» ({where}): لا يتوقف زر «التالي»',
    later_rollupConsiderations: 'شروط احتساب النتائج ({where}): يُحتسب كل جزء في نتيجة مجموعته',
    later_choiceExit: 'أجزاء لا يجوز تركها من الفهرس ({where}): يستطيع المتدربون فتح جزء آخر رغم ذلك',
    later_constrainChoice: 'اختيار مقيَّد ({where}): يستطيع المتدربون فتح أي جزء متاح من الفهرس',
    later_preventActivation: 'منع البدء ({where}): يستطيع المتدربون بدء أي جزء متاح من الفهرس',
    later_durationLimits: 'حدود زمنية ({where}): الوقت غير محدود ولا يُبلغ الحد أبداً',
    later_abandon: 'طلب «التخلي» ({where}): تُحفظ المحاولة كما بعد «خروج»',
  },
});

/**
 * Each feature a package uses that plays differently, as one line in `lang`. In Arabic each name the
 * package gives (Latin titles, file names) is a bidi isolate, so its brackets and words keep their order.
 */
export function laterLines(lang: Language, later: readonly ScormLater[]): string[] {
  const rtl = lang === 'ar';
  const sep = rtl ? '، ' : ', ';
  const name = (w: string) => (rtl ? `\u2068${w}\u2069` : w);
  return later.map((l) =>
    tContent(lang, `later_${l.feature}`, {
      where: l.where.length > 5 ? `${l.where.slice(0, 5).map(name).join(sep)}…` : l.where.map(name).join(sep),
    }),
  );
}
