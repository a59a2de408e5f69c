import re

import pytest

from translator.core.errors import DecodingError, EmptyInputError, FormatError, InputError
from translator.core.pipeline import DEFAULT_MAX_BYTES, segment_document
from translator.core.requests import ImportRequest
from translator.core.types import ParagraphKind, Timing


def test_sample_episode_fully_segmented(sample_text):
    doc = segment_document(
        sample_text.replace("•", "・").encode("cp932"), ImportRequest(filename="e.txt")
    )
    assert doc.encoding == "cp932" and doc.source_format == "text"
    assert doc.title == "第12回 字幕と翻訳ツールの舞台裏"
    turns = [p for p in doc.paragraphs if p.kind == ParagraphKind.TRANSCRIPT]
    notes = [p for p in doc.paragraphs if p.kind == ParagraphKind.SHOW_NOTE]
    assert len(turns) >= 40 and len(notes) >= 5
    last_end = -1
    for p in turns:
        # Segments reproduce the turn text exactly, whitespace aside.
        joined = "".join(s.text for s in p.sentences)
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", p.raw_text)
        for s in p.sentences:
            assert s.cues[0].source_start == 0 and s.cues[-1].source_end == len(s.text)
            for c in s.cues:
                assert c.timing == Timing.ESTIMATED and c.start_ms > last_end
                last_end = c.end_ms
    assert all(c.start_ms is None for p in notes for s in p.sentences for c in s.cues)


def test_timed_input_keeps_times():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nこんにちは。\n"
    doc = segment_document(srt.encode("utf-16"), ImportRequest(filename="ep.srt"))
    cue = doc.paragraphs[0].sentences[0].cues[0]
    assert (cue.start_ms, cue.end_ms, cue.timing) == (1000, 2000, Timing.IMPORTED)
    assert doc.title == "ep" and doc.source_format == "srt"


def test_title_and_protected_terms():
    doc = segment_document(
        "A: 字幕ラボでは第一印象がとても大事だと考えているので丁寧に作ります。",
        ImportRequest(title="My title"),
        protected_terms=["第一印象"],
    )
    assert doc.title == "My title"
    lines = [line for s in doc.paragraphs[0].sentences for c in s.cues for line in c.lines]
    assert any("第一印象" in line for line in lines)


@pytest.mark.parametrize(
    ("data", "kwargs", "error"),
    [
        (b"", {}, EmptyInputError),
        (b"\n\n  \n", {}, EmptyInputError),
        ("ショー・ノート\n\n", {}, EmptyInputError),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            {"filename": "x.srt"},
            DecodingError,
        ),
        ("1\n00:00:01,000 --> 00:00:0", {"filename": "cut.srt"}, FormatError),
        ("こんにちは".encode("cp932"), {"encoding": "utf-8"}, DecodingError),
        ("こんにちは", {"format": "docx"}, FormatError),
        (b"a" * 50, {"max_bytes": 10}, InputError),
    ],
)
def test_bad_input_gives_one_line_input_errors(data, kwargs, error):
    with pytest.raises(error) as info:
        max_bytes = kwargs.pop("max_bytes", DEFAULT_MAX_BYTES)
        segment_document(data, ImportRequest(**kwargs), max_bytes=max_bytes)
    assert "\n" not in str(info.value)


def test_reference_sized_input_segments_like_its_parts(sample_text):
    # Speed at this size is measured in bench/bench_segmentation.py, not here.
    def transcript_sentences(doc):
        return [s.text for p in doc.paragraphs if p.kind == "transcript" for s in p.sentences]

    one = transcript_sentences(segment_document(sample_text))
    four = transcript_sentences(segment_document(sample_text * 4))  # ~ the 38 KB reference
    assert len(one) > 100
    assert set(one) <= set(four)
    assert len(four) >= 4 * len(one)
