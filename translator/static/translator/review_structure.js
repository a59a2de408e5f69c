/* Jimaku review page: the structure tools of a row (templates in
 * translator/templates/translator/review/structure_tools.html, put into the row the editor is
 * in or points at, so the page's rows stay as light as before).
 *   F2      edit the Japanese of the row (Ctrl+Enter saves it, Esc cancels)
 *   Alt+S   split the row at the caret in the Japanese; the English is cut at its own caret if
 *           the editor placed one inside the English, else at the space nearest the same share
 *   Alt+J   merge (join) the row with the next one
 *   Alt+R   re-translate the row with the episode's engine
 * The server does the work (translator/views/structure.py); after a split or merge the rows are
 * reloaded (their numbers moved). Self-contained: review.js knows nothing of this file.
 */
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const msgs = () => document.getElementById("structure-msgs");
  const rowOf = (el) => (el && el.closest ? el.closest("article.seg") : null);
  const english = (row) => (row ? $("textarea.seg-editor", row) : null);
  const sourceForm = (row) => (row ? $("form.seg-source-form", row) : null);
  const dirty = (ta) => !!ta && ta.value !== ta.defaultValue;
  let focusAfter = null; // {id, step, on}: the row to focus once the rows (or row) come back
  let slowTimer = null;

  function say(key, fallback) {
    const el = document.getElementById("toast");
    const box = msgs();
    if (!el) return;
    el.textContent = (box && box.dataset[key]) || fallback;
    el.hidden = false;
    clearTimeout(el._structTimer);
    el._structTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  // "/segments/12/" from the row's English form (only editors have one; a conflict row not).
  function base(row) {
    const form = row ? $("form.seg-form", row) : null;
    const action = form ? form.getAttribute("action") || "" : "";
    return /\/save\/$/.test(action) ? action.replace(/save\/$/, "") : "";
  }

  // The row's Japanese as saved: the text of .seg-ja without the tools put into it.
  function sourceText(row) {
    const ja = $(".seg-ja", row);
    return ja ? Array.from(ja.childNodes).filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join("") : "";
  }

  function wire(el, row, url) {
    el.setAttribute("hx-post", url);
    el.setAttribute("hx-target", "#" + row.id);
    el.setAttribute("hx-swap", "outerHTML");
  }

  function ensureTools(row) {
    const tpl = document.getElementById("seg-struct-tpl");
    if (!row || !tpl || !row.id) return null;
    let tools = $(".seg-struct", row);
    if (tools) return tools;
    const url = base(row);
    const ja = $(".seg-ja", row);
    if (!url || !ja) return null;
    tools = tpl.content.firstElementChild.cloneNode(true);
    ja.appendChild(tools);
    const re = $("[data-struct=retranslate]", tools);
    if (re) wire(re, row, url + "retranslate/");
    if (typeof htmx !== "undefined") htmx.process(tools);
    return tools;
  }

  function openSource(row) {
    const tools = ensureTools(row);
    if (!tools) return null;
    let form = sourceForm(row);
    if (!form) {
      const tpl = document.getElementById("seg-source-tpl");
      form = tpl.content.firstElementChild.cloneNode(true);
      tools.after(form);
      const url = base(row) + "source/";
      form.setAttribute("action", url);
      wire(form, row, url);
      $("input[name=version]", form).value = row.dataset.version || "";
      const ta = $("textarea", form);
      ta.textContent = sourceText(row); // also its defaultValue: the saved Japanese
      ta.setAttribute("aria-label", ((msgs() && msgs().dataset.japaneseFor) || "Japanese for") + " #" + row.dataset.number);
      if (typeof htmx !== "undefined") htmx.process(form);
    }
    row.classList.add("editing-source");
    const ta = $("textarea", form);
    ta.style.height = "auto";
    ta.style.height = Math.min(ta.scrollHeight + 2, 300) + "px";
    ta.focus();
    return ta;
  }

  function closeSource(row) {
    const form = sourceForm(row);
    if (!form) return;
    form.remove();
    row.classList.remove("editing-source");
    const en = english(row);
    if (en) en.focus();
  }

  const points = (text, units) => Array.from(text.slice(0, units)).length;

  function post(row, url, values) {
    if (typeof htmx === "undefined" || !url) return;
    htmx.ajax("POST", url, { source: row, target: "#" + row.id, swap: "outerHTML", values: values });
  }

  function split(row) {
    const form = sourceForm(row);
    if (!form) {
      if (openSource(row)) {
        say("placecaret", "Place the caret in the Japanese where the new row begins, then Split (Alt+S).");
      }
      return;
    }
    const ta = $("textarea", form);
    if (dirty(ta)) { say("savefirst", "Save the Japanese first (Ctrl+Enter), then split."); return; }
    const en = english(row);
    if (dirty(en)) { say("englishdirty", "Save or cancel (Esc) your English first."); return; }
    const at = ta.selectionStart;
    if (!(at > 0 && at < ta.value.length)) {
      say("placecaret", "Place the caret in the Japanese where the new row begins, then Split (Alt+S).");
      ta.focus();
      return;
    }
    // The server counts characters (code points), a textarea UTF-16 units (𠮷 is two).
    const values = { at: String(points(ta.value, at)), version: row.dataset.version || "" };
    if (en && en.dataset.caret) values.english_at = String(points(en.value, Number(en.dataset.caret)));
    focusAfter = { id: row.id, step: 1, on: "review-body" };
    post(row, base(row) + "split/", values);
  }

  function merge(row) {
    if (!ensureTools(row)) return;
    const next = row.nextElementSibling && row.nextElementSibling.matches("article.seg")
      ? row.nextElementSibling : null;
    if (!next || Number(next.dataset.number) !== Number(row.dataset.number) + 1) {
      say("nonext", "The next row is not shown here (last row, a filter or the next page).");
      return;
    }
    if (dirty(english(row)) || dirty(english(next))) {
      say("englishdirty", "Save or cancel (Esc) your English first.");
      return;
    }
    focusAfter = { id: row.id, step: 0, on: "review-body" };
    post(row, base(row) + "merge/", {
      version: row.dataset.version || "", next_version: next.dataset.version || "",
    });
  }

  function retranslate(row) {
    const tools = ensureTools(row);
    const button = tools ? $("[data-struct=retranslate]", tools) : null;
    if (button) button.click();
  }

  // The tools appear in the row the editor enters or points at.
  document.addEventListener("focusin", (ev) => { ensureTools(rowOf(ev.target)); });
  document.addEventListener("mouseover", (ev) => {
    const row = rowOf(ev.target);
    if (row && !row._structDone) { row._structDone = true; ensureTools(row); }
  });

  // The English caret, when the editor put it inside the text (a click, the arrow keys): the
  // split's English cut. Put at the end by the page itself (focus), it is not a choice.
  function noteCaret(ev) {
    const ta = ev.target;
    if (!ta.matches || !ta.matches("textarea.seg-editor")) return;
    const pos = ta.selectionStart;
    if (ta.selectionEnd === pos && pos > 0 && pos < ta.value.length) ta.dataset.caret = String(pos);
    else delete ta.dataset.caret;
  }
  document.addEventListener("click", noteCaret);
  document.addEventListener("keyup", noteCaret);

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest ? ev.target.closest("[data-struct]") : null;
    if (!btn) return;
    const row = rowOf(btn);
    const what = btn.dataset.struct;
    if (what === "edit") openSource(row);
    else if (what === "cancel") closeSource(row);
    else if (what === "split") split(row);
    else if (what === "merge") merge(row);
  });

  document.addEventListener("submit", (ev) => {
    if (ev.target.matches && ev.target.matches("form.seg-source-form")) {
      focusAfter = { id: rowOf(ev.target).id, step: 0, on: "row" };
    }
  }, true);

  document.addEventListener("keydown", (ev) => {
    const row = rowOf(ev.target) || $("article.seg.active");
    if (!row) return;
    const inSource = ev.target.matches && ev.target.matches("textarea.seg-source-editor");
    const plainAlt = ev.altKey && !ev.ctrlKey && !ev.metaKey;
    if (inSource && (ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
      ev.preventDefault();
      const form = sourceForm(row);
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else htmx.trigger(form, "submit");
    } else if (inSource && ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      closeSource(row);
    } else if (ev.key === "F2" && !ev.altKey && !ev.ctrlKey) {
      ev.preventDefault();
      openSource(row);
    } else if (plainAlt && ev.code === "KeyS") {
      ev.preventDefault();
      split(row);
    } else if (plainAlt && ev.code === "KeyJ") {
      ev.preventDefault();
      merge(row);
    } else if (plainAlt && ev.code === "KeyR") {
      ev.preventDefault();
      retranslate(row);
    }
  }, true);

  // Re-translate: not over unsaved English (the row is swapped); say it is working, and why it
  // may take a moment the first time (an offline model loads on first use).
  const isRetranslate = (elt) => !!(elt && elt.matches && elt.matches("[data-struct=retranslate]"));
  document.addEventListener("htmx:confirm", (ev) => {
    const elt = ev.detail.elt;
    if (isRetranslate(elt) && dirty(english(rowOf(elt)))) {
      ev.preventDefault();
      say("englishdirty", "Save or cancel (Esc) your English first.");
    }
  });
  document.addEventListener("htmx:beforeRequest", (ev) => {
    const elt = ev.detail.elt;
    if (!isRetranslate(elt)) return;
    elt.disabled = true;
    elt.textContent = (msgs() && msgs().dataset.working) || "Re-translating…";
    focusAfter = { id: rowOf(elt).id, step: 0, on: "row" };
    clearTimeout(slowTimer);
    slowTimer = setTimeout(() => {
      say("slow", "Still re-translating… (an offline engine loads its model the first time)");
    }, 1500);
  });
  document.addEventListener("htmx:afterRequest", (ev) => {
    if (!isRetranslate(ev.detail.elt)) return;
    clearTimeout(slowTimer);
    const toast = document.getElementById("toast");
    const slow = msgs() && msgs().dataset.slow;
    if (toast && !toast.hidden && toast.textContent === slow) toast.hidden = true;
  });

  // Unsaved Japanese is protected like unsaved English: no leaving the page, no reloading the
  // rows over it (a job finishing, a glossary change).
  const dirtySource = () => Array.from(document.querySelectorAll("textarea.seg-source-editor")).some(dirty);
  window.addEventListener("beforeunload", (ev) => {
    if (dirtySource()) { ev.preventDefault(); ev.returnValue = ""; }
  });
  document.addEventListener("htmx:beforeRequest", (ev) => {
    const elt = ev.detail.elt;
    if (elt && elt.id === "review-body" && dirtySource()) {
      ev.preventDefault();
      say("sourcedirty", "Save or cancel (Esc) your Japanese edit first.");
    }
  });

  // A split or merge moved row numbers: reload the rows (filters and page kept), then focus
  // the new second part (split) or the merged row.
  document.addEventListener("rowsRestructured", () => {
    const body = document.getElementById("review-body");
    if (!body || typeof htmx === "undefined") return;
    htmx.ajax("GET", body.getAttribute("hx-get"), { source: body, target: "#review-body", swap: "outerHTML" });
  });
  document.addEventListener("htmx:afterSettle", (ev) => {
    const elt = ev.detail.elt;
    if (!focusAfter || !elt) return;
    const want = focusAfter;
    if (!(want.on === "review-body" ? elt.id === "review-body" : elt.id === want.id)) return;
    focusAfter = null;
    let row = document.getElementById(want.id);
    if (row && want.step) row = row.nextElementSibling;
    const ta = english(row);
    if (ta) {
      ta.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    } else if (row) {
      row.setAttribute("tabindex", "-1");
      row.focus();
    }
  });
})();
