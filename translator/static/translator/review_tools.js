/* Jimaku review page tools (branch findreplace): find & replace panel, Undo (Ctrl+Z outside a
 * text field), and the live figures under the English editor while typing.
 * CSP-strict: no inline script, no eval. The server does the work; this file sends requests
 * and places their answers.
 */
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const LIVE_DELAY_MS = 300;
  let toastTimer = null;

  function toast(key, fallback) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = el.dataset["msg" + key] || fallback || key;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
  }

  const isDirty = (ta) => ta && ta.value !== ta.defaultValue;
  const inTextField = (el) => !!(el && el.closest &&
    el.closest("textarea, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), select, [contenteditable]:not([contenteditable=false])"));

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // --- find & replace panel -------------------------------------------------------------------
  function openFind() {
    const tool = document.getElementById("find-replace-tool");
    const input = document.getElementById("find-q");
    if (!tool || !input) return;
    tool.open = true;
    input.focus();
    input.select();
  }

  // --- undo -----------------------------------------------------------------------------------
  function undoLast() {
    const button = document.getElementById("undo-button");
    if (!button) { toast("Nothingtoundo", "Nothing to undo."); return; }
    button.click();
  }

  document.addEventListener("keydown", (ev) => {
    const ctrl = ev.ctrlKey || ev.metaKey;
    if (!ctrl || ev.altKey) return;
    const key = (ev.key || "").toLowerCase();
    if (key === "h" && !ev.shiftKey || key === "f" && ev.shiftKey) {
      ev.preventDefault();
      openFind();
    } else if (key === "z" && !ev.shiftKey && !inTextField(ev.target)) {
      // Inside a text field the browser's own undo stays.
      ev.preventDefault();
      undoLast();
    }
  });

  document.addEventListener("keydown", (ev) => {
    // Enter in the find fields previews (the form's own submit shows the matching rows).
    if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (!ev.target.closest || !ev.target.closest("#find-form input[type=search], #find-form input[type=text]")) return;
    const preview = document.getElementById("find-preview");
    if (!preview) return;
    ev.preventDefault();
    preview.click();
  });

  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.matches && t.matches(".replace-all")) {
      const form = t.closest("form");
      $$(".replace-pick", form).forEach((c) => { c.checked = t.checked; });
    }
  });

  // Requests that change rows (replace, undo) name the rows the page shows, so the answer
  // brings those back in place; a row with unsaved text is left out (its save will show the
  // conflict, nothing typed is lost).
  document.addEventListener("htmx:configRequest", (ev) => {
    const elt = ev.detail.elt;
    if (!elt || !elt.closest || !elt.closest("[data-send-rows]")) return;
    const ids = $$("article.seg")
      .filter((row) => !isDirty($("textarea.seg-editor", row)))
      .map((row) => row.dataset.seg);
    ev.detail.parameters["on_page"] = ids.join(",");
  });

  // --- live figures while typing -------------------------------------------------------------
  const timers = new WeakMap();
  const sequence = new WeakMap();

  function liveBox(ta) {
    const form = ta.closest("form.seg-form");
    if (!form) return null;
    let box = form.parentElement.querySelector(":scope > .seg-live");
    if (!box) {
      box = document.createElement("div");
      box.className = "seg-live small";
      box.setAttribute("aria-live", "polite");
      form.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function liveUrl(ta) {
    const form = ta.closest("form.seg-form");
    const action = form ? form.getAttribute("action") || "" : "";
    return action.endsWith("/save/") ? action.slice(0, -"save/".length) + "live/" : "";
  }

  function refreshLive(ta) {
    const url = liveUrl(ta);
    const box = liveBox(ta);
    if (!url || !box) return;
    const n = (sequence.get(box) || 0) + 1;
    sequence.set(box, n);
    box.dataset.pending = "1";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      body: new URLSearchParams({ text: ta.value }),
    })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        if (sequence.get(box) !== n || !box.isConnected) return; // a newer one is coming
        box.innerHTML = html;
        delete box.dataset.pending;
      })
      .catch(() => { delete box.dataset.pending; });
  }

  function scheduleLive(ta) {
    clearTimeout(timers.get(ta));
    timers.set(ta, setTimeout(() => refreshLive(ta), LIVE_DELAY_MS));
  }

  document.addEventListener("input", (ev) => {
    if (ev.target.matches && ev.target.matches("textarea.seg-editor")) scheduleLive(ev.target);
  });

  document.addEventListener("focusin", (ev) => {
    const ta = ev.target;
    if (!ta.matches || !ta.matches("textarea.seg-editor")) return;
    const form = ta.closest("form.seg-form");
    const box = form && form.parentElement.querySelector(":scope > .seg-live");
    if (!box) refreshLive(ta);
  });
})();
