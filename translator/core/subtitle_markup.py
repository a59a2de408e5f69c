"""Subtitle markup → display text, in one linear pass.

Handles ASS override blocks (``{\\i1}``, ``{\\pos(x,y)}``, ``{\\an8}``, karaoke ``{\\k20}``,
drawings ``{\\p1}m 0 0 l …{\\p0}``), ASS hidden comment blocks (``{note}``), the ruby renderer
extension ``{漢字|かんじ}`` (base text kept, reading kept apart), HTML-like tags of SRT/WebVTT
(``<i>``, ``<font …>``, ``<c.x>``, ``<v Name>``, ``<br>``, ``<ruby>漢字<rt>かんじ</rt></ruby>``,
inline timestamps), ``\\N``/``\\n``/``\\h``, and a few character entities.

Linear in the input whatever it holds: the next ``}``/``{``/``>``/``<`` are found with cached
searches (:class:`_NextFinder`), so a line of 40,000 ``<`` or a file of unbalanced ``{`` costs one
pass, not one scan per bracket. A ``{`` or ``<`` that does not open a recognised block is text.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

_OVERRIDE = re.compile(r"\\(an|a|pos|move|p|k[fo]?|K)\s*(\(([^)]*)\)|-?\d+(?:\.\d+)?)?")
_HTML_TAG = re.compile(
    r"(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[.\s/][^<>]*)?|\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}"
)
_KNOWN_TAGS = frozenset(
    {"i", "b", "u", "s", "c", "v", "lang", "font", "ruby", "rt", "rp", "rb", "br", "span", "em"}
)
_ENTITY = re.compile(r"&(nbsp|amp|lt|gt|quot|apos|lrm|rlm|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_ENTITIES = {"nbsp": " ", "amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_MAX_TAG = 300
_BLOCK = re.compile(r"(\{[^{}]*\})")
_KARAOKE_FURIGANA = re.compile(r"([\u3400-\u9fff々〆ヶ]+)\|<?([\u3041-\u309f\u30a1-\u30ff]+)")
# Legacy SSA alignment (\a): 1-3 bottom, 5-7 top, 9-11 middle → numpad rows.
_LEGACY_ROW = {1: 1, 2: 2, 3: 3, 5: 7, 6: 8, 7: 9, 9: 4, 10: 5, 11: 6}


class _NextFinder:
    """``find(i)``: the next index ``>= i`` of ``ch`` in ``s`` (``-1`` for none), amortised
    linear over increasing ``i``."""

    __slots__ = ("s", "ch", "pos")

    def __init__(self, s: str, ch: str) -> None:
        self.s, self.ch, self.pos = s, ch, -2

    def find(self, i: int) -> int:
        if self.pos == -1 or self.pos >= i:
            return self.pos
        self.pos = self.s.find(self.ch, i)
        return self.pos


@dataclass
class Markup:
    """Display text of one event with what the markup said about it."""

    text: str  # lines joined by "\n"
    ruby: list[tuple[str, str]] = field(default_factory=list)  # (base, reading)
    drawing: bool = False  # held vector drawing commands (\p1…)
    alignment: int | None = None  # numpad alignment override (\an / \a)
    pos_y: float | None = None  # \pos / \move y
    voice: str | None = None  # WebVTT <v Name>
    karaoke: bool = False
    hidden_blocks: int = 0  # ASS {comment} blocks (not shown)


def clean_markup(raw: str, *, ass: bool) -> Markup:
    """Display text of ``raw``; ``ass``: ``{…}`` blocks are override/comment blocks and
    ``<…>`` is text (libass shows it), else HTML-like tags are markup and ``{\\…}`` too."""
    info = Markup("")
    if ass and "|" in raw and "\\k" in raw.lower():
        raw = _karaoke_furigana(raw, info)
    scan = _MarkupScanner(raw, ass, info)
    scan.run()
    text = "".join(scan.out)
    if not ass and "&" in text:
        text = _ENTITY.sub(_entity, text)
    info.text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00a0", " ")
    return info


class _MarkupScanner:
    """One left-to-right pass over an event's raw text (linear: the finders only move on)."""

    def __init__(self, raw: str, ass: bool, info: Markup) -> None:
        self.raw, self.ass, self.info = raw, ass, info
        self.out: list[str] = []
        self.braces_close = _NextFinder(raw, "}")
        self.braces_open = _NextFinder(raw, "{")
        self.angle_close = _NextFinder(raw, ">")
        self.angle_open = _NextFinder(raw, "<")
        self.drawing = False
        self.in_rt = False
        self.rt: list[str] = []
        self.ruby_start: int | None = None

    def run(self) -> None:
        raw, n, ass = self.raw, len(self.raw), self.ass
        i = 0
        while i < n:
            c = raw[i]
            if c == "{":
                after = self._brace_block(i)
                if after is not None:
                    i = after
                    continue
            elif c == "<" and not ass:
                after = self._html_tag(i)
                if after is not None:
                    i = after
                    continue
            elif c == "\\" and i + 1 < n and raw[i + 1] in "Nnh" and (ass or raw[i + 1] == "N"):
                if not self.drawing and not self.in_rt:
                    self.out.append(" " if raw[i + 1] == "h" else "\n")
                i += 2
                continue
            if self.drawing:
                self.info.drawing = True
            elif self.in_rt:
                self.rt.append(c)
            else:
                self.out.append(c)
            i += 1

    def _brace_block(self, i: int) -> int | None:
        """A ``{…}`` block at ``i`` (overrides, ruby, an ASS comment): the index after it, or
        ``None`` when the brace is text."""
        raw, info = self.raw, self.info
        close = self.braces_close.find(i + 1)
        nxt = self.braces_open.find(i + 1)
        if close == -1 or (nxt != -1 and nxt < close) or "\n" in raw[i:close]:
            return None
        body = raw[i + 1 : close]
        if "\\" in body:
            self.drawing = _overrides(body, info, self.drawing)
            return close + 1
        if "|" in body:
            base, reading = body.split("|", 1)
            if base.strip() and reading.strip() and "|" not in reading:
                info.ruby.append((base, reading))
                self.out.append(base)
                return close + 1
        if self.ass:
            info.hidden_blocks += 1
        else:
            self.out.append("{" + body + "}")
        return close + 1

    def _html_tag(self, i: int) -> int | None:
        """A known HTML-like tag at ``i`` (``<br>``, ``<v>``, ruby): the index after it, or
        ``None`` when the ``<`` is text."""
        raw, info = self.raw, self.info
        close = self.angle_close.find(i + 1)
        nxt = self.angle_open.find(i + 1)
        if close == -1 or (nxt != -1 and nxt < close) or close - i > _MAX_TAG:
            return None
        body = raw[i + 1 : close]
        m = _HTML_TAG.fullmatch(body)
        if not m or (m.group(2) is not None and m.group(2).lower() not in _KNOWN_TAGS):
            return None
        name = (m.group(2) or "").lower()
        closing = bool(m.group(1))
        if name == "br":
            self.out.append("\n")
        elif name == "v" and not closing and info.voice is None:
            info.voice = body[1:].strip() or None
        elif name == "ruby" and not closing:
            self.ruby_start = len(self.out)
        elif name == "rt":
            if closing and self.in_rt:
                start = self.ruby_start
                base = "".join(self.out[start:]) if start is not None else ""
                if base and self.rt:
                    info.ruby.append((base, "".join(self.rt)))
                self.in_rt, self.rt = False, []
            elif not closing:
                self.in_rt, self.rt = True, []
        elif name == "rp":
            self.in_rt = not closing and self.in_rt  # <rp> text is fallback: skip it
        return close + 1


def _karaoke_furigana(raw: str, info: Markup) -> str:
    """Aegisub furigana karaoke, one syllable per ``{\\k}``: ``{\\k20}夜|<よ{\\k15}空|ぞら``
    → ``夜空``, the readings kept as ruby."""
    parts = _BLOCK.split(raw)
    for k, part in enumerate(parts):
        m = _KARAOKE_FURIGANA.fullmatch(part) if k % 2 == 0 else None
        if m:
            info.ruby.append((m.group(1), m.group(2)))
            parts[k] = m.group(1)
    return "".join(parts)


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in "xX" else int(name[1:])
            return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else ""
        except ValueError:
            return ""
    return _ENTITIES.get(name, "")


def _overrides(body: str, info: Markup, drawing: bool) -> bool:
    for m in _OVERRIDE.finditer(body):
        tag, arg, inner = m.group(1), m.group(2), m.group(3)
        if tag == "p" and arg and inner is None:
            with contextlib.suppress(ValueError):
                drawing = float(arg) > 0
            if drawing:
                info.drawing = True
        elif tag == "an" and arg and arg.isdigit() and 1 <= int(arg) <= 9:
            info.alignment = info.alignment or int(arg)
        elif tag == "a" and arg and arg.isdigit():
            row = _LEGACY_ROW.get(int(arg))
            if row:
                info.alignment = info.alignment or row
        elif tag in ("pos", "move") and inner:
            parts = [p.strip() for p in inner.split(",")]
            with contextlib.suppress(IndexError, ValueError):
                info.pos_y = float(parts[1]) if info.pos_y is None else info.pos_y
        elif tag.lower().startswith("k"):
            info.karaoke = True
    return drawing
