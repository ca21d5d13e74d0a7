// Coordinator admin enhancement (the pages work without it): compare the box clock with this device's
// and, when they differ by more than 5 minutes, show the warning with its "set the box clock" button.
(function () {
  var el = document.querySelector('[data-box-time]');
  if (!el) return;
  var box = Date.parse(el.getAttribute('data-box-time'));
  // The page left the box a moment ago: a few seconds of loading are far below the 5-minute threshold.
  var diff = box - Date.now();
  var warn = document.getElementById('clock-warning');
  var input = document.getElementById('browser-time');
  var minutes = document.getElementById('clock-minutes');
  if (!warn || !input) return;
  if (Math.abs(diff) > 5 * 60 * 1000) {
    if (minutes) minutes.textContent = String(Math.round(Math.abs(diff) / 60000));
    warn.hidden = false;
  }
  var form = input.form;
  if (form)
    form.addEventListener('submit', function () {
      input.value = new Date().toISOString();
    });
})();

// A time-zone field still on the default (UTC) gets this device's own zone, visibly, before the coordinator
// submits: the phone in their hand knows where the class is. They can still type another one.
(function () {
  var input = document.querySelector('input[data-device-zone]');
  if (!input || input.value !== 'UTC') return;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== 'UTC') input.value = zone;
  } catch {
    // An old browser without Intl time zones: UTC stays.
  }
})();
