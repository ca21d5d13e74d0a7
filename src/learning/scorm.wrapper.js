// The SCORM runtime, on the PACKAGE origin (never the app's), same-origin with the SCO it frames. The
// whole runtime lives here (scorm-again's data model, validation and error codes), so every API call is
// answered synchronously and truthfully when it is made (_count, _children, _version, vocabularies,
// read-only / write-only, error codes), and no call can be dropped: nothing crosses a frame boundary.
// The launch token (in this page's #fragment, never in storage, never sent as a Referer) is the only
// credential; commits go to this origin's /rt/commit with it:
//   - on Commit and Terminate, every 30 s while there are unsaved changes, every 5 min regardless,
//     and on pagehide / visibilitychange (sendBeacon or fetch keepalive) so that closing the tab keeps
//     the session;
//   - each commit carries a number that grows within the launch (the box applies only a higher one)
//     and the values changed since the last commit the box confirmed, so commits stay small and a
//     resent or overtaken one changes nothing.
// The player page (app origin) is told "saved" / "not saved" and when the SCO ended (postMessage with
// no data it could act on beyond refreshing its links).
(function () {
  'use strict';
  var frame = document.getElementById('sco');
  var hash = new URLSearchParams(location.hash.slice(1));
  var token = hash.get('token') || '';
  var parentOrigin = hash.get('parent') || '';
  if (!token || !/^https?:\/\/[^/]+$/.test(parentOrigin)) {
    document.body.textContent = 'invalid launch';
    return;
  }
  var SAVE_EVERY = 30000;
  var HEARTBEAT_EVERY = 300000;
  var BEACON_MAX = 60000;
  var started = Date.now();
  var seq = 0;
  var acked = { seq: 0, values: {} };
  var pending = {}; // seq -> values sent
  var lastSent = 0;
  var leaving = false;
  var ended = false;
  var exitSet = false;
  var api = null;
  var version = '';
  var asset = false;
  var setsSinceCommit = 0;
  var soonTimer = null;

  function tell(msg) {
    try {
      window.parent.postMessage(msg, parentOrigin);
    } catch {
      /* the player is gone */
    }
  }

  // scorm-again's commit object is nested ({cmi: {core: {...}, interactions: {0: {...}}}}): flatten it
  // to element names, the form the box stores.
  function flatten(obj, prefix, out) {
    for (var k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      var v = obj[k];
      var name = prefix + '.' + k;
      if (v !== null && typeof v === 'object') flatten(v, name, out);
      else if (v !== undefined && v !== null) out[name] = String(v);
    }
    return out;
  }
  function current() {
    var nested = api.renderCommitCMI(false);
    var out = flatten(nested && nested.cmi ? nested.cmi : nested, 'cmi', {});
    return out;
  }
  // Values to send: those that differ from what the box confirmed, or from any commit still in flight
  // (one of those may yet be applied, and a value changed back must be written back).
  function changes(now) {
    var set = {};
    var n = 0;
    for (var k in now) {
      // An element never set reads as "": not worth sending (interactions carry many empty fields).
      var differs = now[k] !== (acked.values[k] === undefined ? '' : acked.values[k]);
      if (!differs)
        for (var s in pending)
          if (pending[s][k] !== undefined && pending[s][k] !== now[k]) {
            differs = true;
            break;
          }
      if (differs) {
        set[k] = now[k];
        n++;
      }
    }
    return { set: set, n: n };
  }

  function acknowledge(sentSeq, values, answer) {
    delete pending[sentSeq];
    if (answer && typeof answer.seq === 'number' && answer.seq >= acked.seq) {
      // The box applied this commit (or a later one, whose values include these).
      if (sentSeq >= acked.seq) acked = { seq: sentSeq, values: values };
      for (var s in pending) if (Number(s) <= sentSeq) delete pending[s];
    }
  }

  var retryTimer = null;
  function commit(terminate) {
    if (!api && !asset) return;
    var now = asset ? {} : current();
    var c = changes(now);
    var body = {
      token: token,
      seq: ++seq,
      set: c.set,
      elapsed: Math.round((Date.now() - started) / 1000),
    };
    if (terminate) body.terminate = true;
    if (exitSet) body.exitSet = true;
    if (asset) body.asset = true;
    pending[body.seq] = now;
    setsSinceCommit = 0;
    lastSent = Date.now();
    var json = JSON.stringify(body);
    if (leaving) {
      // The page is going away: only a beacon (or a keepalive fetch) outlives it.
      var blob = new Blob([json], { type: 'text/plain' });
      if (json.length <= BEACON_MAX && navigator.sendBeacon && navigator.sendBeacon('/rt/commit', blob))
        return;
      try {
        void fetch('/rt/commit', { method: 'POST', body: json, keepalive: json.length <= BEACON_MAX });
      } catch {
        /* nothing more can be done while unloading */
      }
      return;
    }
    var sentSeq = body.seq;
    fetch('/rt/commit', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: json,
      keepalive: json.length <= BEACON_MAX,
    })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok)
            throw Object.assign(new Error(j && j.error ? j.error.code || j.error : 'HTTP ' + r.status), {
              status: r.status,
            });
          return j;
        });
      })
      .then(
        function (answer) {
          acknowledge(sentSeq, now, answer);
          tell({
            fc: 'scorm-status',
            saved: Object.keys(pending).length === 0 && !dirty(),
            status: answer.status || '',
          });
          if (terminate) tell({ fc: 'scorm-ended', nav: navRequest });
        },
        function (e) {
          delete pending[sentSeq];
          tell({ fc: 'scorm-status', saved: false, refused: !!(e && e.status && e.status < 500) });
          // A refused commit (expired or superseded launch) will not succeed later; a network failure will.
          if (e && e.status && e.status < 500 && e.status !== 429) return;
          if (!retryTimer)
            retryTimer = setTimeout(function () {
              retryTimer = null;
              commit(terminate);
            }, 5000);
        },
      );
  }

  function dirty() {
    return !!api && changes(current()).n > 0;
  }

  // Where scorm-again's error codes differ from the RTE books, the book wins:
  // - SCORM 1.2 RTE 3.3.2: an element that is not in the data model is 201 (invalid argument); 401 is
  //   for a valid element the LMS does not implement, and every 1.2 element is implemented here.
  // - SCORM 2004 RTE 4.1.1: reading a record of a collection beyond its _count is 301 (general get
  //   failure); 403 is for an element of an existing record that was never set.
  function conform(api, version) {
    if (version === 'scorm12') {
      ['LMSGetValue', 'LMSSetValue'].forEach(function (name) {
        var call = api[name].bind(api);
        api[name] = function (element, value) {
          var r = call(element, value);
          if (String(api.lastErrorCode) === '401') api.lastErrorCode = '201';
          return r;
        };
      });
      return;
    }
    var get = api.GetValue.bind(api);
    api.GetValue = function (element) {
      var r = get(element);
      if (String(api.lastErrorCode) !== '403' || typeof element !== 'string') return r;
      var m = /^(.*)\.(\d+)\.[^.]+$/.exec(element);
      if (!m) return r;
      var count = Number(get(m[1] + '._count'));
      api.lastErrorCode = Number(m[2]) >= count ? '301' : '403';
      return r;
    };
  }

  var navRequest = null;
  // scorm-again's HTTP layer, replaced: it answers the SCO at once (the data model already validated the
  // values) and the commit is sent, retried and confirmed here.
  var httpService = {
    processHttpRequest: function (_url, _params, immediate) {
      if (immediate) {
        ended = true;
        navRequest = api && api.adl && api.adl.nav ? String(api.adl.nav.request || '_none_') : null;
      }
      commit(!!immediate);
      return { result: true, errorCode: 0 };
    },
    updateSettings: function () {},
  };

  // The player's Exit: save now and say whether it is saved (only the player page, by its origin).
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    if (!event.data || event.data.fc !== 'scorm-save') return;
    if (api && !ended && dirty()) commit(false);
    // A commit still on its way answers when it lands; otherwise everything is saved already.
    else if (Object.keys(pending).length === 0) tell({ fc: 'scorm-status', saved: true });
  });
  window.addEventListener('pagehide', function () {
    leaving = true;
    if (api && !ended && dirty()) commit(false);
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState !== 'hidden' || !api || ended) return;
    // Hidden may be the last moment this page runs (a phone puts the tab away and kills it).
    leaving = true;
    if (dirty()) commit(false);
    leaving = false;
  });
  setInterval(function () {
    if (!api || ended) return;
    if (dirty()) commit(false);
    else if (Date.now() - lastSent >= HEARTBEAT_EVERY) commit(false);
  }, SAVE_EVERY);

  fetch('/rt/launch', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: token }),
  })
    .then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error((j && j.error && j.error.code) || 'HTTP ' + r.status);
        return j;
      });
    })
    .then(
      function (launch) {
        version = launch.version;
        var src = launch.base + launch.launch;
        if (launch.scormType !== 'sco') {
          // An asset: no API; opening it completes it.
          asset = true;
          commit(true);
          frame.src = src;
          return;
        }
        var settings = {
          lmsCommitUrl: '/rt/commit',
          autocommit: false,
          throttleCommits: false,
          logLevel: 5,
          httpService: httpService,
        };
        api = version === 'scorm12' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
        api.loadFromFlattenedJSON(launch.cmi, '');
        var exitKey = version === 'scorm12' ? 'cmi.core.exit' : 'cmi.exit';
        var setName = version === 'scorm12' ? 'LMSSetValue' : 'SetValue';
        var set = api[setName].bind(api);
        // Whether the SCO chose its exit itself decides how the box closes a launch that never terminated.
        api[setName] = function (element, value) {
          var r = set(element, value);
          if (r === 'true' && element === exitKey) exitSet = true;
          // Many values set without a Commit (a burst of interactions): save them soon, while a normal
          // request can carry them; a beacon on pagehide is limited to 64 KB.
          if (r === 'true' && ++setsSinceCommit >= 50 && !soonTimer)
            soonTimer = setTimeout(function () {
              soonTimer = null;
              if (!ended && dirty()) commit(false);
            }, 1000);
          return r;
        };
        conform(api, version);
        acked = { seq: 0, values: current() };
        if (version === 'scorm12') window.API = api;
        else window.API_1484_11 = api;
        frame.src = src;
        tell({ fc: 'scorm-status', saved: true });
      },
      function (e) {
        tell({ fc: 'scorm-status', saved: false, refused: true, error: String(e && e.message) });
      },
    );
})();
