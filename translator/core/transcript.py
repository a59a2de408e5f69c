"""English transcript rendering: Markdown, standalone HTML, plain text.

Layout: the title, the episode's description (its introduction) under it, the show notes as a
bulleted list, then one paragraph per speaker turn with the English speaker name (consecutive
segments of one turn joined). A long turn from timed input is broken into paragraphs of its own
at long pauses (``PARAGRAPH_PAUSE_MS``) and, without a speaker, at a readable length
(``PARAGRAPH_MAX_CHARS`` of Japanese), each with its own timestamp. Sound cues are subtitles
only. Optional ``[mm:ss]``
timestamps (``[h:mm:ss]`` when the episode passes an hour) at turn starts, and an optional
parallel Japanese/English layout. Segments with no English are rendered as their Japanese with
an ``[untranslated]`` marker (``TranscriptOptions.untranslated == "mark"``) or left out
(``"omit"``). Every piece of user text is escaped for the output format.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from translator.core.export_types import ExportEpisode, ExportSegment, TranscriptOptions

UNTRANSLATED_MARK = "[untranslated]"
PARAGRAPH_PAUSE_MS = 2000  # a silence this long starts a new paragraph
PARAGRAPH_MAX_CHARS = 200  # Japanese characters of an unlabelled paragraph before a new one


@dataclass
class Piece:
    en: str  # English, or "" when untranslated
    ja: str
    status: str = "approved"  # the segment's review status (the public page marks the rest)


@dataclass
class Turn:
    speaker: str | None
    speaker_label: str | None
    start_ms: int | None
    pieces: list[Piece] = field(default_factory=list)
    continued: bool = False  # a new paragraph of the same speaker's turn (name not repeated)


@dataclass
class TranscriptModel:
    title: str
    notes: list[Piece]
    turns: list[Turn]
    hours: bool  # timestamps need an hour field
    media_url: str | None
    description: list[Piece] = field(default_factory=list)


def build_model(episode: ExportEpisode, options: TranscriptOptions) -> TranscriptModel:
    """Group segments into the description, show notes and speaker turns (paragraphs)."""
    notes: list[Piece] = []
    description: list[Piece] = []
    turns: list[Turn] = []
    last_turn: int | None = None
    last_end: int | None = None
    ja_chars = 0
    max_ms = 0
    for seg in episode.segments:
        if seg.is_sound:
            continue  # sound and music cues are subtitles only
        if options.approved_only and not seg.is_approved:
            continue
        piece = _piece(seg, options)
        if piece is None:
            continue
        if seg.is_show_note:
            notes.append(piece)
            continue
        if seg.is_description:
            description.append(piece)
            continue
        start = seg.start_ms
        if start is not None:
            max_ms = max(max_ms, start)
        new_turn = last_turn != seg.turn or not turns
        paused = (
            start is not None and last_end is not None and start - last_end >= PARAGRAPH_PAUSE_MS
        )
        long_enough = not seg.speaker_label and ja_chars >= PARAGRAPH_MAX_CHARS
        if new_turn or paused or long_enough:
            turns.append(Turn(seg.speaker, seg.speaker_label, start, continued=not new_turn))
            last_turn = seg.turn
            ja_chars = 0
        elif turns[-1].start_ms is None:
            turns[-1].start_ms = start
        turns[-1].pieces.append(piece)
        ja_chars += len(piece.ja)
        last_end = seg.end_ms if seg.end_ms is not None else last_end
    return TranscriptModel(
        episode.title, notes, turns, max_ms >= 3_600_000, episode.media_url, description
    )


def _piece(seg: ExportSegment, options: TranscriptOptions) -> Piece | None:
    en = " ".join(seg.text.split())
    ja = seg.source_text.strip()
    if not en and options.untranslated == "omit":
        return None
    if not en and not ja:
        return None
    return Piece(en, ja, seg.status)


def format_timestamp(ms: int | None, *, hours: bool = False) -> str:
    """``mm:ss``, or ``h:mm:ss`` past an hour (always with ``hours``); empty when untimed."""
    if ms is None:
        return ""
    s = max(0, int(ms)) // 1000
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if hours or h:
        return f"{h}:{m:02d}:{sec:02d}"
    return f"{m:02d}:{sec:02d}"


def _en_or_marked(piece: Piece) -> str:
    return piece.en if piece.en else f"{UNTRANSLATED_MARK} {piece.ja}"


# --- plain text ------------------------------------------------------------------------------


def _render_txt(model: TranscriptModel, options: TranscriptOptions) -> str:
    out = [model.title, "=" * max(3, min(len(model.title), 80)), ""]
    if model.description:
        out.append(" ".join(_en_or_marked(p) for p in model.description))
        if options.parallel:
            out.append("".join(p.ja for p in model.description))
        out.append("")
    if model.notes:
        out += ["Show notes", ""]
        for p in model.notes:
            out.append(f"- {_en_or_marked(p)}")
            if options.parallel and p.en:
                out.append(f"  {p.ja}")
        out.append("")
    if model.turns:
        out += ["Transcript", ""]
    for t in model.turns:
        head = _turn_head(t, model, options)
        out.append(head + " ".join(_en_or_marked(p) for p in t.pieces))
        if options.parallel:
            label = f"{t.speaker_label}: " if t.speaker_label and not t.continued else ""
            out.append(label + "".join(p.ja for p in t.pieces))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _turn_head(t: Turn, model: TranscriptModel, options: TranscriptOptions) -> str:
    parts = []
    if options.timestamps and t.start_ms is not None:
        parts.append(f"[{format_timestamp(t.start_ms, hours=model.hours)}]")
    if t.speaker and not t.continued:
        parts.append(f"{t.speaker}:")
    return " ".join(parts) + " " if parts else ""


# --- Markdown --------------------------------------------------------------------------------

_MD_ESCAPE = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]<>#|!~"} | {"&": "&amp;"})


def md_escape(text: str) -> str:
    """Escape Markdown syntax and raw HTML so user text renders as text."""
    return " ".join(text.split()).translate(_MD_ESCAPE)


def _render_md(model: TranscriptModel, options: TranscriptOptions) -> str:
    out = [f"# {md_escape(model.title)}", ""]
    if model.description:
        out.append(md_escape(" ".join(_en_or_marked(p) for p in model.description)))
        out.append("")
        if options.parallel:
            out += ["> " + md_escape("".join(p.ja for p in model.description)), ""]
    if model.notes:
        out += ["## Show notes", ""]
        for p in model.notes:
            out.append(f"- {md_escape(_en_or_marked(p))}")
            if options.parallel and p.en:
                out.append(f"  <br>{md_escape(p.ja)}")
        out.append("")
    if model.turns:
        out += ["## Transcript", ""]
    for t in model.turns:
        head = ""
        if options.timestamps and t.start_ms is not None:
            head += f"`[{format_timestamp(t.start_ms, hours=model.hours)}]` "
        if t.speaker and not t.continued:
            head += f"**{md_escape(t.speaker)}:** "
        out.append(head + md_escape(" ".join(_en_or_marked(p) for p in t.pieces)))
        out.append("")
        if options.parallel:
            label = (
                f"**{md_escape(t.speaker_label)}:** " if t.speaker_label and not t.continued else ""
            )
            out.append("> " + label + md_escape("".join(p.ja for p in t.pieces)))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --fg: #1d1d1f; --muted: #6e6e73; --bg: #fff; --rule: #e5e5ea; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #f2f2f7; --muted: #a1a1a6; --bg: #161618; --rule: #2c2c2e; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 18px/1.65 Georgia, "Iowan Old Style", "Times New Roman", serif; }
main { max-width: 42rem; margin: 0 auto; padding: 3rem 1.25rem 4rem; }
main.parallel { max-width: 68rem; }
h1 { font: 700 2rem/1.25 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 0 1.5rem; }
h2 { font: 600 0.85rem/1.4 system-ui, sans-serif; letter-spacing: .08em; text-transform: uppercase;
  color: var(--muted); margin: 2.5rem 0 1rem; border-bottom: 1px solid var(--rule);
  padding-bottom: .4rem; }
ul.notes { padding-left: 1.2rem; } ul.notes li { margin: .3rem 0; }
.turn { margin: 0 0 1.1rem; }
.speaker { font: 600 .95rem system-ui, sans-serif; }
.time { font: .8rem ui-monospace, "SFMono-Regular", Menlo, monospace; color: var(--muted);
  margin-right: .4rem; }
.untranslated { color: var(--muted); }
.mark { font: .7rem system-ui, sans-serif; text-transform: uppercase; letter-spacing: .05em;
  border: 1px solid var(--rule); border-radius: 3px; padding: 0 .25rem; margin-right: .3rem; }
[lang="ja"] { font-family: "Hiragino Mincho ProN", "Noto Serif CJK JP", "Yu Mincho", serif;
  line-break: strict; }
.parallel .turn { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
.parallel .turn > div > p { margin: 0; }
.notes .ja { display: block; color: var(--muted); }
.description { margin: 0 0 2rem; color: var(--muted); font-style: italic; }
.description .ja { font-style: normal; margin-top: .5rem; }
@media (max-width: 44rem) { .parallel .turn { grid-template-columns: 1fr; gap: .3rem; } }
p { margin: 0; }
footer { margin-top: 3rem; color: var(--muted); font: .85rem system-ui, sans-serif; }
"""


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _html_piece(p: Piece) -> str:
    if p.en:
        return _e(p.en)
    return (
        f'<span class="untranslated"><span class="mark">untranslated</span>'
        f'<span lang="ja">{_e(p.ja)}</span></span>'
    )


def _safe_media_url(url: str | None) -> str | None:
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return url.strip()
    return None


def _render_html(model: TranscriptModel, options: TranscriptOptions) -> str:
    main_cls = ' class="parallel"' if options.parallel else ""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(model.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<main{main_cls}>",
        f"<h1>{_e(model.title)}</h1>",
    ]
    if model.description:
        ja = ""
        if options.parallel:
            ja = f'<p class="ja" lang="ja">{_e("".join(p.ja for p in model.description))}</p>'
        out.append(
            f'<div class="description"><p>{" ".join(_html_piece(p) for p in model.description)}'
            f"</p>{ja}</div>"
        )
    if model.notes:
        out += ['<section aria-labelledby="notes">', '<h2 id="notes">Show notes</h2>']
        out.append('<ul class="notes">')
        for p in model.notes:
            ja = (
                f'<span class="ja" lang="ja">{_e(p.ja)}</span>' if options.parallel and p.en else ""
            )
            out.append(f"<li>{_html_piece(p)}{ja}</li>")
        out += ["</ul>", "</section>"]
    if model.turns:
        out += ['<section aria-labelledby="transcript">', '<h2 id="transcript">Transcript</h2>']
    for t in model.turns:
        head = ""
        if options.timestamps and t.start_ms is not None:
            stamp = format_timestamp(t.start_ms, hours=model.hours)
            head += (
                f'<time class="time" datetime="PT{t.start_ms // 1000}S" '
                f'data-start-ms="{int(t.start_ms)}">[{stamp}]</time>'
            )
        if t.speaker and not t.continued:
            head += f'<span class="speaker">{_e(t.speaker)}:</span> '
        en = " ".join(_html_piece(p) for p in t.pieces)
        if options.parallel:
            label = (
                f'<span class="speaker">{_e(t.speaker_label)}:</span> '
                if t.speaker_label and not t.continued
                else ""
            )
            ja = _e("".join(p.ja for p in t.pieces))
            out.append(
                f'<div class="turn"><div lang="en"><p>{head}{en}</p></div>'
                f'<div lang="ja"><p>{label}{ja}</p></div></div>'
            )
        else:
            out.append(f'<div class="turn"><p>{head}{en}</p></div>')
    if model.turns:
        out.append("</section>")
    media = _safe_media_url(model.media_url)
    if media:
        out.append(
            f'<footer><a href="{_e(media)}" rel="noopener">Listen to the episode</a></footer>'
        )
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[TranscriptModel, TranscriptOptions], str]] = {
    "md": _render_md,
    "html": _render_html,
    "txt": _render_txt,
}
TRANSCRIPT_FORMATS = tuple(RENDERERS)


class UnknownTranscriptFormatError(ValueError):
    """The transcript format is not one of md, html, txt."""


def render_transcript(
    episode: ExportEpisode, *, fmt: str, options: TranscriptOptions | None = None
) -> str:
    """The English transcript of ``episode`` as ``fmt`` ("md" | "html" | "txt")."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise UnknownTranscriptFormatError(
            f"unknown transcript format {fmt!r} (choose from {', '.join(RENDERERS)})"
        ) from None
    options = options or TranscriptOptions()
    return renderer(build_model(episode, options), options)
