// Reading progress (an enhancement: the lesson page works without it). As the trainee scrolls, record how
// far they got (0-100), at most every 10 s and when the page is hidden or left. It goes through the
// phone's queue (offline.js), like every other step, so that reading offline is not lost either.
(function () {
  function start() {
    var el = document.querySelector('[data-progress-course]');
    if (!el || !window.fieldclassQueue) return;
    var best = 0;
    var sent = -1;
    var timer = null;
    function measure() {
      // A kept quiz shown in this page instead of the lesson (offline.js): its scrolling is no reading.
      if (!el.isConnected) return;
      var d = document.documentElement;
      var room = d.scrollHeight - window.innerHeight;
      var p = room <= 0 ? 100 : Math.round(Math.min(1, Math.max(0, window.scrollY / room)) * 100);
      if (p > best) best = p;
    }
    function send(leaving) {
      clearTimeout(timer);
      timer = null;
      if (best <= sent) return;
      sent = best;
      window.fieldclassQueue.progress(
        el.getAttribute('data-progress-course'),
        el.getAttribute('data-progress-activity'),
        best,
        leaving === true,
      );
    }
    window.addEventListener(
      'scroll',
      function () {
        measure();
        if (!timer) timer = setTimeout(send, 10000);
      },
      { passive: true },
    );
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') send(true);
    });
    window.addEventListener('pagehide', function () {
      send(true);
    });
    // Another page shown from the phone's copy (offline.js): what was read so far goes first, and the
    // reading of the next lesson starts from the top.
    document.addEventListener('fc:lesson', function () {
      send(false);
      best = 0;
      sent = -1;
      setTimeout(function () {
        measure();
        if (best === 100) timer = setTimeout(send, 10000);
      }, 0);
    });
    measure();
    if (best === 100) timer = setTimeout(send, 10000);
  }

  // offline.js may come after this script in the page: both are deferred, so it has run by DOMContentLoaded.
  if (window.fieldclassQueue) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
