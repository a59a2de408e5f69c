"""translator/core/segment_edit.py: the plain-data side of source edits, splits and merges."""

from __future__ import annotations

from translator.core import segment_edit as se


def test_clean_source_joins_lines_and_drops_invisible_characters():
    assert se.clean_source("  今日は\n  いい天気\r\n") == "今日はいい天気"
    assert se.clean_source("git push\nheroku master") == "git push heroku master"
    assert se.clean_source("字\x00幕\u200bです\u202e。") == "字幕です。"


def test_spread_times_keeps_the_span_gaps_and_proportions():
    out = se.spread_times([10, 5, 5], 1000, 5160, gap_ms=80)
    assert out[0][0] == 1000 and out[-1][1] == 5160
    assert all(b[0] - a[1] == 80 for a, b in zip(out, out[1:], strict=False))
    lengths = [e - s for s, e in out]
    assert abs(lengths[0] - 2 * lengths[1]) <= 2
    # no room for the gaps: cues touch, still in order and inside the span
    tight = se.spread_times([1, 1, 1], 0, 100, gap_ms=80)
    assert tight[0][0] == 0 and tight[-1][1] == 100
    assert all(a[1] <= b[0] for a, b in zip(tight, tight[1:], strict=False))


def test_split_english_at_caret_or_nearest_space():
    assert se.split_english("Hello there, friend.", at=12) == ("Hello there,", "friend.")
    assert se.split_english("Hello there, friend.", fraction=0.5) == ("Hello there,", "friend.")
    assert se.split_english("", fraction=0.5) == ("", "")
    assert se.split_english("abcdef", fraction=0.5) == ("abc", "def")


def test_split_source_refuses_an_empty_side_and_drops_spaces_at_the_cut():
    assert se.split_source("はい。", 0) is None
    assert se.split_source("はい。", 3) is None
    cut = se.split_source("git push heroku", 8)
    assert (cut.first, cut.second, cut.first_end, cut.second_start) == ("git push", "heroku", 8, 9)


def test_divide_cues_cuts_a_straddling_cue_by_characters():
    source = "あいうえおかきくけこ"
    cues = [se.CuePiece(0, 10, 1000, 2000, [source], [["かき", "x"]], id=7)]
    first, second = se.divide_cues(cues, se.split_source(source, 4), gap_ms=80)
    [a], [b] = first, second
    assert (a.source_start, a.source_end, b.source_start, b.source_end) == (0, 4, 0, 6)
    assert a.start_ms == 1000 and b.end_ms == 2000
    assert a.end_ms == 1400 - 40 and b.start_ms == 1400 + 40
    assert (a.id, b.id) == (7, None)  # the head stays the cue, the tail is a new one
    assert (a.ruby, b.ruby) == ([], [["かき", "x"]])


def test_join_source_spaces_only_latin():
    assert se.join_source("はい。", "どうも。") == ("はい。どうも。", "")
    assert se.join_source("git push", "heroku") == ("git push heroku", " ")
