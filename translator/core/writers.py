"""Subtitle writers: events -> SRT / WebVTT / ASS text through pysubs2 (no hand-written
serialisers). One writer per format in :data:`WRITERS` (pysubs2 ``formats`` registry style).

- SRT: plain lines; bilingual layouts stack English over Japanese (or the reverse).
- WebVTT: text escaped (``&``, ``<``, ``>``), each language in a ``<lang en>``/``<lang ja>``
  span, optional ``<v Speaker>`` voice tags.
- ASS: two styles, "Japanese" at the top (alignment 8) and "English" at the bottom
  (alignment 2), 1920x1080 script resolution, a CJK-capable font. Times past 9:59:59.99 are
  written with more hour digits (``10:00:05.00``): pysubs2 clamps them to 9:59:59.99, but
  libass and FFmpeg read ``%d:%d:%d.%d`` (any number of hour digits), so a long episode plays
  right (Aegisub itself stops at 9:59:59.99).
- Cues shown at the same time on purpose (lanes, :func:`translator.core.timing_rules.timing_lanes`)
  overlap in every format: ASS keeps them on layer 0 so libass stacks them by collision;
  WebVTT renderers stack simultaneous cues by the spec; SRT players (VLC, mpv, FFmpeg) do too.
- No format holds 100 hours (SRT and WebVTT write two hour digits): an export whose events
  end past 99:59:59.999 is refused (:class:`SubtitleTimeError`), never clamped.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pysubs2
from pysubs2.formats.substation import SubstationFormat
from pysubs2.time import ms_to_times

from translator.core.export_types import SubtitleLayout, SubtitleOptions
from translator.core.subtitles import SubtitleEvent

EN_STYLE = "English"
JA_STYLE = "Japanese"
FONT_NAME = "Noto Sans CJK JP"
PLAY_RES_X = 1920
PLAY_RES_Y = 1080

MEDIA_TYPES = {
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "ass": "text/x-ssa",
    "md": "text/markdown",
    "html": "text/html",
    "txt": "text/plain",
}

# pysubs2 turns \N, \n and \h into line breaks / spaces even in SRT and VTT output; a word
# joiner after a user's backslash keeps such text literal.
_SSA_ESCAPE = re.compile(r"\\(?=[nNh])")


class UnknownFormatError(ValueError):
    """The export format is not one of the registered writers."""


class SubtitleTimeError(ValueError):
    """An event ends later than every subtitle format can write; ``str()`` is one line."""


# SRT and WebVTT write HH:MM:SS,mmm (two hour digits); pysubs2 clamps anything later.
MAX_EXPORT_MS = 100 * 3600 * 1000 - 1


def _clock(ms: int) -> str:
    h, m, s, _ = ms_to_times(ms)
    return f"{h}:{m:02d}:{s:02d}"


def check_representable(events: Sequence[SubtitleEvent]) -> None:
    """Raise :class:`SubtitleTimeError` when an event ends past :data:`MAX_EXPORT_MS`."""
    late = next((ev for ev in events if ev.end_ms > MAX_EXPORT_MS), None)
    if late is not None:
        raise SubtitleTimeError(
            f"A cue ends at {_clock(late.end_ms)}, past 99:59:59, the latest time SRT, "
            "WebVTT and ASS can hold: shorten the episode's timing or split it into parts."
        )


class _LongSubstationFormat(SubstationFormat):
    """pysubs2's ASS writer without its 9:59:59.99 clamp: ``H:MM:SS.cc`` with as many hour
    digits as needed (libass and FFmpeg parse them; pysubs2 reads up to two back)."""

    @staticmethod
    def ms_to_timestamp(requested_ms: int) -> str:
        ms = max(0, int(requested_ms))
        ms = (ms + 5) - (ms + 5) % 10  # round to centiseconds as Aegisub and pysubs2 do
        h, m, s, rest = ms_to_times(ms)
        return f"{h:01d}:{m:02d}:{s:02d}.{rest // 10:02d}"


def _plain(line: str) -> str:
    return _SSA_ESCAPE.sub("\\\\\u2060", line) if "\\" in line else line


# Players read HTML-like tags in SRT (<font>, <a>, <ruby>… by some) and ASS override blocks
# ("{\an8}", "{\pos(…)}") even in SRT. Text is text: a "<" that does not open one of the
# tags SRT supports (<i> <b> <u>, kept as an editor's styling) and a "{" before a backslash get
# a word joiner after them, so no player takes them for markup. ASS reads no "<" tags at all.
_SRT_NOT_A_TAG = re.compile(r"<(?!/?[ibu]>)", re.IGNORECASE)
_OVERRIDE_OPEN = re.compile(r"\{(?=\\)")


def _srt_text(line: str) -> str:
    line = _plain(line)
    if "<" in line:
        line = _SRT_NOT_A_TAG.sub("<\u2060", line)
    if "{" in line:
        line = _OVERRIDE_OPEN.sub("{\u2060", line)
    return line


def _lines_for(ev: SubtitleEvent, layout: SubtitleLayout) -> tuple[list[str], list[str]]:
    en = ev.en_lines if layout.has_en else []
    ja = ev.ja_lines if layout.has_ja else []
    return en, ja


def _stacked(en: list[str], ja: list[str], layout: SubtitleLayout) -> list[str]:
    return [*ja, *en] if layout is SubtitleLayout.BILINGUAL_JA_FIRST else [*en, *ja]


@dataclass(frozen=True)
class SubtitleWriter:
    """Builds a pysubs2 file for one format and serialises it with pysubs2."""

    name: str
    build: Callable[[Sequence[SubtitleEvent], SubtitleLayout, SubtitleOptions], pysubs2.SSAFile]
    to_string_kwargs: dict[str, Any]

    def render(
        self, events: Sequence[SubtitleEvent], layout: SubtitleLayout, options: SubtitleOptions
    ) -> str:
        check_representable(events)
        subs = self.build(events, layout, options)
        if self.name == "ass":  # pysubs2's writer, with long times written, not clamped
            fp = io.StringIO()
            _LongSubstationFormat.to_file(subs, fp, "ass", **self.to_string_kwargs)
            return fp.getvalue()
        return subs.to_string(self.name, **self.to_string_kwargs)


def _build_srt(
    events: Sequence[SubtitleEvent], layout: SubtitleLayout, options: SubtitleOptions
) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for ev in events:
        en, ja = _lines_for(ev, layout)
        lines = [_srt_text(x) for x in _stacked(en, ja, layout) if x.strip()]
        if lines:
            subs.append(pysubs2.SSAEvent(start=ev.start_ms, end=ev.end_ms, text="\\N".join(lines)))
    return subs


def _vtt_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = html.escape(text, quote=False)
    return _plain(text)


def _vtt_annotation(name: str) -> str:
    # A voice annotation may not hold "<", ">", "&" unescaped, nor a line break.
    return _vtt_text(" ".join(name.split()))


def _vtt_block(lines: list[str], lang: str, ruby: Sequence[tuple[str, str]] = ()) -> str:
    texts = [_vtt_text(x) for x in lines]
    for base, reading in ruby:  # 漢字 → <ruby>漢字<rt>かんじ</rt></ruby>, first occurrence
        b, r = _vtt_text(base), _vtt_text(reading)
        for k, text in enumerate(texts):
            if b and b in text and "<ruby>" + b not in text:
                texts[k] = text.replace(b, f"<ruby>{b}<rt>{r}</rt></ruby>", 1)
                break
    return f"<lang {lang}>" + "\\N".join(texts) + "</lang>"


def _build_vtt(
    events: Sequence[SubtitleEvent], layout: SubtitleLayout, options: SubtitleOptions
) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for ev in events:
        en, ja = _lines_for(ev, layout)
        en = [x for x in en if x.strip()]
        ja = [x for x in ja if x.strip()]
        if not en and not ja:
            continue
        if ev.is_multi_speaker and options.voice_tags and len(en) == len(ev.speakers) and not ja:
            # One voice span per dashed speaker line.
            parts = [
                (f"<v {_vtt_annotation(sp)}>" if sp else "")
                + _vtt_block([line], "en")
                + ("</v>" if sp else "")
                for sp, line in zip(ev.speakers, en, strict=True)
            ]
            text = "\\N".join(parts)
        else:
            blocks = []
            if en:
                blocks.append(_vtt_block(en, "en"))
            if ja:
                blocks.append(_vtt_block(ja, "ja", ev.ja_ruby))
            if layout is SubtitleLayout.BILINGUAL_JA_FIRST:
                blocks.reverse()
            text = "\\N".join(blocks)
            speaker = ev.speaker or (
                " & ".join(s for s in ev.speakers if s) if ev.is_multi_speaker else None
            )
            if options.voice_tags and speaker:
                text = f"<v {_vtt_annotation(speaker)}>{text}</v>"
        subs.append(pysubs2.SSAEvent(start=ev.start_ms, end=ev.end_ms, text=text))
    return subs


def _ass_text(lines: list[str]) -> str:
    # "{" opens an override block in ASS and there is no escape: use full-width braces.
    return "\\N".join(
        _plain(x).replace("{", "｛").replace("}", "｝").replace("<", "<\u2060") for x in lines
    )


def ass_styles() -> dict[str, pysubs2.SSAStyle]:
    """The two readable default styles: English at the bottom, Japanese at the top."""
    common = {
        "fontname": FONT_NAME,
        "primarycolor": pysubs2.Color(255, 255, 255, 0),
        "outlinecolor": pysubs2.Color(0, 0, 0, 0),
        "backcolor": pysubs2.Color(0, 0, 0, 128),
        "outline": 3.0,
        "shadow": 1.0,
        "borderstyle": 1,
        "marginl": 80,
        "marginr": 80,
        "marginv": 50,
    }
    return {
        EN_STYLE: pysubs2.SSAStyle(
            fontsize=60.0, alignment=pysubs2.Alignment.BOTTOM_CENTER, **common
        ),
        JA_STYLE: pysubs2.SSAStyle(fontsize=56.0, alignment=pysubs2.Alignment.TOP_CENTER, **common),
    }


def _build_ass(
    events: Sequence[SubtitleEvent], layout: SubtitleLayout, options: SubtitleOptions
) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(PLAY_RES_X)
    subs.info["PlayResY"] = str(PLAY_RES_Y)
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.info["WrapStyle"] = "0"
    if options.title.strip():
        subs.info["Title"] = " ".join(options.title.split())
    subs.styles.clear()
    subs.styles.update(ass_styles())
    for ev in events:
        en, ja = _lines_for(ev, layout)
        en = [x for x in en if x.strip()]
        ja = [x for x in ja if x.strip()]
        # A comma would end the Name field of the Dialogue line and shift the text.
        name = (ev.speaker or " & ".join(s for s in ev.speakers if s)).replace(",", "，")
        if ja:
            subs.append(
                pysubs2.SSAEvent(
                    start=ev.start_ms, end=ev.end_ms, text=_ass_text(ja), style=JA_STYLE, name=name
                )
            )
        if en:
            subs.append(
                pysubs2.SSAEvent(
                    start=ev.start_ms, end=ev.end_ms, text=_ass_text(en), style=EN_STYLE, name=name
                )
            )
    return subs


WRITERS: dict[str, SubtitleWriter] = {
    "srt": SubtitleWriter("srt", _build_srt, {"keep_ssa_tags": True}),
    "vtt": SubtitleWriter("vtt", _build_vtt, {"keep_ssa_tags": True}),
    "ass": SubtitleWriter("ass", _build_ass, {}),
}
SUBTITLE_FORMATS = tuple(WRITERS)


def build_ssafile(
    events: Sequence[SubtitleEvent],
    *,
    fmt: str,
    layout: SubtitleLayout | str | None = None,
    options: SubtitleOptions | None = None,
) -> pysubs2.SSAFile:
    """The pysubs2 file :func:`render_subtitles` would serialise (useful to benchmark)."""
    writer, lay, opts = _resolve(fmt, layout, options)
    return writer.build(events, lay, opts)


def _resolve(
    fmt: str, layout: SubtitleLayout | str | None, options: SubtitleOptions | None
) -> tuple[SubtitleWriter, SubtitleLayout, SubtitleOptions]:
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise UnknownFormatError(
            f"unknown subtitle format {fmt!r} (choose from {', '.join(WRITERS)})"
        ) from None
    options = options or SubtitleOptions()
    return writer, SubtitleLayout(layout or options.layout), options


def render_subtitles(
    events: Sequence[SubtitleEvent],
    *,
    fmt: str,
    layout: SubtitleLayout | str | None = None,
    options: SubtitleOptions | None = None,
) -> str:
    """Serialise ``events`` as ``fmt`` ("srt" | "vtt" | "ass") in ``layout`` (default: the
    options' layout). Events with nothing to show in the layout are left out."""
    writer, lay, opts = _resolve(fmt, layout, options)
    return writer.render(events, lay, opts)


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(title: str, *, max_length: int = 60) -> str:
    """ASCII slug of ``title``: full-width Latin folded, accents dropped, other scripts dropped."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_DROP.sub("-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def suggested_filename(
    title: str,
    fmt: str,
    layout: SubtitleLayout | str | None = None,
    *,
    episode_id: int | None = None,
) -> str:
    """A download file name, e.g. ``episode-title.bilingual.srt`` or ``episode-title.html``.

    A title with fewer than 3 ASCII letters or digits (a Japanese title) falls back to
    ``episode-<id>`` (or ``episode``)."""
    slug = slugify(title)
    if sum(ch.isalnum() for ch in slug) < 3:
        slug = f"episode-{episode_id}" if episode_id is not None else "episode"
    fmt = _SLUG_DROP.sub("", fmt.lower()) or "txt"
    if layout and fmt in WRITERS:
        return f"{slug}.{SubtitleLayout(layout).value}.{fmt}"
    return f"{slug}.{fmt}"
