import io
import warnings

import pysubs2
import pytest
import srt
import webvtt
from hypothesis import HealthCheck, given, settings

from tests.core.test_subtitles import episodes, make_episode
from translator.core.export_types import SubtitleOptions
from translator.core.subtitles import SubtitleEvent, build_subtitles
from translator.core.writers import (
    EN_STYLE,
    JA_STYLE,
    SubtitleTimeError,
    UnknownFormatError,
    render_subtitles,
    suggested_filename,
)


def vtt_ms(stamp: str) -> int:
    """webvtt-py's *_in_seconds are whole seconds: read the timestamp text instead."""
    hms, ms = stamp.split(".")
    h, m, sec = (int(x) for x in hms.split(":"))
    return ((h * 60 + m) * 60 + sec) * 1000 + int(ms)


def events():
    return build_subtitles(make_episode(), SubtitleOptions(layout="bilingual")).events


def nasty_event():
    return SubtitleEvent(
        start_ms=1001,
        end_ms=3457,
        en_lines=['<script>alert("x")</script> & {brace}', "back\\Nslash --> arrow"],
        ja_lines=["日本語の行"],
        speaker="A <b>&",
        segment_index=0,
    )


@pytest.mark.parametrize("layout", ["en", "ja", "bilingual", "bilingual-ja-first"])
def test_srt_parses_with_pysubs2_and_srt(layout):
    evs = events()
    text = render_subtitles(evs, fmt="srt", layout=layout)
    subs = pysubs2.SSAFile.from_string(text, format_="srt")
    parsed = list(srt.parse(text))
    assert len(subs) == len(parsed) > 0
    for a, b in zip(subs, parsed, strict=True):
        assert a.start == int(b.start.total_seconds() * 1000)
        assert a.end == int(b.end.total_seconds() * 1000)
    if layout == "bilingual":
        first = parsed[0].content.split("\n")
        assert first == ["Hello, everyone.", "はい皆さんこんにちは。"]
    if layout == "bilingual-ja-first":
        assert parsed[0].content.split("\n") == ["はい皆さんこんにちは。", "Hello, everyone."]


def test_srt_times_round_trip_to_the_millisecond():
    evs = [nasty_event()]
    subs = pysubs2.SSAFile.from_string(render_subtitles(evs, fmt="srt", layout="en"), format_="srt")
    assert (subs[0].start, subs[0].end) == (1001, 3457)
    vtt = webvtt.from_string(render_subtitles(evs, fmt="vtt", layout="en"))
    assert vtt_ms(vtt.captions[0].start) == 1001
    assert vtt_ms(vtt.captions[0].end) == 3457


@pytest.mark.parametrize("voice", [False, True])
@pytest.mark.parametrize("layout", ["en", "ja", "bilingual", "bilingual-ja-first"])
def test_vtt_parses_with_pysubs2_and_webvtt(layout, voice):
    evs = events()
    opts = SubtitleOptions(layout=layout, voice_tags=voice)
    text = render_subtitles(evs, fmt="vtt", options=opts)
    assert text.startswith("WEBVTT")
    subs = pysubs2.SSAFile.from_string(text, format_="vtt")
    vtt = webvtt.from_string(text)
    assert len(subs) == len(vtt.captions) > 0
    for a, b in zip(subs, vtt.captions, strict=True):
        assert a.start == vtt_ms(b.start)
        assert a.end == vtt_ms(b.end)
    cap = vtt.captions[0]
    if layout in ("bilingual", "bilingual-ja-first"):
        assert "<lang en>" in cap.raw_text and "<lang ja>" in cap.raw_text
        assert "Hello, everyone." in cap.text and "はい皆さんこんにちは。" in cap.text
    if voice:
        assert cap.voice == "Nagano"


def test_vtt_escapes_text():
    text = render_subtitles(
        [nasty_event()], fmt="vtt", layout="en", options=SubtitleOptions(voice_tags=True)
    )
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "--&gt; arrow" in text
    assert "<v A &lt;b&gt;&amp;>" in text
    assert "back\\\u2060Nslash" in text  # a literal backslash-N is not a line break
    cap = webvtt.from_string(text).captions[0]
    assert len(cap.lines) == 2


def test_srt_keeps_literal_backslash_and_braces():
    text = render_subtitles([nasty_event()], fmt="srt", layout="en")
    content = next(srt.parse(text)).content
    assert "{brace}" in content
    assert content.count("\n") == 1


def test_ass_has_two_styles_and_positions():
    text = render_subtitles(events(), fmt="ass", layout="bilingual")
    subs = pysubs2.SSAFile.from_string(text, format_="ass")
    assert set(subs.styles) == {EN_STYLE, JA_STYLE}
    assert subs.styles[JA_STYLE].alignment == pysubs2.Alignment.TOP_CENTER
    assert subs.styles[EN_STYLE].alignment == pysubs2.Alignment.BOTTOM_CENTER
    assert "CJK" in subs.styles[JA_STYLE].fontname
    assert subs.info["PlayResX"] == "1920" and subs.info["PlayResY"] == "1080"
    styles = {e.style for e in subs}
    assert styles == {EN_STYLE, JA_STYLE}
    first_en = next(e for e in subs if e.style == EN_STYLE)
    assert first_en.text == "Hello, everyone."
    assert first_en.name == "Nagano"
    # ASS stores centiseconds
    assert first_en.start == 0 and first_en.end % 10 == 0


def test_ass_braces_do_not_become_override_tags():
    text = render_subtitles([nasty_event()], fmt="ass", layout="en")
    subs = pysubs2.SSAFile.from_string(text, format_="ass")
    assert "brace" in subs[0].plaintext


def test_unknown_format():
    with pytest.raises(UnknownFormatError):
        render_subtitles(events(), fmt="sbv")


def test_suggested_filename():
    assert suggested_filename("Episode Title!", "srt", "bilingual") == "episode-title.bilingual.srt"
    assert suggested_filename("Ｈｅｒｏｋｕ Café", "vtt", "en") == "heroku-cafe.en.vtt"
    assert suggested_filename("ここだけの話", "html", episode_id=7) == "episode-7.html"
    assert suggested_filename("ここだけの話", "md") == "episode.md"
    assert suggested_filename("../../etc/passwd", "txt") == "etc-passwd.txt"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(episodes())
def test_property_round_trip_all_formats(ep):
    evs = build_subtitles(ep, SubtitleOptions(layout="bilingual")).events
    shown = [ev for ev in evs if ev.en_lines or ev.ja_lines]
    for fmt in ("srt", "vtt"):
        text = render_subtitles(evs, fmt=fmt, layout="bilingual")
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
        assert [(e.start, e.end) for e in subs] == [(e.start_ms, e.end_ms) for e in shown]
    parsed = list(srt.parse(render_subtitles(evs, fmt="srt", layout="en")))
    assert len(parsed) == sum(1 for ev in evs if ev.en_lines)
    vtt = webvtt.read_buffer(io.StringIO(render_subtitles(evs, fmt="vtt", layout="bilingual")))
    assert len(vtt.captions) == len(shown)


def _long_episode_events():
    """A five-hour-plus-five compilation: its last cues start past ten hours."""
    ten_h = 10 * 3600 * 1000
    return [
        SubtitleEvent(
            9 * 3600 * 1000, 9 * 3600 * 1000 + 2000, ["Nine hours in."], ["九時間"], None, 0
        ),
        SubtitleEvent(ten_h - 1500, ten_h + 1500, ["Across ten hours."], ["十時間"], None, 1),
        SubtitleEvent(ten_h + 61_234, ten_h + 63_456, ["Past ten hours."], ["十時間過ぎ"], None, 2),
    ]


@pytest.mark.parametrize("fmt", ["ass", "srt", "vtt"])
def test_events_past_ten_hours_keep_their_times(fmt):
    """pysubs2's ASS writer clamped every time past 9:59:59.99 (its RuntimeWarning) so a
    ten-hour event ended before it started; libass reads any number of hour digits."""
    evs = _long_episode_events()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Overflow ... clamping" warning
        text = render_subtitles(evs, fmt=fmt, layout="en")
    if fmt == "ass":
        assert "Dialogue: 0,9:59:58.50,10:00:01.50,English" in text
        assert "10:01:01.23,10:01:03.46" in text  # rounded to centiseconds like Aegisub
    back = pysubs2.SSAFile.from_string(text)
    step = 10 if fmt == "ass" else 1
    for ev, parsed in zip(evs, back, strict=True):
        assert abs(parsed.start - ev.start_ms) < step and abs(parsed.end - ev.end_ms) < step
        assert parsed.end > parsed.start


def test_past_the_latest_time_any_format_holds_is_refused_in_one_line():
    late = SubtitleEvent(
        100 * 3600 * 1000 - 500, 100 * 3600 * 1000 + 700, ["Too late."], [], None, 0
    )
    for fmt in ("ass", "srt", "vtt"):
        with pytest.raises(SubtitleTimeError) as info:
            render_subtitles([late], fmt=fmt, layout="en")
        message = str(info.value)
        assert "100:00:00" in message and "99:59:59" in message and "\n" not in message
