"""After a cue is retimed by hand, the exported SRT / WebVTT / ASS carry the new times and still
keep the timing rules; the cue view shows the numbers the export uses."""

from __future__ import annotations

import pysubs2
import pytest

from tests.support.factories import timed_episode
from translator.core.requests import ExportRequest
from translator.core.subtitles import build_subtitles
from translator.core.timing_rules import TimingRules
from translator.models import Cue
from translator.selectors import cues as cue_selectors
from translator.services import timing_edit
from translator.services.exporting import export_episode_data, export_file

pytestmark = pytest.mark.django_db


def _episode():
    return timed_episode(
        5,
        speakers=[("永野", "Nagano")],
        label=lambda i: "永野",
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: f"This is sentence number {i}.",
    )


def _retime(ep, order, start, end, user):
    cue = Cue.objects.get(segment__episode=ep, segment__order=order)
    return timing_edit.retime_cue(
        cue_id=cue.pk, start_ms=start, end_ms=end, base_version=cue.version, user=user
    )


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
@pytest.mark.parametrize("layout", ["en", "bilingual"])
def test_export_carries_the_new_times_and_keeps_the_rules(translator_user, fmt, layout):
    ep = _episode()
    _retime(ep, 1, 3150, 5600, translator_user)  # both edges later
    _retime(ep, 2, 5700, 8500, translator_user)  # earlier start, 100 ms after row 2 ends
    exported = export_file(episode=ep, request=ExportRequest(format=fmt, layout=layout))
    subs = pysubs2.SSAFile.from_string(exported.content)
    events = sorted(subs.events, key=lambda e: e.start)
    if layout == "bilingual" and fmt == "ass":  # Japanese and English are separate events
        events = [e for e in events if "sentence" in e.plaintext]
    assert [(e.start, e.end) for e in events][1:3] == [(3150, 5600), (5700, 8500)]
    rules = TimingRules()
    for a, b in zip(events, events[1:], strict=False):
        assert b.start - a.end >= rules.min_gap_ms
    for e in events:
        assert rules.min_duration_ms <= e.end - e.start <= rules.max_duration_ms
    assert exported.report.violations["gap"] == exported.report.violations["duration"] == 0


def test_the_cue_view_shows_the_export_numbers(translator_user):
    ep = _episode()
    _retime(ep, 1, 3150, 4600, translator_user)
    rows = cue_selectors.cue_page(episode=ep).rows
    row = rows[1]
    assert (row.start_label, row.end_label, row.duration_label) == (
        "00:00:03.150",
        "00:00:04.600",
        "1.450",
    )
    assert row.timing == "manual" and row.timing_label == "hand-set"
    build = build_subtitles(export_episode_data(ep), cue_selectors.OPTIONS)
    event = next(ev for ev in build.events if ev.start_ms == 3150)
    assert row.lines.en_lines == event.en_lines
    assert row.lines.ja_lines == event.ja_lines
    chars = sum(len(x) for x in event.en_lines) + len(event.en_lines) - 1
    assert row.lines.cps_en == round(chars * 1000 / (event.end_ms - event.start_ms), 1)
