// The open page survives a dropped Wi-Fi (an enhancement: without JavaScript every form works as it is).
// What the trainee does is written to their queue on this phone first (store.js), then sent to the box in
// the order it was done; while the box is out of reach the queue waits and is retried with backoff, and a
// lesson page keeps the rest of its module on the phone so that "Mark as done and continue" goes on to the
// next lesson (history.pushState) instead of an error page.
(function () {
  'use strict';
  var cfgEl = document.getElementById('fc-offline');
  if (!cfgEl || !window.fetch || !window.Promise || !window.fieldclassStore || !window.URLSearchParams)
    return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var banner = document.getElementById('fc-banner');
  var storeReady = window.fieldclassStore.open(cfg.person);
  var TIMEOUT_MS = 10000;

  function t(key, params) {
    var s = (cfg.t && cfg.t[key]) || key;
    Object.keys(params || {}).forEach(function (k) {
      s = s.replace('{' + k + '}', String(params[k]));
    });
    return s;
  }
  function say(text, kind) {
    if (!banner) return;
    banner.textContent = text;
    banner.className = 'banner' + (kind ? ' ' + kind : '');
    banner.hidden = false;
  }
  function sayQueued(n) {
    if (n > 0) say(n === 1 ? t('offlineQueuedOne') : t('offlineQueuedMany', { n: n }), 'waiting');
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

  /**
   * Send one queued form the way the browser would have, with this page's CSRF token. 'sent': the box
   * answered with the page that follows; 'offline': nothing reached it (or no answer came: sent again
   * later); 'signin': the session is gone (kept until this trainee signs in again); 'refused': the box
   * said no for good (the course changed, the activity is gone); 'later': the box had a problem.
   */
  function send(item) {
    return withTimeout(item.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': cfg.csrf },
      body: item.body,
    }).then(
      function (res) {
        if (res.ok) return { state: 'sent', url: res.url };
        if (res.status === 401 || res.status === 403) return { state: 'signin' };
        if (res.status >= 500) return { state: 'later' };
        return { state: 'refused', status: res.status };
      },
      function () {
        return { state: 'offline' };
      },
    );
  }

  var flushing = null;
  var retryMs = 5000;
  var retryTimer = 0;

  /** Send the queue in order, stopping at the first item that cannot go now. */
  function flush() {
    if (flushing) return flushing;
    clearTimeout(retryTimer);
    flushing = storeReady
      .then(function (store) {
        if (!store) return { state: 'none', left: 0 };
        return store.all('queue').then(function (items) {
          var lastUrl = null;
          function next(i) {
            if (i >= items.length) return { state: items.length ? 'sent' : 'none', url: lastUrl, left: 0 };
            return send(items[i]).then(function (r) {
              if (r.state === 'sent' || r.state === 'refused')
                return store.del('queue', items[i].n).then(function () {
                  if (r.state === 'refused') say(t('offlineRefused', { reason: r.status }), 'error');
                  else lastUrl = r.url;
                  return next(i + 1);
                });
              return { state: r.state, left: items.length - i };
            });
          }
          return next(0);
        });
      })
      .then(
        function (r) {
          flushing = null;
          if (r.state === 'sent') retryMs = 5000;
          if (r.state === 'signin') say(t('offlineSignIn'), 'error');
          else if (r.left > 0) {
            sayQueued(r.left);
            retryTimer = setTimeout(flush, retryMs);
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

  /** Put an action on the queue (committed before anything is sent), then send what can go. */
  function enqueue(item) {
    return storeReady.then(function (store) {
      if (!store) return null;
      return store.put('queue', item).then(function () {
        return store;
      });
    });
  }

  window.addEventListener('online', function () {
    retryMs = 5000;
    flush().then(announceSent);
  });

  function announceSent(r) {
    if (r && r.state === 'sent') say(t('offlineSent'), 'sent');
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

  /** While online: keep this lesson and the rest of its module (text and images, no video) on the phone. */
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

  var objectUrls = [];
  /** Show a kept lesson in this page: text, images from the phone, the button now for that lesson. */
  function render(store, lesson, push) {
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
    var suffix =
      document.title.indexOf(' · ') >= 0 ? document.title.slice(document.title.indexOf(' · ')) : '';
    document.title = lesson.title + suffix;
    if (push) {
      history.pushState({ fcLesson: lesson.url }, '', lesson.url);
      window.scrollTo(0, 0);
    }
  }

  function showKept(store, url, push) {
    return store.get('lessons', url).then(function (lesson) {
      if (!lesson) return false;
      render(store, lesson, push);
      return true;
    });
  }

  var busy = false;
  function onDone(e) {
    e.preventDefault();
    if (busy) return;
    busy = true;
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    var fields = new URLSearchParams(new FormData(form));
    fields.delete('_csrf');
    var here = location.pathname;
    var item = {
      kind: 'form',
      action: 'lesson.complete',
      url: form.getAttribute('action'),
      body: fields.toString(),
      page: here,
      actedAt: new Date().toISOString(),
    };
    enqueue(item)
      .then(function (store) {
        if (!store) return form.submit(); // no store on this phone: the plain form, as without JavaScript
        return flushIncluding().then(function (r) {
          if (r.state === 'sent' && r.url) return location.assign(r.url);
          // The box is out of reach: the completion waits in the queue; go on from the phone's copy.
          return store.get('lessons', here).then(function (lesson) {
            var next = lesson && lesson.next;
            var go =
              next && next.type === 'lesson' ? showKept(store, next.url, true) : Promise.resolve(false);
            return go.then(function (shown) {
              if (shown) say(t('offlineKept') + ' ' + queuedText(r.left), 'waiting');
              else say(t('offlineNeedsWifi') + ' ' + queuedText(r.left), 'waiting');
            });
          });
        });
      })
      .then(
        function () {
          busy = false;
          if (button) button.disabled = false;
        },
        function () {
          busy = false;
          if (button) button.disabled = false;
        },
      );
  }

  function queuedText(n) {
    return n === 1 ? t('offlineQueuedOne') : t('offlineQueuedMany', { n: n });
  }

  if (article && form) {
    history.replaceState({ fcLesson: location.pathname }, '');
    form.addEventListener('submit', onDone);
    window.addEventListener('popstate', function (e) {
      var url = e.state && e.state.fcLesson;
      storeReady.then(function (store) {
        if (!store || !url) return location.reload();
        return showKept(store, url, false).then(function (shown) {
          if (!shown) location.reload();
        });
      });
    });
  }

  // On every trainee page: send what is waiting, then (on a lesson) keep the rest of the module.
  flush().then(function (r) {
    announceSent(r);
    if (article && form && r.state !== 'offline')
      return storeReady.then(function (store) {
        if (store) return prefetch(store);
      });
  });
})();
