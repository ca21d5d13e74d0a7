// The SCORM player page (app origin): holds the real scorm-again runtime with the trainee's saved CMI,
// answers the package frame's cross-frame calls, and commits to the box with the page's CSRF token.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('scorm-config').textContent);
  var frame = document.getElementById('scorm-frame');
  var status = document.getElementById('scorm-status');
  function say(text) {
    if (status) status.textContent = text;
  }
  var settings = {
    lmsCommitUrl: cfg.commitUrl,
    autocommit: false,
    logLevel: 5,
    xhrHeaders: { 'X-CSRF-Token': cfg.csrf },
    // Tell the box which commit ends the session (the terminate commit may be sent as a beacon).
    requestHandler: function (obj, meta) {
      var out = {};
      for (var k in obj) out[k] = obj[k];
      out.terminate = !!(meta && meta.isTerminateCommit);
      return out;
    },
    responseHandler: function (response) {
      return response.json().then(
        function (j) {
          return j;
        },
        function () {
          return { result: false, errorCode: 101 };
        },
      );
    },
  };
  var api;
  if (cfg.scormType === 'sco') {
    api = cfg.version === 'scorm12' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    api.loadFromFlattenedJSON(cfg.cmi);
    // Only the package frame itself may talk to the runtime: a message from any other window
    // (a frame nested inside the package, another tab) is dropped before CrossFrameLMS sees it.
    window.addEventListener(
      'message',
      function (event) {
        if (event.source !== frame.contentWindow || event.origin !== cfg.contentOrigin)
          event.stopImmediatePropagation();
      },
      true,
    );
    new window.CrossFrameLMS(api, cfg.contentOrigin);
    var go = function (url) {
      if (url)
        setTimeout(function () {
          location.href = url;
        }, 0);
    };
    api.on(cfg.version === 'scorm12' ? 'LMSFinish' : 'Terminate', function () {
      say(cfg.text.saved);
    });
    if (cfg.version === 'scorm2004') {
      // Navigation requests the SCO made (adl.nav.request), as scorm-again reports them on Terminate,
      // honoured within the manifest's control mode (flow: continue/previous; choice: a target).
      api.on('SequenceNext', function () {
        if (cfg.nav.flow) go(cfg.nextUrl || cfg.outlineUrl);
      });
      api.on('SequencePrevious', function () {
        if (cfg.nav.flow && !cfg.nav.forwardOnly) go(cfg.prevUrl);
      });
      var toTarget = function (_el, target) {
        if (cfg.nav.choice) go(cfg.urls[String(target)] || null);
      };
      api.on('SequenceChoice', toTarget);
      api.on('SequenceJump', toTarget);
      ['SequenceExit', 'SequenceExitAll', 'SequenceAbandon', 'SequenceAbandonAll'].forEach(function (e) {
        api.on(e, function () {
          go(cfg.outlineUrl);
        });
      });
    }
    api.on(cfg.version === 'scorm12' ? 'LMSCommit' : 'Commit', function () {
      say(cfg.text.saved);
    });
  } else {
    // An asset: no API; opening it completes it.
    var x = new XMLHttpRequest();
    x.open('POST', cfg.commitUrl + '&asset=1');
    x.setRequestHeader('Content-Type', 'application/json');
    x.setRequestHeader('X-CSRF-Token', cfg.csrf);
    x.send('{}');
  }
  frame.src = cfg.wrapperUrl;
})();
