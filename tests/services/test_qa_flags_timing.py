"""Timing-only QA refresh (``segments_changed(..., timing_only=True)``, what a retime calls):
it recomputes only the timing-dependent flags of the retimed segment and the one before it,
and what it stores is exactly what a full recompute gives."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.core.qa import TIMING_FLAGS, check_segment, english_cue_checks
from translator.models import Cue, Episode, GlossaryTerm, Segment, Speaker
from translator.services import qa_flags, timing_edit
from translator.services.qa_flags import compute_qa_flags, refresh_qa_flags

pytestmark = pytest.mark.django_db

SOURCES = ("字幕は3個です。", "友野さんは東京に行きました。", "はい。")
ENGLISH = (
    "",
    "Yes.",
    "There are 3 subtitles.",
    "There are three subtitles.",  # another English for the same Japanese: inconsistent
    "Tomono went to Tokyo.",
    "Sawa went to Tokyo.",  # the speaker's English name missing
    "字幕 is left in Japanese.",
    "Tomono went to Tokyo, and on the way he told everyone on the train about the subtitles "
    "he had been writing all week for the Heroku support team.",  # long: lines, speed
)
KINDS = (Segment.Kind.TRANSCRIPT,) * 4 + (Segment.Kind.SOUND, Segment.Kind.SHOW_NOTE)

cue_spec = st.tuples(st.integers(0, 4000), st.integers(0, 9000), st.booleans())
segment_spec = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(SOURCES),
    st.sampled_from(ENGLISH),
    st.lists(cue_spec, min_size=1, max_size=3),
)
retime_spec = st.tuples(
    st.integers(0, 10**6), st.integers(0, 2), st.integers(-3000, 3000), st.integers(50, 9000)
)


def _build(segments: list) -> Episode:
    ep = Episode.objects.create(title="Timing QA")
    Speaker.objects.create(episode=ep, label="友野", display_name="Tomono", order=0)
    GlossaryTerm.objects.create(episode=ep, source="東京", target="Tokyo")
    t = 0
    for order, (kind, source, english, cues) in enumerate(segments):
        seg = Segment.objects.create(
            episode=ep, order=order, kind=kind, source_text=source, text=english
        )
        for index, (gap, duration, timed) in enumerate(cues):
            t += gap
            Cue.objects.create(
                segment=seg,
                index=index,
                start_ms=t if timed else None,
                end_ms=t + duration if timed else None,
                source_text=source,
                source_end=len(source),
            )
            t += duration
    return ep


def _stored(ep: Episode) -> dict[int, list[str] | None]:
    return dict(ep.segments.values_list("id", "qa_flags"))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    segments=st.lists(segment_spec, min_size=2, max_size=7),
    retimes=st.lists(retime_spec, min_size=1, max_size=6),
    collected=st.booleans(),
)
def test_timing_only_refresh_stores_what_a_full_recompute_gives(segments, retimes, collected):
    with transaction.atomic():
        ep = _build(segments)
        refresh_qa_flags(episode_id=ep.pk)
        cues = list(Cue.objects.filter(segment__episode=ep).order_by("segment__order", "index"))
        for pick, untime, shift, duration in retimes:
            cue = cues[pick % len(cues)]
            if untime == 0:  # a cue losing its times (an untimed row is not subtitled)
                start, end = None, None
            else:
                start = max(0, (cue.start_ms or 0) + shift)
                end = start + duration
            Cue.objects.filter(pk=cue.pk).update(start_ms=start, end_ms=end)
            cue.start_ms, cue.end_ms = start, end
            if collected:
                with qa_flags.collect():
                    qa_flags.segments_changed(segment_ids=[cue.segment_id], timing_only=True)
            else:
                qa_flags.segments_changed(segment_ids=[cue.segment_id], timing_only=True)
            assert _stored(ep) == compute_qa_flags(segment_ids=_stored(ep))
        transaction.set_rollback(True)


@given(
    english=st.sampled_from(ENGLISH),
    spans=st.lists(st.tuples(st.integers(0, 20000), st.integers(0, 9000)), max_size=3),
    next_gap=st.one_of(st.none(), st.integers(0, 3000)),
)
def test_cue_checks_raise_only_timing_flags(english, spans, next_gap):
    """``TIMING_FLAGS`` is every flag the cue checks can raise (the rest never depend on
    times)."""
    spans = sorted((s, s + d) for s, d in spans)
    nxt = spans[-1][1] + next_gap if spans and next_gap is not None else None
    for check in english_cue_checks(english or "x", spans, next_start_ms=nxt):
        assert check.flags <= TIMING_FLAGS
    with_times = set(check_segment("字幕は3個です。", english, spans or None, next_start_ms=nxt))
    without = set(check_segment("字幕は3個です。", english, None))
    assert with_times - without <= TIMING_FLAGS
    assert without - with_times <= TIMING_FLAGS


def _episode(n: int, source=lambda i: "字幕は3個です。") -> Episode:
    ep = _build(
        [
            (Segment.Kind.TRANSCRIPT, source(i), ENGLISH[2 + i % 2], [(100, 2500, True)])
            for i in range(n)
        ]
    )
    refresh_qa_flags(episode_id=ep.pk)
    return ep


def test_a_retime_keeps_the_consistency_flags_and_follows_the_times(translator_user):
    source = "字幕は3個です。"
    ep = _build(
        [
            (Segment.Kind.TRANSCRIPT, source, ENGLISH[2], [(0, 2500, True)]),
            (Segment.Kind.TRANSCRIPT, source, ENGLISH[3], [(100, 2500, True)]),
        ]
    )
    refresh_qa_flags(episode_id=ep.pk)
    segs = list(ep.segments.order_by("order"))
    assert [s.qa_flags for s in segs] == [["inconsistent"], ["inconsistent"]]
    cue = Cue.objects.get(segment=segs[0])
    timing_edit.retime_cue(  # 22 characters in 0.9 s, no silence left after
        cue_id=cue.pk, start_ms=1600, end_ms=2500, base_version=cue.version, user=translator_user
    )
    assert Segment.objects.get(pk=segs[0].pk).qa_flags == ["reading_speed", "inconsistent"]
    assert _stored(ep) == compute_qa_flags(segment_ids=[s.pk for s in segs])


def test_the_segment_before_follows_the_silence_it_may_use(translator_user):
    """The segment before reads the start of the retimed segment's first cue: its English
    may run into the silence before it."""
    ep = _build(
        [
            (Segment.Kind.TRANSCRIPT, "はい。", ENGLISH[4], [(0, 900, True)]),
            (Segment.Kind.TRANSCRIPT, "はい。", ENGLISH[4], [(2100, 2000, True)]),
        ]
    )
    refresh_qa_flags(episode_id=ep.pk)
    first, second = ep.segments.order_by("order")
    assert "reading_speed" not in first.qa_flags  # it reads into the silence after it
    cue = Cue.objects.get(segment=second)
    timing_edit.retime_cue(
        cue_id=cue.pk,
        start_ms=1000,
        end_ms=cue.end_ms,
        base_version=cue.version,
        user=translator_user,
    )
    first.refresh_from_db()
    assert "reading_speed" in first.qa_flags  # no silence left after it to read in
    assert first.qa_flags == compute_qa_flags(segment_ids=[first.pk])[first.pk]


def test_rows_never_computed_get_a_full_refresh():
    ep = _episode(3)
    seg = ep.segments.get(order=1)
    Segment.objects.filter(pk=seg.pk).update(qa_flags=None)
    qa_flags.segments_changed(segment_ids=[seg.pk], timing_only=True)
    seg.refresh_from_db()
    assert seg.qa_flags == compute_qa_flags(segment_ids=[seg.pk])[seg.pk]
    assert "inconsistent" in seg.qa_flags


def test_a_timing_refresh_does_not_grow_with_the_rows_of_the_same_japanese(monkeypatch):
    """A retime's QA refresh reads and checks the segment and the one before it: the same
    few queries, and no full check of every row with the same source (the consistency)."""
    full_checks = []
    real = qa_flags.flags_for
    monkeypatch.setattr(
        qa_flags, "flags_for", lambda *a, **k: full_checks.append(1) or real(*a, **k)
    )
    queries = {}
    for n in (5, 60):
        ep = _episode(n)
        seg = ep.segments.get(order=n // 2)
        Cue.objects.filter(segment=seg).update(start_ms=F("end_ms") - 700)
        full_checks.clear()
        with CaptureQueriesContext(connection) as q:
            qa_flags.segments_changed(segment_ids=[seg.pk], timing_only=True)
        queries[n] = len(q)
        assert full_checks == []
        seg.refresh_from_db()
        assert "reading_speed" in seg.qa_flags
    assert queries[60] == queries[5] <= 7


def test_a_text_change_and_a_retime_in_one_collect_block():
    ep = _episode(3)
    segs = list(ep.segments.order_by("order"))
    with qa_flags.collect():
        Segment.objects.filter(pk=segs[1].pk).update(text=ENGLISH[2])
        qa_flags.segments_changed(segment_ids=[segs[1].pk])
        Cue.objects.filter(segment=segs[2]).update(end_ms=segs[2].cues.get().start_ms + 600)
        qa_flags.segments_changed(segment_ids=[segs[2].pk], timing_only=True)
    assert _stored(ep) == compute_qa_flags(segment_ids=[s.pk for s in segs])
    assert "inconsistent" not in Segment.objects.get(pk=segs[1].pk).qa_flags


def _captions(ep: Episode, shift_ms: int, squeeze: float) -> bytes:
    import pysubs2

    subs = pysubs2.SSAFile()
    for cue in Cue.objects.filter(segment__episode=ep).order_by("segment__order", "index"):
        start = int(cue.start_ms * squeeze) + shift_ms
        subs.append(
            pysubs2.SSAEvent(
                start=start,
                end=start + int((cue.end_ms - cue.start_ms) * squeeze),
                text=cue.source_text,
            )
        )
    return subs.to_string("srt").encode("utf-8")


def test_alignment_and_its_undo_store_what_a_full_recompute_gives(translator_user):
    """Alignment changes only times: it refreshes the timing flags of the rows it retimed
    (and the row before each), and they are what a full recompute stores."""
    from translator.services.alignment import align_episode_timing, undo_alignment

    ep = _build(
        [
            (Segment.Kind.TRANSCRIPT, SOURCES[i % 3], ENGLISH[1 + i % 7], [(100, 2500, True)])
            for i in range(12)
        ]
    )
    refresh_qa_flags(episode_id=ep.pk)
    before = _stored(ep)
    ids = list(before)
    run = align_episode_timing(  # everything 40 % shorter: reading speed flags appear
        episode_id=ep.pk, data=_captions(ep, 300, 0.6), filename="fast.srt", user=translator_user
    )
    after = _stored(ep)
    assert after == compute_qa_flags(segment_ids=ids)
    assert after != before
    undo_alignment(run_id=run.pk, user=translator_user)
    assert _stored(ep) == compute_qa_flags(segment_ids=ids) == before


def test_a_retime_does_not_recheck_the_rows_with_the_same_japanese(translator_user, monkeypatch):
    """The cost of a retime save was the consistency check of every row with the same
    Japanese: a retime now checks only the timing of its row and the row before it."""
    ep = _episode(30)
    full, timing = [], []
    real_full, real_timing = qa_flags.flags_for, qa_flags.timing_flags_for
    monkeypatch.setattr(qa_flags, "flags_for", lambda *a, **k: full.append(1) or real_full(*a, **k))
    monkeypatch.setattr(
        qa_flags, "timing_flags_for", lambda *a, **k: timing.append(1) or real_timing(*a, **k)
    )
    cue = Cue.objects.get(segment__episode=ep, segment__order=15)
    timing_edit.retime_cue(
        cue_id=cue.pk,
        start_ms=cue.start_ms + 100,
        end_ms=cue.end_ms,
        base_version=cue.version,
        user=translator_user,
    )
    assert full == [] and len(timing) == 2
    assert _stored(ep) == compute_qa_flags(segment_ids=_stored(ep))
