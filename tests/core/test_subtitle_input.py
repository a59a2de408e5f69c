import pytest

from translator.core.errors import FormatError
from translator.core.formats import detect_format
from translator.core.subtitle_input import parse_timed
from translator.core.types import Timing

SRT = """1
00:00:01,000 --> 00:00:03,000
（永野）はい皆さん
こんにちは。今日は

2
00:00:03,500 --> 00:00:06,000
<i>いい天気</i>ですね。

3
00:00:06,500 --> 00:00:08,000
友野：そうですね。
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:02.500
<v 佐藤>字幕の話を
しましょう。

00:00:03.000 --> 00:00:04.000
<v 田中>git push origin main
で共有します。
"""

ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.00,Default,澤,0,0,0,,{\\i1}こんにちは{\\i0}。
Comment: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,メモ
Dialogue: 0,0:00:02.50,0:00:04.00,Default,澤,0,0,0,,よろしく\\Nお願いします。
"""


def test_detect_format():
    assert detect_format(SRT) == "srt"
    assert detect_format(VTT) == "vtt"
    assert detect_format(ASS) == "ass"
    assert detect_format("永野: こんにちは", "a.srt") == "srt"
    assert detect_format("永野: こんにちは", "a.md") == "text"
    assert detect_format("永野: こんにちは") == "text"


def test_srt_speakers_markup_and_split_cue():
    doc = parse_timed(SRT, "srt")
    assert [(p.speaker, p.raw_text) for p in doc.paragraphs] == [
        ("永野", "はい皆さんこんにちは。今日はいい天気ですね。"),
        ("友野", "そうですね。"),
    ]
    first, second = doc.paragraphs[0].sentences
    assert first.text == "はい皆さんこんにちは。"
    assert first.cues[0].lines == ["はい皆さん", "こんにちは。"]
    assert (first.cues[0].start_ms, first.cues[0].timing) == (1000, Timing.IMPORTED)
    # Cue 1 holds the end of sentence 1 and the start of sentence 2: its span is divided.
    split_at = first.cues[0].end_ms
    assert 1000 < split_at < 3000 and second.cues[0].start_ms == split_at
    assert second.cues[0].lines == ["今日は"] and second.cues[0].end_ms == 3000
    assert second.cues[1].lines == ["いい天気ですね。"]
    assert len(doc.paragraphs[0].source_events) == 2 and doc.duration_ms == 8000


def test_vtt_voice_and_latin_join():
    doc = parse_timed(VTT, "vtt")
    assert [p.speaker for p in doc.paragraphs] == ["佐藤", "田中"]
    assert doc.paragraphs[0].raw_text == "字幕の話をしましょう。"
    assert doc.paragraphs[1].raw_text == "git push origin mainで共有します。"


def test_ass_name_field_tags_and_comments():
    doc = parse_timed(ASS, "ass")
    (para,) = doc.paragraphs
    assert para.speaker == "澤"
    assert [s.text for s in para.sentences] == ["こんにちは。", "よろしくお願いします。"]
    assert para.sentences[1].cues[0].lines == ["よろしく", "お願いします。"]


@pytest.mark.parametrize(
    ("text", "fmt", "line_no"),
    [
        ("1\n00:00:01,000 --> 00:00:0x,000\nあ\n", "srt", 2),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n", "vtt", 3),
        ("just some garbage\nwith no cues\n", "srt", None),
        ("[Script Info]\nTitle: x\n", "ass", None),
    ],
)
def test_malformed_files_name_the_line(text, fmt, line_no):
    """Refused only when nothing can be read; the message names the first damaged line."""
    with pytest.raises(FormatError) as info:
        parse_timed(text, fmt)
    assert info.value.line_no == line_no
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "code", "line_no"),
    [
        ("1\n00:00:01,000 --> 00:00:00,500\nあ\n", "end_before_start", 2),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nあ\n\n2\n00:00:03,000 --> 00:00:04,000\n",
            "no_text",
            6,
        ),
    ],
)
def test_one_damaged_cue_is_repaired_or_left_out_and_reported(text, code, line_no):
    doc = parse_timed(text, "srt")
    assert "".join(p.raw_text for p in doc.paragraphs) == "あ"
    entry = doc.report.entry(code)
    assert entry is not None and entry.count == 1 and entry.examples[0].line_no == line_no


YOUTUBE_VTT = """WEBVTT
Kind: captions
Language: ja

00:00:01.000 --> 00:00:03.000
今日は<00:00:01.500><c>字幕の</c><00:00:02.200><c>話です</c>

00:00:03.000 --> 00:00:05.000
次に<00:00:03.800><c>翻訳の話</c>
"""


def test_vtt_word_timestamps_do_not_split_events():
    """pysubs2 reads a text line with exactly two timestamps as a timing line; word-timed
    YouTube captions must keep every line and no timestamp residue."""
    doc = parse_timed(YOUTUBE_VTT, "vtt")
    text = "".join(p.raw_text for p in doc.paragraphs)
    assert text == "今日は字幕の話です次に翻訳の話"


def test_caption_lines_keep_word_timestamps_for_alignment():
    from translator.core.subtitle_input import read_caption_lines

    lines = read_caption_lines(YOUTUBE_VTT, "vtt")
    assert [(line.start_ms, line.end_ms) for line in lines] == [(1000, 3000), (3000, 5000)]
    assert lines[0].text == "今日は<00:00:01.500>字幕の<00:00:02.200>話です"
