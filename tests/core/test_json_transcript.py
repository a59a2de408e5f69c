"""Speech-recognition JSON (Whisper, WhisperX, AssemblyAI): speakers, text and times from the
fields. Today's bug: a JSON file was imported as one text paragraph of raw JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translator.core.errors import FormatError, InputError
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.types import Timing

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"


def load(name: str, **kw):
    return segment_document((FIXTURES / name).read_bytes(), ImportRequest(filename=name, **kw))


def rows(doc):
    return [
        (
            p.speaker,
            p.sentences[0].cues[0].start_ms,
            p.sentences[-1].cues[-1].end_ms,
            [s.text for s in p.sentences],
        )
        for p in doc.paragraphs
    ]


def test_whisper_segments_in_seconds():
    doc = load("whisper.json")
    assert doc.source_format == "json" and doc.speakers == []
    assert rows(doc) == [
        (
            None,
            0,
            6_000,
            ["皆さんこんにちは今日は料理の話をします", "まずは玉ねぎを切ってください"],
        ),
        (None, 9_500, 12_000, ["次に鍋に油をひきます"]),  # a 3.5 s pause: a new paragraph
    ]
    cues = [c for p in doc.paragraphs for s in p.sentences for c in s.cues]
    assert all(c.timing == Timing.IMPORTED for c in cues)
    assert doc.duration_ms == 12_000
    assert not any(
        "{" in s.text or "segments" in s.text for p in doc.paragraphs for s in p.sentences
    )


def test_whisperx_speakers():
    doc = load("whisperx.json")
    assert doc.speakers == ["SPEAKER_00", "SPEAKER_01"]
    assert [(s, a, t) for s, a, _, t in rows(doc)] == [
        ("SPEAKER_00", 31, ["今日はよろしくお願いします。"]),
        ("SPEAKER_01", 2_900, ["こちらこそお願いします。"]),
        ("SPEAKER_00", 5_400, ["さっそくですが、最近読んだ本を教えてください。"]),
        ("SPEAKER_01", 9_000, ["最近は旅行の本ばかり読んでいます。"]),
    ]


def test_assemblyai_utterances_in_milliseconds():
    doc = load("assemblyai.json")
    assert doc.speakers == ["A", "B", "C"]
    assert rows(doc) == [
        ("A", 240, 3_900, ["それでは始めましょう。", "今日は三人で話します。"]),
        ("B", 4_300, 6_100, ["よろしくお願いします。"]),
        ("C", 6_500, 8_000, ["よろしくです。"]),
    ]
    first = doc.paragraphs[0].sentences
    # The second sentence starts part-way through the utterance, in proportion to its text.
    assert 240 < first[1].cues[0].start_ms < 3_900
    assert first[0].cues[-1].end_ms <= first[1].cues[0].start_ms


def test_pasted_json_without_a_file_name_is_detected():
    data = json.dumps({"segments": [{"start": 1.0, "end": 2.5, "text": "こんにちは。"}]})
    doc = segment_document(data)
    assert rows(doc) == [(None, 1_000, 2_500, ["こんにちは。"])]


def test_a_transcript_line_starting_with_a_bracket_is_not_json():
    doc = segment_document("[00:00:05] 木村: こんばんは。\n[00:00:12] 林: どうも。\n")
    assert [p.speaker for p in doc.paragraphs] == ["木村", "林"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"segments": [{"start": 1, "end": 0.5, "text": "あ"}]}', "ends before it starts"),
        ('{"segments": [{"start": "x", "end": 1, "text": "あ"}]}', "not a number"),
        ('{"segments": [{"start": 1e300, "end": 1e301, "text": "あ"}]}', "not a usable time"),
        ('{"segments": [{"start": 0, "end": 1}]}', 'has no "text"'),
        ('{"segments": []}', "no transcript text"),
        ('{"foo": 1}', "nor a speech-recognition transcript"),
        ('{"segments": [', "invalid JSON at line 1"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "jimaku-project", "episode": {}}', "project file"),
    ],
)
def test_bad_json_is_refused_in_one_line(data, message):
    with pytest.raises(FormatError) as info:
        segment_document(data.encode(), ImportRequest(filename="x.json"))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, InputError)


def test_json_over_the_character_limit_is_refused_before_segmentation(monkeypatch):
    from translator.core import formats
    from translator.core.errors import InputTooLargeError

    monkeypatch.setattr(formats, "MAX_TEXT_CHARS", 10)
    data = json.dumps({"segments": [{"start": 0, "end": 1, "text": "あ" * 11}]})
    with pytest.raises(InputTooLargeError, match="over the limit of 10"):
        segment_document(data)
