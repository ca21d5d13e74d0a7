// The open page survives a dropped Wi-Fi (an enhancement: without JavaScript every form works as it is).
// What the trainee does is written to their queue on this phone first (store.js), then sent to the box in
// the order it was done; while the box is out of reach the queue waits and is retried with backoff, and a
// lesson page keeps the rest of its module on the phone (its lessons and its quizzes) so that "Mark as
// done and continue" goes on to the next lesson or quiz (history.pushState) instead of an error page.
(function () {
  'use strict';
  var cfgEl = document.getElementById('fc-offline');
  if (!cfgEl || !window.fetch || !window.Promise || !window.fieldclassStore || !window.URLSearchParams)
    return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var banner = document.getElementById('fc-banner');
  /** Content that runs from the box is open (the SCORM player) and the connection to the box is gone. */
  var contentCut = false;
  var storeReady = window.fieldclassStore.open(cfg.person);
  var TIMEOUT_MS = 10000;

  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  /**
   * A message of the page's catalog, filled with `params`. A text that depends on a count comes as its
   * forms by plural category (core/language.ts Plural): the form for `{n}` in the page's language.
   */
  function t(key, params) {
    var s = (cfg.t && cfg.t[key]) || key;
    if (typeof s === 'object') {
      var n = params && typeof params.n === 'number' ? params.n : NaN;
      s = (plurals && isFinite(n) && s[plurals.select(n)]) || s.other;
    }
    Object.keys(params || {}).forEach(function (k) {
      s = s.replace('{' + k + '}', String(params[k]));
    });
    return s;
  }
  /** A whole percentage as the page's language writes it (core/language.ts percentText does the same). */
  function percentText(p) {
    var lang = document.documentElement.lang || 'en';
    try {
      return new Intl.NumberFormat(lang + '-u-nu-latn', {
        style: 'percent',
        maximumFractionDigits: 0,
      }).format(p / 100);
    } catch {
      return p + '%';
    }
  }
  function say(text, kind) {
    sayLines([{ text: text, kind: kind }]);
  }
  /** The banner: one line per message, the strongest kind colours it; a line may carry a link or buttons. */
  function sayLines(lines) {
    if (!banner) return;
    banner.textContent = '';
    var kind = 'sent';
    // Content that needs the box (the SCORM player) stays said while the connection is gone.
    if (contentCut)
      lines = [{ text: t('offlineContentNeedsWifi'), kind: 'waiting', key: 'content' }].concat(lines);
    lines.forEach(function (l) {
      var p = document.createElement('span');
      p.className = 'line';
      if (l.key) p.setAttribute('data-key', l.key);
      p.textContent = l.text;
      if (l.href && /\/result$/.test(l.href)) {
        var a = document.createElement('a');
        a.href = l.href;
        a.textContent = t('offlineSeeResult');
        p.appendChild(document.createTextNode(' '));
        p.appendChild(a);
      }
      // The choices go on a row of their own under the question, each a full thumb's size.
      var choices = document.createElement('span');
      choices.className = 'choices';
      (l.buttons || []).forEach(function (b) {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'secondary';
        btn.textContent = b.label;
        btn.addEventListener('click', b.run);
        choices.appendChild(btn);
      });
      if (choices.firstChild) p.appendChild(choices);
      banner.appendChild(p);
      if (l.kind === 'error' || (l.kind === 'waiting' && kind !== 'error')) kind = l.kind;
    });
    banner.className = 'banner ' + kind;
    banner.hidden = false;
  }

  function withTimeout(url, init) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl
      ? setTimeout(function () {
          ctl.abort();
        }, TIMEOUT_MS)
      : 0;
    if (ctl) init.signal = ctl.signal;
    return fetch(url, init).then(
      function (res) {
        clearTimeout(timer);
        return res;
      },
      function (e) {
        clearTimeout(timer);
        throw e;
      },
    );
  }

  // ---- sending the queue -------------------------------------------------------------------------------

  var DAY_MS = 86400000;
  /** Older than the box keeps operation ids: shown to the trainee to send or discard, never sent silently. */
  var HOLD_MS = 30 * DAY_MS;

  /**
   * Send one queued operation to the box's one endpoint (POST /api/operations) and read its answer.
   * 'sent': applied (or applied before: the same opId answers the first result), `url` is where the form
   * would have gone and, for a quiz, `note` says the grade; 'refused': the box said no for good (attempts
   * used up, the course replaced, the activity gone), `note` says why in the trainee's language; 'offline':
   * nothing reached the box, or no answer came (sent again later, under the same opId); 'signin': the
   * session is gone (kept until this trainee signs in again); 'later': the box had a problem.
   */
  function send(item, keepalive) {
    return withTimeout('/api/operations', {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRF-Token': cfg.csrf,
      },
      body: JSON.stringify({
        opId: item.opId,
        action: item.action,
        target: item.target,
        body: item.body,
        actedAt: item.actedAt,
      }),
    }).then(
      function (res) {
        if (res.status === 401 || res.status === 403) return { state: 'signin' };
        if (res.status >= 500) return { state: 'later' };
        return res.json().then(
          function (answer) {
            var what = { quiz: item.title || '' };
            if (res.ok) {
              var r = answer.result || {};
              if (item.action !== 'quiz.submit') return { state: 'sent', url: r.url };
              what.percent = percentText(r.percent);
              return { state: 'sent', url: r.url, note: t('offlineQuizGraded', what) };
            }
            var e = answer.error || {};
            var note =
              e.code === 'course_replaced'
                ? t('offlineCourseReplaced', what)
                : e.code === 'no_attempts_left'
                  ? t('offlineAttemptsUsed', what)
                  : t('offlineRefused', { reason: e.text || e.message || res.status });
            return { state: 'refused', url: item.page, note: note };
          },
          function () {
            return { state: 'later' };
          },
        );
      },
      function () {
        return { state: 'offline' };
      },
    );
  }

  var flushing = null;
  /** The box did not answer the last send (out of reach), until it answers one again. */
  var boxOut = false;
  var retryMs = 5000;
  var retryTimer = 0;

  /**
   * Send the queue in the order the trainee acted, stopping at the first item that cannot go now (or that
   * is too old to go without asking). Resolves to { state, left, url, notes, sent: [item numbers] }.
   */
  function flush() {
    if (flushing) return flushing;
    clearTimeout(retryTimer);
    flushing = storeReady
      .then(function (store) {
        if (!store) return { state: 'none', left: 0, waiting: 0, notes: [], sent: [] };
        return store.all('queue').then(function (items) {
          var out = { state: 'none', left: 0, waiting: 0, url: null, notes: [], sent: [] };
          /** Stop at item i: what is left, and how many of those are steps the trainee took. */
          function stop(i, state) {
            out.state = state;
            out.left = items.length - i;
            out.waiting = items.slice(i).filter(isStep).length;
            return out;
          }
          function next(i) {
            if (i >= items.length) return out;
            var item = items[i];
            if (!item.force && Date.now() - Date.parse(item.actedAt) > HOLD_MS) {
              out.old = item;
              return stop(i, 'old');
            }
            return send(item).then(function (r) {
              if (r.state === 'sent' || r.state === 'refused')
                return store.del('queue', item.n).then(function () {
                  if (r.note)
                    out.notes.push({
                      text: r.note,
                      kind: r.state === 'refused' ? 'error' : 'sent',
                      href: r.url,
                    });
                  out.sent.push({ n: item.n, state: r.state, url: r.url });
                  out.url = r.url;
                  // "Sent" is said for the trainee's steps; reading progress goes quietly.
                  if (isStep(item) && out.state === 'none') out.state = 'sent';
                  return next(i + 1);
                });
              return stop(i, r.state);
            });
          }
          return next(0);
        });
      })
      .then(
        function (r) {
          flushing = null;
          if (r.state === 'sent' || r.state === 'none') retryMs = 5000;
          // Whether the box answered the last time something was sent (an empty queue tells nothing).
          if (r.state === 'offline') boxOut = true;
          else if (r.state !== 'none') boxOut = false;
          if (r.state === 'offline' || r.state === 'later') {
            retryTimer = setTimeout(function () {
              flush().then(report);
            }, retryMs);
            retryMs = Math.min(retryMs * 2, 60000);
          }
          return r;
        },
        function (e) {
          flushing = null;
          throw e;
        },
      );
    return flushing;
  }

  /** A flush that starts after any running one, so that it includes what was just queued. */
  function flushIncluding() {
    var running = flushing
      ? flushing.then(
          function () {},
          function () {},
        )
      : Promise.resolve();
    return running.then(flush);
  }

  /** Say what a flush did: what is still waiting, what was graded or refused, what is too old to send. */
  function report(r) {
    if (!r) return;
    var lines = r.notes.slice();
    if (r.state === 'signin') lines.push({ text: t('offlineSignIn'), kind: 'error' });
    else if (r.state === 'old') {
      lines.push({
        text: t('offlineOld', {
          what: r.old.title || '',
          date: new Date(r.old.actedAt).toLocaleDateString(document.documentElement.lang),
        }),
        kind: 'error',
        buttons: [
          {
            label: t('offlineSendOld'),
            run: function () {
              return decideOld(r.old, true);
            },
          },
          {
            label: t('offlineDiscard'),
            run: function () {
              return decideOld(r.old, false);
            },
          },
        ],
      });
    } else if (r.waiting > 0)
      lines.push({ text: (pageNote ? pageNote + ' ' : '') + queuedText(r.waiting), kind: 'waiting' });
    else if (r.state === 'sent' && !r.notes.length) lines.push({ text: t('offlineSent'), kind: 'sent' });
    if (!r.waiting) pageNote = '';
    if (lines.length) sayLines(lines);
  }

  function decideOld(item, sendIt) {
    if (banner) banner.hidden = true; // the question is answered
    return storeReady.then(function (store) {
      var done = sendIt
        ? store.put('queue', Object.assign({}, item, { force: true }))
        : store.del('queue', item.n);
      return done.then(flushIncluding).then(report);
    });
  }

  /** Put an action on the queue (committed before anything is sent); null when this phone has no store. */
  function enqueue(item) {
    return storeReady.then(function (store) {
      if (!store) return null;
      return store.put('queue', item).then(function (n) {
        item.n = n;
        return store;
      });
    });
  }

  window.addEventListener('online', function () {
    retryMs = 5000;
    flushIncluding().then(report);
  });

  /** A step the trainee took (told about in the banner), as opposed to reading progress (sent quietly). */
  function isStep(item) {
    return item.action !== 'lesson.progress';
  }

  /**
   * What the banner says of the page shown while steps wait (kept on the phone, or the next part needs the
   * Wi-Fi): said again with the count each time the queue is reported (reading progress reports it too).
   */
  var pageNote = '';
  function queuedText(n) {
    return t('offlineQueued', { n: n });
  }

  // ---- the lesson page -----------------------------------------------------------------------------------

  var article = document.querySelector('article.lesson[data-ahead]');
  var form = document.querySelector('form.next-step');

  function imagesIn(html) {
    var out = [];
    var re = /<img\b[^>]*?\ssrc="(\/c\/[^"]+)"/g;
    var m;
    while ((m = re.exec(html))) out.push(m[1]);
    return out;
  }

  function keepFile(store, url) {
    return store.get('files', url).then(function (have) {
      if (have) return;
      return withTimeout(url, { credentials: 'same-origin' })
        .then(function (res) {
          return res.ok ? res.blob() : null;
        })
        .then(function (blob) {
          if (blob) return store.put('files', { url: url, blob: blob, savedAt: Date.now() });
        });
    });
  }

  /**
   * A quiz page of the module as the box renders it (its form, the attempts left, the course version it
   * answers): the content of its <main>, without the banner, kept to be shown offline. A quiz page records
   * nothing when it is opened (learning.routes.tsx), so fetching it ahead changes nothing on the box.
   */
  function quizPage(item) {
    return withTimeout(item.url, { credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('quiz ' + res.status);
        return res.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var main = doc.querySelector('main');
        if (!main || !main.querySelector('form[data-queue="quiz.submit"]')) return null;
        var b = main.querySelector('#fc-banner');
        if (b) b.parentNode.removeChild(b);
        return { url: item.url, type: 'quiz', title: item.title, html: main.innerHTML, next: null };
      });
  }

  /**
   * While online: keep this lesson and the rest of its module on the phone: lessons (text and images, no
   * video) and quiz pages (answered offline, graded when they reach the box).
   */
  function prefetch(store) {
    return withTimeout(article.getAttribute('data-ahead'), { credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('ahead ' + res.status);
        return res.json();
      })
      .then(function (ahead) {
        var items = ahead.items || [];
        var here = {
          url: location.pathname,
          title: article.getAttribute('data-title') || document.title,
          lang: article.getAttribute('lang'),
          dir: article.getAttribute('dir'),
          html: article.querySelector('.lesson-body').innerHTML,
          doneUrl: form.getAttribute('action'),
        };
        var lessons = [here].concat(
          items.filter(function (i) {
            return i.type === 'lesson';
          }),
        );
        var chain = Promise.resolve();
        items
          .filter(function (i) {
            return i.type === 'quiz';
          })
          .forEach(function (q) {
            chain = chain.then(function () {
              return quizPage(q).then(function (page) {
                if (page) return store.put('lessons', Object.assign(page, { savedAt: Date.now() }));
              });
            });
          });
        lessons.forEach(function (l) {
          var pos = l === here ? -1 : items.indexOf(l);
          var next = items[pos + 1];
          chain = chain.then(function () {
            return store.put('lessons', {
              url: l.url,
              title: l.title,
              lang: l.lang,
              dir: l.dir,
              html: l.html,
              doneUrl: l.doneUrl,
              next: next ? { url: next.url, type: next.type } : null,
              savedAt: Date.now(),
            });
          });
        });
        lessons.forEach(function (l) {
          imagesIn(l.html || '').forEach(function (src) {
            chain = chain.then(function () {
              return keepFile(store, src);
            });
          });
        });
        return chain;
      })
      .then(
        function () {
          article.setAttribute('data-kept', 'true');
        },
        function () {
          /* nothing kept this time: the page works as before */
        },
      );
  }

  var main = document.querySelector('main');
  /** The lesson page's own content while a kept quiz is shown in its place (put back for a lesson). */
  var parked = null;
  var shownPage = null;

  /** The page's title for a kept page: its title, then the site's part of the title as it is. */
  function setTitle(title) {
    var suffix =
      document.title.indexOf(' · ') >= 0 ? document.title.slice(document.title.indexOf(' · ')) : '';
    document.title = title + suffix;
  }

  /** Put the lesson page's own content back in place of a kept quiz. */
  function unpark() {
    if (shownPage) shownPage.parentNode.removeChild(shownPage);
    shownPage = null;
    if (parked) main.appendChild(parked);
    parked = null;
  }

  /**
   * Show a kept quiz page in this page, in place of the lesson: the form the box rendered, answered
   * offline and queued like any quiz (its submit goes through this script).
   */
  function renderPage(page, push) {
    // Reading progress (lesson.js): what was read of the lesson shown until now goes first.
    document.dispatchEvent(new window.CustomEvent('fc:lesson'));
    if (!parked) {
      parked = document.createDocumentFragment();
      Array.prototype.slice.call(main.children).forEach(function (el) {
        if (el !== banner) parked.appendChild(el);
      });
    }
    if (shownPage) shownPage.parentNode.removeChild(shownPage);
    shownPage = document.createElement('div');
    shownPage.className = 'kept-page';
    // The HTML was rendered by the box for this trainee and came from this origin.
    shownPage.innerHTML = page.html;
    main.appendChild(shownPage);
    Array.prototype.forEach.call(shownPage.querySelectorAll('form[data-queue]'), function (f) {
      f.addEventListener('submit', onQueuedSubmit);
    });
    setTitle(page.title);
    keptShown = true;
    if (push) {
      history.pushState({ fcLesson: page.url }, '', page.url);
      window.scrollTo(0, 0);
    }
  }

  var objectUrls = [];
  /** Show a kept lesson in this page: text, images from the phone, the button now for that lesson. */
  function render(store, lesson, push) {
    // Reading progress (lesson.js): what was read of the lesson shown until now goes first.
    document.dispatchEvent(new window.CustomEvent('fc:lesson'));
    unpark();
    objectUrls.forEach(function (u) {
      URL.revokeObjectURL(u);
    });
    objectUrls = [];
    var body = article.querySelector('.lesson-body');
    var heading = article.querySelector(':scope > h1');
    if (heading) heading.parentNode.removeChild(heading);
    if (!/^\s*<h1[\s>]/.test(lesson.html)) {
      var h1 = document.createElement('h1');
      h1.textContent = lesson.title;
      article.insertBefore(h1, body);
    }
    // The HTML was made safe by the box at import (no script, no raw HTML) and came from this origin.
    body.innerHTML = lesson.html;
    if (lesson.lang) article.setAttribute('lang', lesson.lang);
    if (lesson.dir) article.setAttribute('dir', lesson.dir);
    article.setAttribute('data-title', lesson.title);
    article.setAttribute('data-ahead', lesson.url + '/ahead');
    article.setAttribute('data-progress-activity', lesson.url.split('/').pop());
    form.setAttribute('action', lesson.doneUrl);
    form.setAttribute('data-activity', lesson.url.split('/').pop());
    form.setAttribute('data-title', lesson.title);
    var doneNote = document.querySelector('.lesson-done');
    if (doneNote) doneNote.hidden = true;
    Array.prototype.forEach.call(body.querySelectorAll('img[src^="/c/"]'), function (img) {
      store.get('files', img.getAttribute('src')).then(function (f) {
        if (!f) return;
        var u = URL.createObjectURL(f.blob);
        objectUrls.push(u);
        img.src = u;
      });
    });
    setTitle(lesson.title);
    keptShown = true;
    if (push) {
      history.pushState({ fcLesson: lesson.url }, '', lesson.url);
      window.scrollTo(0, 0);
    }
  }

  /** Show a kept lesson or quiz page of the module: 'lesson' or 'quiz', or false without a copy of it. */
  function showKept(store, url, push) {
    return store.get('lessons', url).then(function (kept) {
      if (!kept) return false;
      if (kept.type === 'quiz') renderPage(kept, push);
      else render(store, kept, push);
      return kept.type || 'lesson';
    });
  }

  // ---- forms the page script takes over: lesson done, quiz answers, rating -------------------------------

  /** A random (version 4) UUID. crypto.randomUUID needs a secure context, which http://class.lan is not. */
  function uuid() {
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map
      .call(b, function (x) {
        return (x + 0x100).toString(16).slice(1);
      })
      .join('');
    return (
      h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20)
    );
  }

  /**
   * A form the script takes over, as the one operation the box's endpoint takes (what the form would have
   * posted): { opId, action, target, body, actedAt } plus what the banner needs (page, title).
   */
  function operationOf(f, opId) {
    var action = f.getAttribute('data-queue');
    var target = { courseId: f.getAttribute('data-course') };
    if (action !== 'course.rate') target.activityId = f.getAttribute('data-activity');
    var data = new FormData(f);
    var body;
    if (action === 'quiz.submit') {
      // Every question, answered or not (an unanswered one is an empty list, as the form sends nothing).
      var answers = {};
      Array.prototype.forEach.call(f.querySelectorAll('[name^="q_"]'), function (el) {
        answers[el.name.slice(2)] = [];
      });
      data.forEach(function (v, k) {
        if (k.indexOf('q_') === 0 && typeof v === 'string' && v.trim() !== '') answers[k.slice(2)].push(v);
      });
      body = { answers: answers };
      if (data.get('courseVersion')) body.courseVersion = String(data.get('courseVersion'));
    } else if (action === 'course.rate')
      body = { rating: Number(data.get('rating')), comment: String(data.get('comment') || '') };
    var item = {
      opId: opId,
      action: action,
      target: target,
      page: location.pathname,
      title: f.getAttribute('data-title') || document.title.split(' · ')[0],
      actedAt: new Date().toISOString(),
    };
    if (body) item.body = body;
    return item;
  }

  /** Give `item` the id and queue place of the form's step still waiting, when it is the same step. */
  function sameAsWaiting(f, item) {
    var waiting = f.fcWaiting;
    if (
      !waiting ||
      waiting.action !== item.action ||
      JSON.stringify(waiting.target) !== JSON.stringify(item.target)
    )
      return Promise.resolve();
    return storeReady.then(function (store) {
      if (!store) return;
      return store.get('queue', waiting.n).then(function (still) {
        // Gone from the queue: it reached the box meanwhile, and this tap is a new submission.
        if (!still || still.opId !== waiting.opId) return;
        item.opId = still.opId;
        item.n = still.n;
      });
    });
  }

  var busy = false;
  function onQueuedSubmit(e) {
    var f = e.currentTarget;
    e.preventDefault();
    if (busy) return; // a double tap sends once
    busy = true;
    var button = f.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    // One operation id per submission (src/records/operations.ts): a fresh random UUID, queued with the
    // form, so every resend after a lost answer is recorded once by the box.
    var op = f.querySelector('input[name="op"]');
    var item = operationOf(f, uuid());
    var here = item.page;
    function done() {
      busy = false;
      if (button) button.disabled = false;
    }
    // This form's step may still be waiting on the queue (sent while the box was out of reach): tapping
    // again is the same step, not a second one (a second quiz attempt), so it takes the waiting step's
    // id and place in the queue, with what the form holds now.
    sameAsWaiting(f, item)
      .then(function () {
        if (op) op.value = item.opId; // the plain form, if it is sent after all, is the same operation
        return enqueue(item);
      })
      .then(function (store) {
        if (!store) return f.submit(); // no store on this phone: the plain form, as without JavaScript
        return flushIncluding().then(function (r) {
          var mine = r.sent.filter(function (x) {
            return x.n === item.n;
          })[0];
          f.fcWaiting = mine ? null : item;
          if (mine && mine.state === 'sent')
            // Where the form would have gone: the next lesson, the quiz result, the rating card.
            return leave(function () {
              location.assign(mine.url);
            });
          if (mine) return report(r); // refused: say why, stay on this page
          if (r.state === 'old' || r.state === 'signin') return report(r);
          // The box is out of reach: it waits in the queue. A lesson goes on from the phone's copy.
          if (item.action !== 'lesson.complete') {
            pageNote = '';
            return say(queuedText(r.waiting), 'waiting');
          }
          return store.get('lessons', here).then(function (lesson) {
            var next = lesson && lesson.next;
            var go = next ? showKept(store, next.url, true) : Promise.resolve(false);
            return go.then(function (shown) {
              pageNote =
                shown === 'quiz' ? t('offlineKeptQuiz') : shown ? t('offlineKept') : t('offlineNeedsWifi');
              say(pageNote + ' ' + queuedText(r.waiting), 'waiting');
            });
          });
        });
      })
      .then(done, done);
  }

  // ---- reading progress (lesson.js calls this) ---------------------------------------------------------

  /**
   * How far into a lesson the trainee has read, as an operation like every other: queued on this phone,
   * then sent in order. When the page is being left (`leaving`) it also goes at once with `keepalive`, in
   * case the page is gone before the queue is: the same opId, so the box applies it once either way.
   */
  window.fieldclassQueue = {
    progress: function (courseId, activityId, value, leaving) {
      var item = {
        opId: uuid(),
        action: 'lesson.progress',
        target: { courseId: courseId, activityId: activityId },
        body: { progress: value },
        page: location.pathname,
        title: document.title.split(' · ')[0],
        actedAt: new Date().toISOString(),
      };
      if (leaving) send(item, true);
      return enqueue(item).then(function (store) {
        if (!store) return leaving ? null : send(item); // no store on this phone: straight to the box
        if (leaving) return null;
        // report() says nothing of reading progress itself (it is not a step the trainee expects news
        // of), but this flush may also carry steps waiting before it: what became of those is said.
        return flushIncluding().then(report);
      });
    },
  };

  Array.prototype.forEach.call(document.querySelectorAll('form[data-queue]'), function (f) {
    f.addEventListener('submit', onQueuedSubmit);
  });

  if (article && form) {
    history.replaceState({ fcLesson: location.pathname }, '');
    window.addEventListener('popstate', function (e) {
      var url = e.state && e.state.fcLesson;
      storeReady.then(function (store) {
        if (!store || !url) return leave(reload);
        return showKept(store, url, false).then(function (shown) {
          if (!shown) return leave(reload);
          if (pageNote) pageNote = shown === 'quiz' ? t('offlineKeptQuiz') : t('offlineKept');
        });
      });
    });
  }

  // ---- a reload while a kept page is shown and the box is out of reach ----------------------------------
  // Over plain HTTP there is no service worker to answer a reload: Chromium asks the box for the page again
  // (a copy in its HTTP cache is never used for a reload) and, out of reach, shows its own error page in
  // place of the lesson the trainee was reading from the phone's copy. So while a kept page is shown
  // (pushState) and the box did not answer, leaving the page asks first, with the browser's own question
  // ("Reload site? Changes you made may not be saved."); staying keeps the page. The page's own moves
  // (to a result, sign-out) go without asking.
  var keptShown = false;
  var leaving = false;
  function leave(go) {
    leaving = true;
    go();
  }
  function reload() {
    location.reload();
  }
  window.addEventListener('beforeunload', function (e) {
    if (leaving || !keptShown || !(boxOut || navigator.onLine === false)) return;
    e.preventDefault();
    e.returnValue = '';
  });

  // ---- sign-out on a shared phone ---------------------------------------------------------------------
  // Signing out removes what this phone keeps for the trainee, once the box has everything; with steps
  // still unsent it asks first, so nothing is dropped silently.
  var signOut = document.querySelector('form[action="/signout"]');
  function submitSignOut() {
    signOut.submit();
  }
  if (signOut)
    signOut.addEventListener('submit', function (e) {
      e.preventDefault();
      storeReady
        .then(function (store) {
          if (!store) return true;
          return flushIncluding().then(function () {
            return store.count('queue').then(function (n) {
              if (n > 0 && !window.confirm(t('offlineSignOutUnsent', { n: n }))) return false;
              store.close();
              return window.fieldclassStore.destroy(cfg.person).then(function () {
                return true;
              });
            });
          });
        })
        .then(
          function (go) {
            if (go) leave(submitSignOut);
            else flushIncluding().then(report);
          },
          function () {
            leave(submitSignOut);
          },
        );
    });

  // ---- content that needs the box (the SCORM player) -------------------------------------------------
  // A SCORM package runs from the box and saves there as the trainee goes: it cannot be kept on the phone.
  // When the connection is gone (the browser says so, or the player's save did not reach the box), the
  // same banner says it needs the class Wi-Fi; once the player has saved again, that line goes.
  var content = document.querySelector('[data-needs-wifi]');
  if (content) {
    // The player covers the page: the banner goes inside it, under its top bar, above the content.
    var bar = content.firstElementChild;
    if (banner) content.insertBefore(banner, bar ? bar.nextSibling : content.firstChild);
    var unsaved = false;
    var setCut = function (cut) {
      if (cut === contentCut) return;
      contentCut = cut;
      if (cut) return sayLines([]);
      var line = banner && banner.querySelector('[data-key="content"]');
      if (line) line.parentNode.removeChild(line);
      if (banner && !banner.firstChild) banner.hidden = true;
    };
    window.addEventListener('offline', function () {
      setCut(true);
    });
    window.addEventListener('online', function () {
      // Back in range: the line goes now unless a save is still owed (it goes when the player has saved).
      if (!unsaved) setCut(false);
    });
    // The player says what became of each save (scorm.player.js). A save the box refused (an ended launch)
    // is no connection problem: the player's own status says it.
    document.addEventListener('fc:content', function (e) {
      var d = e.detail || {};
      if (d.refused) return;
      unsaved = !d.saved;
      setCut(unsaved || navigator.onLine === false);
    });
    if (navigator.onLine === false) setCut(true);
  }

  // On every trainee page: send what is waiting, then (on a lesson) keep the rest of the module.
  flushIncluding().then(function (r) {
    report(r);
    if (article && form && r.state !== 'offline')
      return storeReady.then(function (store) {
        if (store) return prefetch(store);
      });
  });
})();
