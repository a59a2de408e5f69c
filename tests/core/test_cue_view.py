"""The cue view's core: clock labels, the rules for a hand-set time, fitting around hand-set
cues, and a sentence's cues as the export shows them."""

from __future__ import annotations

from translator.core.cue_view import (
    Neighbour,
    check_retime,
    clock,
    cue_rows,
    first_overlap,
    fit_around_fixed,
)
from translator.core.export_types import ExportCue, ExportSegment, SubtitleOptions
from translator.core.subtitles import distribute_english


def test_clock():
    assert clock(0) == "00:00:00.000"
    assert clock(3_723_400) == "01:02:03.400"
    assert clock(None) == "—"


PREV = Neighbour(4, 1, 1000, 2900, "prev")
NEXT = Neighbour(5, 2, 6000, 8000, "next")


def test_rules_name_the_neighbour_and_allow_what_was_already_so():
    assert check_retime((3000, 5000), (3000, 5000), [PREV, NEXT]) is None
    broken = check_retime((2950, 5000), (3000, 5000), [PREV, NEXT])
    assert broken.rule == "gap" and broken.neighbour == PREV
    assert broken.message == (
        "Only 50 ms from row 4, cue 1 (00:00:01.000–00:00:02.900); cues are at least 80 ms apart."
    )
    # already 20 ms from the next cue: moving the start is fine, moving closer is not
    assert check_retime((3100, 5980), (3000, 5980), [PREV, NEXT]) is None
    assert check_retime((3000, 5990), (3000, 5980), [PREV, NEXT]).rule == "gap"
    assert check_retime((8100, 9000), (3000, 5000), [PREV, NEXT]).rule == "order"
    assert check_retime((3000, 3500), (None, None), []).rule == "duration_short"
    assert check_retime((3000, 3500), (3000, 3400), []) is None  # longer than it was


def test_first_overlap():
    assert first_overlap((2000, 4000), [NEXT, PREV]) == PREV
    assert first_overlap((3000, 4000), [NEXT, PREV]) is None


def test_fit_around_fixed_moves_the_others_never_the_fixed():
    spans = [(0, 2000), (1500, 4000), (3500, 6000), None, (5900, 7000)]
    fixed = [False, False, True, False, False]
    out = fit_around_fixed(spans, fixed)
    assert out[2] == (3500, 6000) and out[3] is None
    assert out[1] == (1500, 3420)
    assert out[4] == (6080, 7000)
    assert out[0] == (0, 2000)


def test_cue_rows_follow_the_export_distribution():
    text = (
        "This is a long English sentence that the export has to spread over three "
        "Japanese cues because it will not fit in one."
    )
    cues = [
        ExportCue(0, 2000, "これは長い", ("これは長い",)),
        ExportCue(2100, 4000, "英語の文で", ()),
        ExportCue(4100, 6500, "三つに分かれます。", ()),
    ]
    seg = ExportSegment(
        0,
        "transcript",
        0,
        "A",
        "A",
        "これは長い英語の文で三つに分かれます。",
        text,
        "machine",
        cues,
    )
    rows = cue_rows(seg, next_start_ms=9000)
    parts = distribute_english(
        text, [(0, 2000), (2100, 4000), (4100, 6500)], next_start_ms=9000, options=SubtitleOptions()
    )
    shown = [r for r in rows if r.part_cues]
    assert len(shown) == len(parts)
    assert " ".join(" ".join(r.en_lines) for r in shown) == text
    for part in parts:
        assert rows[part.first_cue].part_cues == part.last_cue - part.first_cue + 1
        for j in range(part.first_cue + 1, part.last_cue + 1):
            assert rows[j].part_cues == 0 and rows[j].shared_with == j - part.first_cue
    assert rows[0].ja_lines == ["これは長い"]
    assert rows[0].cps_ja == round(5 * 1000 / 2000, 1)
    assert all(r.cps_en is not None for r in shown)
