"""Where a sentence's English is cut between its cues follows the line-break rules (issue 17):
never after an article, a preposition or a conjunction, between an adjective and its noun, a
name's parts or a number and its unit; punctuation and clause boundaries near the point the
cues' durations give are preferred."""

from __future__ import annotations

import pytest

from translator.core.linebreak import (
    PEN_ADJ_NOUN,
    PEN_AFTER_CONJ,
    PEN_NEVER,
    boundary_penalties,
    break_english,
    break_penalty,
)
from translator.core.subtitles import distribute_english


def cut(text: str, spans, **kw) -> list[str]:
    return [p.text for p in distribute_english(text, spans, **kw)]


def test_the_issue_example_keeps_japanese_subtitles_together():
    # Before: "... mainly on Japanese" | "subtitles for movies and streaming dramas."
    text = (
        "Before that I worked at a subtitling company, mainly on Japanese subtitles for "
        "movies and streaming dramas."
    )
    parts = cut(text, [(0, 3600), (3600, 5700)])
    assert len(parts) == 2
    assert not parts[0].endswith("Japanese") and not parts[1].startswith("subtitles")
    assert " ".join(parts) == text


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        (
            "Today we talked with Tanaka and Yamaguchi about subtitles and translation.",
            "and",
            "Yamaguchi",
        ),
        (
            "The guideline says 13 characters a line and at most two lines a cue.",
            "13",
            "characters",
        ),
        ("Our guest today is Daigo Tomono from the support team in Tokyo.", "Daigo", "Tomono"),
        ("Without a final human check, the timing is always slightly off.", "final", "human"),
        (
            "We count full-width characters, and half-width ones count as a half.",
            "full-width",
            "characters",
        ),
        (
            "The tool sends the surrounding sentences to the engine as context.",
            "surrounding",
            "sentences",
        ),
        (
            'Splitting at a mid-sentence "desu ne" gives the engine a weird translation.',
            '"desu',
            'ne"',
        ),
    ],
)
def test_no_cut_inside_a_unit_whatever_the_proportional_point(text, left, right):
    words = text.split()
    k = words.index(left)
    assert words[k + 1].startswith(right)
    # Durations that put the proportional point exactly on the bad boundary.
    at = len(" ".join(words[: k + 1]))
    total = len(text)
    split_ms = round(6000 * at / total)
    parts = cut(text, [(0, split_ms), (split_ms, 6000)], next_start_ms=9000)
    assert " ".join(parts) == text
    for a, b in zip(parts, parts[1:], strict=False):
        assert not (a.endswith(left) and b.startswith(right)), parts
        assert break_penalty(a.split()[-1], b.split()[0]) < PEN_ADJ_NOUN, parts


def test_a_clause_boundary_near_the_proportional_point_wins():
    text = "We check the timing first, and then we fix the line breaks by hand."
    # The durations alone would cut after "and then" (about 8 characters later).
    parts = cut(text, [(0, 2400), (2400, 4800)])
    assert parts == ["We check the timing first,", "and then we fix the line breaks by hand."]


def test_the_cut_follows_the_cues_durations():
    text = (
        "Subtitlers watch the whole film first, then they translate, and at the end they "
        "check every cue against the picture."
    )
    short_first = cut(text, [(0, 2000), (2000, 7000)])
    long_first = cut(text, [(0, 5000), (5000, 7500)])
    assert short_first[0] == "Subtitlers watch the whole film first,"
    assert (
        long_first[0]
        == "Subtitlers watch the whole film first, then they translate, and at the end"
    )
    for parts in (short_first, long_first):
        assert break_penalty(parts[0].split()[-1], parts[1].split()[0]) < PEN_AFTER_CONJ


def test_rebalancing_a_fast_cue_keeps_to_good_boundaries():
    """The first cue is too short for its proportional share: the cut moves, to a boundary
    that is not after an article or between an adjective and its noun."""
    text = "An engine like DeepL makes a first draft, and then a person revises the whole text."
    parts = distribute_english(text, [(0, 900), (900, 5200)])
    assert " ".join(p.text for p in parts) == text
    first = parts[0].text.split()
    assert break_penalty(first[-1], parts[1].text.split()[0]) < PEN_ADJ_NOUN
    assert first[-1] not in ("a", "the", "first")


def test_penalties_of_the_new_rules():
    assert break_penalty("and", "Yamaguchi") == PEN_AFTER_CONJ
    assert break_penalty("Japanese", "subtitles") == PEN_ADJ_NOUN
    assert break_penalty("speech", "recognition") == PEN_ADJ_NOUN  # a listed noun modifier
    assert break_penalty("13", "characters") == PEN_NEVER
    assert break_penalty("thirteen", "characters") == PEN_NEVER
    # Not adjective + noun: a predicate adjective before a pronoun or an adverb.
    assert break_penalty("final", "they") < PEN_ADJ_NOUN
    assert break_penalty("different", "too") < PEN_ADJ_NOUN
    assert break_penalty("they", "check") > break_penalty("end,", "they")  # subject + verb
    assert break_penalty("it", "goes") > break_penalty("goes", "over")
    assert break_penalty("team", "of") > break_penalty("team", "for")  # "of" binds
    assert break_penalty("distant", "voice") == PEN_ADJ_NOUN  # -ant / -ent adjectives
    assert break_penalty("moment", "people") < PEN_ADJ_NOUN  # a listed -ent noun
    words = ["the", "surrounding", "sentences", "say", '"desu', 'ne"', "here"]
    pens = boundary_penalties(words, " ".join(words))
    assert pens[1] == PEN_ADJ_NOUN and pens[4] >= 60


def test_a_team_of_five_stays_together():
    # The sample's 1.07 s + 3.14 s cues: before, "We're a team" | "of 5, and I mainly work…".
    parts = cut("We're a team of 5, and I mainly work on the editor.", [(0, 1071), (1151, 4294)])
    assert parts == ["We're a team of 5,", "and I mainly work on the editor."]


def test_lines_of_an_imported_english_track_start_new_cues():
    # An English track's lines joined without punctuation (a song's lines over its three cues).
    text = "To the sky at dawn I reach out my hand A distant voice is calling me"
    parts = cut(text, [(1000, 4800), (5000, 9200), (9400, 13000)])
    assert parts[-1] == "A distant voice is calling me"


def test_line_breaks_follow_the_same_rules():
    lines = break_english("Today we talked with Tanaka and Yamaguchi about subtitles.")
    assert not lines[0].endswith(" and")
    lines = break_english("I mostly worked on Japanese subtitles for streaming dramas and films.")
    assert not (lines[0].endswith("Japanese") and lines[1].startswith("subtitles"))
