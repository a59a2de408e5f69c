/* Jimaku review page: the structure tools of a row (translator/jinja2/review/row_structure.html).
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
  let focusAfter = null; // {id, step}: the row to focus once the rows are reloaded
  let slowTimer = null;

  function say(key, fallback) {
    const el = document.getElementById("toast");
    const box = msgs();
    const text = (box && box.dataset[key]) || fallback;
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._structTimer);
    el._structTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  // The Japanese editor comes from the row's <template> when first opened (htmx wires it).
  function sourceFormOrNew(row) {
    let form = sourceForm(row);
    const tpl = row ? $("template.seg-source-tpl", row) : null;
    if (!form && tpl) {
      tpl.after(tpl.content.cloneNode(true));
      form = sourceForm(row);
      if (form && typeof htmx !== "undefined") htmx.process(form);
    }
    return form;
  }

  function openSource(row) {
    const form = sourceFormOrNew(row);
    if (!form) return null;
    form.hidden = false;
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

  function post(row, url, values) {
    if (typeof htmx === "undefined") return;
    htmx.ajax("POST", url, { source: row, target: "#" + row.id, swap: "outerHTML", values: values });
  }

  function split(row) {
    const form = sourceForm(row);
    if (!form) {
      if (!openSource(row)) return;
      say("placecaret", "Place the caret in the Japanese where the new row begins, then Split (Alt+S).");
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
    const values = { at: String(at), version: row.dataset.version || "" };
    if (en && en.dataset.caret) values.english_at = en.dataset.caret;
    focusAfter = { id: row.id, step: 1 };
    post(row, $(".seg-struct", row).dataset.splitUrl, values);
  }

  function merge(row) {
    const tools = row ? $(".seg-struct [data-struct=merge]", row) : null;
    if (!tools) return;
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
    focusAfter = { id: row.id, step: 0 };
    post(row, tools.closest(".seg-struct").dataset.mergeUrl, {
      version: row.dataset.version || "", next_version: next.dataset.version || "",
    });
  }

  function retranslate(row) {
    const button = row ? $("[data-struct=retranslate]", row) : null;
    if (button) button.click();
  }

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
  document.addEventListener("htmx:confirm", (ev) => {
    const elt = ev.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[data-struct=retranslate]")) return;
    if (dirty(english(rowOf(elt)))) {
      ev.preventDefault();
      say("englishdirty", "Save or cancel (Esc) your English first.");
    }
  });
  document.addEventListener("htmx:beforeRequest", (ev) => {
    const elt = ev.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[data-struct=retranslate]")) return;
    elt.disabled = true;
    elt.textContent = (msgs() && msgs().dataset.working) || "Re-translating…";
    clearTimeout(slowTimer);
    slowTimer = setTimeout(() => {
      say("slow", "Still re-translating… (an offline engine loads its model the first time)");
    }, 1500);
  });
  document.addEventListener("htmx:afterRequest", (ev) => {
    const elt = ev.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[data-struct=retranslate]")) return;
    clearTimeout(slowTimer);
    const toast = document.getElementById("toast");
    const slow = msgs() && msgs().dataset.slow;
    if (toast && !toast.hidden && toast.textContent === slow) toast.hidden = true;
  });

  // A split or merge moved row numbers: reload the rows (filters and page kept), then focus
  // the new second part (split) or the merged row.
  document.addEventListener("rowsRestructured", () => {
    const body = document.getElementById("review-body");
    if (!body || typeof htmx === "undefined") return;
    htmx.ajax("GET", body.getAttribute("hx-get"), { source: body, target: "#review-body", swap: "outerHTML" });
  });
  document.addEventListener("htmx:afterSettle", (ev) => {
    if (!focusAfter || !ev.detail.elt || ev.detail.elt.id !== "review-body") return;
    const want = focusAfter;
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
