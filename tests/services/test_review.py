"""Review service rules: compare-and-set, revisions, own re-saves, approval, restore."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from translator.models import Episode, Segment
from translator.services import editing, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def seg():
    ep = Episode.objects.create(title="t")
    return Segment.objects.create(
        episode=ep,
        order=0,
        source_text="はい。",
        text="Yes.",
        machine_text="Yes.",
        status="machine",
    )


def test_save_writes_revision_and_bumps_version(seg, translator_user):
    out = review.save_segment(
        segment_id=seg.pk, text=" Yeah.\r\n", base_version=1, user=translator_user
    )
    assert (out.text, out.status, out.version) == ("Yeah.", "edited", 2)
    rev = out.revisions.get()
    assert (rev.old_text, rev.new_text, rev.old_status, rev.new_status) == (
        "Yes.",
        "Yeah.",
        "machine",
        "edited",
    )


def test_unchanged_save_is_a_no_op(seg, translator_user):
    out = review.save_segment(segment_id=seg.pk, text="Yes.", base_version=1, user=translator_user)
    assert out.version == 1 and not out.revisions.exists()


def test_conflict_carries_both_texts_and_writes_nothing(seg, translator_user, reviewer_user):
    review.save_segment(segment_id=seg.pk, text="Theirs.", base_version=1, user=reviewer_user)
    with pytest.raises(review.EditConflict) as info:
        review.save_segment(segment_id=seg.pk, text="Mine.", base_version=1, user=translator_user)
    assert (info.value.yours, info.value.theirs, info.value.their_version) == (
        "Mine.",
        "Theirs.",
        2,
    )
    assert Segment.objects.get(pk=seg.pk).text == "Theirs."
    out = review.save_segment(
        segment_id=seg.pk, text="Mine.", base_version=1, user=translator_user, overwrite=True
    )
    assert out.text == "Mine." and out.revisions.first().action == "overwrite"
    assert out.revisions.first().old_text == "Theirs."


def test_own_resave_and_identical_text_never_conflict(seg, translator_user, reviewer_user):
    review.save_segment(segment_id=seg.pk, text="A.", base_version=1, user=translator_user)
    out = review.save_segment(segment_id=seg.pk, text="B.", base_version=1, user=translator_user)
    assert out.text == "B."
    review.save_segment(segment_id=seg.pk, text="C.", base_version=3, user=reviewer_user)
    out = review.save_segment(segment_id=seg.pk, text="C.", base_version=1, user=translator_user)
    assert out.text == "C."  # same text as theirs: nothing to lose


def test_machine_text_back_is_machine_status(seg, translator_user):
    review.save_segment(segment_id=seg.pk, text="Edited.", base_version=1, user=translator_user)
    out = review.save_segment(segment_id=seg.pk, text="Yes.", base_version=2, user=translator_user)
    assert out.status == "machine"
    out = review.save_segment(segment_id=seg.pk, text="", base_version=3, user=translator_user)
    assert out.status == "untranslated"


def test_approval_rules(seg, translator_user, reviewer_user):
    with pytest.raises(PermissionDenied):
        review.save_segment(
            segment_id=seg.pk, text="Yes.", base_version=1, user=translator_user, approve=True
        )
    with pytest.raises(PermissionDenied):
        review.set_approved(segment_id=seg.pk, approved=True, user=translator_user)
    with pytest.raises(review.ReviewError):
        review.save_segment(
            segment_id=seg.pk, text=" ", base_version=1, user=reviewer_user, approve=True
        )
    out = review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    assert out.status == "approved"
    out = review.set_approved(segment_id=seg.pk, approved=False, user=reviewer_user)
    assert out.status == "machine"  # the machine's text, unapproved


def test_restore_is_a_revision(seg, translator_user):
    review.save_segment(segment_id=seg.pk, text="One.", base_version=1, user=translator_user)
    review.save_segment(segment_id=seg.pk, text="Two.", base_version=2, user=translator_user)
    first = seg.revisions.order_by("id").first()
    out = review.restore_revision(revision_id=first.pk, user=translator_user, base_version=3)
    assert out.text == "One." and out.revisions.first().action == "restore"
    with pytest.raises(review.EditConflict):
        review.restore_revision(revision_id=first.pk, user=translator_user, base_version=1)


def test_bulk_approve_skips_empty_and_other_episodes(seg, reviewer_user):
    other = Segment.objects.create(episode=seg.episode, order=1, source_text="え", text="")
    result = review.bulk_approve(
        seen={seg.pk: seg.version, other.pk: other.version},
        episode_id=seg.episode_id,
        user=reviewer_user,
    )
    assert result == review.BulkApproval(approved=1, changed=[])
    assert Segment.objects.get(pk=other.pk).status == "untranslated"
    result = review.bulk_approve(
        seen={seg.pk: seg.version}, episode_id=seg.episode_id + 99, user=reviewer_user
    )
    assert result.approved == 0


def test_bulk_approve_leaves_rows_saved_since_the_reviewer_saw_them(
    seg, translator_user, reviewer_user
):
    """The reviewer ticked a row, then a translator rewrote it: approving would approve a
    text nobody reviewed."""
    seen_version = seg.version
    second = Segment.objects.create(
        episode=seg.episode, order=1, source_text="え", text="Fine.", status="machine"
    )
    review.save_segment(
        segment_id=seg.pk, text="Rewritten later.", base_version=seen_version, user=translator_user
    )
    result = review.bulk_approve(
        seen={seg.pk: seen_version, second.pk: second.version},
        episode_id=seg.episode_id,
        user=reviewer_user,
    )
    assert result == review.BulkApproval(approved=1, changed=[seg.order + 1])
    seg.refresh_from_db()
    assert seg.status == "edited" and seg.text == "Rewritten later."
    assert Segment.objects.get(pk=second.pk).status == "approved"


def test_editing_validation(seg, translator_user, plain_user):
    with pytest.raises(PermissionDenied):
        editing.add_glossary_term(
            episode_id=seg.episode_id, source="a", target="b", user=plain_user
        )
    with pytest.raises(editing.EditingError):
        editing.add_glossary_term(
            episode_id=seg.episode_id, source=" ", target="b", user=translator_user
        )
    with pytest.raises(editing.EditingError):
        editing.attach_media_url(
            episode_id=seg.episode_id, url="file:///etc/passwd", user=translator_user
        )
    assert editing.media_kind("x.MP4") == "video" and editing.media_kind("x.wav") == "audio"
