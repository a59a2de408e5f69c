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
  let pendingRowFocus = null; // row id to refocus (the row, not its editor) after a swap
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

  // A click lands where it was pressed: while a mouse button is down, the row that stops being
  // the focused one keeps its action bar ("held"), else the rows below it would move up
  // between mousedown and mouseup and the click (a checkbox, a button) would miss.
  let pointerDown = false;
  function releaseHeld() {
    pointerDown = false;
    $$("article.seg.held").forEach((r) => r.classList.remove("held"));
  }
  document.addEventListener("pointerdown", () => { pointerDown = true; }, true);
  document.addEventListener("pointerup", () => { setTimeout(releaseHeld, 0); }, true);
  document.addEventListener("pointercancel", releaseHeld, true);

  function activate(row, opts) {
    if (!row) return;
    $$("article.seg.active").forEach((r) => {
      if (r === row) return;
      if (pointerDown) r.classList.add("held");
      r.classList.remove("active");
    });
    row.classList.add("active");
    if (opts && opts.focus) {
      // focus: true = the row's English editor; "row" = the row itself (the plain keys work).
      const ta = opts.focus === "row" ? null : editorOf(row);
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

  // --- keyboard: the one list of shortcuts ---------------------------------------------------
  // The keys come from translator/views/review_shortcuts.py (rendered as the JSON script
  // #review-shortcuts, and as the shortcuts panel); here each action has its handler. Another
  // script adds one with window.JimakuReview.on("action", (row, event, shortcut) => ...);
  // "panel" and "click" entries need no script. A handler that returns false did nothing: the
  // key goes on to the next entry, or to the browser.
  const SHORTCUTS = (function () {
    const el = document.getElementById("review-shortcuts");
    try { return el ? JSON.parse(el.textContent) : []; } catch (e) { return []; }
  })();
  const handlers = {};
  const TEXT_FIELD = "textarea, select, [contenteditable=''], [contenteditable=true], "
    + "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=file])";
  const INTERACTIVE = "button, a[href], summary, input, select, textarea, label, [contenteditable]";

  function parseKey(spec) {
    const parts = spec === "+" ? ["+"] : spec.split("+");
    const key = parts.pop() || "+";
    return { ctrl: parts.includes("Ctrl"), alt: parts.includes("Alt"), shift: parts.includes("Shift"), key: key };
  }
  const BINDINGS = [];
  SHORTCUTS.forEach((s) => (s.keys || []).forEach((k) => BINDINGS.push({ s: s, k: parseKey(k) })));

  function matches(k, ev) {
    if (k.ctrl !== (ev.ctrlKey || ev.metaKey) || k.alt !== ev.altKey) return false;
    if (k.key.length === 1 && /[a-z]/i.test(k.key)) {
      const same = ev.key.toLowerCase() === k.key.toLowerCase() || ev.code === "Key" + k.key.toUpperCase();
      return same && ev.shiftKey === k.shift;
    }
    if (k.key.length === 1) return ev.key === k.key; // "?", "/", digits: whatever Shift it takes
    return ev.key === k.key && ev.shiftKey === k.shift;
  }

  function applies(b, ev) {
    const t = ev.target && ev.target.closest ? ev.target : document.body;
    if (b.s.where === "editor") return !!t.closest("textarea.seg-editor");
    if (!b.k.ctrl && !b.k.alt) {
      if (b.k.key === "Escape") return true;
      // In a panel, its plain keys are the panels' own (switch, close), not the rows'.
      if (t.closest(".tool-body") && b.s.action !== "panel") return false;
      if (t.closest(TEXT_FIELD)) return false; // a plain key types in a text field
      if ((b.k.key === "Enter" || b.k.key === " ") && t.closest(INTERACTIVE)) return false;
      return true;
    }
    return !t.matches("select");
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.isComposing || ev.keyCode === 229) return; // IME input
    for (const b of BINDINGS) {
      if (!matches(b.k, ev) || !applies(b, ev)) continue;
      const fn = handlers[b.s.action];
      if (!fn) continue;
      const row = rowOf(ev.target) || $("article.seg.active");
      if (fn(row, ev, b.s) === false) continue;
      ev.preventDefault();
      return;
    }
  });

  const inEditor = (ev) => !!(ev.target.closest && ev.target.closest("textarea.seg-editor"));

  function moveRow(row, step, ev) {
    const next = row ? neighbour(row, step) : rows()[0];
    if (next) activate(next, { focus: inEditor(ev) ? true : "row" });
    else if (step > 0 && !isDirty(editorOf(row))) continueOnNextPage(row);
  }

  // The next (step 1) or previous (-1) row on this page that matches selector.
  function jump(row, step, selector) {
    const all = rows();
    const i = row ? all.indexOf(row) : -1;
    for (let j = i + step; j >= 0 && j < all.length; j += step) {
      if (all[j].matches(selector)) { activate(all[j], { focus: "row" }); return; }
    }
    toast("Norow", "No such row further on this page.");
  }

  handlers["next-row"] = (row, ev) => moveRow(row, 1, ev);
  handlers["prev-row"] = (row, ev) => moveRow(row, -1, ev);
  handlers["next-flagged"] = (row) => jump(row, 1, ".has-flags");
  handlers["prev-flagged"] = (row) => jump(row, -1, ".has-flags");
  handlers["next-untranslated"] = (row) => jump(row, 1, ".st-row-untranslated");
  handlers["prev-untranslated"] = (row) => jump(row, -1, ".st-row-untranslated");
  handlers.edit = (row) => {
    if (!editorOf(row)) return false;
    activate(row, { focus: true });
  };
  handlers.approve = (row) => {
    const btn = row ? $("[data-intent=approve]", row) : null;
    if (!btn || !btn.form) return false; // approved already, or not a reviewer
    pendingRowFocus = row.id;
    submit(btn.form, "approve");
  };
  handlers.click = (row, ev, s) => {
    const el = row && s.click ? $(s.click, row) : null;
    if (!el) return false;
    // A button that swaps the row (Unapprove): the focus comes back to the row after it.
    if (el.matches("[hx-post][hx-target^='#seg-']") && !inEditor(ev)) pendingRowFocus = row.id;
    el.click();
  };
  handlers.filter = () => {
    const box = $(".filters input[type=search]");
    if (!box) return false;
    box.focus();
    box.select();
  };
  handlers.panel = (row, ev, s) => togglePanel(s.panel);
  handlers["save-next"] = (row, ev) => {
    const form = ev.target.closest("form");
    pendingNext = row.id;
    submit(form, form.dataset.reviewer ? "approve" : "save");
  };
  handlers.save = (row, ev) => {
    pendingFocus = row.id;
    submit(ev.target.closest("form"), "save");
  };
  handlers.machine = (row, ev) => {
    const ta = ev.target;
    const machine = ta.dataset.machine || "";
    if (machine) {
      ta.value = machine;
      grow(ta);
      markDirty(ta);
    }
  };
  handlers.memory = (row, ev) => {
    // Take the best translation-memory suggestion: a normal versioned save on the server.
    const take = $(".seg-tm .tm-take", row);
    if (!take) { toast("Nosuggestion", "No memory suggestion for this row."); return; }
    if (isDirty(ev.target)) { toast("Takedirty", "Save or cancel (Esc) your edit first."); return; }
    pendingFocus = row.id;
    take.click();
  };
  // Esc: cancel an unsaved edit; else close the open panel (focus back to the row); else
  // leave the editor for the row (where the plain keys work).
  handlers.escape = handlers.close = (row, ev) => {
    const ta = ev.target.closest ? ev.target.closest("textarea.seg-editor") : null;
    if (ta && isDirty(ta)) {
      ta.value = ta.defaultValue;
      grow(ta);
      markDirty(ta);
      return;
    }
    if (openPanel()) { closePanel(); return; }
    if (!ta && pendingFocus) {
      // Esc while a save is in flight or settling: its row gets the focus, not its editor.
      const saving = document.getElementById(pendingFocus);
      pendingRowFocus = pendingFocus;
      pendingFocus = null;
      if (saving) activate(saving, { focus: "row" });
      return;
    }
    const extra = row ? $(".seg-extra", row) : null;
    if (extra && extra.innerHTML.trim()) { extra.innerHTML = ""; return; }
    if (ta) { activate(rowOf(ta), { focus: "row" }); return; }
    // Esc in the search box (or any other field outside the rows): back to the row.
    const active = $("article.seg.active");
    if (active && !rowOf(ev.target) && ev.target.closest && ev.target.closest("input, select")) {
      activate(active, { focus: "row" });
      return;
    }
    return false;
  };

  // --- drawer: the panels beside the rows --------------------------------------------------
  // Every <details class="tool"> on the page is a panel: its summary is its tab, its body
  // (.tool-body) shows in the drawer (review.css). One is open at a time; Esc, its × or its tab
  // closes it and the focus goes back to the row it came from. A panel named
  // data-drawer-panel="name" opens with a "panel" shortcut; one marked data-open-on-swap opens
  // when htmx loads content into it (a row's History / Diff).
  const panels = () => $$("details.tool");
  const openPanel = () => panels().find((d) => d.open) || null;
  let back = null; // { id, editor }: the row (and whether its editor) the panel was opened from

  // Any other element marked data-drawer-panel="name" (data-drawer-label: its tab's text)
  // becomes such a panel, with a tab before the shortcuts' one.
  function adoptPanels(root) {
    const tools = document.getElementById("tools");
    if (!tools) return;
    $$("[data-drawer-panel]:not(details)", root).forEach((el) => {
      if (el.closest("details.tool")) return;
      const name = el.dataset.drawerPanel;
      let d = openNamed(name);
      if (d) {
        const body = $(".tool-body", d);
        if (body) Array.from(body.children).forEach((c) => { if (!c.matches(".drawer-head")) c.remove(); });
        (body || d).appendChild(el); // a refreshed copy replaces the old one
        return;
      }
      d = document.createElement("details");
      d.className = "tool";
      d.dataset.drawerPanel = name;
      const summary = document.createElement("summary");
      summary.textContent = el.dataset.drawerLabel || el.getAttribute("aria-label") || name;
      d.append(summary, el);
      tools.insertBefore(d, $(":scope > .keys-help", tools));
    });
  }

  function preparePanels(root) {
    const tools = document.getElementById("tools");
    const closeLabel = (tools && tools.dataset.msgClose) || "Close";
    adoptPanels(root);
    $$("details.tool", root).forEach((d) => {
      if (d.dataset.drawerReady) return;
      d.dataset.drawerReady = "1";
      const summary = Array.from(d.children).find((c) => c.tagName === "SUMMARY");
      let body = Array.from(d.children).find((c) => c.classList.contains("tool-body"));
      if (!body) {
        body = document.createElement("div");
        body.className = "tool-body";
        Array.from(d.childNodes).forEach((n) => { if (n !== summary) body.appendChild(n); });
        d.appendChild(body);
      }
      body.tabIndex = -1;
      body.setAttribute("role", "dialog");
      if (d.dataset.drawerHead === "none" || $(".drawer-head", body)) return;
      const head = document.createElement("div");
      head.className = "drawer-head";
      const title = document.createElement("h2");
      const first = summary ? Array.from(summary.childNodes).find((n) => n.nodeType === 3 && n.textContent.trim()) : null;
      title.textContent = d.dataset.drawerTitle || (first || summary || { textContent: "" }).textContent.trim();
      body.setAttribute("aria-label", title.textContent);
      const close = document.createElement("button");
      close.type = "button";
      close.className = "btn btn-quiet drawer-close";
      close.setAttribute("aria-label", closeLabel);
      close.title = closeLabel + " (Esc)";
      close.textContent = "×";
      head.append(title, close);
      body.prepend(head);
    });
  }

  let lastInRow = null; // { id, editor }: where in the rows the focus last was
  function rememberBack() {
    const row = $("article.seg.active");
    if (!row) back = lastInRow;
    else back = { id: row.id, editor: !!(lastInRow && lastInRow.id === row.id && lastInRow.editor) };
  }

  function focusBack() {
    const row = (back && document.getElementById(back.id)) || $("article.seg.active");
    const editor = back ? back.editor : false;
    back = null;
    if (row) activate(row, { focus: editor && editorOf(row) ? true : "row" });
  }

  function openNamed(name) {
    return panels().find((d) => d.dataset.drawerPanel === name) || null;
  }

  // Open one panel, the others closed NOW: their own "toggle" events come later (a task), and
  // one still queued (3 then 2 pressed quickly, or a slow machine) would otherwise see its panel
  // open and close the one just asked for.
  function openOnly(d) {
    panels().forEach((o) => { if (o !== d && o.open) o.open = false; });
    d.open = true;
  }

  function togglePanel(name) {
    const d = openNamed(name);
    if (!d) return false;
    if (d.open) { closePanel(); return; }
    rememberBack();
    openOnly(d);
    const body = $(".tool-body", d);
    if (body) body.focus({ preventScroll: true });
  }

  function closePanel() {
    const d = openPanel();
    if (!d) return;
    d.open = false;
    syncDrawer();
    focusBack();
  }

  function syncDrawer() {
    document.body.classList.toggle("drawer-open", !!openPanel());
  }

  // A tab clicked open: the others close (one at a time); clicked shut: back to the row.
  document.addEventListener("toggle", (ev) => {
    const d = ev.target;
    if (!d.matches || !d.matches("details.tool")) return;
    if (d.open) {
      panels().forEach((o) => { if (o !== d && o.open) o.open = false; });
      if (!back) rememberBack();
    } else if (!openPanel() && back) {
      const el = document.activeElement;
      if (!el || el === document.body || el.closest("#tools") || el.closest(".tool-body")) focusBack();
      else back = null;
    }
    syncDrawer();
  }, true);

  document.addEventListener("focusin", (ev) => {
    const row = rowOf(ev.target);
    if (row) lastInRow = { id: row.id, editor: !!ev.target.matches("textarea.seg-editor") };
  });

  // htmx loaded content into a panel that opens for it (a row's History / Diff).
  document.addEventListener("htmx:afterSwap", (ev) => {
    const target = ev.detail.target;
    const d = target && target.closest ? target.closest("details.tool[data-open-on-swap]") : null;
    if (!d || d.open || !target.innerHTML.trim()) return;
    rememberBack();
    openOnly(d);
  });

  // A click on a row outside its controls makes it the row the keys act on.
  document.addEventListener("mousedown", (ev) => {
    const row = rowOf(ev.target);
    if (row && !ev.target.closest(INTERACTIVE)) activate(row);
  });

  // For other scripts: their shortcut handlers, and the drawer.
  window.JimakuReview = {
    on: (action, fn) => { handlers[action] = fn; },
    activeRow: () => $("article.seg.active"),
    openPanel: (name) => { const d = openNamed(name); if (d && !d.open) togglePanel(name); },
    closePanel: closePanel,
    preparePanels: () => preparePanels(document), // after adding a panel by script
  };

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
    const tab = t.closest("details.tool > summary");
    if (tab && !tab.parentElement.open) {
      // A tab about to open its panel: the open one closes now (one at a time).
      if (!openPanel()) rememberBack();
      panels().forEach((o) => { if (o.open) o.open = false; });
    }
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
    if (t.closest(".extra-close") || t.closest(".drawer-close")) {
      const extra = t.closest(".seg-extra");
      if (extra) extra.innerHTML = "";
      else closePanel();
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

  // A row's own swap (its save, approve...): not a suggestion box, panel or other row that
  // happened to settle while the save was on its way (under load the suggestions asked for
  // when the row got the focus often come back after Ctrl+S; taking that for the save's
  // answer dropped the focus to the page when the row was then replaced, and the next key
  // was lost).
  const ownSwap = (ev, id) => !!(id && ev.detail.elt && ev.detail.elt.id === id);

  document.addEventListener("htmx:afterSettle", (ev) => {
    prepare(ev.detail.elt || document);
    if (isBackground(ev)) return; // a live row: the editor's own actions are not concerned
    if (refocus && ev.detail.elt && ev.detail.elt.id === "review-body") {
      const row = document.getElementById(refocus);
      refocus = null;
      if (row && focusLeftWith(null)) activate(row, { focus: true });
      return;
    }
    if (ownSwap(ev, pendingNext)) {
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
    } else if (ownSwap(ev, pendingRowFocus)) {
      const row = document.getElementById(pendingRowFocus);
      pendingRowFocus = null;
      if (row && focusLeftWith(row)) activate(row, { focus: "row" });
    } else if (ownSwap(ev, pendingFocus)) {
      const row = document.getElementById(pendingFocus);
      pendingFocus = null;
      if (row && focusLeftWith(row)) activate(row, { focus: !!editorOf(row) });
    }
  });

  // A text restored from the row panel's history: show the history as it is now.
  document.addEventListener("htmx:afterSettle", (ev) => {
    const cfg = ev.detail.requestConfig;
    const from = cfg && cfg.elt;
    const row = ev.detail.elt;
    if (!from || !from.closest || !from.closest("#row-panel") || !row || !row.matches || !row.matches("article.seg")) return;
    const history = $("[data-action=history]", row);
    if (history && history.isConnected) history.click();
  });

  document.addEventListener("htmx:responseError", (ev) => {
    const status = ev.detail.xhr ? ev.detail.xhr.status : 0;
    pendingNext = null;
    pendingRowFocus = null;
    pendingFocus = null;
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
    preparePanels(root.querySelectorAll ? root : document);
    indexTimes();
    updateSelection();
  }

  // The sticky header's heights, for the CSS: the drawer starts under the header.
  function setTopbarHeight() {
    const bar = document.querySelector(".topbar");
    const head = document.getElementById("review-head");
    const root = document.documentElement.style;
    if (bar) root.setProperty("--topbar-h", bar.offsetHeight + "px");
    if (bar && head) root.setProperty("--drawer-top", bar.offsetHeight + head.offsetHeight + "px");
  }

  function init() {
    setTopbarHeight();
    window.addEventListener("resize", setTopbarHeight);
    if (window.ResizeObserver && document.getElementById("review-head")) {
      new ResizeObserver(setTopbarHeight).observe(document.getElementById("review-head"));
    }
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
