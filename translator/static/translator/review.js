/* Jimaku review page: keyboard editing, row focus, media follow, unsaved-edit protection.
 * The server does all the work (htmx swaps whole rows); this file only moves focus around.
 */
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const toastEl = () => document.getElementById("toast");
  let toastTimer = null;
  let pendingNext = null; // row id to leave after a successful save
  let pendingFocus = null; // row id to refocus after a swap
  let playingRow = null;

  function toast(key, fallback) {
    const el = toastEl();
    if (!el) return;
    el.textContent = el.dataset["msg" + key] || fallback || key;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
  }

  const rows = () => $$("article.seg");
  const rowOf = (el) => (el && el.closest ? el.closest("article.seg") : null);
  const editorOf = (row) => (row ? $("textarea.seg-editor", row) : null);
  const isDirty = (ta) => ta && ta.value !== ta.defaultValue;

  function grow(ta) {
    ta.style.height = "auto";
    ta.style.height = Math.min(ta.scrollHeight + 2, 420) + "px";
  }

  function markDirty(ta) {
    const row = rowOf(ta);
    if (row) row.classList.toggle("dirty", isDirty(ta));
  }

  function activate(row, opts) {
    if (!row) return;
    $$("article.seg.active").forEach((r) => { if (r !== row) r.classList.remove("active"); });
    row.classList.add("active");
    if (opts && opts.focus) {
      const ta = editorOf(row);
      const target = ta || row;
      if (!ta) row.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest", behavior: "auto" });
      if (ta) ta.setSelectionRange(ta.value.length, ta.value.length);
    }
  }

  function neighbour(row, step) {
    const all = rows();
    const i = all.indexOf(row);
    if (i < 0) return all[0] || null;
    return all[i + step] || null;
  }

  // The last row of a page: carry on at the first row of the next page (same filters).
  function continueOnNextPage(row) {
    if (!row || !$("a.pg[rel=next]")) return;
    const url = new URL(window.location.href);
    url.searchParams.delete("page");
    url.searchParams.set("goto", String(Number(row.dataset.number) + 1));
    window.location.assign(url.toString());
  }

  function submit(form, intent) {
    const field = form.querySelector("input[name=intent]");
    if (field && intent) field.value = intent;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else htmx.trigger(form, "submit");
  }

  // --- keyboard -------------------------------------------------------------------------------
  document.addEventListener("keydown", (ev) => {
    const ta = ev.target.closest ? ev.target.closest("textarea.seg-editor") : null;
    const row = rowOf(ev.target) || $("article.seg.active");
    const ctrl = ev.ctrlKey || ev.metaKey;

    if (ev.altKey && (ev.key === "ArrowDown" || ev.key === "ArrowUp")) {
      ev.preventDefault();
      const next = row ? neighbour(row, ev.key === "ArrowDown" ? 1 : -1) : rows()[0];
      if (next) activate(next, { focus: true });
      else if (ev.key === "ArrowDown" && !isDirty(editorOf(row))) continueOnNextPage(row);
      return;
    }
    if (!ta) {
      if (ev.key === "Escape" && row) {
        const extra = $(".seg-extra", row);
        if (extra) extra.innerHTML = "";
      }
      return;
    }
    const form = ta.closest("form");
    if (ctrl && ev.key === "Enter") {
      ev.preventDefault();
      const intent = form.dataset.reviewer ? "approve" : "save";
      pendingNext = row.id;
      submit(form, intent);
    } else if (ctrl && (ev.key === "s" || ev.key === "S")) {
      ev.preventDefault();
      pendingFocus = row.id;
      submit(form, "save");
    } else if (ctrl && (ev.key === "m" || ev.key === "M")) {
      ev.preventDefault();
      const machine = ta.dataset.machine || "";
      if (machine) {
        ta.value = machine;
        grow(ta);
        markDirty(ta);
      }
    } else if (ctrl && (ev.key === "i" || ev.key === "I")) {
      // Take the best translation-memory suggestion: a normal versioned save on the server.
      ev.preventDefault();
      const take = $(".seg-tm .tm-take", row);
      if (!take) { toast("Nosuggestion", "No memory suggestion for this row."); return; }
      if (isDirty(ta)) { toast("Takedirty", "Save or cancel (Esc) your edit first."); return; }
      pendingFocus = row.id;
      take.click();
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      if (isDirty(ta)) {
        ta.value = ta.defaultValue;
        grow(ta);
        markDirty(ta);
      } else {
        const extra = $(".seg-extra", row);
        if (extra && extra.innerHTML.trim()) extra.innerHTML = "";
        else ta.blur();
      }
    }
  });

  document.addEventListener("input", (ev) => {
    if (ev.target.matches && ev.target.matches("textarea.seg-editor")) {
      grow(ev.target);
      markDirty(ev.target);
    }
  });

  // Translation-memory suggestions: fetched for a row when it first gets focus (the page
  // itself runs no memory lookup, so its cost does not grow with the memory).
  function loadSuggestions(row) {
    const box = row ? $(".seg-tm[data-tm-url]", row) : null;
    if (!box || box.dataset.loaded || typeof htmx === "undefined") return;
    box.dataset.loaded = "1";
    htmx.ajax("GET", box.dataset.tmUrl, { target: box, swap: "innerHTML" });
  }

  document.addEventListener("focusin", (ev) => {
    const row = rowOf(ev.target);
    if (row) { activate(row); loadSuggestions(row); }
  });

  // --- clicks ---------------------------------------------------------------------------------
  document.addEventListener("click", (ev) => {
    const t = ev.target;
    const intentBtn = t.closest("[data-intent]");
    if (intentBtn && intentBtn.form) {
      const field = intentBtn.form.querySelector("input[name=intent]");
      if (field) field.value = intentBtn.dataset.intent;
      pendingFocus = rowOf(intentBtn) ? rowOf(intentBtn).id : null;
    }
    const seek = t.closest("[data-seek-ms]");
    if (seek) {
      ev.preventDefault();
      const player = document.getElementById("player");
      if (!player) { toast("Nomedia"); return; }
      player.currentTime = Number(seek.dataset.seekMs) / 1000;
      const p = player.play();
      if (p && p.catch) p.catch(() => {});
      activate(rowOf(seek));
      followPlayback(true);
      return;
    }
    const toggle = t.closest("[data-toggle]");
    if (toggle) {
      const target = document.getElementById(toggle.dataset.toggle);
      if (target) {
        target.hidden = !target.hidden;
        const ta = $("textarea", target);
        if (ta && !target.hidden) { grow(ta); ta.focus(); }
      }
      return;
    }
    if (t.closest(".extra-close")) {
      const extra = t.closest(".seg-extra");
      if (extra) extra.innerHTML = "";
      return;
    }
    if (t.id === "select-all") {
      $$("input.seg-check").forEach((c) => { c.checked = t.checked; });
      updateSelection();
    } else if (t.matches && t.matches("input.seg-check")) {
      updateSelection();
    }
  });

  function updateSelection() {
    const n = $$("input.seg-check:checked").length;
    const el = document.getElementById("sel-count");
    if (el) el.textContent = n ? "(" + n + ")" : "";
  }

  // --- live rows during a translation job ------------------------------------------------------
  // The job panel's poll names the rows translated since the previous poll; each is fetched
  // again unless the editor is in it (focused or with unsaved text): that row is marked stale
  // and refreshed when the editor leaves it without an edit.
  const BACKGROUND = "X-Jimaku-Background";

  function refreshRow(row) {
    if (!row || typeof htmx === "undefined" || !row.dataset.rowUrl) return;
    delete row.dataset.stale;
    htmx.ajax("GET", row.dataset.rowUrl, {
      target: "#" + row.id, swap: "outerHTML", headers: { [BACKGROUND]: "1" },
    });
  }

  const editing = (row) => row.contains(document.activeElement) || isDirty(editorOf(row));

  document.addEventListener("segmentsTranslated", (ev) => {
    const detail = ev.detail || {};
    (detail.rows || []).forEach((pair) => {
      const row = document.getElementById("seg-" + pair[0]);
      if (!row || row.classList.contains("seg-conflict")) return;
      if (Number(row.dataset.version || 0) >= Number(pair[1])) return; // already shown
      row.dataset.rowUrl = String(detail.row_url || "").replace("/0/", "/" + pair[0] + "/");
      if (editing(row)) row.dataset.stale = "1";
      else refreshRow(row);
    });
  });

  document.addEventListener("focusout", (ev) => {
    const row = rowOf(ev.target);
    if (!row || !row.dataset.stale) return;
    // After the focus has moved: still inside the row (its buttons) is still editing.
    setTimeout(() => { if (row.isConnected && !editing(row)) refreshRow(row); }, 0);
  });

  const isBackground = (ev) => {
    const cfg = ev.detail && ev.detail.requestConfig;
    return !!(cfg && cfg.headers && cfg.headers[BACKGROUND]);
  };

  // --- htmx life cycle ------------------------------------------------------------------------
  let refocus = null; // the row the editor was in when the rows were refreshed around it

  document.addEventListener("htmx:beforeRequest", (ev) => {
    const elt = ev.detail.elt;
    if (!elt || elt.id !== "review-body") return;
    // A translation job finished: its rows came in live with the polls, nothing to reload.
    const cause = ev.detail.requestConfig && ev.detail.requestConfig.triggeringEvent;
    if (cause && cause.type === "jobFinished" && cause.detail && cause.detail.live) {
      ev.preventDefault();
      return;
    }
    // A background refresh of the rows (job finished, glossary changed) must not wipe edits.
    if ($$("textarea.seg-editor").some(isDirty)) {
      ev.preventDefault();
      toast("Dirty");
      return;
    }
    // ...nor take the editor out of the row it is in.
    const row = rowOf(document.activeElement);
    refocus = row ? row.id : null;
  });

  // The editor may have moved on (Alt+Down, a click) while the save was in flight or
  // settling: only take the focus back when it was lost with the swapped row.
  function focusLeftWith(row) {
    const el = document.activeElement;
    return !el || el === document.body || (row && row.contains(el));
  }

  document.addEventListener("htmx:afterSettle", (ev) => {
    prepare(ev.detail.elt || document);
    if (isBackground(ev)) return; // a live row: the editor's own actions are not concerned
    if (refocus && ev.detail.elt && ev.detail.elt.id === "review-body") {
      const row = document.getElementById(refocus);
      refocus = null;
      if (row && focusLeftWith(null)) activate(row, { focus: true });
      return;
    }
    if (pendingNext) {
      const row = document.getElementById(pendingNext);
      pendingNext = null;
      if (!focusLeftWith(row)) return;
      if (row && !row.classList.contains("seg-conflict") && !$(".form-error", row)) {
        const next = neighbour(row, 1);
        if (next) activate(next, { focus: true });
        else continueOnNextPage(row);
      } else if (row) {
        activate(row, { focus: true });
      }
    } else if (pendingFocus) {
      const row = document.getElementById(pendingFocus);
      pendingFocus = null;
      if (row && focusLeftWith(row)) activate(row, { focus: !!editorOf(row) });
    }
  });

  document.addEventListener("htmx:responseError", (ev) => {
    const status = ev.detail.xhr ? ev.detail.xhr.status : 0;
    pendingNext = null;
    toast(status === 403 ? "Forbidden" : "Error");
  });
  document.addEventListener("htmx:sendError", () => { pendingNext = null; toast("Offline"); });

  window.addEventListener("beforeunload", (ev) => {
    if ($$("textarea.seg-editor").some(isDirty)) {
      ev.preventDefault();
      ev.returnValue = toastEl() ? toastEl().dataset.msgLeave : "";
    }
  });

  // --- media follow ---------------------------------------------------------------------------
  let timedRows = [];
  function indexTimes() {
    timedRows = $$("article.seg[data-start-ms]")
      .map((r) => ({ row: r, start: Number(r.dataset.startMs) }))
      .filter((x) => !Number.isNaN(x.start))
      .sort((a, b) => a.start - b.start);
  }

  function followPlayback(force) {
    const player = document.getElementById("player");
    if (!player || !timedRows.length) return;
    const ms = player.currentTime * 1000;
    let lo = 0, hi = timedRows.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (timedRows[mid].start <= ms + 1) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    const row = found >= 0 ? timedRows[found].row : null;
    if (row === playingRow && !force) return;
    if (playingRow) playingRow.classList.remove("playing");
    playingRow = row;
    if (!row) return;
    row.classList.add("playing");
    const follow = document.getElementById("follow-playback");
    const typing = document.activeElement && document.activeElement.matches("textarea, input[type=text]");
    if ((!follow || follow.checked) && !typing) row.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function prepare(root) {
    $$("textarea.seg-editor", root.querySelectorAll ? root : document).forEach(grow);
    indexTimes();
    updateSelection();
  }

  function setTopbarHeight() {
    const bar = document.querySelector(".topbar");
    if (bar) document.documentElement.style.setProperty("--topbar-h", bar.offsetHeight + "px");
  }

  function init() {
    setTopbarHeight();
    window.addEventListener("resize", setTopbarHeight);
    prepare(document);
    const player = document.getElementById("player");
    if (player) player.addEventListener("timeupdate", () => followPlayback(false));
    const body = document.getElementById("review-body");
    const focusNumber = body && body.dataset.focusNumber;
    if (focusNumber) {
      // The row asked for, or (filtered out) the first one after it on this page.
      const row = rows().find((r) => Number(r.dataset.number) >= Number(focusNumber));
      if (row) activate(row, { focus: true });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
