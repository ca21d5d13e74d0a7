// Runs on the PACKAGE origin (never the app's). It gives SCOs the SCORM API they look for
// (window.API / window.API_1484_11, found by walking up from the SCO's frame) as a scorm-again
// CrossFrameAPI that forwards every call by postMessage to the player page (app origin), which holds
// the real runtime. This page holds no cookie, no token and no right: a SCO that reaches it can only
// make SCORM calls.
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var parentOrigin = params.get('parent') || '';
  var launch = params.get('launch') || '';
  var frame = document.getElementById('sco');
  // Only a path of this origin's /p/ tree may be launched (never javascript: or another origin).
  if (!/^\/p\/[^/]+\/[^/]+\/[^\\]+$/.test(launch) || !/^https?:\/\/[^/]+$/.test(parentOrigin)) {
    document.body.textContent = 'invalid launch';
    return;
  }
  var api = new window.CrossFrameAPI(parentOrigin, window.parent, {
    heartbeatInterval: 600000,
    heartbeatTimeout: 1200000,
  });
  window.API = api;
  window.API_1484_11 = api;
  var started = false;
  function start() {
    if (started) return;
    started = true;
    frame.src = launch;
  }
  // Warm the cache first: the SCO reads lesson_location / suspend_data synchronously right after
  // Initialize, and the cross-frame API answers reads from this cache.
  api._post('getFlattenedCMI', []).then(function (all) {
    if (all && typeof all === 'object') {
      Object.keys(all).forEach(function (k) {
        api._cache.set(k, String(all[k]));
      });
    }
    start();
  }, start);
  setTimeout(start, 3000);
})();
