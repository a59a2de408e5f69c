"""Find & replace across an episode (translator.services.replace): the preview, one apply
through save_segment (versions, revisions, QA flags, memory), conflicts left alone, one undo
for the whole replace, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from translator.core.find import FindError, FindQuery
from translator.models import Cue, EditAction, Episode, MemoryUnit, Segment, SegmentRevision
from translator.services import actions, replace, review

pytestmark = pytest.mark.django_db

TEXTS = [
    ("東京に行きます。", "I go to Tokyo."),
    ("東京都の話です。", "It's about tokyo prefecture."),
    ("京都です。", "It's Kyoto."),
    ("大阪です。", "It's Osaka."),
]


@pytest.fixture
def ep():
    ep = Episode.objects.create(title="t")
    for i, (ja, en) in enumerate(TEXTS):
        seg = Segment.objects.create(
            episode=ep, order=i, source_text=ja, text=en, machine_text=en, status="machine"
        )
        Cue.objects.create(
            segment=seg, index=0, start_ms=i * 3000, end_ms=i * 3000 + 2500, source_text=ja
        )
    return ep


def _seg(ep, order) -> Segment:
    return Segment.objects.get(episode=ep, order=order)


def test_preview_lists_every_change_with_its_version_and_writes_nothing(ep):
    with CaptureQueriesContext(connection) as ctx:
        out = replace.preview(episode_id=ep.pk, query=FindQuery("tokyo"), replacement="Tōkyō")
    assert not [q for q in ctx.captured_queries if not q["sql"].lstrip().startswith("SELECT")]
    assert len(ctx.captured_queries) == 1  # one query over the episode
    assert [(h.number, h.version, h.field, h.count) for h in out.changes] == [
        (1, 1, "en", 1),
        (2, 1, "en", 1),
    ]
    first = out.changes[0]
    assert first.before == [("I go to ", False), ("Tokyo", True), (".", False)]
    assert first.after == [("I go to ", False), ("Tōkyō", True), (".", False)]
    assert (out.matches, out.rows, out.truncated) == (2, 2, False)
    assert _seg(ep, 0).text == "I go to Tokyo."


def test_preview_finds_in_japanese_but_offers_no_japanese_change(ep):
    out = replace.preview(
        episode_id=ep.pk,
        query=FindQuery("東京", whole_word=True),
        replacement="X",
        scope="both",
    )
    assert [(h.number, h.field, h.replaceable) for h in out.hits] == [
        (1, "ja", False),
        (2, "ja", False),
    ]
    assert out.changes == []
    assert replace.JAPANESE_REPLACE is False


def test_preview_caps_the_matches(ep, monkeypatch):
    monkeypatch.setattr(replace, "MAX_MATCHES", 2)
    out = replace.preview(episode_id=ep.pk, query=FindQuery("it"), scope="en")
    assert out.truncated
    assert out.matches <= 2


def test_bad_pattern_or_scope_is_refused(ep):
    with pytest.raises(FindError, match="repeat inside a repeat"):
        replace.preview(episode_id=ep.pk, query=FindQuery("(a+)+", regex=True))
    with pytest.raises(FindError, match="Choose where"):
        replace.preview(episode_id=ep.pk, query=FindQuery("a"), scope="fr")


def test_apply_goes_through_save_segment_as_one_action(ep, reviewer_user):
    a = _seg(ep, 0)
    review.set_approved(segment_id=a.pk, approved=True, user=reviewer_user)
    a.refresh_from_db()
    assert MemoryUnit.objects.filter(segment=a).exists()
    out = replace.preview(episode_id=ep.pk, query=FindQuery("tokyo"), replacement="Tōkyō")
    result = replace.apply(
        episode_id=ep.pk,
        query=FindQuery("tokyo"),
        replacement="Tōkyō",
        selected={h.segment_id: h.version for h in out.changes},
        user=reviewer_user,
    )
    a.refresh_from_db()
    b = _seg(ep, 1)
    assert (a.text, a.status, a.version) == ("I go to Tōkyō.", "edited", 3)
    assert (b.text, b.status, b.version) == ("It's about Tōkyō prefecture.", "edited", 2)
    act = EditAction.objects.get(pk=result.action_id)
    assert act.kind == EditAction.Kind.REPLACE
    assert act.summary == "Replace “tokyo” → “Tōkyō” in 2 rows"
    assert sorted(act.revisions.values_list("segment_id", flat=True)) == sorted([a.pk, b.pk])
    assert set(act.revisions.values_list("action", flat=True)) == {SegmentRevision.Action.EDIT}
    # The services' side effects: the edited row left the memory; QA flags were stored.
    assert not MemoryUnit.objects.filter(segment=a).exists()
    assert a.qa_flags is not None and b.qa_flags is not None
    assert result.conflicts == []
    assert sorted(result.replaced) == sorted([a.pk, b.pk])


def test_unticked_rows_are_left_alone(ep, translator_user):
    out = replace.preview(episode_id=ep.pk, query=FindQuery("it's"), replacement="It is")
    keep = out.changes[0]
    replace.apply(
        episode_id=ep.pk,
        query=FindQuery("it's"),
        replacement="It is",
        selected={keep.segment_id: keep.version},
        user=translator_user,
    )
    assert _seg(ep, 1).text == "It is about tokyo prefecture."
    assert _seg(ep, 2).text == "It's Kyoto."


def test_segments_changed_since_the_preview_are_conflicts_left_alone(
    ep, translator_user, reviewer_user
):
    out = replace.preview(episode_id=ep.pk, query=FindQuery("tokyo"), replacement="Tōkyō")
    b = _seg(ep, 1)
    review.save_segment(
        segment_id=b.pk, text="About Tokyo, the prefecture.", base_version=1, user=reviewer_user
    )
    result = replace.apply(
        episode_id=ep.pk,
        query=FindQuery("tokyo"),
        replacement="Tōkyō",
        selected={h.segment_id: h.version for h in out.changes},
        user=translator_user,
    )
    assert result.conflicts == [2]
    assert _seg(ep, 1).text == "About Tokyo, the prefecture."  # the other editor's text stays
    assert _seg(ep, 0).text == "I go to Tōkyō."
    assert EditAction.objects.get(pk=result.action_id).summary.endswith("in 1 row")


def test_one_undo_reverts_the_whole_replace(ep, translator_user):
    query = FindQuery(r"It's (\w+)", regex=True)
    out = replace.preview(episode_id=ep.pk, query=query, replacement=r"This is \1")
    assert len(out.changes) == 3
    result = replace.apply(
        episode_id=ep.pk,
        query=query,
        replacement=r"This is \1",
        selected={h.segment_id: h.version for h in out.changes},
        user=translator_user,
    )
    assert _seg(ep, 2).text == "This is Kyoto."
    last = actions.last_undoable(episode_id=ep.pk, user=translator_user)
    assert last.pk == result.action_id
    undo = actions.undo(action_id=last.pk, user=translator_user)
    assert [(_seg(ep, i).text, _seg(ep, i).status) for i in range(4)] == [
        (en, "machine") for _ja, en in TEXTS
    ]
    assert undo.revisions.count() == 3
    assert set(undo.revisions.values_list("action", flat=True)) == {SegmentRevision.Action.UNDO}


def test_undo_of_a_replace_is_refused_when_a_row_changed_since(ep, translator_user, reviewer_user):
    out = replace.preview(episode_id=ep.pk, query=FindQuery("It's"), replacement="It is")
    result = replace.apply(
        episode_id=ep.pk,
        query=FindQuery("It's"),
        replacement="It is",
        selected={h.segment_id: h.version for h in out.changes},
        user=translator_user,
    )
    c = _seg(ep, 2)
    review.save_segment(segment_id=c.pk, text="Kyoto.", base_version=c.version, user=reviewer_user)
    with pytest.raises(actions.UndoRefused, match="row 3 changed since"):
        actions.undo(action_id=result.action_id, user=translator_user)
    assert _seg(ep, 1).text == "It is about tokyo prefecture."  # nothing undone


def test_nothing_replaced_keeps_no_action(ep, translator_user):
    result = replace.apply(
        episode_id=ep.pk,
        query=FindQuery("nowhere"),
        replacement="x",
        selected={_seg(ep, 0).pk: 1},
        user=translator_user,
    )
    assert (result.replaced, result.action_id) == ([], None)
    assert not EditAction.objects.exists()


def test_segments_of_another_episode_are_never_touched(ep, translator_user):
    other = Episode.objects.create(title="other")
    seg = Segment.objects.create(episode=other, order=0, source_text="x", text="Tokyo.")
    replace.apply(
        episode_id=ep.pk,
        query=FindQuery("Tokyo"),
        replacement="Kyoto",
        selected={seg.pk: seg.version},
        user=translator_user,
    )
    seg.refresh_from_db()
    assert seg.text == "Tokyo."


def test_only_editors_may_replace(ep, db):
    from tests.conftest import make_user

    nobody = make_user("nobody")
    with pytest.raises(PermissionDenied):
        replace.apply(
            episode_id=ep.pk,
            query=FindQuery("Tokyo"),
            replacement="Kyoto",
            selected={_seg(ep, 0).pk: 1},
            user=nobody,
        )
    assert _seg(ep, 0).text == "I go to Tokyo."


def test_apply_queries_grow_linearly_with_rows_not_with_the_episode(translator_user):
    """Rows matched cost a bounded number of queries each; the rest of the episode costs
    nothing per row."""

    def run(n_rows: int, n_other: int) -> int:
        ep = Episode.objects.create(title="big")
        segs = [
            Segment(episode=ep, order=i, source_text="あ", text=f"Tokyo {i}.", status="machine")
            for i in range(n_rows)
        ] + [
            Segment(episode=ep, order=n_rows + i, source_text="い", text="Other.", status="machine")
            for i in range(n_other)
        ]
        Segment.objects.bulk_create(segs)
        out = replace.preview(episode_id=ep.pk, query=FindQuery("Tokyo"), replacement="Kyoto")
        with CaptureQueriesContext(connection) as ctx:
            replace.apply(
                episode_id=ep.pk,
                query=FindQuery("Tokyo"),
                replacement="Kyoto",
                selected={h.segment_id: h.version for h in out.changes},
                user=translator_user,
            )
        return len(ctx.captured_queries)

    small, wide, many = run(5, 0), run(5, 300), run(20, 0)
    assert wide <= small + 5  # the unmatched rest of the episode adds (almost) nothing
    per_row = (many - small) / 15
    assert per_row <= 15
