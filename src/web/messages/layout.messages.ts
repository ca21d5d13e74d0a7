import { defineMessages } from '../i18n.js';

/** The frame of every page (header, language picker) and the error pages. */
export const tLayout = defineMessages({
  en: {
    appName: 'fieldclass',
    myCourses: 'My courses',
    signOut: 'Sign out',
    language: 'Language',
    errorTitle: 'Something went wrong',
    notFound: 'This page does not exist.',
    forbidden: 'You cannot open this page.',
    unauthenticated: 'Please sign in first.',
    badRequest: 'Something in the request is not right.',
    conflict: 'This cannot be done now.',
    tooLarge: 'What you sent is too large.',
    serverError: 'Something went wrong on the box. Try again; if it keeps happening, tell your coordinator.',
    home: 'Back to the start page',
    offlineQueued: {
      one: '1 step saved on this phone: it will be sent when you are back on the class Wi-Fi.',
      other: '{n} steps saved on this phone: they will be sent when you are back on the class Wi-Fi.',
    },
    offlineSent: 'Sent: the box has everything you did.',
    offlineKept: 'You are not connected: this lesson was kept on this phone.',
    offlineKeptQuiz: 'You are not connected: this quiz was kept on this phone, you can answer it now.',
    offlineNeedsWifi:
      'Marked as done on this phone. The next part needs the class Wi-Fi: come back in range, then tap the button again.',
    offlineSignIn: 'Sign in again to send what is saved on this phone.',
    offlineRefused: 'The box could not accept a step saved on this phone ({reason}).',
    offlineQuizGraded: '“{quiz}”: your answers were graded: {percent}.',
    offlineAttemptsUsed: '“{quiz}”: the attempt limit was reached before your answers arrived.',
    offlineCourseReplaced: '“{quiz}”: the course was updated since you answered: please take the quiz again.',
    offlineSeeResult: 'See the result',
    offlineOld:
      'Saved on this phone more than 30 days ago and not sent: “{what}” ({date}). Send it now, or discard it?',
    offlineSendOld: 'Send it',
    offlineDiscard: 'Discard it',
    offlineSignOutUnsent: {
      one: '1 step saved on this phone has not reached the box yet. Sign out and lose it? (Cancel to stay and send it later.)',
      other:
        '{n} steps saved on this phone have not reached the box yet. Sign out and lose them? (Cancel to stay and send them later.)',
    },
    offlineContentNeedsWifi:
      'This course needs the class Wi-Fi: keep this page open, what you do will be saved when you are back in range.',
  },
  fr: {
    appName: 'fieldclass',
    myCourses: 'Mes cours',
    signOut: 'Se déconnecter',
    language: 'Langue',
    errorTitle: 'Un problème est survenu',
    notFound: 'Cette page n’existe pas.',
    forbidden: 'Vous ne pouvez pas ouvrir cette page.',
    unauthenticated: 'Veuillez d’abord vous connecter.',
    badRequest: 'Quelque chose ne va pas dans la demande.',
    conflict: 'Ce n’est pas possible pour le moment.',
    tooLarge: 'Ce que vous avez envoyé est trop volumineux.',
    serverError:
      'Un problème est survenu sur le boîtier. Réessayez ; si cela continue, prévenez la personne qui coordonne la formation.',
    home: 'Retour à la page d’accueil',
    // French counts 0 and 1 as one: the form says {n}.
    offlineQueued: {
      one: '{n} étape enregistrée sur ce téléphone : elle sera envoyée dès le retour sur le Wi-Fi de la salle.',
      other:
        '{n} étapes enregistrées sur ce téléphone : elles seront envoyées dès le retour sur le Wi-Fi de la salle.',
    },
    offlineSent: 'Envoyé : le boîtier a bien reçu tout ce que vous avez fait.',
    offlineKept: 'Pas de connexion : cette leçon a été gardée sur ce téléphone.',
    offlineKeptQuiz:
      'Pas de connexion : ce quiz a été gardé sur ce téléphone, vous pouvez y répondre maintenant.',
    offlineNeedsWifi:
      'Marquée comme terminée sur ce téléphone. La suite demande le Wi-Fi de la salle : revenez à portée, puis touchez à nouveau le bouton.',
    offlineSignIn: 'Reconnectez-vous pour envoyer ce qui est enregistré sur ce téléphone.',
    offlineRefused: 'Le boîtier n’a pas pu accepter une étape enregistrée sur ce téléphone ({reason}).',
    offlineQuizGraded: '« {quiz} » : vos réponses ont été corrigées : {percent}.',
    offlineAttemptsUsed:
      '« {quiz} » : le nombre de tentatives était atteint quand vos réponses sont arrivées.',
    offlineCourseReplaced:
      '« {quiz} » : le cours a été mis à jour depuis vos réponses : veuillez refaire le quiz.',
    offlineSeeResult: 'Voir le résultat',
    offlineOld:
      'Enregistré sur ce téléphone il y a plus de 30 jours et pas envoyé : « {what} » ({date}). L’envoyer maintenant, ou l’abandonner ?',
    offlineSendOld: 'L’envoyer',
    offlineDiscard: 'L’abandonner',
    offlineSignOutUnsent: {
      one: '{n} étape enregistrée sur ce téléphone n’a pas encore atteint le boîtier. Se déconnecter et la perdre ? (Annuler pour rester et l’envoyer plus tard.)',
      other:
        '{n} étapes enregistrées sur ce téléphone n’ont pas encore atteint le boîtier. Se déconnecter et les perdre ? (Annuler pour rester et les envoyer plus tard.)',
    },
    offlineContentNeedsWifi:
      'Ce cours a besoin du Wi-Fi de la salle : gardez cette page ouverte, ce que vous faites sera enregistré dès le retour à portée.',
  },
  ar: {
    appName: 'fieldclass',
    myCourses: 'دوراتي',
    signOut: 'تسجيل الخروج',
    language: 'اللغة',
    errorTitle: 'حدث خطأ',
    notFound: 'هذه الصفحة غير موجودة.',
    forbidden: 'لا يمكنك فتح هذه الصفحة.',
    unauthenticated: 'يرجى تسجيل الدخول أولاً.',
    badRequest: 'هناك خطأ في الطلب.',
    conflict: 'لا يمكن القيام بذلك الآن.',
    tooLarge: 'ما أرسلته كبير جداً.',
    serverError: 'حدث خطأ في الجهاز. حاول مرة أخرى، وإذا تكرر ذلك فأخبر الشخص الذي ينسّق التدريب.',
    home: 'العودة إلى الصفحة الرئيسية',
    // Arabic: the dual for two, a plural noun for 3-10, a singular one (accusative for 11-99) from 11 on.
    offlineQueued: {
      zero: 'لا توجد خطوات محفوظة على هذا الهاتف بانتظار الإرسال.',
      one: 'حُفظت خطوة واحدة على هذا الهاتف: ستُرسل عند عودتك إلى شبكة Wi-Fi الخاصة بالقاعة.',
      two: 'حُفظت خطوتان على هذا الهاتف: ستُرسلان عند عودتك إلى شبكة Wi-Fi الخاصة بالقاعة.',
      few: 'حُفظت {n} خطوات على هذا الهاتف: ستُرسل عند عودتك إلى شبكة Wi-Fi الخاصة بالقاعة.',
      many: 'حُفظت {n} خطوةً على هذا الهاتف: ستُرسل عند عودتك إلى شبكة Wi-Fi الخاصة بالقاعة.',
      other: 'حُفظت {n} خطوة على هذا الهاتف: ستُرسل عند عودتك إلى شبكة Wi-Fi الخاصة بالقاعة.',
    },
    offlineSent: 'تم الإرسال: وصل كل ما قمت به إلى الجهاز.',
    offlineKept: 'لا يوجد اتصال: حُفظ هذا الدرس على هذا الهاتف.',
    offlineKeptQuiz: 'لا يوجد اتصال: حُفظ هذا الاختبار على هذا الهاتف، ويمكنك الإجابة عنه الآن.',
    offlineNeedsWifi:
      'سُجّل الدرس كمكتمل على هذا الهاتف. الجزء التالي يحتاج إلى شبكة Wi-Fi الخاصة بالقاعة: عد إلى نطاقها ثم اضغط الزر مرة أخرى.',
    offlineSignIn: 'سجّل الدخول مرة أخرى لإرسال ما حُفظ على هذا الهاتف.',
    offlineRefused: 'لم يتمكن الجهاز من قبول خطوة محفوظة على هذا الهاتف ({reason}).',
    offlineQuizGraded: '«{quiz}»: تم تصحيح إجاباتك: {percent}.',
    offlineAttemptsUsed: '«{quiz}»: بلغتَ الحد الأقصى للمحاولات قبل وصول إجاباتك.',
    offlineCourseReplaced: '«{quiz}»: تم تحديث الدورة بعد إجابتك: يرجى إعادة الاختبار.',
    offlineSeeResult: 'اعرض النتيجة',
    offlineOld:
      'حُفظ على هذا الهاتف منذ أكثر من 30 يوماً ولم يُرسل: «{what}» ({date}). هل تريد إرساله الآن أم حذفه؟',
    offlineSendOld: 'أرسله',
    offlineDiscard: 'احذفه',
    offlineSignOutUnsent: {
      zero: 'لا توجد خطوات محفوظة على هذا الهاتف بانتظار الإرسال. هل تريد تسجيل الخروج؟',
      one: 'لم تصل خطوة واحدة محفوظة على هذا الهاتف إلى الجهاز بعد. هل تريد تسجيل الخروج وفقدانها؟ (اختر إلغاء للبقاء وإرسالها لاحقاً.)',
      two: 'لم تصل خطوتان محفوظتان على هذا الهاتف إلى الجهاز بعد. هل تريد تسجيل الخروج وفقدانهما؟ (اختر إلغاء للبقاء وإرسالهما لاحقاً.)',
      few: 'لم تصل {n} خطوات محفوظة على هذا الهاتف إلى الجهاز بعد. هل تريد تسجيل الخروج وفقدانها؟ (اختر إلغاء للبقاء وإرسالها لاحقاً.)',
      many: 'لم تصل {n} خطوةً محفوظةً على هذا الهاتف إلى الجهاز بعد. هل تريد تسجيل الخروج وفقدانها؟ (اختر إلغاء للبقاء وإرسالها لاحقاً.)',
      other:
        'لم تصل {n} خطوة محفوظة على هذا الهاتف إلى الجهاز بعد. هل تريد تسجيل الخروج وفقدانها؟ (اختر إلغاء للبقاء وإرسالها لاحقاً.)',
    },
    offlineContentNeedsWifi:
      'تحتاج هذه الدورة إلى شبكة Wi-Fi الخاصة بالقاعة: أبقِ هذه الصفحة مفتوحة، وسيُحفظ ما تقوم به عند عودتك إلى نطاقها.',
  },
});
