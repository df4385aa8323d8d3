// Asks before a destructive submission: a form with data-confirm submits only when the user
// agrees to its message (written in the page's language by the server).
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }
}, true);
