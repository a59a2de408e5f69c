"""``manage.py align_timing``: take the timing of rough captions of the same recording."""

from __future__ import annotations

import pysubs2
import pytest

from translator.models import AlignmentRun, Cue

pytestmark = pytest.mark.django_db


def _times(episode):
    return list(
        Cue.objects.filter(segment__episode=episode, segment__kind="transcript")
        .order_by("segment__order", "index")
        .values_list("start_ms", "end_ms")
    )


def _rough_captions(episode, shift_ms: int) -> str:
    """Captions with the transcript's own words, a sentence each, ``shift_ms`` later than the
    estimated times (the kind of file a speech recogniser writes)."""
    subs = pysubs2.SSAFile()
    for seg in episode.segments.filter(kind="transcript").order_by("order"):
        cues = list(seg.cues.order_by("index"))
        start, end = cues[0].start_ms + shift_ms, cues[-1].end_ms + shift_ms
        subs.append(pysubs2.SSAEvent(start=start, end=end, text=seg.source_text))
    return subs.to_string("srt")


def test_captions_move_the_cues_and_the_run_is_recorded(run, sample_episode, tmp_path):
    before = _times(sample_episode)
    path = tmp_path / "captions.srt"
    path.write_text(_rough_captions(sample_episode, 1500), encoding="utf-8")
    ran = run("align_timing", str(sample_episode.pk), str(path))
    assert "coverage" in ran.out
    after = _times(sample_episode)
    assert after != before
    moved = sum(abs(a[0] - (b[0] + 1500)) <= 300 for a, b in zip(after, before, strict=True))
    assert moved >= 0.8 * len(before)
    assert AlignmentRun.objects.filter(episode=sample_episode).count() == 1


def test_bad_input_is_one_line_and_changes_nothing(refused, sample_episode, tmp_path):
    before = _times(sample_episode)
    assert "no such file" in refused("align_timing", str(sample_episode.pk), "missing.srt")
    empty = tmp_path / "empty.srt"
    empty.write_bytes(b"")
    assert str(empty) in refused("align_timing", str(sample_episode.pk), str(empty))
    assert "CAPTIONS_FILE" in refused("align_timing", str(sample_episode.pk))
    assert "No episode" in refused("align_timing", "999", str(empty))
    assert _times(sample_episode) == before
    assert not AlignmentRun.objects.exists()
