"""Cues shown at the same time on purpose (issue 13): a sign during a long line, a second
speaker inside it. Before, the export's timing rules (no overlap, 2-frame gap) cut the long
line's end at the nested cue's start: a 6 s line showed for 0.92 s. Now each such cue is in its
own lane and keeps its time; sloppy tail overlaps are still resolved by the smallest change.

Players: ASS — all events on layer 0, so libass (mpv, VLC, FFmpeg) stacks them by collision
instead of drawing one over the other; WebVTT — the spec lays out simultaneous cues one above
the other; SRT — no spec, but VLC, mpv and FFmpeg-based players show overlapping cues together,
stacked (a few hardware players show one at a time)."""

from __future__ import annotations

import io

import pysubs2
import pytest
import webvtt

from tests.core.test_subtitle_corpus import load
from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment, SubtitleOptions
from translator.core.subtitles import GAP, build_subtitles
from translator.core.timing_rules import (
    TimingRules,
    apply_timing_rules,
    is_simultaneous,
    timing_lanes,
)
from translator.core.writers import render_subtitles

ENGLISH = {
    "駅前に新しいパン屋さんができたから": "There's a new bakery by the station, want to stop by?",
    "ベーカリー": "Bakery Komugi",
    "えっ": "Huh?",
    "行く行く！": "Count me in!",
    "あそこのメロンパン": "I've wanted to try their melon bread.",
    "じゃあ": "Then it's settled.",
}


def imported(name: str) -> ExportEpisode:
    """The fixture as the import makes it, with English, as the export reads it."""
    doc = load(name)
    segments = []
    for p in doc.paragraphs:
        for s in p.sentences:
            text = next(en for ja, en in ENGLISH.items() if s.text.startswith(ja))
            cues = [
                ExportCue(
                    c.start_ms, c.end_ms, s.text[c.source_start : c.source_end], tuple(c.lines)
                )
                for c in s.cues
            ]
            n = len(segments)
            segments.append(
                ExportSegment(
                    n, str(p.kind), n, p.speaker, p.speaker, s.text, text, "approved", cues
                )
            )
    return ExportEpisode("t", segments)


@pytest.mark.parametrize("name", ["overlap_nested.ass", "overlap_nested.srt"])
@pytest.mark.parametrize("layout", ["en", "bilingual"])
def test_a_long_line_keeps_its_end_under_a_nested_cue(name, layout):
    build = build_subtitles(imported(name), SubtitleOptions(layout=layout))
    by_text = {ev.en_lines[0]: ev for ev in build.events}
    long_line = next(ev for t, ev in by_text.items() if t.startswith("There's a new bakery"))
    assert (long_line.start_ms, long_line.end_ms) == (1000, 7000)  # before: (1000, 1920)
    assert long_line.lane == 0
    inside = [ev for ev in build.events if 1000 < ev.start_ms < 7000]
    assert inside and all(ev.lane > 0 and ev.end_ms <= 7000 for ev in inside)
    assert build.report.simultaneous_events == len(inside)
    assert GAP not in long_line.violations  # overlapping on purpose is not a broken gap
    # A tail overlap of 200 ms (10.2 s into a cue ending at 10.4 s) is sloppy timing: the
    # earlier cue ends 2 frames before the next, the smallest change.
    melon = by_text["I've wanted to try their melon bread."]
    settled = by_text["Then it's settled."]
    assert (melon.end_ms, settled.start_ms) == (10120, 10200) and melon.lane == settled.lane == 0


def test_ass_keeps_the_overlap_on_one_layer_for_libass_to_stack():
    build = build_subtitles(imported("overlap_nested.ass"), SubtitleOptions(layout="bilingual"))
    subs = pysubs2.SSAFile.from_string(render_subtitles(build.events, fmt="ass"))
    english = [(e.start, e.end, e.layer) for e in subs if e.style == "English"]
    assert (1000, 7000, 0) in english
    assert {layer for _s, _e, layer in english} == {0}
    assert any(1000 < s < 7000 for s, _e, _l in english)


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_srt_and_vtt_keep_the_overlapping_cues(fmt):
    build = build_subtitles(imported("overlap_nested.srt"), SubtitleOptions(layout="en"))
    text = render_subtitles(build.events, fmt=fmt, layout="en")
    subs = pysubs2.SSAFile.from_string(text)
    assert [(e.start, e.end) for e in subs][:2] == [(1000, 7000), (3500, 5000)]
    if fmt == "vtt":
        captions = webvtt.from_buffer(io.StringIO(text))
        assert captions[0].end == "00:00:07.000" and captions[1].start == "00:00:03.500"


def test_lanes():
    assert is_simultaneous((1000, 7000), (3000, 4000))  # nested
    assert is_simultaneous((1000, 4000), (2000, 5000))  # 2 s overlap
    assert is_simultaneous((1000, 3000), (2400, 3500))  # over half of the later one
    assert not is_simultaneous((1000, 3000), (2800, 6000))  # 200 ms tail: sloppy timing
    assert not is_simultaneous((1000, 3000), (3000, 4000))
    spans = [(1000, 7000), (2000, 5000), (3500, 5000), (7600, 10400), (10200, 12800)]
    assert timing_lanes(spans) == [0, 1, 2, 0, 0]
    rules = TimingRules()
    kept = apply_timing_rules(spans, rules, lanes=timing_lanes(spans))
    assert kept[:3] == spans[:3] and kept[3] == (7600, 10120)
    # Without lanes (import and alignment): one run, no overlap at all.
    flat = apply_timing_rules(spans, rules)
    assert all(a[1] <= b[0] for a, b in zip(flat, flat[1:], strict=False))
