// Behaviour shared by every page (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    // The language switch submits as soon as a language is chosen.
    document.querySelectorAll("form.lang-switch select[name=language]").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  });
})();
