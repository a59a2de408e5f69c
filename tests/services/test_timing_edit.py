"""Retiming cues by hand: versions, rules with the neighbour named, undo, permissions, QA flags,
and hand-set times surviving alignment and audio timing (unless replacing them is chosen)."""

from __future__ import annotations

import pysubs2
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests.support.factories import timed_episode
from translator.models import AlignmentRun, Cue, EditAction, Segment, SegmentRevision
from translator.services import actions, timing_edit
from translator.services.alignment import align_episode_timing, undo_alignment

pytestmark = pytest.mark.django_db


def _episode(n: int = 4, text=lambda i: f"This is sentence number {i}."):
    return timed_episode(
        n,
        speakers=[("永野", "Nagano")],
        label=lambda i: "永野",
        source=lambda i: f"これは{i}番目の文です。",
        text=text,
    )


def _cue(ep, order: int, index: int = 0) -> Cue:
    return Cue.objects.get(segment__episode=ep, segment__order=order, index=index)


def _retime(cue, start, end, user, version=None, **kw):
    return timing_edit.retime_cue(
        cue_id=cue.pk,
        start_ms=start,
        end_ms=end,
        base_version=cue.version if version is None else version,
        user=user,
        **kw,
    )


# --- saving -----------------------------------------------------------------------------------


def test_retime_sets_hand_set_times_as_one_undoable_action(translator_user):
    ep = _episode()
    cue = _cue(ep, 1)  # 3000-5500
    saved = _retime(cue, 3150, 5600, translator_user)
    assert (saved.start_ms, saved.end_ms, saved.timing, saved.version) == (3150, 5600, "manual", 2)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert act.kind == EditAction.Kind.RETIME
    assert act.summary == "Retime row 2, cue 1: 00:00:03.150–00:00:05.600"
    assert act.data["old"] == [3000, 5500, "estimated"]
    rev = act.revisions.get()
    assert (rev.action, rev.segment_id, rev.user) == ("retime", cue.segment_id, translator_user)
    # the segment's text version does not move: a text editor with the row open sees no conflict
    assert Segment.objects.get(pk=cue.segment_id).version == 1


def test_saving_the_same_times_is_no_change(translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    _retime(cue, 3000, 5500, translator_user, version=7)  # stale version, same times: no conflict
    cue.refresh_from_db()
    assert (cue.version, cue.timing) == (1, "estimated")
    assert not EditAction.objects.exists()


def test_conflict_carries_both_timings_and_writes_nothing(translator_user, reviewer_user):
    ep = _episode()
    cue = _cue(ep, 1)
    _retime(cue, 3200, 5500, reviewer_user)
    with pytest.raises(timing_edit.RetimeConflict) as info:
        _retime(cue, 3000, 5300, translator_user, version=1)
    conflict = info.value
    assert conflict.theirs == (3200, 5500) and conflict.yours == (3000, 5300)
    assert conflict.their_version == 2 and conflict.their_timing == "manual"
    assert conflict.theirs_label == "00:00:03.200–00:00:05.500"
    cue.refresh_from_db()
    assert (cue.start_ms, cue.version) == (3200, 2)
    assert EditAction.objects.count() == 1
    # overwrite after the conflict was shown
    saved = _retime(cue, 3000, 5300, translator_user, version=1, overwrite=True)
    assert (saved.start_ms, saved.end_ms, saved.version) == (3000, 5300, 3)


def test_translators_and_reviewers_may_retime_plain_users_may_not(
    translator_user, reviewer_user, plain_user
):
    ep = _episode()
    _retime(_cue(ep, 0), 100, 2500, translator_user)
    _retime(_cue(ep, 1), 3100, 5500, reviewer_user)
    with pytest.raises(PermissionDenied):
        _retime(_cue(ep, 2), 6100, 8500, plain_user)
    assert _cue(ep, 2).version == 1


def test_move_keeps_the_duration(translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    moved = timing_edit.move_cue(cue_id=cue.pk, delta_ms=-200, base_version=1, user=translator_user)
    assert (moved.start_ms, moved.end_ms) == (2800, 5300)


def test_show_notes_have_no_times(translator_user):
    ep = _episode(2)
    Segment.objects.filter(episode=ep, order=0).update(kind=Segment.Kind.SHOW_NOTE)
    with pytest.raises(timing_edit.RetimeError, match="not subtitled"):
        _retime(_cue(ep, 0), 100, 2000, translator_user)


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (3000, 3500, "Too short: 500 ms; a cue lasts at least 833 ms."),
        (3000, 3000, "The end must come after the start."),
        (3000, 10_100, "Too long: 7100 ms; a cue lasts at most 7000 ms."),
        (3000, 6100, "Overlaps row 3, cue 1 (00:00:06.000–00:00:08.500)."),
        (
            3000,
            5950,
            "Only 50 ms from row 3, cue 1 (00:00:06.000–00:00:08.500); "
            "cues are at least 80 ms apart.",
        ),
        (2400, 5500, "Overlaps row 1, cue 1 (00:00:00.000–00:00:02.500)."),
        (
            8800,
            11_000,
            "Would pass row 3, cue 1 (00:00:06.000–00:00:08.500): cues keep their order.",
        ),
    ],
)
def test_rules_are_checked_with_the_neighbour_named(translator_user, start, end, message):
    ep = _episode()
    cue = _cue(ep, 1)  # 3000-5500 between 0-2500 and 6000-8500
    with pytest.raises(timing_edit.TimingRuleError) as info:
        _retime(cue, start, end, translator_user)
    assert str(info.value) == message
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.version) == (3000, 5500, 1)
    assert not EditAction.objects.exists()


def test_neighbour_within_the_same_segment_is_named_by_cue(translator_user):
    ep = _episode(2)
    seg = Segment.objects.get(episode=ep, order=1)
    Cue.objects.filter(segment=seg).update(end_ms=4500)
    second = Cue.objects.create(
        segment=seg, index=1, start_ms=4600, end_ms=5900, source_text="です。"
    )
    with pytest.raises(timing_edit.TimingRuleError, match=r"^Overlaps row 2, cue 1 \(00:00:03"):
        _retime(second, 4400, 5900, translator_user)


def test_a_rule_already_broken_may_be_left_as_it_is_not_made_worse(translator_user):
    """Imported cues often touch (0 ms apart): moving the other edge stays possible."""
    ep = _episode()
    Cue.objects.filter(pk=_cue(ep, 1).pk).update(end_ms=6000, timing="imported")
    cue = _cue(ep, 1)
    saved = _retime(cue, 3100, 6000, translator_user)  # the start only: allowed
    assert saved.start_ms == 3100
    saved = _retime(saved, 3100, 5980, translator_user)  # better, still under the gap: allowed
    assert saved.end_ms == 5980
    with pytest.raises(timing_edit.TimingRuleError, match="Overlaps row 3"):
        _retime(saved, 3100, 6050, translator_user)


# --- undo -------------------------------------------------------------------------------------


def _undo_last(ep, user):
    act = actions.last_undoable(episode_id=ep.pk, user=user)
    return actions.undo(action_id=act.pk, user=user)


def test_undo_puts_the_old_times_and_provenance_back(translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    _retime(cue, 3150, 5600, translator_user)
    undo = _undo_last(ep, translator_user)
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.timing, cue.version) == (3000, 5500, "estimated", 3)
    assert undo.revisions.get().action == SegmentRevision.Action.UNDO
    assert actions.last_undoable(episode_id=ep.pk, user=translator_user) is None


def test_undo_refused_when_someone_retimed_the_cue_since(translator_user, reviewer_user):
    ep = _episode()
    cue = _cue(ep, 1)
    _retime(cue, 3150, 5600, translator_user)
    cue.refresh_from_db()
    _retime(cue, 3200, 5600, reviewer_user)
    with pytest.raises(actions.UndoRefused, match="row 2, cue 1 was retimed since"):
        _undo_last(ep, translator_user)
    cue.refresh_from_db()
    assert (cue.start_ms, cue.version) == (3200, 3)


def test_undo_refused_when_a_neighbour_moved_into_the_old_times(translator_user):
    ep = _episode()
    _retime(_cue(ep, 1), 3000, 4500, translator_user)
    _retime(_cue(ep, 2), 4700, 8500, translator_user)
    first = EditAction.objects.filter(kind="retime").order_by("id").first()
    with pytest.raises(actions.UndoRefused, match=r"would overlap row 3, cue 1"):
        actions.undo(action_id=first.pk, user=translator_user)
    assert _cue(ep, 1).end_ms == 4500


def test_only_the_author_undoes_a_retime(translator_user, reviewer_user):
    ep = _episode()
    _retime(_cue(ep, 1), 3150, 5600, translator_user)
    act = EditAction.objects.get()
    with pytest.raises(actions.UndoRefused, match="your own"):
        actions.undo(action_id=act.pk, user=reviewer_user)


# --- QA flags ---------------------------------------------------------------------------------


def test_qa_flags_of_the_segment_and_the_one_before_follow(translator_user):
    long = "This English sentence is far too long to be read in such a short time on screen."
    ep = _episode(3, text=lambda i: long if i == 0 else "Yes.")
    from translator.services.qa_flags import refresh_qa_flags

    # row 1 is shown 0-2500 and may run on into the silence until row 2 starts
    Cue.objects.filter(pk=_cue(ep, 1).pk).update(start_ms=2600, end_ms=5500)
    refresh_qa_flags(episode_id=ep.pk)
    assert "reading_speed" in Segment.objects.get(episode=ep, order=0).qa_flags
    _retime(_cue(ep, 1), 4300, 5500, translator_user)  # more silence after row 1
    assert "reading_speed" not in Segment.objects.get(episode=ep, order=0).qa_flags


# --- hand-set times and the runs that estimate or align times ---------------------------------


def _captions(ep, shift_ms: int) -> bytes:
    subs = pysubs2.SSAFile()
    for cue in Cue.objects.filter(segment__episode=ep).order_by("segment__order", "index"):
        subs.append(
            pysubs2.SSAEvent(
                start=cue.start_ms + shift_ms, end=cue.end_ms + shift_ms, text=cue.source_text
            )
        )
    return subs.to_string("srt").encode("utf-8")


def test_caption_alignment_keeps_hand_set_times_unless_replacing_is_chosen(translator_user):
    ep = _episode(6)
    data = _captions(ep, 700)  # the captions say everything is 700 ms later
    _retime(_cue(ep, 2), 6300, 8200, translator_user)
    align_episode_timing(episode_id=ep.pk, data=data, filename="rough.srt", user=translator_user)
    kept = _cue(ep, 2)
    assert (kept.start_ms, kept.end_ms, kept.timing) == (6300, 8200, "manual")
    before, after = _cue(ep, 1), _cue(ep, 3)
    assert before.timing == after.timing == "aligned"
    assert before.end_ms <= kept.start_ms - 80 and after.start_ms >= kept.end_ms + 80
    assert before.version == 2  # an open cue view sees the alignment as a change
    align_episode_timing(
        episode_id=ep.pk, data=data, filename="rough.srt", user=translator_user, replace_manual=True
    )
    replaced = _cue(ep, 2)
    assert (replaced.start_ms, replaced.timing) == (6700, "aligned")


def test_undoing_an_alignment_keeps_times_set_by_hand_since(translator_user):
    ep = _episode(4)
    run = align_episode_timing(episode_id=ep.pk, data=_captions(ep, 500), filename="r.srt")
    cue = _cue(ep, 1)
    assert cue.start_ms == 3500
    _retime(cue, 3400, 5800, translator_user)
    undo_alignment(run_id=run.pk)
    assert (_cue(ep, 1).start_ms, _cue(ep, 1).timing) == (3400, "manual")
    assert (_cue(ep, 2).start_ms, _cue(ep, 2).timing) == (6000, "estimated")


def test_align_timing_command_keeps_or_replaces_hand_set_times(translator_user, tmp_path):
    ep = _episode(5)
    path = tmp_path / "rough.srt"
    path.write_bytes(_captions(ep, 600))
    _retime(_cue(ep, 2), 6100, 8400, translator_user)
    call_command("align_timing", str(ep.pk), str(path))
    assert (_cue(ep, 2).start_ms, _cue(ep, 2).timing) == (6100, "manual")
    call_command("align_timing", str(ep.pk), str(path), "--replace-manual")
    assert (_cue(ep, 2).start_ms, _cue(ep, 2).timing) == (6600, "aligned")
    assert AlignmentRun.objects.filter(episode=ep).count() == 2


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    from tests.support.audio_episode import build_episode, sample_transcript

    path = tmp_path_factory.mktemp("audio") / "episode.wav"
    return build_episode(sample_transcript(14), path, seed=11)


def test_audio_timing_keeps_hand_set_times_unless_replacing_is_chosen(
    spoken, settings, tmp_path, translator_user
):
    from django.core.files import File
    from django.core.files.storage import default_storage

    from tests.support.audio_episode import sample_transcript
    from translator.core.requests import ImportRequest
    from translator.services import audio_timing
    from translator.services.importing import import_episode

    settings.MEDIA_ROOT = str(tmp_path / "media")
    ep = import_episode(data=sample_transcript(14), request=ImportRequest(title="Audio"))
    with open(spoken.path, "rb") as fh:
        ep.media_file.name = default_storage.save(f"episodes/{ep.pk}/m.wav", File(fh))
    ep.save(update_fields=["media_file"])
    cues = list(
        Cue.objects.filter(segment__episode=ep, segment__kind="transcript").order_by(
            "segment__order", "index"
        )
    )
    k = next(
        i
        for i in range(len(cues) // 2, len(cues) - 1)
        if spoken.cues[i].end_ms - spoken.cues[i].start_ms >= 1200
    )
    truth = spoken.cues[k]
    # an editor set this cue 150 ms after where its speech really starts
    hand = (truth.start_ms + 150, truth.end_ms)
    Cue.objects.filter(pk=cues[k].pk).update(
        start_ms=hand[0], end_ms=hand[1], timing=Cue.Timing.MANUAL
    )

    job = audio_timing.start_audio_timing(episode_id=ep.pk, enqueue=False)
    job = audio_timing.run_audio_timing_job(job_id=job.pk)
    assert job.state == "succeeded", job.error
    kept = Cue.objects.get(pk=cues[k].pk)
    assert ((kept.start_ms, kept.end_ms), kept.timing) == (hand, "manual")
    before = Cue.objects.get(pk=cues[k - 1].pk)
    after = Cue.objects.get(pk=cues[k + 1].pk)
    assert before.timing == after.timing == "aligned"
    assert before.end_ms <= hand[0] - 80 and after.start_ms >= hand[1] + 80

    job = audio_timing.start_audio_timing(
        episode_id=ep.pk, enqueue=False, replace_timed=True, replace_manual=True
    )
    job = audio_timing.run_audio_timing_job(job_id=job.pk)
    assert job.state == "succeeded", job.error
    replaced = Cue.objects.get(pk=cues[k].pk)
    assert replaced.timing == "aligned"
    assert abs(replaced.start_ms - truth.start_ms) < 150


def test_the_cue_before_is_found_across_a_run_of_show_notes(translator_user):
    ep = _episode(10)
    Segment.objects.filter(episode=ep, order__in=range(2, 7)).update(kind=Segment.Kind.SHOW_NOTE)
    Cue.objects.filter(segment__episode=ep, segment__order__in=range(2, 7)).update(
        start_ms=None, end_ms=None
    )
    with pytest.raises(timing_edit.TimingRuleError) as info:
        _retime(_cue(ep, 7), 1000, 2000, translator_user)  # before row 2 (3000-5500)
    assert str(info.value).startswith("Would pass row 2, cue 1 (00:00:03.000")
