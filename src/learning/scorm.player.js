// The SCORM player page (app origin). The runtime runs in the package frame (package origin) and
// commits there with its launch token; this page only shows what it is told ("saved" / "not saved")
// and, when the SCO ends, follows its navigation request through the box's sequencer or refreshes
// Previous / Next. Messages are accepted only from that frame's own window and origin, and carry
// nothing this page would trust beyond that: every target is resolved by the box.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('scorm-config').textContent);
  var frame = document.getElementById('scorm-frame');
  var status = document.getElementById('scorm-status');
  var prev = document.getElementById('scorm-prev');
  var next = document.getElementById('scorm-next');
  var REQUESTS = [
    'continue',
    'previous',
    'choice',
    'jump',
    'exit',
    'exitAll',
    'suspendAll',
    'abandon',
    'abandonAll',
  ];
  var exit = document.getElementById('scorm-exit');
  var exiting = false;
  var exitTimer = null;
  function show(state) {
    status.dataset.state = state;
    status.textContent =
      state === 'saved' ? cfg.text.saved : state === 'unsaved' ? cfg.text.notSaved : cfg.text.saving;
    exit.dataset.state = state === 'unsaved' ? 'unsaved' : 'saved';
  }
  function leave() {
    location.href = exit.href;
  }
  // Not saved (the class Wi-Fi is out of reach): say so, and let a second tap leave anyway (the
  // runtime's pagehide beacon still tries).
  function askToLeave() {
    exit.textContent = cfg.text.exitAnyway;
    exit.dataset.confirm = '1';
  }
  // Exit saves first: the runtime commits what changed, answers "saved" or "not saved", then we leave.
  exit.addEventListener('click', function (e) {
    if (exit.dataset.confirm === '1') return;
    e.preventDefault();
    exiting = true;
    show('saving');
    frame.contentWindow.postMessage({ fc: 'scorm-save' }, cfg.contentOrigin);
    exitTimer = setTimeout(function () {
      if (!exiting) return;
      exiting = false;
      show('unsaved');
      // No answer from the runtime: as a save that did not reach the box, the banner says why.
      document.dispatchEvent(new window.CustomEvent('fc:content', { detail: { saved: false } }));
      askToLeave();
    }, 8000);
  });
  function refreshLinks(after) {
    fetch(cfg.linksUrl, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (j) {
        if (!j) return;
        // The SCO's post-condition rules deliver another SCO (retry, continue, previous) or end the
        // course session (exitAll): follow them, as the sequencer says; otherwise stay with fresh links.
        if (after && typeof j.then === 'string' && j.then.charAt(0) === '/') {
          location.href = j.then;
          return;
        }
        if (prev) prev.hidden = !j.previous;
        if (next) next.hidden = !j.continue;
      })
      .catch(function () {});
  }
  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow || event.origin !== cfg.contentOrigin) return;
    var m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.fc === 'scorm-status') {
      show(m.saved ? 'saved' : 'unsaved');
      // The page's banner (offline.js) says the course needs the class Wi-Fi while saves do not arrive.
      document.dispatchEvent(
        new window.CustomEvent('fc:content', { detail: { saved: !!m.saved, refused: !!m.refused } }),
      );
      if (exiting) {
        exiting = false;
        clearTimeout(exitTimer);
        if (m.saved) leave();
        else askToLeave();
      }
    } else if (m.fc === 'scorm-ended') {
      var req = String(m.nav || '_none_');
      var target = '';
      var dot = req.indexOf('}');
      // 2004 choice/jump requests read "{target=ID}choice".
      if (req.charAt(0) === '{' && dot > 0) {
        target = req.slice(1, dot).replace(/^target=/, '');
        req = req.slice(dot + 1);
      }
      if (REQUESTS.indexOf(req) >= 0) {
        location.href =
          cfg.navUrl +
          '?request=' +
          encodeURIComponent(req) +
          (target ? '&target=' + encodeURIComponent(target) : '');
      } else refreshLinks(true);
    }
  });
  frame.src = cfg.wrapperUrl;
})();
