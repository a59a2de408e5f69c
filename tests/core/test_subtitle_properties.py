"""Property: every visible character of the chosen track's dialogue is in exactly one segment.

Generated SRT/ASS files of Japanese cues (kana, kanji, half-width forms, punctuation, spaces,
Latin words, markup that is not text). Up to the documented normalisations — markup removed,
half-width forms made full-width, whitespace not counted — the characters of all imported
sentences are exactly the characters of the cues, in order: nothing lost, nothing doubled.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.core.normalize import full_width
from translator.core.subtitle_input import parse_timed

_CHARS = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげご"
    "アイウエオカキクケコサシスセソ日本語字幕翻訳今明天気雨風話者時間一二三"
    "。、！？…「」ー"
    "ｱｲｳｴｵｶﾞｷﾞ｡､｢｣ｰ"
    "abcXYZ019"
)
_MARKUP = [
    "<i>",
    "</i>",
    "<b>",
    "</b>",
    "{\\an8}",
    "{\\i1}",
    "{\\i0}",
    '<font color="red">',
    "</font>",
]


def _visible(text: str) -> str:
    for tag in _MARKUP:
        text = text.replace(tag, "")
    return "".join(full_width(text).split())


piece = st.one_of(
    st.text(alphabet=_CHARS, min_size=1, max_size=12),
    st.sampled_from(_MARKUP),
    st.sampled_from([" ", "\u3000"]),
)
cue_text = st.lists(piece, min_size=1, max_size=6).map("".join).filter(lambda t: _visible(t) != "")
cue = st.tuples(
    cue_text, st.one_of(st.none(), cue_text), st.integers(0, 2500), st.integers(200, 4000)
)


def _srt(cues: list[tuple[str, str | None, int, int]]) -> tuple[str, str]:
    def t(ms: int) -> str:
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        )

    out, expected, now = [], [], 0
    for k, (line1, line2, gap, duration) in enumerate(cues):
        start = now + gap
        end = start + duration
        now = end
        body = line1 if line2 is None else f"{line1}\n{line2}"
        out.append(f"{k + 1}\n{t(start)} --> {t(end)}\n{body}\n")
        expected.append(_visible(line1) + _visible(line2 or ""))
    return "\n".join(out), "".join(expected)


def _all(doc) -> str:  # noqa: ANN001
    return "".join("".join(s.text.split()) for p in doc.paragraphs for s in p.sentences)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        cue,
        min_size=1,
        max_size=12,
        unique_by=lambda c: _visible(c[0]) + "|" + _visible(c[1] or ""),
    )
)
def test_every_visible_character_is_in_exactly_one_segment(cues):
    text, expected = _srt(cues)
    doc = parse_timed(text, "srt")
    assert _all(doc) == expected
    for p in doc.paragraphs:
        for s in p.sentences:
            covered = "".join(s.text[c.source_start : c.source_end] for c in s.cues)
            assert covered == s.text


_ZH = "这们说话吗过还没对让认识见觉开关门问题东车长发现实经头你我他的了是"


def _ass_time(ms: int) -> str:
    cs = ms // 10
    return f"{cs // 360_000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


ja_line = st.text(alphabet=_CHARS, min_size=1, max_size=14).filter(
    lambda t: any("\u3041" <= c <= "\u30fa" for c in full_width(t))
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(ja_line, st.text(alphabet=_ZH, min_size=2, max_size=10), st.integers(1, 300)),
        min_size=1,
        max_size=10,
        unique_by=lambda c: c[0],
    )
)
def test_bilingual_ass_chosen_track_only_and_whole(cues):
    """A Japanese track with a Chinese twin at identical times: every Japanese character is
    imported once, no Chinese character is."""
    rows, expected, t = [], [], 0
    for ja, zh, gap in cues:
        start, end = t + gap * 10, t + gap * 10 + 1500
        t = end
        for style, text in (("JP", ja), ("CN", zh)):
            rows.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},{style},,0,0,0,,{text}\n")
        expected.append(_visible(ja))
    ass = (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        + "".join(rows)
    )
    doc = parse_timed(ass, "ass")
    assert _all(doc) == "".join(expected)
    assert doc.report.chosen_track == "ja"


def test_repeated_short_lines_are_speech_not_rolling_captions():
    """Found by the property test: ``0`` / ``0`` / ``イ`` lost a ``0`` as a rolling repeat."""
    srt = (
        "1\n00:00:00,000 --> 00:00:00,200\nはい\n\n"
        "2\n00:00:00,200 --> 00:00:00,400\nはい\n\n"
        "3\n00:00:00,400 --> 00:00:00,600\nイ\n"
    )
    assert _all(parse_timed(srt, "srt")) == "はいはいイ"


_NOISE = st.lists(
    st.sampled_from(
        list("0123456789:,.->\n \t{}\\<>|/#=ab[]()（）《》：♪あ日字ｱ｡\ufeff")
        + ["-->", "\n\n", "Dialogue: ", "[Events]\n", "Format: ", "WEBVTT\n", "{\\p1}", "<v "]
        + ["00:00:01,000", "0:00:02.00", "00:03.500"]
    ),
    max_size=200,
).map("".join)


_SKELETON = {
    "srt": "1\n00:00:01,000 --> 00:00:02,000\n",
    "vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n",
    "ass": "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, "
    "Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,",
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NOISE, st.sampled_from(["srt", "vtt", "ass"]), st.booleans())
def test_any_text_imports_or_is_refused_in_one_line(text, fmt, skeleton):
    from translator.core.errors import FormatError

    if skeleton:
        text = _SKELETON[fmt] + text
    try:
        doc = parse_timed(text, fmt)
    except FormatError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    for p in doc.paragraphs:
        for s in p.sentences:
            assert s.text.strip()
            assert all(c.end_ms > c.start_ms >= 0 for c in s.cues)
