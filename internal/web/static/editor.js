// The document editor's keyboard and focus behaviour. Everything here improves what already
// works without JavaScript: the server renders `autofocus` on the field a line button leads
// to, and without this file Enter saves the draft as in any form.
(function () {
  'use strict';

  // (form.id would be the form's field named "id", not the attribute.)
  function isEditor(form) { return !!form && form.getAttribute('id') === 'editor'; }

  // The fields Enter walks through: visible, enabled inputs, selects and text areas in
  // document order (the hidden tax category of a non-0% line, the fields of other kinds and
  // a closed description are skipped).
  function fields(form) {
    return Array.prototype.filter.call(form.querySelectorAll('input, select, textarea'), function (el) {
      if (el.type === 'hidden' || el.disabled || el.tabIndex < 0 || el.closest('details:not([open])')) { return false; }
      return typeof el.checkVisibility === 'function' ? el.checkVisibility() : el.getClientRects().length > 0;
    });
  }

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) { return; } // 229: an IME converting
    var t = e.target;
    if (!t || t.tagName !== 'INPUT' || !isEditor(t.form)) { return; }
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) { // Ctrl+Enter (⌘+Enter) saves
      var save = document.getElementById('save');
      if (save) { t.form.requestSubmit(save); }
      return;
    }
    // Inside a group with its own button (the inline customer form) Enter presses it.
    var group = t.closest('[data-enter]');
    if (group) {
      var b = document.getElementById(group.getAttribute('data-enter'));
      if (b) { b.click(); }
      return;
    }
    var all = fields(t.form), i = all.indexOf(t);
    if (i >= 0 && i + 1 < all.length) {
      all[i + 1].focus();
      if (typeof all[i + 1].select === 'function' && all[i + 1].tagName === 'INPUT') { all[i + 1].select(); }
    }
  });

  // Implicit submission happens on the keypress after the keydown; a browser skips it once
  // keydown was cancelled, but synthetic input (automation, some on-screen keyboards) sends
  // it anyway, so it is cancelled here too.
  document.addEventListener('keypress', function (e) {
    var t = e.target;
    if (e.key === 'Enter' && t && t.tagName === 'INPUT' && isEditor(t.form)) { e.preventDefault(); }
  });

  // After htmx swaps the lines or the customer picker, the cursor goes where the server said
  // (autofocus): the new line's name, the neighbour of a removed line, the new customer.
  document.addEventListener('htmx:afterSettle', function (e) {
    var root = e.detail && e.detail.elt;
    if (!root || !root.querySelector) { return; }
    var target = root.hasAttribute && root.hasAttribute('autofocus') ? root : root.querySelector('[autofocus]');
    if (target && document.activeElement !== target) { target.focus(); }
  });
})();
