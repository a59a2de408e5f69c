"""Editing and reviewing segments: optimistic locking, revisions, approval, restore.

Every change goes through here, in a transaction, and leaves a ``SegmentRevision``.
A save names the version it was based on; if the segment moved on since, ``EditConflict`` is
raised carrying both texts, and nothing is written. Re-saving your own last edit (same text)
never conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import translation

from translator import permissions
from translator.models import EditAction, Segment, SegmentRevision
from translator.services import actions, memory, qa_flags

Status = Segment.Status


class ReviewError(Exception):
    """A review action that cannot be done; ``str()`` is a message for the editor."""


@dataclass
class EditConflict(ReviewError):
    """The segment changed since the editor loaded it."""

    segment: Segment
    yours: str
    theirs: str
    their_version: int
    their_status: str

    def __str__(self) -> str:
        return "Someone else saved this segment after you opened it."


def _record(
    segment: Segment,
    *,
    user: AbstractBaseUser | None,
    action: str,
    old_text: str,
    old_status: str,
) -> SegmentRevision:
    return SegmentRevision.objects.create(
        segment=segment,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        old_text=old_text,
        new_text=segment.text,
        old_status=old_status,
        new_status=segment.status,
        version=segment.version,
        edit_action=actions.current(),
    )


# Revisions by which a person takes responsibility for the English as it now reads: they end
# the "source changed since translation" flag of a source edit (restore and undo do not).
_CONFIRMS_ENGLISH = frozenset(
    {SegmentRevision.Action.EDIT, SegmentRevision.Action.APPROVE, SegmentRevision.Action.OVERWRITE}
)


def _apply(
    segment: Segment,
    *,
    text: str,
    status: str,
    user: AbstractBaseUser | None,
    action: str,
    base_version: int | None,
) -> Segment:
    """Write text+status if the row is still at ``base_version`` (compare-and-set)."""
    old_text, old_status = segment.text, segment.status
    qs = Segment.objects.filter(pk=segment.pk)
    if base_version is not None:
        qs = qs.filter(version=base_version)
    extra = {}
    if action in _CONFIRMS_ENGLISH and segment.source_stale:
        extra["source_stale"] = False  # a person wrote or approved it after the source edit
        act = actions.current()
        if act is not None:  # its undo brings the flag back
            act.data.setdefault("stale_cleared", []).append(segment.pk)
    updated = qs.update(
        text=text,
        status=status,
        version=F("version") + 1,
        updated_by=user if user is not None and user.is_authenticated else None,
        **extra,
    )
    if not updated:
        current = Segment.objects.get(pk=segment.pk)
        raise EditConflict(
            segment=current,
            yours=text,
            theirs=current.text,
            their_version=current.version,
            their_status=current.status,
        )
    if text != old_text or extra:
        qa_flags.segments_changed(segment_ids=[segment.pk])
    segment.refresh_from_db()
    _record(segment, user=user, action=action, old_text=old_text, old_status=old_status)
    memory.sync_segment(segment, user=user)  # the translation memory follows approvals
    return segment


def _unedited(segment: Segment) -> str:
    """Status of a segment whose English is its machine text again: ``memory`` when that text
    came from the translation memory, else ``machine``."""
    return Status.MEMORY if segment.machine_engine == memory.MEMORY_ENGINE else Status.MACHINE


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


@transaction.atomic
def save_segment(
    *,
    segment_id: int,
    text: str,
    base_version: int,
    user: AbstractBaseUser,
    approve: bool = False,
    overwrite: bool = False,
) -> Segment:
    """Save an editor's English. ``approve`` needs the approve permission.

    ``overwrite`` (after a conflict was shown) saves over whatever version is current; the
    overwritten text stays in the revision history.
    """
    permissions.require(user, permissions.can_edit)
    if approve:
        permissions.require(user, permissions.can_approve)
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    kind = EditAction.Kind.APPROVE if approve else EditAction.Kind.SAVE
    with actions.action(
        episode_id=segment.episode_id, user=user, kind=kind, summary=_row_summary(kind, segment)
    ):
        return _save(segment, text, base_version, user, approve=approve, overwrite=overwrite)


def _row_summary(kind: str, segment: Segment) -> str:
    with translation.override("en"):  # stored: the same words whatever the editor's language
        return f"{EditAction.Kind(kind).label} row {segment.order + 1}"


def _save(
    segment: Segment,
    text: str,
    base_version: int,
    user: AbstractBaseUser,
    *,
    approve: bool,
    overwrite: bool,
) -> Segment:
    text = _clean(text)
    if approve and not text:
        raise ReviewError("An empty translation cannot be approved.")
    if segment.version != base_version and not overwrite and text != segment.text:
        # Only versions written by this same editor lie between theirs and now: saving again
        # loses nobody's work (a double submit, or a second edit before the page caught up).
        # Saving the very text that is already there loses nothing either (checked above).
        newer = segment.revisions.filter(version__gt=base_version)
        only_mine = newer.exists() and not newer.exclude(user_id=getattr(user, "pk", None)).exists()
        if not only_mine:
            raise EditConflict(
                segment=segment,
                yours=text,
                theirs=segment.text,
                their_version=segment.version,
                their_status=segment.status,
            )
    base_version = segment.version
    if approve:
        status = Status.APPROVED
    elif not text:
        status = Status.UNTRANSLATED  # cleared: QA flags it, machine translation may refill it
    elif segment.status == Status.APPROVED and text == segment.text:
        status = Status.APPROVED  # saving an approved row unchanged keeps it approved
    elif text == segment.machine_text:
        status = _unedited(segment)  # the machine's words, unchanged (e.g. copied back, Ctrl+M)
    else:
        status = Status.EDITED
    if text == segment.text and status == segment.status and not segment.source_stale:
        return segment  # nothing changed: no new version, no revision
    # (Saving unchanged English after a source edit confirms it still fits the Japanese.)
    if overwrite:
        action = SegmentRevision.Action.OVERWRITE
    elif approve:
        action = SegmentRevision.Action.APPROVE
    else:
        action = SegmentRevision.Action.EDIT
    return _apply(
        segment,
        text=text,
        status=status,
        user=user,
        action=action,
        base_version=None if overwrite else base_version,
    )


@transaction.atomic
def set_approved(
    *, segment_id: int, approved: bool, user: AbstractBaseUser, base_version: int | None = None
) -> Segment:
    """Approve or unapprove (back to edited, or machine if the text is the machine's)."""
    permissions.require(user, permissions.can_approve)
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    kind = EditAction.Kind.APPROVE if approved else EditAction.Kind.UNAPPROVE
    with actions.action(
        episode_id=segment.episode_id, user=user, kind=kind, summary=_row_summary(kind, segment)
    ):
        return _set_approved(segment, approved, user, base_version)


def _set_approved(
    segment: Segment, approved: bool, user: AbstractBaseUser, base_version: int | None
) -> Segment:
    if approved:
        if not segment.text.strip():
            raise ReviewError("An empty translation cannot be approved.")
        if segment.status == Status.APPROVED:
            return segment
        status, action = Status.APPROVED, SegmentRevision.Action.APPROVE
    else:
        if segment.status != Status.APPROVED:
            return segment
        status = (
            _unedited(segment)
            if segment.machine_text and segment.text == segment.machine_text
            else Status.EDITED
        )
        action = SegmentRevision.Action.UNAPPROVE
    return _apply(
        segment,
        text=segment.text,
        status=status,
        user=user,
        action=action,
        base_version=base_version,
    )


@dataclass(frozen=True)
class BulkApproval:
    approved: int
    changed: list[int]  # row numbers (order + 1) saved by someone since the reviewer saw them


@transaction.atomic
def bulk_approve(
    *, seen: Mapping[int, int], episode_id: int, user: AbstractBaseUser
) -> BulkApproval:
    """Approve the selected non-empty segments of one episode, each only if it is still at the
    version the reviewer saw (``seen``: segment id -> version). A segment saved since is left as
    it is and reported: approving it would approve a text nobody reviewed."""
    permissions.require(user, permissions.can_approve)
    qs = (
        Segment.objects.select_for_update()
        .filter(episode_id=episode_id, pk__in=list(seen))
        .exclude(status=Status.APPROVED)
        .exclude(text="")
        .order_by("order")
    )
    with (
        actions.action(episode_id=episode_id, user=user, kind=EditAction.Kind.BULK_APPROVE) as act,
        qa_flags.collect(),  # one QA refresh of other episodes, not one per row
    ):
        approved, changed = _bulk_approve_rows(qs, seen, user)
        act.summary = f"Approve {approved} rows"
    return BulkApproval(approved, changed)


def _bulk_approve_rows(
    qs: QuerySet[Segment], seen: Mapping[int, int], user: AbstractBaseUser
) -> tuple[int, list[int]]:
    approved = 0
    changed: list[int] = []
    for segment in qs:
        if segment.version != seen[segment.pk]:
            changed.append(segment.order + 1)
            continue
        _apply(
            segment,
            text=segment.text,
            status=Status.APPROVED,
            user=user,
            action=SegmentRevision.Action.APPROVE,
            base_version=segment.version,
        )
        approved += 1
    return approved, changed


@transaction.atomic
def restore_revision(
    *, revision_id: int, user: AbstractBaseUser, base_version: int | None = None
) -> Segment:
    """Bring back the text a revision produced; restoring is itself a revision."""
    permissions.require(user, permissions.can_edit)
    revision = SegmentRevision.objects.select_related("segment").get(pk=revision_id)
    segment = Segment.objects.select_for_update().get(pk=revision.segment_id)
    kind = EditAction.Kind.RESTORE
    with actions.action(
        episode_id=segment.episode_id, user=user, kind=kind, summary=_row_summary(kind, segment)
    ):
        return _restore(segment, revision, user, base_version)


def _restore(
    segment: Segment,
    revision: SegmentRevision,
    user: AbstractBaseUser,
    base_version: int | None,
) -> Segment:
    text = revision.new_text
    if text and text == segment.machine_text:
        status = _unedited(segment)
    elif text:
        status = Status.EDITED
    else:
        status = Status.UNTRANSLATED
    return _apply(
        segment,
        text=text,
        status=status,
        user=user,
        action=SegmentRevision.Action.RESTORE,
        base_version=base_version,
    )


@actions.undo_handler(
    EditAction.Kind.SAVE,
    EditAction.Kind.APPROVE,
    EditAction.Kind.UNAPPROVE,
    EditAction.Kind.BULK_APPROVE,
    EditAction.Kind.RESTORE,
)
def undo_revisions(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Put back the English and status each segment had before ``act``. Refused whole (nothing
    written) if any of its segments changed since ``act``'s last revision of it."""
    touched = lock_touched(act)
    refuse_moved([s for s in touched.segments.values() if _moved_on(s, touched.last[s.pk])])
    revert_english(act, user, touched, touched.segments.values())


@dataclass(frozen=True)
class Touched:
    """The segments an action wrote revisions of (locked, in row order), with its first and
    last revision of each."""

    segments: dict[int, Segment]
    first: dict[int, SegmentRevision]
    last: dict[int, SegmentRevision]

    def moved(self, segment: Segment) -> bool:
        """Changed since the action (other than by actions undone since)."""
        return _moved_on(segment, self.last[segment.pk])


def lock_touched(act: EditAction) -> Touched:
    first: dict[int, SegmentRevision] = {}
    last: dict[int, SegmentRevision] = {}
    for rev in act.revisions.order_by("id"):
        first.setdefault(rev.segment_id, rev)
        last[rev.segment_id] = rev
    segments = {
        s.pk: s
        for s in Segment.objects.select_for_update().filter(pk__in=list(first)).order_by("order")
    }
    return Touched(segments, first, last)


def refuse_moved(segments: Sequence[Segment]) -> None:
    """Refuse an undo (``UndoRefused`` naming the rows) when any of these rows changed since."""
    moved = sorted(s.order + 1 for s in segments)
    if moved:
        rows = ", ".join(str(n) for n in moved[:5]) + (" …" if len(moved) > 5 else "")
        raise actions.UndoRefused(
            f"Not undone: row {rows} changed since."
            if len(moved) == 1
            else f"Not undone: rows {rows} changed since."
        )


def revert_english(
    act: EditAction,
    user: AbstractBaseUser | None,
    touched: Touched,
    segments: Iterable[Segment],
) -> None:
    """Put back the English and status ``segments`` had before ``act`` (the caller checked
    that none moved since), with the "Japanese changed" flag a confirming save of ``act``
    cleared. Putting an approval back or taking one away needs a reviewer."""
    segments = list(segments)
    first, last = touched.first, touched.last
    if any(Status.APPROVED in (first[s.pk].old_status, last[s.pk].new_status) for s in segments):
        permissions.require(user, permissions.can_approve)
    ids = {s.pk for s in segments}
    stale = set(act.data.get("stale_cleared", ())) & ids
    with qa_flags.collect():
        if stale:  # "Japanese changed" again: the confirming save is undone
            Segment.objects.filter(pk__in=stale).update(source_stale=True)
            qa_flags.segments_changed(segment_ids=stale)
        for segment in segments:
            before = first[segment.pk]
            _apply(
                segment,
                text=before.old_text,
                status=before.old_status or Status.UNTRANSLATED,
                user=user,
                action=SegmentRevision.Action.UNDO,
                base_version=segment.version,
            )


def _moved_on(segment: Segment, last: SegmentRevision) -> bool:
    """Whether ``segment`` changed since ``last``, other than by actions undone since (their
    undo brought it back to the state ``last`` left)."""
    if segment.version == last.version:
        return False
    newer = segment.revisions.filter(version__gt=last.version)
    return newer.exclude(
        Q(edit_action__undone_at__isnull=False) | Q(edit_action__kind=EditAction.Kind.UNDO)
    ).exists()
