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

    // Export box: only the options that apply to the chosen format are shown (and sent); after
    // Download, the style-rule report of the file is shown under the form.
    document.querySelectorAll("form.export-form").forEach(function (form) {
      var format = form.querySelector("select[name=format]");
      function showOptions() {
        form.querySelectorAll("[data-formats]").forEach(function (label) {
          var applies = label.dataset.formats.split(" ").indexOf(format.value) >= 0;
          label.hidden = !applies;
          label.querySelectorAll("input, select").forEach(function (input) {
            input.disabled = !applies;
          });
        });
      }
      if (format) {
        format.addEventListener("change", showOptions);
        showOptions();
      }
      form.addEventListener("submit", function () {
        var box = document.getElementById("export-report");
        if (!box || !form.dataset.reportUrl || typeof htmx === "undefined") return;
        var query = new URLSearchParams(new FormData(form)).toString();
        htmx.ajax("GET", form.dataset.reportUrl + "?" + query, { target: box, swap: "outerHTML" });
      });
    });
  });
})();
