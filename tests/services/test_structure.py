"""translator/services/structure.py: the Japanese edited, one segment re-translated, split and
merge — versions, revisions, undo, permissions, conflicts, and the export after each."""

from __future__ import annotations

import pysubs2
import pytest
from django.core.exceptions import PermissionDenied

from translator.core.qa import QAFlag
from translator.core.requests import ExportRequest
from translator.core.timing_rules import TimingRules
from translator.engines.registry import reset_engines
from translator.models import Cue, EditAction, Episode, MemoryUnit, Segment, SegmentRevision
from translator.services import actions, exporting, review, structure

pytestmark = pytest.mark.django_db

Status = Segment.Status
LONG = "今日は字幕の翻訳ツールについて話しますが、まずは自己紹介からお願いします。"


def _cue(seg, index, a, b, start, end, **kw):
    return Cue.objects.create(
        segment=seg,
        index=index,
        source_start=a,
        source_end=b,
        source_text=seg.source_text[a:b],
        lines=[seg.source_text[a:b]],
        start_ms=start,
        end_ms=end,
        **kw,
    )


@pytest.fixture
def ep():
    """Three rows of one speaker: a two-cue sentence (machine), a short one (edited) and one
    more (machine), then a row of another speaker."""
    ep = Episode.objects.create(title="t")
    rows = [
        (
            LONG,
            "Today we talk about subtitle translation tools, but first introduce yourself.",
            "machine",
            "永野",
        ),
        ("はい、永野です。", "Yes, I'm Nagano.", "edited", "永野"),
        ("よろしくお願いします。", "Nice to meet you.", "machine", "永野"),
        ("どうも。", "Hi.", "machine", "澤"),
    ]
    for i, (ja, en, status, who) in enumerate(rows):
        seg = Segment.objects.create(
            episode=ep,
            order=i,
            source_text=ja,
            text=en,
            machine_text=en if status == "machine" else "Machine " + en,
            machine_engine="deepl",
            status=status,
            speaker_label=who,
        )
        start = 1000 + i * 10_000
        if i == 0:
            cut = LONG.index("、") + 1
            _cue(seg, 0, 0, cut, start, start + 3000, ruby=[["字幕", "じまく"]])
            _cue(seg, 1, cut, len(ja), start + 3100, start + 6000)
        else:
            _cue(seg, 0, 0, len(ja), start, start + 2500)
    return ep


def _seg(ep, order) -> Segment:
    return Segment.objects.get(episode=ep, order=order)


def _cues(seg) -> list[tuple]:
    return list(
        Cue.objects.filter(segment=seg)
        .order_by("index")
        .values_list("source_text", "start_ms", "end_ms", "source_start", "source_end", "version")
    )


def _flags(seg) -> list[str]:
    seg.refresh_from_db()
    return seg.qa_flags or []


def _export_ok(ep, fmt):
    """Export ``fmt`` bilingual; parse it; the timing rules hold (no overlap, the gap,
    durations); returns the parsed events' text."""
    out = exporting.export_file(episode=ep, request=ExportRequest(format=fmt))
    subs = pysubs2.SSAFile.from_string(out.content)
    rules = TimingRules()
    events = sorted(subs.events, key=lambda e: e.start)
    if fmt == "ass":  # bilingual ASS: a Japanese and an English event at the same times
        events = [e for e in events if e.style != events[0].style] or events
    for a, b in zip(events, events[1:], strict=False):
        assert b.start - a.end >= rules.min_gap_ms - 1, (a, b)
    for e in events:
        assert rules.min_duration_ms - 1 <= e.end - e.start <= rules.max_duration_ms
    return " ".join(e.plaintext.replace("\n", " ") for e in subs.events)


# --- the Japanese --------------------------------------------------------------------------


def test_source_edit_is_a_versioned_revision_with_stale_flag(ep, translator_user):
    seg = _seg(ep, 1)
    out = structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
    )
    assert (out.source_text, out.version, out.text, out.status) == (
        "はい、長野です。",
        2,
        "Yes, I'm Nagano.",
        "edited",
    )
    rev = out.revisions.get()
    assert (rev.action, rev.old_source_text, rev.new_source_text, rev.version) == (
        SegmentRevision.Action.SOURCE,
        "はい、永野です。",
        "はい、長野です。",
        2,
    )
    assert QAFlag.SOURCE_CHANGED.value in _flags(out)
    # one cue before and after: the cue keeps its times, its text follows
    assert _cues(out) == [("はい、長野です。", 11000, 13500, 0, 8, 1)]
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert (act.kind, act.summary) == (EditAction.Kind.SOURCE_EDIT, "Edit Japanese row 2")


def test_editing_or_approving_the_english_ends_the_stale_flag(ep, translator_user, reviewer_user):
    seg = _seg(ep, 1)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
    )
    # saving the English unchanged confirms it (a revision, the flag gone)
    out = review.save_segment(
        segment_id=seg.pk, text="Yes, I'm Nagano.", base_version=2, user=translator_user
    )
    assert out.version == 3 and not out.source_stale
    assert QAFlag.SOURCE_CHANGED.value not in _flags(out)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、永野です。", base_version=3, user=translator_user
    )
    assert QAFlag.SOURCE_CHANGED.value in _flags(seg)
    review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    assert QAFlag.SOURCE_CHANGED.value not in _flags(seg)


def test_untranslated_row_is_not_stale_after_a_source_edit(ep, translator_user):
    seg = _seg(ep, 2)
    Segment.objects.filter(pk=seg.pk).update(text="", machine_text="", status="untranslated")
    out = structure.edit_source(
        segment_id=seg.pk, source_text="よろしく。", base_version=1, user=translator_user
    )
    assert not out.source_stale


def test_source_edit_recuts_cues_over_the_same_span_and_keeps_matching_ruby(ep, translator_user):
    seg = _seg(ep, 0)
    new = "字幕の話です。"  # one cue now, not two
    structure.edit_source(segment_id=seg.pk, source_text=new, base_version=1, user=translator_user)
    [(text, start, end, a, b, _v)] = _cues(seg)
    assert (text, start, end, a, b) == (new, 1000, 7000, 0, len(new))
    assert Cue.objects.get(segment=seg).ruby == [["字幕", "じまく"]]
    longer = LONG + "それでは始めましょう、よろしくお願いします。"
    seg.refresh_from_db()
    structure.edit_source(
        segment_id=seg.pk, source_text=longer, base_version=seg.version, user=translator_user
    )
    cues = _cues(seg)
    assert len(cues) >= 3
    assert cues[0][1] == 1000 and cues[-1][2] == 7000  # the segment's span kept
    assert "".join(c[0] for c in cues) == longer
    gap = TimingRules().min_gap_ms
    for x, y in zip(cues, cues[1:], strict=False):
        assert y[1] - x[2] >= gap  # spread with the gap, in order


def test_undo_source_edit_puts_text_and_cues_back(ep, translator_user):
    seg = _seg(ep, 0)
    before = [c[:5] for c in _cues(seg)]
    structure.edit_source(
        segment_id=seg.pk, source_text="字幕の話です。", base_version=1, user=translator_user
    )
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    undo = actions.undo(action_id=act.pk, user=translator_user)
    seg.refresh_from_db()
    assert seg.source_text == LONG and seg.version == 3 and not seg.source_stale
    assert [c[:5] for c in _cues(seg)] == before
    assert Cue.objects.filter(segment=seg, index=0).get().ruby == [["字幕", "じまく"]]
    rev = undo.revisions.get()
    assert (rev.action, rev.old_source_text, rev.new_source_text) == (
        "undo",
        "字幕の話です。",
        LONG,
    )
    assert QAFlag.SOURCE_CHANGED.value not in _flags(seg)


def test_source_conflict_when_someone_else_changed_the_row(ep, translator_user, reviewer_user):
    seg = _seg(ep, 1)
    review.save_segment(segment_id=seg.pk, text="Yes.", base_version=1, user=reviewer_user)
    with pytest.raises(structure.SourceConflict) as info:
        structure.edit_source(
            segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
        )
    assert (info.value.yours, info.value.theirs, info.value.their_version) == (
        "はい、長野です。",
        "はい、永野です。",
        2,
    )
    seg.refresh_from_db()
    assert seg.source_text == "はい、永野です。" and seg.version == 2
    out = structure.edit_source(
        segment_id=seg.pk,
        source_text="はい、長野です。",
        base_version=1,
        user=translator_user,
        overwrite=True,
    )
    assert out.source_text == "はい、長野です。" and out.version == 3


def test_undo_source_edit_refused_after_a_retime(ep, translator_user):
    seg = _seg(ep, 1)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
    )
    Cue.objects.filter(segment=seg).update(start_ms=10_500, version=2)  # the cue view's retime
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    with pytest.raises(actions.UndoRefused, match="row 2 changed since"):
        actions.undo(action_id=act.pk, user=translator_user)


def test_source_edit_refuses_empty_and_plain_users(ep, translator_user, plain_user):
    seg = _seg(ep, 1)
    with pytest.raises(structure.StructureError, match="cannot be empty"):
        structure.edit_source(
            segment_id=seg.pk, source_text=" \n", base_version=1, user=translator_user
        )
    with pytest.raises(PermissionDenied):
        structure.edit_source(
            segment_id=seg.pk, source_text="はい。", base_version=1, user=plain_user
        )
    for fn, kwargs in (
        (structure.split_segment, {"at": 3, "base_version": 1}),
        (structure.merge_with_next, {"base_version": 1, "next_version": 1}),
        (structure.retranslate_segment, {}),
    ):
        with pytest.raises(PermissionDenied):
            fn(segment_id=seg.pk, user=plain_user, **kwargs)
    assert not SegmentRevision.objects.exists()


def test_approved_unit_follows_the_japanese_and_keeps_its_approver(
    ep, reviewer_user, translator_user
):
    seg = _seg(ep, 1)
    review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=2, user=translator_user
    )
    unit = MemoryUnit.objects.get(segment=seg)
    assert unit.source_text == "はい、長野です。" and unit.approved_by == reviewer_user
    seg.refresh_from_db()
    assert seg.status == "approved" and seg.text == "Yes, I'm Nagano."  # human English kept


# --- re-translate one segment ---------------------------------------------------------------


@pytest.fixture
def deepl(settings, deepl_server):
    settings.TRANSLATION_ENGINES = {
        "deepl": {
            "CLASS": "translator.engines.deepl.DeepLEngine",
            "OPTIONS": {"auth_key": deepl_server.auth_key, "server_url": deepl_server.url},
        }
    }
    reset_engines()
    yield deepl_server
    reset_engines()


def test_retranslate_machine_row_after_source_edit(ep, translator_user, deepl):
    seg = _seg(ep, 2)
    structure.edit_source(
        segment_id=seg.pk, source_text="よろしくね。", base_version=1, user=translator_user
    )
    done = structure.retranslate_segment(segment_id=seg.pk, user=translator_user)
    seg.refresh_from_db()
    assert not done.kept_human and done.engine_label == "DeepL"
    assert seg.status == "machine" and seg.text == seg.machine_text and seg.text
    assert seg.machine_engine == "deepl" and seg.version == 3 and not seg.source_stale
    assert QAFlag.SOURCE_CHANGED.value not in _flags(seg)
    sent = deepl.translate_requests()[-1]
    assert sent.texts == ["よろしくね。"]
    assert "永野です" in str(sent.params.get("context"))  # the turn's neighbours, as a job sends
    rev = seg.revisions.order_by("-id").first()
    assert (rev.action, rev.user, rev.new_text) == ("machine", translator_user, seg.text)
    # undo: the machine text and English before it
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert act.kind == EditAction.Kind.RETRANSLATE
    actions.undo(action_id=act.pk, user=translator_user)
    seg.refresh_from_db()
    assert (seg.text, seg.machine_text, seg.status, seg.source_stale) == (
        "Nice to meet you.",
        "Nice to meet you.",
        "machine",
        True,
    )


def test_retranslate_never_overwrites_human_english(ep, translator_user, deepl):
    seg = _seg(ep, 1)
    done = structure.retranslate_segment(segment_id=seg.pk, user=translator_user)
    seg.refresh_from_db()
    assert done.kept_human
    assert (seg.text, seg.status) == ("Yes, I'm Nagano.", "edited")
    assert seg.machine_text != "Machine Yes, I'm Nagano." and seg.machine_engine == "deepl"


def test_retranslate_not_ready_engine_says_why(ep, translator_user, settings):
    settings.TRANSLATION_ENGINES = {}
    reset_engines()
    with pytest.raises(structure.StructureError, match="^DeepL: DeepL is not set up"):
        structure.retranslate_segment(segment_id=_seg(ep, 1).pk, user=translator_user)
    assert not SegmentRevision.objects.exists()


# --- split ----------------------------------------------------------------------------------


def test_split_at_caret_moves_cues_and_english(ep, translator_user):
    seg = _seg(ep, 0)
    cue_ids = list(Cue.objects.filter(segment=seg).order_by("index").values_list("id", flat=True))
    cut = LONG.index("まずは")
    en = seg.text
    en_cut = en.index("but")
    first, second = structure.split_segment(
        segment_id=seg.pk, at=cut, english_at=en_cut, base_version=1, user=translator_user
    )
    assert (first.source_text, second.source_text) == (LONG[:cut], LONG[cut:])
    assert (first.text, second.text) == (en[:en_cut].strip(), en[en_cut:].strip())
    assert first.machine_text == first.text and second.status == "machine"  # machine cut too
    assert (first.order, second.order) == (0, 1)
    assert list(
        Segment.objects.filter(episode=ep).order_by("order").values_list("order", flat=True)
    ) == [0, 1, 2, 3, 4]
    assert _seg(ep, 2).source_text == "はい、永野です。"
    # the cue boundary was at the 、: each part has one cue with its own times
    assert [c[:3] for c in _cues(first)] == [(LONG[:cut], 1000, 4000)]
    assert [c[:3] for c in _cues(second)] == [(LONG[cut:], 4100, 7000)]
    assert first.version == 2 and second.version == 1
    # the cues are the same rows (what refers to a cue still finds it), untouched times kept
    assert [Cue.objects.get(segment=first).pk, Cue.objects.get(segment=second).pk] == cue_ids
    assert {c.version for c in Cue.objects.filter(pk__in=cue_ids)} == {1}
    assert {r.action for r in SegmentRevision.objects.all()} == {"split"}
    assert second.speaker_label == "永野" and second.kind == first.kind


def test_split_inside_a_cue_divides_its_time_by_characters(ep, translator_user):
    seg = _seg(ep, 2)  # よろしくお願いします。 1 cue 21000..23500
    first, second = structure.split_segment(
        segment_id=seg.pk, at=4, base_version=1, user=translator_user
    )
    [(ta, sa, ea, *_)] = _cues(first)
    [(tb, sb, eb, *_)] = _cues(second)
    assert (ta, tb) == ("よろしく", "お願いします。")
    share = 4 / len("よろしくお願いします。")
    t = 21000 + round(2500 * share)
    assert sa == 21000 and eb == 23500
    assert ea <= t <= sb and sb - ea >= TimingRules().min_gap_ms - 1
    # no English caret: cut at the space nearest the same proportion
    assert (first.text, second.text) == (
        "Nice to",
        "meet you.",
    ) or first.text + " " + second.text == "Nice to meet you."


def test_split_refused_outside_text_and_when_changed(ep, translator_user, reviewer_user):
    seg = _seg(ep, 1)
    with pytest.raises(structure.StructureError, match="caret inside the Japanese"):
        structure.split_segment(segment_id=seg.pk, at=0, base_version=1, user=translator_user)
    review.save_segment(segment_id=seg.pk, text="Yes.", base_version=1, user=reviewer_user)
    with pytest.raises(structure.StructureError, match="row 2 was changed by someone else"):
        structure.split_segment(segment_id=seg.pk, at=3, base_version=1, user=translator_user)
    assert Segment.objects.filter(episode=ep).count() == 4


def test_undo_split_restores_the_exact_segment(ep, translator_user):
    seg = _seg(ep, 0)
    snapshot = (seg.source_text, seg.text, seg.machine_text, seg.status)
    cues = [c[:5] for c in _cues(seg)]
    structure.split_segment(
        segment_id=seg.pk, at=LONG.index("字幕"), base_version=1, user=translator_user
    )
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    actions.undo(action_id=act.pk, user=translator_user)
    seg.refresh_from_db()
    assert (seg.source_text, seg.text, seg.machine_text, seg.status) == snapshot
    assert [c[:5] for c in _cues(seg)] == cues
    assert list(
        Segment.objects.filter(episode=ep).order_by("order").values_list("source_text", flat=True)
    ) == [LONG, "はい、永野です。", "よろしくお願いします。", "どうも。"]
    assert Cue.objects.get(segment=seg, index=0).ruby == [["字幕", "じまく"]]


def test_undo_split_refused_when_the_new_part_was_edited(ep, translator_user, reviewer_user):
    seg = _seg(ep, 0)
    _first, second = structure.split_segment(
        segment_id=seg.pk, at=LONG.index("まずは"), base_version=1, user=translator_user
    )
    review.save_segment(
        segment_id=second.pk, text="First, you.", base_version=1, user=reviewer_user
    )
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    with pytest.raises(actions.UndoRefused, match="row 2 changed since"):
        actions.undo(action_id=act.pk, user=translator_user)
    assert Segment.objects.filter(episode=ep).count() == 5


def test_translator_split_of_approved_row_needs_reapproval(ep, translator_user, reviewer_user):
    seg = _seg(ep, 1)
    review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    first, second = structure.split_segment(
        segment_id=seg.pk, at=3, english_at=4, base_version=2, user=translator_user
    )
    assert (first.status, second.status) == ("edited", "edited")
    assert not MemoryUnit.objects.filter(segment__in=[first, second]).exists()
    # a reviewer's split keeps the approval of both parts (and the memory has both)
    seg2 = _seg(ep, 3)
    review.set_approved(segment_id=seg2.pk, approved=True, user=reviewer_user)
    a, b = structure.split_segment(
        segment_id=seg2.pk, at=4, english_at=5, base_version=2, user=reviewer_user
    )
    assert (a.status, b.status) == ("approved", "approved")
    assert MemoryUnit.objects.filter(segment__in=[a, b]).count() == 2


# --- merge ----------------------------------------------------------------------------------


def test_merge_with_next_joins_text_and_cues(ep, translator_user):
    a, b = _seg(ep, 1), _seg(ep, 2)
    b_cue = Cue.objects.get(segment=b)
    out = structure.merge_with_next(
        segment_id=a.pk, base_version=1, next_version=1, user=translator_user
    )
    assert out.source_text == "はい、永野です。よろしくお願いします。"
    assert out.text == "Yes, I'm Nagano. Nice to meet you."
    assert out.status == "edited" and out.version == 2
    assert not Segment.objects.filter(pk=b.pk).exists()
    assert [c[:5] for c in _cues(out)] == [
        ("はい、永野です。", 11000, 13500, 0, 8),
        ("よろしくお願いします。", 21000, 23500, 8, 19),
    ]
    assert Cue.objects.get(pk=b_cue.pk).segment_id == a.pk  # the same cue, moved
    assert list(
        Segment.objects.filter(episode=ep).order_by("order").values_list("order", "source_text")
    ) == [(0, LONG), (1, out.source_text), (2, "どうも。")]
    rev = out.revisions.get()
    assert (rev.action, rev.old_source_text, rev.new_source_text) == (
        "merge",
        "はい、永野です。",
        out.source_text,
    )


def test_merge_refusals(ep, translator_user, reviewer_user):
    with pytest.raises(structure.StructureError, match="different speakers"):
        structure.merge_with_next(
            segment_id=_seg(ep, 2).pk, base_version=1, next_version=1, user=translator_user
        )
    with pytest.raises(structure.StructureError, match="last row"):
        structure.merge_with_next(
            segment_id=_seg(ep, 3).pk, base_version=1, next_version=1, user=translator_user
        )
    Segment.objects.filter(pk=_seg(ep, 2).pk).update(kind="show_note")
    with pytest.raises(structure.StructureError, match="only rows of one kind merge"):
        structure.merge_with_next(
            segment_id=_seg(ep, 1).pk, base_version=1, next_version=1, user=translator_user
        )
    Segment.objects.filter(pk=_seg(ep, 2).pk).update(kind="transcript")
    b = _seg(ep, 2)
    review.save_segment(segment_id=b.pk, text="Hello.", base_version=1, user=reviewer_user)
    with pytest.raises(structure.StructureError, match="row 3 was changed by someone else"):
        structure.merge_with_next(
            segment_id=_seg(ep, 1).pk, base_version=1, next_version=1, user=translator_user
        )
    assert Segment.objects.filter(episode=ep).count() == 4


def test_undo_merge_brings_back_the_second_row_with_its_history(ep, translator_user, reviewer_user):
    a, b = _seg(ep, 1), _seg(ep, 2)
    review.save_segment(
        segment_id=b.pk, text="Pleased to meet you.", base_version=1, user=reviewer_user
    )
    b.refresh_from_db()
    b_state = (b.source_text, b.text, b.machine_text, b.status, b.version)
    b_cues = [c[:5] for c in _cues(b)]
    a_cues = [c[:5] for c in _cues(a)]
    structure.merge_with_next(segment_id=a.pk, base_version=1, next_version=2, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    actions.undo(action_id=act.pk, user=translator_user)
    a.refresh_from_db()
    new_b = _seg(ep, 2)
    assert new_b.pk == b.pk  # back under its own id: its history, the page's row, later undos
    assert (a.source_text, a.text, a.status) == ("はい、永野です。", "Yes, I'm Nagano.", "edited")
    assert (
        new_b.source_text,
        new_b.text,
        new_b.machine_text,
        new_b.status,
        new_b.version,
    ) == b_state
    assert [c[:5] for c in _cues(a)] == a_cues and [c[:5] for c in _cues(new_b)] == b_cues
    assert list(new_b.revisions.values_list("new_text", flat=True)) == ["Pleased to meet you."]
    assert _seg(ep, 3).source_text == "どうも。"


# --- the export after each kind of edit ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_export_reflects_source_edit_split_and_merge(ep, translator_user, fmt):
    structure.edit_source(
        segment_id=_seg(ep, 1).pk,
        source_text="はい、長野です。",
        base_version=1,
        user=translator_user,
    )
    seg = _seg(ep, 0)
    structure.split_segment(
        segment_id=seg.pk,
        at=LONG.index("まずは"),
        english_at=seg.text.index("but"),
        base_version=1,
        user=translator_user,
    )
    structure.merge_with_next(
        segment_id=_seg(ep, 2).pk, base_version=2, next_version=1, user=translator_user
    )
    text = _export_ok(ep, fmt)
    assert "長野" in text and "永野" not in text
    assert "Yes, I'm Nagano. Nice to meet you." in text.replace("  ", " ") or (
        "Nice to meet you." in text and "Yes, I'm Nagano." in text
    )
    assert "but first introduce yourself." in text
    order = list(
        Segment.objects.filter(episode=ep).order_by("order").values_list("source_text", flat=True)
    )
    assert order == [
        LONG[: LONG.index("まずは")],
        LONG[LONG.index("まずは") :],
        "はい、長野です。よろしくお願いします。",
        "どうも。",
    ]


def test_project_file_keeps_the_stale_flag_and_the_japanese_history(ep, translator_user):
    """A backup made after a source edit restores the flag and the edit's Japanese (they were
    not in the project file at first)."""
    from translator.services import backup

    seg = _seg(ep, 1)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
    )
    copy = backup.import_project(data=backup.dumps_project(episode_id=ep.pk))
    restored = copy.segments.get(order=1)
    assert restored.source_stale and QAFlag.SOURCE_CHANGED.value in _flags(restored)
    rev = restored.revisions.get(action="source")
    assert (rev.old_source_text, rev.new_source_text) == ("はい、永野です。", "はい、長野です。")


def test_reviewers_edit_structure_too(ep, reviewer_user):
    a = _seg(ep, 1)
    structure.edit_source(
        segment_id=a.pk, source_text="はい、長野です。", base_version=1, user=reviewer_user
    )
    first, second = structure.split_segment(
        segment_id=a.pk, at=3, base_version=2, user=reviewer_user
    )
    merged = structure.merge_with_next(
        segment_id=first.pk, base_version=first.version, next_version=1, user=reviewer_user
    )
    assert merged.source_text == "はい、長野です。"
    kinds = list(
        EditAction.objects.filter(user=reviewer_user).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["source_edit", "split", "merge"]
    # three undos, last first, bring the row back to how it was
    for _ in kinds:
        act = actions.last_undoable(episode_id=ep.pk, user=reviewer_user)
        actions.undo(action_id=act.pk, user=reviewer_user)
    a.refresh_from_db()
    assert (a.source_text, a.text, a.status) == ("はい、永野です。", "Yes, I'm Nagano.", "edited")
    assert Segment.objects.filter(episode=ep).count() == 4


def test_undo_merge_refused_when_the_merged_row_changed(ep, translator_user, reviewer_user):
    a = _seg(ep, 1)
    merged = structure.merge_with_next(
        segment_id=a.pk, base_version=1, next_version=1, user=translator_user
    )
    review.save_segment(
        segment_id=a.pk,
        text="Yes. Nice to meet you.",
        base_version=merged.version,
        user=reviewer_user,
    )
    act = EditAction.objects.get(kind="merge")
    with pytest.raises(actions.UndoRefused, match="row 2 changed since"):
        actions.undo(action_id=act.pk, user=translator_user)
    assert Segment.objects.filter(episode=ep).count() == 3


def test_merge_keeps_a_space_between_latin_words(ep, translator_user):
    a, b = _seg(ep, 1), _seg(ep, 2)
    Segment.objects.filter(pk=a.pk).update(source_text="git push")
    Segment.objects.filter(pk=b.pk).update(source_text="heroku masterです。")
    Cue.objects.filter(segment=a).update(source_end=8, source_text="git push")
    Cue.objects.filter(segment=b).update(source_end=16, source_text="heroku masterです。")
    out = structure.merge_with_next(
        segment_id=a.pk, base_version=1, next_version=1, user=translator_user
    )
    assert out.source_text == "git push heroku masterです。"
    spans = [(c[3], c[4]) for c in _cues(out)]
    assert spans == [(0, 9), (9, 25)]
    assert [out.source_text[x:y] for x, y in spans] == ["git push ", "heroku masterです。"]


def test_split_shifts_many_later_rows_under_the_unique_order(translator_user):
    """Splitting the first of 300 rows renumbers the 299 after it (a naive order+1 UPDATE breaks
    the (episode, order) unique constraint row by row)."""
    ep = Episode.objects.create(title="many")
    Segment.objects.bulk_create(
        Segment(episode=ep, order=i, source_text=f"文{i}です。", text="") for i in range(300)
    )
    first = Segment.objects.get(episode=ep, order=0)
    structure.split_segment(segment_id=first.pk, at=2, base_version=1, user=translator_user)
    orders = list(
        Segment.objects.filter(episode=ep).order_by("order").values_list("order", flat=True)
    )
    assert orders == list(range(301))
    assert Segment.objects.get(episode=ep, order=2).source_text == "文1です。"


def test_retranslate_with_argos_inline(ep, translator_user, settings, argos_models, tmp_path):
    """The offline engine loads its model on first use, in the request, without torch."""
    from translator.engines.argos_packages import install_from_file

    packages = tmp_path / "argos-packages"
    install_from_file(argos_models.cat, packages)
    settings.TRANSLATION_ENGINES = {
        "argos": {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages), "beam_size": 1},
        }
    }
    reset_engines()
    try:
        seg = _seg(ep, 3)
        Segment.objects.filter(pk=seg.pk).update(source_text="猫。")
        done = structure.retranslate_segment(segment_id=seg.pk, user=translator_user)
    finally:
        reset_engines()
    seg.refresh_from_db()
    assert done.engine_label == "Argos (offline)" and seg.machine_engine == "argos"
    assert "cat" in seg.text and seg.text == seg.machine_text and seg.status == "machine"


def test_undo_of_the_save_that_confirmed_the_english_brings_the_flag_back(ep, translator_user):
    seg = _seg(ep, 1)
    structure.edit_source(
        segment_id=seg.pk, source_text="はい、長野です。", base_version=1, user=translator_user
    )
    review.save_segment(
        segment_id=seg.pk, text="Yes, I'm Nagano.", base_version=2, user=translator_user
    )
    assert QAFlag.SOURCE_CHANGED.value not in _flags(seg)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    actions.undo(action_id=act.pk, user=translator_user)
    seg.refresh_from_db()
    assert seg.source_stale and QAFlag.SOURCE_CHANGED.value in _flags(seg)


def test_a_translation_job_retranslates_machine_rows_whose_japanese_changed(
    ep, translator_user, deepl
):
    from translator.services import translation

    machine, edited = _seg(ep, 2), _seg(ep, 1)
    for seg, new in ((machine, "よろしくね。"), (edited, "はい、長野です。")):
        structure.edit_source(
            segment_id=seg.pk, source_text=new, base_version=1, user=translator_user
        )
    job = translation.start_translation_job(
        episode_id=ep.pk, engine="deepl", user=translator_user, enqueue=False
    )
    assert job.total == 1
    translation.run_translation_job(job_id=job.pk)
    machine.refresh_from_db()
    edited.refresh_from_db()
    assert not machine.source_stale and machine.text != "Nice to meet you."
    assert edited.source_stale and edited.text == "Yes, I'm Nagano."  # a person's: untouched
    assert ["よろしくね。"] in [r.texts for r in deepl.translate_requests()]
