/* Jimaku review page (branch jareplace): after a waveform drag retimes a cue (waveform.js
 * dispatches "jimaku:cue-retimed" with the saved cue and its segment), the segment's review row
 * shows its new times without a reload. The row is fetched from its own row endpoint and only
 * its times (the time label, data-start-ms / data-end-ms) and its side (status, QA flags: the
 * reading speed may have changed) are taken from it: the English being edited is left alone.
 * No inline script, no eval.
 */
(function () {
  "use strict";

  function rowUrl(row) {
    const history = row.querySelector("[data-action=history]");
    const url = history && history.getAttribute("hx-get");
    return url ? url.replace(/history\/$/, "row/") : "";
  }

  function take(row, fresh) {
    ["startMs", "endMs"].forEach((key) => {
      if (fresh.dataset[key] !== undefined) row.dataset[key] = fresh.dataset[key];
      else delete row.dataset[key];
    });
    const meta = row.querySelector(".seg-meta");
    const oldTime = row.querySelector(".seg-time");
    const newTime = fresh.querySelector(".seg-time");
    if (oldTime && newTime) oldTime.replaceWith(newTime);
    else if (oldTime) oldTime.remove();
    else if (newTime && meta) meta.querySelector(".seg-num").after(newTime);
    const side = row.querySelector(".seg-side");
    const newSide = fresh.querySelector(".seg-side");
    if (side && newSide) side.replaceWith(newSide);
  }

  document.addEventListener("jimaku:cue-retimed", (ev) => {
    const detail = ev.detail || {};
    const row = document.getElementById("seg-" + detail.seg);
    const url = row && rowUrl(row);
    if (!url) return;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : ""))
      .then((html) => {
        if (!html) return;
        const tpl = document.createElement("template");
        tpl.innerHTML = html;
        const fresh = tpl.content.getElementById(row.id);
        if (fresh && row.isConnected) take(row, fresh);
        document.body.dataset.rowTimes = String(Number(document.body.dataset.rowTimes || 0) + 1);
      })
      .catch(() => {});
  });
})();
