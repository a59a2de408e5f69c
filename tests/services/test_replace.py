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
from translator.services import actions, replace, review, structure, timing_edit

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
    # Reads only (PostgreSQL reads a large result through a server-side cursor: DECLARE …).
    reads = ("SELECT", "DECLARE", "FETCH", "CLOSE")
    assert not [q for q in ctx.captured_queries if not q["sql"].lstrip().startswith(reads)]
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


def test_preview_offers_the_japanese_change_too(ep):
    out = replace.preview(
        episode_id=ep.pk,
        query=FindQuery("東京", whole_word=True),
        replacement="江戸",
        scope="both",
    )
    assert [(h.number, h.field, h.replaceable) for h in out.hits] == [
        (1, "ja", True),
        (2, "ja", True),
    ]
    assert out.changes[0].after == [("江戸", True), ("に行きます。", False)]


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


# --- the Japanese (through structure.edit_source) ------------------------------------------


def _ja_apply(ep, user, query, replacement, *, fields=("ja",), scope="ja"):
    out = replace.preview(episode_id=ep.pk, query=query, replacement=replacement, scope=scope)
    return replace.apply(
        episode_id=ep.pk,
        query=query,
        replacement=replacement,
        selected={h.segment_id: h.version for h in out.changes},
        fields={h.segment_id: fields for h in out.changes},
        user=user,
    )


def _cue_rows(seg) -> list[tuple]:
    return list(
        Cue.objects.filter(segment=seg)
        .order_by("index")
        .values_list("id", "source_text", "start_ms", "end_ms", "source_start", "source_end")
    )


def test_japanese_replace_goes_through_the_source_edit_in_one_replace_action(ep, translator_user):
    result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
    a, b = _seg(ep, 0), _seg(ep, 1)
    assert (a.source_text, b.source_text) == ("江戸に行きます。", "江戸都の話です。")
    assert (a.text, a.status, a.version) == ("I go to Tokyo.", "machine", 2)  # English kept
    assert a.source_stale and b.source_stale  # "Japanese changed since the translation"
    assert [c[1:] for c in _cue_rows(a)] == [("江戸に行きます。", 0, 2500, 0, 8)]  # re-cut
    # One action, the replace: the source edits joined it, their revisions attached to it.
    assert list(EditAction.objects.values_list("kind", flat=True)) == [EditAction.Kind.REPLACE]
    act = EditAction.objects.get(pk=result.action_id)
    revs = list(act.revisions.order_by("id"))
    assert [(r.segment_id, r.action, r.old_source_text, r.new_source_text) for r in revs] == [
        (a.pk, SegmentRevision.Action.SOURCE, "東京に行きます。", "江戸に行きます。"),
        (b.pk, SegmentRevision.Action.SOURCE, "東京都の話です。", "江戸都の話です。"),
    ]
    assert act.summary == "Replace “東京” → “江戸” in 2 rows"
    assert sorted(result.replaced) == sorted([a.pk, b.pk])
    assert "source_changed" in (a.qa_flags or [])


def test_both_changes_japanese_then_english_each_version_checked(ep, translator_user):
    query = FindQuery("東京|Tokyo", regex=True, match_case=True)
    result = _ja_apply(ep, translator_user, query, "Edo", fields=("en", "ja"), scope="both")
    a = _seg(ep, 0)
    assert (a.source_text, a.text, a.status, a.version) == (
        "Edoに行きます。",
        "I go to Edo.",
        "edited",
        3,
    )
    # The English was written after the new Japanese: it confirms it, no stale flag.
    assert not a.source_stale
    revs = list(EditAction.objects.get(pk=result.action_id).revisions.filter(segment=a))
    assert [(r.action, r.version) for r in sorted(revs, key=lambda r: r.id)] == [
        (SegmentRevision.Action.SOURCE, 2),
        (SegmentRevision.Action.EDIT, 3),
    ]
    b = _seg(ep, 1)  # "tokyo" (lower case) is not matched: only its Japanese changed
    assert (b.source_text, b.text, b.source_stale) == (
        "Edo都の話です。",
        "It's about tokyo prefecture.",
        True,
    )


def test_only_the_ticked_field_of_a_row_is_replaced(ep, translator_user):
    query = FindQuery("東京|Tokyo", regex=True, match_case=True)
    out = replace.preview(episode_id=ep.pk, query=query, replacement="Edo", scope="both")
    a = _seg(ep, 0)
    replace.apply(
        episode_id=ep.pk,
        query=query,
        replacement="Edo",
        selected={a.pk: a.version},
        fields={a.pk: ("en",)},
        user=translator_user,
    )
    a.refresh_from_db()
    assert (a.source_text, a.text) == ("東京に行きます。", "I go to Edo.")
    assert len(out.changes) == 3


def test_japanese_changed_since_the_preview_is_left_alone_and_named(
    ep, translator_user, reviewer_user
):
    query = FindQuery("東京")
    out = replace.preview(episode_id=ep.pk, query=query, replacement="江戸", scope="ja")
    b = _seg(ep, 1)
    structure.edit_source(
        segment_id=b.pk, source_text="東京の話。", base_version=1, user=reviewer_user
    )
    result = replace.apply(
        episode_id=ep.pk,
        query=query,
        replacement="江戸",
        selected={h.segment_id: h.version for h in out.changes},
        fields={h.segment_id: ("ja",) for h in out.changes},
        user=translator_user,
    )
    assert result.conflicts == [2]
    assert _seg(ep, 1).source_text == "東京の話。"  # the other editor's Japanese stays
    assert _seg(ep, 0).source_text == "江戸に行きます。"


def test_a_japanese_change_the_source_edit_refuses_leaves_the_whole_row_alone(ep, translator_user):
    query = FindQuery(r"^.+$|It's", regex=True)
    result = _ja_apply(ep, translator_user, query, "", fields=("ja", "en"), scope="both")
    assert [row for row, _why in result.refused] == [1, 2, 3, 4]
    assert "cannot be empty" in result.refused[0][1]
    assert [(_seg(ep, i).source_text, _seg(ep, i).text) for i in range(4)] == TEXTS
    assert result.action_id is None and not SegmentRevision.objects.exists()


def test_one_undo_reverts_japanese_english_and_cues(ep, translator_user):
    a, b = _seg(ep, 0), _seg(ep, 1)
    a_cues, b_cues = _cue_rows(a), _cue_rows(b)
    # Row 1: Japanese and English; row 2: a Japanese long enough to be cut into new cues.
    long_ja = "江戸" + "とても長い日本語の文章がここに続いていきます、" * 3 + "です。"
    query = FindQuery("^東京に行きます。$|^東京都の話です。$|Tokyo", regex=True, match_case=True)
    out = replace.preview(episode_id=ep.pk, query=query, replacement=long_ja, scope="both")
    result = replace.apply(
        episode_id=ep.pk,
        query=query,
        replacement=long_ja,
        selected={h.segment_id: h.version for h in out.changes},
        fields={h.segment_id: ("ja", "en") for h in out.changes},
        user=translator_user,
    )
    assert sorted(result.replaced) == sorted([a.pk, b.pk])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.source_text, a.text) == (long_ja, f"I go to {long_ja}.")
    assert b.source_text == long_ja and len(_cue_rows(b)) > 1  # cut into new cues
    assert _cue_rows(b)[0][2] == 3000 and _cue_rows(b)[-1][3] == 5500  # over the same span

    undo = actions.undo(action_id=result.action_id, user=translator_user)
    for seg, (ja, en), cues in ((a, TEXTS[0], a_cues), (b, TEXTS[1], b_cues)):
        seg.refresh_from_db()
        assert (seg.source_text, seg.text, seg.status, seg.source_stale) == (
            ja,
            en,
            "machine",
            False,
        )
        assert _cue_rows(seg) == cues  # the same cues, under their ids
        assert "source_changed" not in (seg.qa_flags or [])
    revs = [
        (r.segment_id, r.action, r.new_text, r.old_source_text, r.new_source_text)
        for r in undo.revisions.order_by("id")
    ]
    assert revs == [  # the English first, then the Japanese
        (a.pk, "undo", TEXTS[0][1], "", ""),
        (a.pk, "undo", TEXTS[0][1], long_ja, TEXTS[0][0]),
        (b.pk, "undo", TEXTS[1][1], long_ja, TEXTS[1][0]),
    ]
    assert EditAction.objects.get(pk=result.action_id).undone_at is not None


def test_undo_of_a_japanese_replace_is_refused_whole_when_a_row_changed_since(
    ep, translator_user, reviewer_user
):
    result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
    b = _seg(ep, 1)
    structure.edit_source(
        segment_id=b.pk, source_text="江戸の話。", base_version=b.version, user=reviewer_user
    )
    with pytest.raises(actions.UndoRefused, match="row 2 changed since"):
        actions.undo(action_id=result.action_id, user=translator_user)
    assert _seg(ep, 0).source_text == "江戸に行きます。"  # nothing undone


def test_undo_of_a_japanese_replace_is_refused_after_a_retime(ep, translator_user):
    result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
    cue = Cue.objects.get(segment=_seg(ep, 0))
    timing_edit.retime_cue(
        cue_id=cue.pk, start_ms=100, end_ms=2400, base_version=cue.version, user=translator_user
    )
    with pytest.raises(actions.UndoRefused, match="row 1 changed since"):
        actions.undo(action_id=result.action_id, user=translator_user)
    assert _seg(ep, 0).source_text == "江戸に行きます。" and _seg(ep, 1).source_text == (
        "江戸都の話です。"
    )


def test_japanese_replace_of_approved_rows_is_undone_by_a_translator(
    ep, translator_user, reviewer_user
):
    """Only the Japanese changed: its undo puts back no approval, so a translator may undo."""
    a = _seg(ep, 0)
    review.set_approved(segment_id=a.pk, approved=True, user=reviewer_user)
    result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
    assert _seg(ep, 0).status == "approved"
    actions.undo(action_id=result.action_id, user=translator_user)
    a.refresh_from_db()
    assert (a.source_text, a.status) == ("東京に行きます。", "approved")


def test_japanese_replace_and_its_undo_need_the_rights(ep, translator_user, reviewer_user):
    from tests.conftest import make_user

    nobody = make_user("nobody2")
    with pytest.raises(PermissionDenied):
        _ja_apply(ep, nobody, FindQuery("東京"), "江戸")
    assert _seg(ep, 0).source_text == "東京に行きます。"
    result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
    with pytest.raises(PermissionDenied):
        actions.undo(action_id=result.action_id, user=nobody)
    with pytest.raises(actions.UndoRefused, match="only undo your own"):
        actions.undo(action_id=result.action_id, user=reviewer_user)
    assert _seg(ep, 0).source_text == "江戸に行きます。"


def test_japanese_apply_queries_are_bounded_per_row_not_by_the_episode(translator_user):
    """A Japanese replace costs a bounded number of queries per changed row (the source edit's
    own), nothing per unmatched row of the episode; its undo likewise."""

    def run(n_rows: int, n_other: int) -> tuple[int, int]:
        ep = Episode.objects.create(title="big")
        segs = Segment.objects.bulk_create(
            [
                Segment(episode=ep, order=i, source_text=f"東京{i}。", text="x", status="machine")
                for i in range(n_rows)
            ]
            + [
                Segment(episode=ep, order=n_rows + i, source_text="い", text="y", status="machine")
                for i in range(n_other)
            ]
        )
        Cue.objects.bulk_create(
            Cue(segment=s, index=0, start_ms=i * 3000, end_ms=i * 3000 + 2000)
            for i, s in enumerate(segs)
        )
        with CaptureQueriesContext(connection) as ctx:
            result = _ja_apply(ep, translator_user, FindQuery("東京"), "江戸")
        with CaptureQueriesContext(connection) as undo_ctx:
            actions.undo(action_id=result.action_id, user=translator_user)
        assert Segment.objects.filter(episode=ep, source_text__startswith="東京").count() == n_rows
        return len(ctx.captured_queries), len(undo_ctx.captured_queries)

    small, wide, many = run(5, 0), run(5, 300), run(20, 0)
    for k in (0, 1):  # apply, undo
        assert wide[k] <= small[k] + 5
        assert (many[k] - small[k]) / 15 <= 20  # ~13 per row to apply, ~10 to undo
