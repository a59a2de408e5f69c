/* Jimaku waveform strip (review page, cue view).
 *
 * wavesurfer.js (vendored, translator/static/translator/vendor/wavesurfer/) draws the peaks the
 * worker computed from the episode's media (audiowaveform v2, 8-bit min/max pairs) over the
 * page's own <audio>/<video id="player">: the browser streams the media for playback and never
 * downloads or decodes it for the picture. The cues are regions; a click seeks; the cue being
 * played is highlighted and its row marked; dragging a cue or its edges retimes it through the
 * cue view's retime endpoint (version-checked; a refusal snaps the cue back and says why).
 */
(function () {
  "use strict";

  const HEADER_BYTES = 24;
  const ZOOMS = [2, 5, 10, 20, 40, 80, 160, 320]; // pixels per second
  const START_ZOOM = 3; // 20 px/s: about a minute in a wide strip
  const COLOR = "rgba(37, 99, 235, 0.16)";
  const COLOR_CURRENT = "rgba(234, 88, 12, 0.32)";
  const COLOR_PENDING = "rgba(107, 114, 128, 0.35)";

  /** audiowaveform v2 (8-bit, mono) -> [top, bottom] channels for wavesurfer (-1..1). */
  function parsePeaks(buf) {
    const dv = new DataView(buf);
    if (buf.byteLength < HEADER_BYTES || dv.getInt32(0, true) !== 2 || (dv.getUint32(4, true) & 1) !== 1) {
      throw new Error("not 8-bit audiowaveform v2 data");
    }
    const length = dv.getUint32(16, true);
    if (buf.byteLength < HEADER_BYTES + 2 * length) throw new Error("waveform data cut short");
    const pairs = new Int8Array(buf, HEADER_BYTES, 2 * length);
    const top = new Float32Array(length);
    const bottom = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      bottom[i] = pairs[2 * i] / 127;
      top[i] = pairs[2 * i + 1] / 127;
    }
    return [top, bottom];
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function typing() {
    const el = document.activeElement;
    return !!(el && el.matches && el.matches("textarea, input, select, [contenteditable]"));
  }

  function Strip(view, player) {
    this.view = view;
    this.player = player;
    this.editable = view.dataset.editable === "1";
    this.msg = view.parentElement.querySelector(".wf-msg");
    this.cues = []; // sorted by start
    this.byId = new Map(); // cue id -> {cue, region}
    this.current = null;
    this.zoom = START_ZOOM;
    this.ws = null;
    this.regions = null;
  }

  Strip.prototype.say = function (text, bad) {
    if (!this.msg) return;
    this.msg.textContent = text || "";
    this.msg.classList.toggle("wf-msg-bad", !!bad);
  };

  Strip.prototype.start = function () {
    this.say(this.view.dataset.msgLoading);
    const peaks = fetch(this.view.dataset.peaksUrl, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error("peaks " + r.status);
      return r.arrayBuffer();
    });
    Promise.all([peaks, this.fetchCues()])
      .then(([buf, cues]) => this.draw(parsePeaks(buf), cues))
      .catch(() => this.say(this.view.dataset.msgFailed, true));
  };

  Strip.prototype.fetchCues = function () {
    return fetch(this.view.dataset.cuesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => {
        if (!r.ok) throw new Error("cues " + r.status);
        return r.json();
      })
      .then((data) => data.cues || []);
  };

  Strip.prototype.draw = function (peaks, cues) {
    const box = this.view.closest(".wf");
    this.regions = window.WaveSurfer.Regions.create();
    this.ws = window.WaveSurfer.create({
      container: this.view,
      media: this.player,
      peaks: peaks,
      duration: Number(this.view.dataset.durationMs) / 1000,
      height: Number(box && box.dataset.height) || 72, // the review page's strip is lower
      waveColor: "#94a3b8",
      progressColor: "#475569",
      cursorColor: "#dc2626",
      cursorWidth: 2,
      minPxPerSec: ZOOMS[this.zoom],
      autoScroll: true,
      autoCenter: true,
      dragToSeek: false,
      cspNonce: box ? box.dataset.styleNonce : undefined,
      plugins: [this.regions],
    });
    this.ws.on("ready", () => {
      this.setCues(cues);
      this.say("");
      this.view.dataset.ready = "1";
    });
    this.ws.on("timeupdate", (t) => this.follow(t));
    this.regions.on("region-updated", (region) => this.retime(region));
    const bar = this.view.parentElement;
    bar.querySelectorAll(".wf-zoom").forEach((btn) => {
      btn.addEventListener("click", () => {
        this.zoom = Math.max(0, Math.min(ZOOMS.length - 1, this.zoom + (btn.dataset.zoom === "in" ? 1 : -1)));
        this.ws.zoom(ZOOMS[this.zoom]);
      });
    });
    // Times changed elsewhere (an audio timing job, the cue view's keys): draw them again.
    const refresh = () => this.fetchCues().then((c) => this.setCues(c)).catch(() => {});
    document.body.addEventListener("jobFinished", refresh);
    document.body.addEventListener("cueRetimed", refresh); // the cue view's keyboard retiming
    // A row swapped by htmx (saved, refreshed) keeps the playing cue's mark.
    document.body.addEventListener("htmx:afterSettle", () => {
      const row = this.current && this.rowOf(this.current);
      if (row) row.classList.add("wf-current");
    });
    document.addEventListener("jimaku:cues-changed", refresh);
  };

  Strip.prototype.setCues = function (cues) {
    if (this.current) {
      const row = this.rowOf(this.current);
      if (row) row.classList.remove("wf-current");
    }
    this.regions.clearRegions();
    this.byId.clear();
    this.current = null;
    this.cues = cues.slice().sort((a, b) => a.start_ms - b.start_ms);
    for (const cue of this.cues) {
      const region = this.regions.addRegion({
        id: "cue-" + cue.id,
        start: cue.start_ms / 1000,
        end: cue.end_ms / 1000,
        color: COLOR,
        drag: this.editable,
        resize: this.editable,
      });
      this.byId.set(cue.id, { cue: cue, region: region, busy: false });
    }
    this.view.dataset.regionCount = String(this.cues.length);
    this.follow(this.ws.getCurrentTime());
  };

  /** The cue playing at ``t`` seconds (the last one started, if still on), or null. */
  Strip.prototype.cueAt = function (t) {
    const ms = t * 1000;
    let lo = 0, hi = this.cues.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.cues[mid].start_ms <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    const cue = found >= 0 ? this.cues[found] : null;
    return cue && ms < cue.end_ms ? cue : null;
  };

  Strip.prototype.rowOf = function (cue) {
    // The cue view's row of the cue, else the review page's row of its segment.
    return document.getElementById("cue-" + cue.id) || document.getElementById("seg-" + cue.seg);
  };

  Strip.prototype.follow = function (t) {
    const cue = this.cueAt(t);
    if (cue === this.current) return;
    if (this.current) {
      const prev = this.byId.get(this.current.id);
      if (prev && !prev.busy) prev.region.setOptions({ color: COLOR });
      const row = this.rowOf(this.current);
      if (row) row.classList.remove("wf-current");
    }
    this.current = cue;
    this.view.dataset.currentCue = cue ? String(cue.id) : "";
    if (!cue) return;
    const entry = this.byId.get(cue.id);
    if (entry && !entry.busy) entry.region.setOptions({ color: COLOR_CURRENT });
    const row = this.rowOf(cue);
    if (!row) return;
    row.classList.add("wf-current");
    // Review rows are followed by review.js; a cue row (the cue view) is scrolled here. Never
    // while the editor types, nor when "Follow playback" is off.
    const followBox = document.getElementById("follow-playback");
    if (row.dataset.cue && (!followBox || followBox.checked) && !typing()) {
      row.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  };

  Strip.prototype.place = function (entry) {
    entry.region.setOptions({
      start: entry.cue.start_ms / 1000,
      end: entry.cue.end_ms / 1000,
      color: entry.cue === this.current ? COLOR_CURRENT : COLOR,
      drag: this.editable,
      resize: this.editable,
    });
  };

  Strip.prototype.retime = function (region) {
    const id = Number(region.id.replace("cue-", ""));
    const entry = this.byId.get(id);
    if (!entry || !this.editable || entry.busy) return;
    const startMs = Math.round(region.start * 1000);
    const endMs = Math.round(region.end * 1000);
    if (startMs === entry.cue.start_ms && endMs === entry.cue.end_ms) return;
    entry.busy = true;
    region.setOptions({ color: COLOR_PENDING, drag: false, resize: false });
    const body = new URLSearchParams({
      start_ms: String(startMs),
      end_ms: String(endMs),
      version: String(entry.cue.version),
    });
    const url = this.view.dataset.retimeUrl.replace("{id}", String(id));
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: body,
    })
      .then((r) => r.json().catch(() => ({})).then((data) => ({ status: r.status, data: data })))
      .then(({ status, data }) => {
        entry.busy = false;
        const saved = status >= 200 && status < 300 && !data.error;
        if (saved || status === 409) {
          // Saved, or someone else's times: either way the server's times are the truth.
          if (Number.isFinite(data.start_ms) && Number.isFinite(data.end_ms)) {
            entry.cue.start_ms = data.start_ms;
            entry.cue.end_ms = data.end_ms;
          }
          if (Number.isFinite(data.version)) entry.cue.version = data.version;
        }
        this.cues.sort((a, b) => a.start_ms - b.start_ms);
        this.place(entry);
        if (saved) {
          const cps = Number.isFinite(data.cps) ? " · " + data.cps.toFixed(1) + " cps" : "";
          this.say(this.view.dataset.msgSaved + cps);
          document.dispatchEvent(new CustomEvent("jimaku:cue-retimed", { detail: Object.assign({ seg: entry.cue.seg }, data) }));
        } else if (status === 409) {
          this.say(data.error || this.view.dataset.msgConflict, true);
        } else {
          this.say(data.error || this.view.dataset.msgError, true);
        }
        this.follow(this.ws.getCurrentTime());
      })
      .catch(() => {
        entry.busy = false;
        this.place(entry);
        this.say(this.view.dataset.msgOffline, true);
      });
  };

  function scan(root) {
    const view = (root && root.querySelector ? root : document).querySelector(".wf-view");
    const player = document.getElementById("player");
    if (!view || view.dataset.wfInit || !player || !window.WaveSurfer || !window.WaveSurfer.Regions) return;
    view.dataset.wfInit = "1";
    new Strip(view, player).start();
  }

  function init() {
    scan(document);
    // The strip is swapped in by htmx when the worker finishes the peaks.
    document.body.addEventListener("htmx:load", (ev) => scan(ev.detail.elt.parentElement || document));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
