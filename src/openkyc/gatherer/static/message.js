/* openkyc gatherer: the page of a link that no longer works. It goes back to the merchant's
 * website by itself after a few seconds, unless the customer presses "Stay on this page"
 * (WCAG 2.2.1: a time limit can be turned off). Without scripts only the button remains. */
(() => {
  'use strict';

  const box = document.getElementById('redirect');
  const go = document.getElementById('continue');
  if (!box || !go) return;
  const help = document.getElementById('redirect-help');
  const stay = document.getElementById('stay');
  const seconds = Number(box.dataset.seconds) || 10;
  const leaving = setTimeout(() => window.location.assign(go.href), seconds * 1000);
  box.hidden = false;
  stay.addEventListener('click', () => {
    clearTimeout(leaving);
    help.textContent = help.dataset.stayed;
    help.setAttribute('role', 'status');
    stay.parentElement.remove();
    go.focus();
  });
})();
