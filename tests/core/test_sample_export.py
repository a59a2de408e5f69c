"""Subtitles of the real sample episode with its reference English: the style rules hold."""

from __future__ import annotations

import pytest

from tests.support.sample import sample_episode_with_reference
from translator.core.cues import display_units
from translator.core.export_types import SubtitleOptions
from translator.core.morph import tokenize
from translator.core.subtitles import build_subtitles


@pytest.fixture(scope="module")
def episode():
    return sample_episode_with_reference()


def test_english_subtitles_of_the_sample_meet_the_style_rules(episode):
    report = build_subtitles(episode, SubtitleOptions(layout="en")).report
    assert report.events > 150
    assert report.compliant_share >= 0.95, report.violations
    assert report.violations["line_length"] == 0
    assert report.violations["gap"] == 0


def test_no_english_word_is_lost(episode):
    events = build_subtitles(episode, SubtitleOptions(layout="en")).events
    shown = " ".join(" ".join(e.en_lines) for e in events).replace("- ", "").split()
    expected = " ".join(s.text for s in episode.segments if not s.is_untimed_text).split()
    assert shown == expected


def test_japanese_lines_break_at_phrase_boundaries(episode):
    events = build_subtitles(episode, SubtitleOptions(layout="bilingual")).events
    for event in events:
        for i, line in enumerate(event.ja_lines):
            assert display_units(line) <= 13 or len(tokenize(line)) == 1, line
            if i == 0:
                continue  # a sentence may start with では or でも
            first = tokenize(line)[0]
            assert first.pos1 not in ("助詞", "助動詞"), f"line starts with a particle: {line}"
        text = "".join(event.ja_lines)
        for number_and_counter in ("2016年", "8年", "5人", "2年間"):
            if number_and_counter in text:
                assert any(number_and_counter in line for line in event.ja_lines)
