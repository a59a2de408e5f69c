"""Romaji (Japanese in Latin letters: OP/ED karaoke romaji, lyric lines) is a track of its own,
neither the Japanese source nor the English (issue 13). Fixtures written for this project on
the structure of real fansub karaoke: ``{\\kf32}yo{\\kf28}a{\\kf30}ke`` per syllable, the
song in three styles (kanji, romaji, English), romaji-over-English lyric cues in SRT."""

from __future__ import annotations

import pytest

from tests.core.test_subtitle_corpus import load, turns
from translator.core.tracks import EN, JA, ROMAJI, has_karaoke, is_romaji, line_language, style_hint


@pytest.mark.parametrize(
    "line",
    [
        "yoake no sora ni",
        "kimi no namae wo yonde miru",
        "doko made mo tsuzuku michi",
        "tooi koe ga yonderu",
        "Kokoro no oku de shinjite ita",
        "itsuka kitto aeru yo ne",
        "hashiridashita ashita e",  # doubled consonants, sh/ch
        "Tōkyō no machi wa kyō mo ame",  # macrons
        "zutto issho ni itai",
    ],
)
def test_romaji_lines(line):
    assert is_romaji(line)
    assert line_language(line) == ROMAJI


@pytest.mark.parametrize(
    "line",
    [
        "To the sky at dawn",
        "I reach out my hand",
        "A distant voice is calling me",
        "We are going to see the sea",
        "Take me home tonight",
        "I see you",  # syllable strings, but too short to tell without karaoke
        "Our tool shows the text in red when it goes over the limit.",
        "Tanaka and Yamaguchi",
        "OK",
    ],
)
def test_english_lines_are_not_romaji(line):
    assert not is_romaji(line)
    assert line_language(line) == EN


def test_karaoke_tags_tell_a_short_line():
    assert has_karaoke(r"{\kf45}sou {\kf40}da {\kf70}ne") and has_karaoke(r"{\K20}a")
    assert not has_karaoke(r"{\i1}sou da ne{\i0}")
    assert line_language("sou da ne", karaoke=True) == ROMAJI
    assert line_language("sou da ne") == EN  # three short words: not enough without karaoke
    assert line_language("La la la", karaoke=True) == EN  # no "l" in Japanese syllables
    assert line_language("I reach out my hand", karaoke=True) == EN


@pytest.mark.parametrize("style", ["Romaji", "OP-Romaji", "ED Rom", "op_romaji", "Kara-Romanji"])
def test_romaji_style_names(style):
    assert style_hint(style) == ROMAJI


def test_romaji_styles_are_not_other_hints():
    assert style_hint("OP-Kanji") is None
    assert style_hint("OP-English") == EN
    assert style_hint("Romance") is None


def test_fansub_op_karaoke_in_three_styles():
    """Before: the romaji joined the English track (10 events, ``yoake no sora ni / To the
    sky at dawn``) and was offered as the file's existing English."""
    doc = load("karaoke_romaji_op.ass")
    tracks = {t["name"]: t for t in doc.report.tracks}
    assert doc.report.chosen_track == JA
    assert set(tracks) == {JA, ROMAJI, EN}
    assert tracks[ROMAJI]["events"] == 6 and tracks[ROMAJI]["styles"] == ["OP-Romaji", "ED Rom"]
    assert tracks[EN]["events"] == 4 and tracks[EN]["styles"] == ["OP-English"]
    assert doc.other_tracks[ROMAJI][0].text == "yoake no sora ni"
    assert [x.text for x in doc.other_tracks[ROMAJI]][-2:] == ["sou da ne", "mata ashita ne"]
    english = [x.text for x in doc.other_tracks[EN]]
    assert english[:3] == [
        "To the sky at dawn",
        "I reach out my hand",
        "A distant voice is calling me",
    ]
    source = " ".join(s for _kind, _sp, sents in turns(doc) for s in sents)
    assert "yoake" not in source and "sou da ne" not in source and "dawn" not in source
    assert "夜明けの空に" in source and "おはよう" in source


def test_srt_lyric_cues_split_romaji_from_english():
    doc = load("romaji_lyrics.srt")
    tracks = {t["name"]: t["events"] for t in doc.report.tracks}
    assert tracks == {ROMAJI: 3, EN: 3, JA: 3}
    assert doc.report.chosen_track == JA
    assert [x.text for x in doc.other_tracks[ROMAJI]][0] == "♪ kaze ni fukarete aruiteku ♪"
    assert [x.text for x in doc.other_tracks[EN]][0] == "♪ Walking on, blown by the wind ♪"
    assert [sp for _k, sp, _s in turns(doc)] == ["ミナ", "ソラ", "ミナ"]


def test_a_file_without_japanese_does_not_take_romaji_as_its_source():
    doc = load("karaoke_romaji_op.ass")  # sanity: Japanese present, chosen
    assert doc.report.chosen_track == JA
    from translator.core.subtitle_input import default_track

    assert default_track({ROMAJI: [1, 2, 3], EN: [1]}) == EN
    assert default_track({ROMAJI: [1]}) == ROMAJI
