/* Cue view: keyboard retiming of the focused cue, saved through the retime endpoint.
 *
 * Keys on a focused row (Aegisub/Subtitle Edit habits, see the page's key list and README):
 *   ↑ / ↓            previous / next cue
 *   [ / ]            start earlier / later by the step (100 ms unless chosen otherwise)
 *   Shift+[ / ]      end earlier / later by the step
 *   Alt+← / →        move the whole cue by the step
 *   Ctrl + any of the above: 10 ms
 *   S / E            start / end at the player's position (media attached)
 *   P                play the cue from its start
 *   Esc              back to the saved times (drops a change not yet sent)
 *
 * A change shows at once and is sent 350 ms after the last key (one save per burst of keys),
 * with the version the row was loaded at; the answer replaces the rows of the cue's segment
 * (its English may now be spread differently). A broken rule comes back inline in the row; a
 * cue retimed by someone else comes back as a conflict (keep theirs / overwrite).
 * No inline script, no eval: loaded as a static file under the CSP.
 */
(() => {
  "use strict";
  const table = document.getElementById("cues");
  if (!table) return;
  const body = document.getElementById("cue-body");
  const base = table.dataset.base;
  const canEdit = table.dataset.canEdit === "1";
  const player = document.getElementById("player");
  const stepSelect = document.getElementById("cue-step");
  const statusEl = document.getElementById("cue-status");
  const SAVE_DELAY_MS = 350;
  const FINE_STEP_MS = 10;

  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (_e) {
    csrf = "";
  }

  const pending = new Map(); // cue id -> {start, end, timer}: shown, not sent yet
  const sent = new Map(); // cue id -> {start, end}: on its way to the server
  const inflight = new Set(); // cue ids being saved

  const rows = () => Array.from(body.querySelectorAll("tr.cue"));
  const rowOf = (el) => (el && el.closest ? el.closest("tr.cue") : null);
  const rowById = (id) => document.getElementById("cue-" + id);
  const num = (v) => (v === "" || v === undefined ? null : parseInt(v, 10));

  function say(text) {
    if (statusEl) statusEl.textContent = text || "";
  }

  function clock(ms) {
    if (ms === null) return "—";
    const pad = (n, w) => String(n).padStart(w, "0");
    const h = Math.floor(ms / 3600000);
    const m = Math.floor((ms % 3600000) / 60000);
    const s = Math.floor((ms % 60000) / 1000);
    return pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(ms % 1000, 3);
  }

  function shown(row) {
    const id = row.dataset.cue;
    const p = pending.get(id) || sent.get(id);
    if (p) return [p.start, p.end];
    return [num(row.dataset.startMs), num(row.dataset.endMs)];
  }

  function display(row, start, end) {
    row.querySelector(".c-start").textContent = clock(start);
    row.querySelector(".c-end").textContent = clock(end);
    row.querySelector(".c-dur").textContent =
      start === null || end === null ? "—" : ((end - start) / 1000).toFixed(3);
  }

  function step(e) {
    if (e.ctrlKey) return FINE_STEP_MS;
    const value = stepSelect ? parseInt(stepSelect.value, 10) : 100;
    return value > 0 ? value : 100;
  }

  function change(row, start, end) {
    if (!canEdit || start === null || end === null) return;
    start = Math.max(0, Math.round(start));
    end = Math.max(0, Math.round(end));
    const id = row.dataset.cue;
    const old = pending.get(id);
    if (old) clearTimeout(old.timer);
    const entry = { start: start, end: end, timer: null };
    pending.set(id, entry);
    row.classList.add("cue-pending");
    const msg = row.querySelector(".c-msg .form-error");
    if (msg) msg.remove();
    display(row, start, end);
    entry.timer = setTimeout(() => save(id), SAVE_DELAY_MS);
  }

  function replaceRows(html) {
    const focused = rowOf(document.activeElement);
    const focusedId = focused ? focused.id : null;
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    tpl.content.querySelectorAll("tr.cue").forEach((fresh) => {
      const old = document.getElementById(fresh.id);
      if (old) old.replaceWith(fresh);
    });
    const again = focusedId && document.getElementById(focusedId);
    if (again && !again.contains(document.activeElement)) again.focus({ preventScroll: true });
  }

  function post(url, params) {
    return fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        Accept: "text/html",
      },
      body: new URLSearchParams(params).toString(),
      credentials: "same-origin",
    });
  }

  async function answer(response, id) {
    if (response.status === 403) {
      say(table.dataset.msgForbidden);
      return;
    }
    if (!response.ok) {
      say(table.dataset.msgError);
      return;
    }
    replaceRows(await response.text());
    const row = rowById(id);
    if (row && (row.classList.contains("cue-error") || row.classList.contains("cue-conflict"))) {
      say("");
    } else {
      say(table.dataset.msgSaved);
    }
  }

  async function save(id) {
    const entry = pending.get(id);
    const row = rowById(id);
    if (!entry || !row) return;
    if (inflight.has(id)) {
      entry.timer = setTimeout(() => save(id), SAVE_DELAY_MS);
      return;
    }
    pending.delete(id);
    sent.set(id, { start: entry.start, end: entry.end });
    inflight.add(id);
    say(table.dataset.msgSaving);
    try {
      const response = await post(base + id + "/retime/", {
        start_ms: entry.start,
        end_ms: entry.end,
        version: row.dataset.version,
      });
      const later = pending.get(id); // keys pressed while this save was on its way
      await answer(response, id);
      const fresh = rowById(id);
      if (later && fresh && !fresh.classList.contains("cue-error") && !fresh.classList.contains("cue-conflict")) {
        display(fresh, later.start, later.end);
        fresh.classList.add("cue-pending");
      } else if (later) {
        clearTimeout(later.timer);
        pending.delete(id);
      }
    } catch (_e) {
      say(table.dataset.msgError);
    } finally {
      inflight.delete(id);
      sent.delete(id);
      document.body.dataset.cueSaves = String(parseInt(document.body.dataset.cueSaves || "0", 10) + 1);
    }
  }

  async function reload(id) {
    const entry = pending.get(id);
    if (entry) clearTimeout(entry.timer);
    pending.delete(id);
    const response = await fetch(base + id + "/row/", {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    });
    if (response.ok) replaceRows(await response.text());
  }

  function playerMs() {
    if (!player || !player.currentSrc) {
      say(table.dataset.msgNomedia);
      return null;
    }
    return Math.round(player.currentTime * 1000);
  }

  function moveFocus(row, delta) {
    const all = rows();
    const next = all[all.indexOf(row) + delta];
    if (next) {
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  }

  body.addEventListener("keydown", (e) => {
    const row = rowOf(e.target);
    if (!row || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    const [start, end] = shown(row);
    const by = step(e);
    let handled = true;
    if (e.code === "ArrowUp" && !e.altKey && !e.ctrlKey) moveFocus(row, -1);
    else if (e.code === "ArrowDown" && !e.altKey && !e.ctrlKey) moveFocus(row, 1);
    else if (e.code === "BracketLeft" && e.shiftKey) change(row, start, end - by);
    else if (e.code === "BracketRight" && e.shiftKey) change(row, start, end + by);
    else if (e.code === "BracketLeft") change(row, start - by, end);
    else if (e.code === "BracketRight") change(row, start + by, end);
    else if (e.altKey && e.code === "ArrowLeft") change(row, start - Math.min(by, start), end - Math.min(by, start));
    else if (e.altKey && e.code === "ArrowRight") change(row, start + by, end + by);
    else if (e.code === "KeyS" && !e.ctrlKey && !e.altKey) {
      const at = playerMs();
      if (at !== null) change(row, at, end);
    } else if (e.code === "KeyE" && !e.ctrlKey && !e.altKey) {
      const at = playerMs();
      if (at !== null) change(row, start, at);
    } else if (e.code === "KeyP" && !e.ctrlKey && !e.altKey) {
      if (player && start !== null) {
        player.currentTime = start / 1000;
        player.play().catch(() => {});
      }
    } else if (e.code === "Escape") reload(row.dataset.cue);
    else handled = false;
    if (handled) e.preventDefault();
  });

  body.addEventListener("click", (e) => {
    const row = rowOf(e.target);
    if (!row) return;
    const choice = e.target.closest("[data-choice]");
    if (choice && choice.dataset.choice === "theirs") {
      reload(row.dataset.cue);
      return;
    }
    if (choice && choice.dataset.choice === "mine") {
      const id = row.dataset.cue;
      inflight.add(id);
      post(base + id + "/retime/", {
        start_ms: choice.dataset.startMs,
        end_ms: choice.dataset.endMs,
        version: row.dataset.version,
        overwrite: "1",
      })
        .then((response) => answer(response, id))
        .catch(() => say(table.dataset.msgError))
        .finally(() => inflight.delete(id));
      return;
    }
    const seek = e.target.closest("[data-seek-ms]");
    if (seek && player && seek.dataset.seekMs !== "") {
      player.currentTime = parseInt(seek.dataset.seekMs, 10) / 1000;
    }
    if (document.activeElement !== row && !e.target.closest("button")) row.focus();
  });

  if (player) {
    player.addEventListener("timeupdate", () => {
      const at = player.currentTime * 1000;
      rows().forEach((row) => {
        const [start, end] = [num(row.dataset.startMs), num(row.dataset.endMs)];
        row.classList.toggle("cue-playing", start !== null && start <= at && at < end);
      });
    });
  }

  if (table.dataset.focusCue) {
    const row = rowById(table.dataset.focusCue); // ?cue=<id>: that cue, focused
    if (row) {
      row.focus();
      row.scrollIntoView({ block: "center" });
    }
  }

  // A waveform drag saved new times (waveform.js): show the cue's segment rows as saved, unless
  // keys changed that cue meanwhile (their own save answers with the rows).
  document.addEventListener("jimaku:cue-retimed", (e) => {
    const id = String((e.detail || {}).id || "");
    if (!id || !rowById(id) || pending.has(id) || inflight.has(id)) return;
    reload(id).finally(() => {
      document.body.dataset.cueRetimed = String(parseInt(document.body.dataset.cueRetimed || "0", 10) + 1);
    });
  });

  window.addEventListener("beforeunload", (e) => {
    if (pending.size || inflight.size) e.preventDefault();
  });
})();
