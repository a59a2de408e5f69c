"""Property-based tests over the whole import path (core only, no database).

- arbitrary bytes / text through ``segment_document`` raise only ``InputError`` subclasses,
  with one-line messages;
- encoded Japanese text decodes back exactly (UTF-8, UTF-16 with BOM, CP932, EUC-JP);
- segmentation keeps the text: sentences rebuild each paragraph, cues rebuild each sentence;
- timed input (SRT) keeps cue order and never overlaps once imported.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.core.encoding import decode_bytes
from translator.core.errors import InputError
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.types import ParagraphKind

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JA = "あいうえおかきくけこさしすせそたちつてとなにぬねの漢字話者日本語字幕翻訳、。！？「」ー・ アイウエオ"
JA_TEXT = st.text(alphabet=JA, min_size=1, max_size=200).filter(lambda s: s.strip())
FORMATS = st.sampled_from(["auto", "text", "srt", "vtt", "ass"])


def _segment(data, **request):
    try:
        return segment_document(data, ImportRequest(**request), max_bytes=64 * 1024)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return None


@FAST
@given(
    st.binary(max_size=2000), FORMATS, st.sampled_from([None, "a.srt", "a.vtt", "a.ass", "a.txt"])
)
def test_arbitrary_bytes_raise_only_input_errors(data, fmt, filename):
    _segment(data, format=fmt, filename=filename)


@FAST
@given(st.text(max_size=1500), FORMATS)
def test_arbitrary_text_raises_only_input_errors(text, fmt):
    _segment(text, format=fmt)


# Text that looks like subtitle files (timing lines, arrows, numbers, tags, sections).
_PIECES = st.sampled_from(
    [
        "1",
        "2",
        "\n",
        "\n\n",
        "00:00:01,000 --> 00:00:02,000",
        "00:01.000 --> 00:00.500",
        "WEBVTT",
        "NOTE x",
        "STYLE",
        "[Events]",
        "[Script Info]",
        "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,",
        "Format: Layer, Start, End, Text",
        "<i>",
        "</i>",
        "{\\i1}",
        "-->",
        "こんにちは。",
        "佐藤：",
        "(田中)",
        " ",
        "\r\n",
    ]
)


@FAST
@given(st.lists(_PIECES, max_size=40).map("".join), FORMATS)
def test_subtitle_like_text_raises_only_input_errors(text, fmt):
    doc = _segment(text, format=fmt)
    if doc is not None:
        for p in doc.paragraphs:
            for s in p.sentences:
                for c in s.cues:
                    assert 0 <= c.source_start <= c.source_end <= len(s.text)


@FAST
@given(JA_TEXT, st.sampled_from(["utf-8", "utf-16", "cp932", "euc_jp", "utf-8-sig"]))
def test_decoding_round_trips_exactly(text, codec):
    data = text.encode(codec)
    if codec == "euc_jp" and len(text.strip()) < 4:
        return  # too short to tell EUC-JP from other codecs; forced decoding is covered below
    decoded, _name = decode_bytes(data)
    assert decoded == text.replace("\r\n", "\n").replace("\r", "\n")
    forced, _ = decode_bytes(data, encoding=codec.replace("_", "-"))
    assert forced == text


@FAST
@given(st.lists(JA_TEXT, min_size=1, max_size=6))
def test_transcript_text_is_preserved_exactly(paragraphs):
    source = "\n\n".join(p.strip() for p in paragraphs) + "\n"
    doc = _segment(source, format="text")
    if doc is None:
        return
    for p in doc.paragraphs:
        sentences = [s.text for s in p.sentences]
        for s in p.sentences:
            if s.cues:
                assert "".join(s.text[c.source_start : c.source_end] for c in s.cues).replace(
                    " ", ""
                ) == s.text.replace(" ", "")
        assert all(sentence.strip() for sentence in sentences)
    kept = (
        "".join(s.text for p in doc.paragraphs for s in p.sentences)
        + doc.title
        + doc.description
        # a line read as a speaker label (名前「発言」) keeps its name on the turn; what is left
        # out is listed in the preview
        + "".join(p.speaker or "" for p in doc.paragraphs)
        + "".join(p.raw_text + (p.speaker or "") for p in doc.left_out)
    )
    for ch in set("".join(paragraphs)) - set(" 、。！？「」・"):
        assert ch in kept, ch


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, 5000), st.integers(300, 6000), JA_TEXT), min_size=1, max_size=12
    )
)
def test_imported_srt_cues_keep_order_and_never_overlap(events):
    lines, t = [], 1000
    for i, (gap, length, text) in enumerate(events, 1):
        start, end = t + gap, t + gap + length
        t = end
        lines.append(f"{i}\n{_ts(start)} --> {_ts(end)}\n{text.strip()}\n")
    doc = _segment("\n".join(lines), format="srt")
    assert doc is not None
    cues = [c for p in doc.paragraphs for s in p.sentences for c in s.cues]
    assert all(p.kind == ParagraphKind.TRANSCRIPT for p in doc.paragraphs)
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.start_ms <= a.end_ms <= b.start_ms <= b.end_ms, (a, b)
    assert cues[0].start_ms >= 1000 and cues[-1].end_ms <= t


def _ts(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"
