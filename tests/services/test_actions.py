"""Editor actions and undo: grouping revisions, refusing when others changed a row, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from translator.models import EditAction, Episode, Segment, SegmentRevision
from translator.services import actions, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def ep():
    ep = Episode.objects.create(title="t")
    for i, (ja, en) in enumerate(
        [("はい。", "Yes."), ("いいえ。", "No."), ("どうも。", "Thanks.")]
    ):
        Segment.objects.create(
            episode=ep, order=i, source_text=ja, text=en, machine_text=en, status="machine"
        )
    return ep


def _seg(ep, order):
    return Segment.objects.get(episode=ep, order=order)


def test_save_is_one_action_and_undo_puts_text_and_status_back(ep, translator_user):
    s = _seg(ep, 0)
    review.save_segment(segment_id=s.pk, text="Yeah.", base_version=1, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert (act.kind, act.summary) == ("save", "Save row 1")
    assert list(act.revisions.values_list("new_text", flat=True)) == ["Yeah."]

    undo = actions.undo(action_id=act.pk, user=translator_user)
    s.refresh_from_db()
    assert (s.text, s.status, s.version) == ("Yes.", "machine", 3)
    rev = undo.revisions.get()
    assert (rev.action, rev.old_text, rev.new_text) == (
        SegmentRevision.Action.UNDO,
        "Yeah.",
        "Yes.",
    )
    act.refresh_from_db()
    assert act.undone_by == undo
    # Ctrl+Z again: nothing left (the undo itself is not offered).
    assert actions.last_undoable(episode_id=ep.pk, user=translator_user) is None


def test_unchanged_save_records_no_action(ep, translator_user):
    s = _seg(ep, 0)
    review.save_segment(segment_id=s.pk, text="Yes.", base_version=1, user=translator_user)
    assert not EditAction.objects.exists()


def test_undo_refused_when_someone_changed_the_row_since(ep, translator_user, reviewer_user):
    s = _seg(ep, 1)
    review.save_segment(segment_id=s.pk, text="Nope.", base_version=1, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    review.save_segment(segment_id=s.pk, text="No way.", base_version=2, user=reviewer_user)
    with pytest.raises(actions.UndoRefused, match="row 2 changed since"):
        actions.undo(action_id=act.pk, user=translator_user)
    s.refresh_from_db()
    assert (s.text, s.version) == ("No way.", 3)
    act.refresh_from_db()
    assert act.undone_at is None


def test_only_the_author_undoes(ep, translator_user, reviewer_user):
    s = _seg(ep, 0)
    review.save_segment(segment_id=s.pk, text="Yeah.", base_version=1, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert actions.last_undoable(episode_id=ep.pk, user=reviewer_user) is None
    with pytest.raises(actions.UndoRefused, match="your own"):
        actions.undo(action_id=act.pk, user=reviewer_user)


def test_plain_user_cannot_undo(ep, plain_user, translator_user):
    with pytest.raises(PermissionDenied):
        actions.undo(action_id=1, user=plain_user)


def test_bulk_approve_undoes_as_one(ep, reviewer_user):
    seen = dict(Segment.objects.filter(episode=ep).values_list("pk", "version"))
    review.bulk_approve(seen=seen, episode_id=ep.pk, user=reviewer_user)
    act = actions.last_undoable(episode_id=ep.pk, user=reviewer_user)
    assert (act.kind, act.summary, act.revisions.count()) == ("bulk_approve", "Approve 3 rows", 3)
    actions.undo(action_id=act.pk, user=reviewer_user)
    assert set(Segment.objects.filter(episode=ep).values_list("status", flat=True)) == {"machine"}


def test_approve_then_save_undo_in_order(ep, reviewer_user):
    s = _seg(ep, 2)
    review.set_approved(segment_id=s.pk, approved=True, user=reviewer_user)
    review.save_segment(segment_id=s.pk, text="Thank you.", base_version=2, user=reviewer_user)
    actions.undo(
        action_id=actions.last_undoable(episode_id=ep.pk, user=reviewer_user).pk,
        user=reviewer_user,
    )
    s.refresh_from_db()
    assert (s.text, s.status) == ("Thanks.", "approved")
    actions.undo(
        action_id=actions.last_undoable(episode_id=ep.pk, user=reviewer_user).pk,
        user=reviewer_user,
    )
    s.refresh_from_db()
    assert (s.text, s.status) == ("Thanks.", "machine")


def test_undo_twice_and_undo_of_undo_refused(ep, translator_user):
    s = _seg(ep, 0)
    review.save_segment(segment_id=s.pk, text="Yeah.", base_version=1, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    undo = actions.undo(action_id=act.pk, user=translator_user)
    with pytest.raises(actions.UndoRefused, match="already undone"):
        actions.undo(action_id=act.pk, user=translator_user)
    with pytest.raises(actions.UndoRefused, match="cannot itself"):
        actions.undo(action_id=undo.pk, user=translator_user)


def test_translator_cannot_undo_into_an_approval(ep, translator_user, reviewer_user):
    """A translator's edit of an approved row unapproves it; undoing that edit would approve
    again, which only a reviewer may do."""
    s = _seg(ep, 0)
    review.set_approved(segment_id=s.pk, approved=True, user=reviewer_user)
    review.save_segment(segment_id=s.pk, text="Yeah.", base_version=2, user=translator_user)
    act = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    with pytest.raises(PermissionDenied):
        actions.undo(action_id=act.pk, user=translator_user)
    s.refresh_from_db()
    assert (s.text, s.status) == ("Yeah.", "edited")


def test_nested_actions_join_the_outer(ep, translator_user):
    a, b = _seg(ep, 0), _seg(ep, 1)
    with actions.action(episode_id=ep.pk, user=translator_user, kind="replace", summary="R"):
        review.save_segment(segment_id=a.pk, text="Y.", base_version=1, user=translator_user)
        review.save_segment(segment_id=b.pk, text="N.", base_version=1, user=translator_user)
    act = EditAction.objects.get()
    assert (act.kind, act.revisions.count()) == ("replace", 2)
    actions.undo(action_id=act.pk, user=translator_user)
    assert list(Segment.objects.filter(episode=ep).values_list("text", flat=True)) == [
        "Yes.",
        "No.",
        "Thanks.",
    ]
