"""The input-format registry, the request dataclasses and the helpers the layers share."""

from __future__ import annotations

import json

import pytest

from translator.core.errors import FormatError
from translator.core.formats import (
    FORMAT_NAMES,
    INPUT_FORMATS,
    detect_format,
    extensions,
    format_for_filename,
    get_format,
)
from translator.core.pipeline import segment_document
from translator.core.requests import ExportRequest, ImportRequest
from translator.core.transcript import format_timestamp
from translator.core.types import speaker_display_name

SSA_V4 = (
    "[Script Info]\nScriptType: v4.00\n\n[V4 Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, TertiaryColour, "
    "BackColour, Bold, Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
    "MarginV, AlphaLevel, Encoding\n"
    "Style: Default,Arial,20,16777215,65535,65535,0,0,0,1,2,2,2,10,10,10,0,128\n\n"
    "[Events]\nFormat: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    "Dialogue: Marked=0,0:00:01.00,0:00:03.00,Default,,0,0,0,,今日はいい天気ですね。\n"
    "Dialogue: Marked=0,0:00:04.00,0:00:06.00,Default,,0,0,0,,そうですね、散歩しましょう。\n"
)


def test_every_format_has_a_unique_name_alias_and_extension():
    names = [f.name for f in INPUT_FORMATS] + [a for f in INPUT_FORMATS for a in f.aliases]
    assert len(names) == len(set(names))
    exts = extensions()
    assert len(exts) == len(set(exts)) and all(e.startswith(".") for e in exts)
    assert FORMAT_NAMES == ("text", "srt", "vtt", "ass", "json")
    assert extensions(timed_file=True) == (".srt", ".vtt", ".ass", ".ssa")


@pytest.mark.parametrize("name", ["ssa", "SSA", "ass", "Ass"])
def test_the_ssa_alias_and_any_case_resolve_in_one_place(name):
    assert get_format(name).name == "ass"


def test_an_unknown_format_names_the_choices_in_one_line():
    with pytest.raises(FormatError) as info:
        get_format("docx")
    assert str(info.value) == (
        "unsupported format 'docx' (use one of: auto, text, srt, vtt, ass, json)"
    )


def test_an_ssa_file_imports_by_alias_by_extension_and_by_content():
    by_alias = segment_document(SSA_V4, ImportRequest(format="ssa"))
    by_name = segment_document(SSA_V4.encode(), ImportRequest(filename="old.ssa"))
    assert by_alias.source_format == by_name.source_format == "ass"
    assert [s.text for p in by_alias.paragraphs for s in p.sentences] == [
        s.text for p in by_name.paragraphs for s in p.sentences
    ]
    assert detect_format(SSA_V4) == "ass"


def test_detection_reads_json_first_then_content_then_the_extension():
    whisper = json.dumps({"segments": [{"start": 0, "end": 1, "text": "はい。"}]})
    assert detect_format(whisper) == "json"
    assert detect_format("ただの文章です。", "notes.json") == "json"
    assert detect_format("[00:00:05] 木村: こんばんは。") == "text"
    assert detect_format("ただの文章です。", "x.vtt") == "vtt"
    assert format_for_filename("Episode.MD").name == "text"
    assert format_for_filename("episode.docx") is None


def test_import_options_round_trip_without_data_or_preview_choices():
    request = ImportRequest(
        filename="a.srt",
        format="srt",
        encoding="cp932",
        title="T",
        duration_ms=60_000,
        target_language="EN-GB",
        check_language=False,
        track="zh",
        kinds={3: "left_out"},
        english_file=b"1\n",
    )
    options = request.to_options()
    assert json.loads(json.dumps(options)) == options  # kept in a session or a job's JSON
    assert "filename" not in options and "english_file" not in options and "kinds" not in options
    again = ImportRequest.from_options({**options, "token": "x"}, filename="a.srt")
    assert again == request.replace(kinds=None, english_file=None)


def test_export_request_builds_the_core_options():
    request = ExportRequest(format="srt", layout="en", strict_reading_speed=True, fps=24.0)
    subtitle = request.subtitle_options(title="Ep")
    assert (subtitle.max_cps_en, subtitle.fps, subtitle.layout, subtitle.title) == (
        17.0,
        24.0,
        "en",
        "Ep",
    )
    assert ExportRequest(format="srt").subtitle_options().max_cps_en == 20.0
    transcript = ExportRequest(format="md", timestamps=True, approved_only=True)
    assert transcript.transcript_options().timestamps
    assert transcript.transcript_options().approved_only


def test_speaker_display_name_joins_joint_labels():
    names = {"友野": "Tomono", "澤": "Sawa"}
    assert speaker_display_name("友野・澤", names) == "Tomono & Sawa"
    assert speaker_display_name("新人", names) == "新人"
    assert speaker_display_name("", names) is None
    assert speaker_display_name(None, names) is None


def test_format_timestamp_is_empty_when_untimed():
    assert format_timestamp(None) == ""
    assert format_timestamp(65_400) == "01:05"
    assert format_timestamp(3_725_000) == "1:02:05"
    assert format_timestamp(-20) == "00:00"
