// Reading progress (an enhancement: the lesson page works without it). As the trainee scrolls, tell the
// box how far they got (0-100), at most every 10 s and when the page is hidden or left.
(function () {
  var el = document.querySelector('[data-progress-course]');
  if (!el || !window.fetch) return;
  var best = 0;
  var sent = -1;
  var timer = null;
  function measure() {
    var d = document.documentElement;
    var room = d.scrollHeight - window.innerHeight;
    var p = room <= 0 ? 100 : Math.round(Math.min(1, Math.max(0, window.scrollY / room)) * 100);
    if (p > best) best = p;
  }
  function send() {
    timer = null;
    if (best <= sent) return;
    var value = best;
    sent = value;
    fetch('/api/progress', {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': el.getAttribute('data-csrf') },
      body: JSON.stringify({
        courseId: el.getAttribute('data-progress-course'),
        activityId: el.getAttribute('data-progress-activity'),
        progress: value,
      }),
    }).catch(function () {
      if (sent === value) sent = -1;
    });
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
    if (document.visibilityState === 'hidden') send();
  });
  window.addEventListener('pagehide', send);
  measure();
  if (best === 100) timer = setTimeout(send, 10000);
})();
