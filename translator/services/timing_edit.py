"""Retiming a cue by hand (the cue view's keys, the waveform's drags).

:func:`retime_cue` sets one cue's start and end, in a transaction, as one undoable
:class:`~translator.models.EditAction` (kind ``retime``):

- the editor must be allowed to edit (translators and reviewers);
- optimistic locking on ``Cue.version``, as for text: the save names the version it was based
  on; if the cue was retimed since, :class:`RetimeConflict` carries both timings and nothing is
  written (``overwrite`` after the conflict was shown saves over it);
- the timing rules (:func:`translator.core.cue_view.check_retime`: 5/6 s to 7 s, a two-frame
  gap, no overlap, cues keep their order) are checked against the cue's neighbours; a broken
  rule raises :class:`TimingRuleError` with a one-line message naming the neighbour;
- the cue becomes ``Cue.Timing.MANUAL``: hand-set, never replaced by estimation, and replaced
  by an alignment or audio-timing run only when the editor says so;
- a ``retime`` revision goes into the segment's history, and the timing-dependent QA flags of
  the segment and of the one before (whose silence after it depends on this cue) are
  recomputed (``qa_flags.segments_changed(..., timing_only=True)``).

Undo (:func:`undo_retime`) puts the old times and provenance back if nobody retimed the cue
since.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q

from translator import permissions
from translator.core.cue_view import Neighbour, RuleBreak, check_retime, clock, first_overlap
from translator.core.timing_rules import TimingRules
from translator.models import Cue, EditAction, Segment, SegmentRevision
from translator.services import actions, qa_flags

MAX_MS = 2**31 - 1  # what a cue time column holds on every database
TIMED_KINDS = (Segment.Kind.TRANSCRIPT, Segment.Kind.SOUND)


class RetimeError(Exception):
    """A retime that cannot be done; ``str()`` is a one-line message for the editor."""


class TimingRuleError(RetimeError):
    """The new times break a timing rule (``rule``), against ``neighbour`` when one is
    involved."""

    def __init__(self, broken: RuleBreak) -> None:
        super().__init__(broken.message)
        self.rule = broken.rule
        self.neighbour = broken.neighbour


@dataclass
class RetimeConflict(RetimeError):
    """The cue was retimed by someone else since the editor loaded it."""

    cue: Cue
    yours: tuple[int, int]
    theirs: tuple[int | None, int | None]
    their_version: int
    their_timing: str

    def __str__(self) -> str:
        return "Someone else retimed this cue after you opened it."

    @property
    def theirs_label(self) -> str:
        return f"{clock(self.theirs[0])}–{clock(self.theirs[1])}"

    @property
    def yours_label(self) -> str:
        return f"{clock(self.yours[0])}–{clock(self.yours[1])}"


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _checked_ms(value: object, name: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_MS:
        raise RetimeError(f"The {name} must be a whole number of milliseconds from 0.")
    return value


NEAR_ROWS = 3  # reading-order neighbours are looked for this many rows around first


def neighbours(cue: Cue, start_ms: int, end_ms: int, rules: TimingRules) -> list[Neighbour]:
    """The timed cues ``cue`` must keep its distance from at ``(start_ms, end_ms)``: the one
    before and the one after it in reading order, and any other within the gap. One query
    (the cues of the rows around it and those near the new times); more only when the rows
    around it have no timed cue (a run of show notes)."""
    seg = cue.segment
    timed = Cue.objects.filter(
        segment__episode_id=seg.episode_id,
        segment__kind__in=TIMED_KINDS,
        start_ms__isnull=False,
        end_ms__isnull=False,
    ).exclude(pk=cue.pk)
    fields = ("pk", "segment__order", "index", "start_ms", "end_ms")
    gap = rules.min_gap_ms
    near_rows = Q(
        segment__order__gte=seg.order - NEAR_ROWS, segment__order__lte=seg.order + NEAR_ROWS
    )
    near_time = Q(start_ms__lt=end_ms + gap, end_ms__gt=start_ms - gap)
    rows = list(timed.filter(near_rows | near_time).values_list(*fields))
    here = (seg.order, cue.index)
    before = [r for r in rows if (r[1], r[2]) < here and r[1] >= seg.order - NEAR_ROWS]
    after = [r for r in rows if (r[1], r[2]) > here and r[1] <= seg.order + NEAR_ROWS]
    prev = [max(before, key=lambda r: (r[1], r[2]))] if before else None
    nxt = [min(after, key=lambda r: (r[1], r[2]))] if after else None
    if prev is None:
        prev = (
            timed.filter(
                Q(segment__order__lt=seg.order) | Q(segment__order=seg.order, index__lt=cue.index)
            )
            .order_by("-segment__order", "-index")
            .values_list(*fields)[:1]
        )
    if nxt is None:
        nxt = (
            timed.filter(
                Q(segment__order__gt=seg.order) | Q(segment__order=seg.order, index__gt=cue.index)
            )
            .order_by("segment__order", "index")
            .values_list(*fields)[:1]
        )
    close = [r for r in rows if r[3] < end_ms + gap and r[4] > start_ms - gap]
    found: dict[int, Neighbour] = {}
    for relation, group in (("prev", prev), ("next", nxt), ("other", close)):
        for pk, order, index, s, e in group:
            found.setdefault(pk, Neighbour(order + 1, index + 1, s, e, relation))
    return list(found.values())


def _check_rules(cue: Cue, start_ms: int, end_ms: int, *, old: tuple) -> None:
    rules = TimingRules()
    broken = check_retime((start_ms, end_ms), old, neighbours(cue, start_ms, end_ms, rules), rules)
    if broken is not None:
        raise TimingRuleError(broken)


def _write(
    cue: Cue,
    *,
    start_ms: int,
    end_ms: int,
    timing: str,
    base_version: int | None,
    user: AbstractBaseUser | None,
    action: str,
) -> Cue:
    """Compare-and-set the cue's times; a revision in the segment's history; QA flags."""
    qs = Cue.objects.filter(pk=cue.pk)
    if base_version is not None:
        qs = qs.filter(version=base_version)
    if not qs.update(start_ms=start_ms, end_ms=end_ms, timing=timing, version=F("version") + 1):
        raise _conflict(Cue.objects.get(pk=cue.pk), (start_ms, end_ms))
    # The row is locked (select_for_update): its version moved on by one from what was read.
    cue.start_ms, cue.end_ms, cue.timing, cue.version = start_ms, end_ms, timing, cue.version + 1
    seg = cue.segment
    SegmentRevision.objects.create(
        segment=seg,
        user=_user(user),
        action=action,
        old_text=seg.text,
        new_text=seg.text,
        old_status=seg.status,
        new_status=seg.status,
        version=seg.version,
        edit_action=actions.current(),
    )
    # Only times changed: the timing flags of the segment and of the one before it (whose
    # English may use the silence before this segment's first cue); not the consistency of
    # every row with the same Japanese.
    qa_flags.segments_changed(segment_ids=[seg.pk], timing_only=True)
    return cue


def _conflict(current: Cue, yours: tuple[int, int]) -> RetimeConflict:
    return RetimeConflict(
        cue=current,
        yours=yours,
        theirs=(current.start_ms, current.end_ms),
        their_version=current.version,
        their_timing=current.timing,
    )


def _locked_cue(cue_id: int, episode_id: int | None) -> Cue:
    qs = Cue.objects.select_for_update().select_related("segment")
    if episode_id is not None:
        qs = qs.filter(segment__episode_id=episode_id)
    try:
        return qs.get(pk=cue_id)
    except Cue.DoesNotExist:
        raise RetimeError("There is no such cue in this episode.") from None


@transaction.atomic
def retime_cue(
    *,
    cue_id: int,
    start_ms: int,
    end_ms: int,
    base_version: int,
    user: AbstractBaseUser | None,
    overwrite: bool = False,
    episode_id: int | None = None,
) -> Cue:
    """Set a cue's times by hand (see the module doc). ``episode_id``: refuse a cue of another
    episode. Saving the times the cue already has is no change: no conflict, no new version."""
    permissions.require(user, permissions.can_edit)
    start_ms, end_ms = _checked_ms(start_ms, "start"), _checked_ms(end_ms, "end")
    cue = _locked_cue(cue_id, episode_id)
    if cue.segment.kind not in TIMED_KINDS:
        raise RetimeError("Show notes and the description are not subtitled: they have no times.")
    if (cue.start_ms, cue.end_ms) == (start_ms, end_ms):
        return cue
    if cue.version != base_version and not overwrite:
        raise _conflict(cue, (start_ms, end_ms))
    old = (cue.start_ms, cue.end_ms, cue.timing)
    _check_rules(cue, start_ms, end_ms, old=old[:2])
    summary = (
        f"Retime row {cue.segment.order + 1}, cue {cue.index + 1}: "
        f"{clock(start_ms)}–{clock(end_ms)}"
    )
    # The cue is locked: the write moves its version on by one (the data is known up front,
    # so the action is written once).
    data = {
        "cue_id": cue.pk,
        "old": list(old),
        "new": [start_ms, end_ms],
        "version": cue.version + 1,
    }
    with actions.action(
        episode_id=cue.segment.episode_id,
        user=user,
        kind=EditAction.Kind.RETIME,
        summary=summary,
        data=data,
    ) as act:
        cue = _write(
            cue,
            start_ms=start_ms,
            end_ms=end_ms,
            timing=Cue.Timing.MANUAL,
            base_version=None if overwrite else base_version,
            user=user,
            action=SegmentRevision.Action.RETIME,
        )
        act.data = {**data, "version": cue.version}
    return cue


def move_cue(
    *,
    cue_id: int,
    delta_ms: int,
    base_version: int,
    user: AbstractBaseUser | None,
    episode_id: int | None = None,
) -> Cue:
    """Move the whole cue by ``delta_ms`` (keeps its duration), through :func:`retime_cue`."""
    cue = Cue.objects.only("start_ms", "end_ms").get(pk=cue_id)
    if cue.start_ms is None or cue.end_ms is None:
        raise RetimeError("This cue has no times to move: set its start and end first.")
    return retime_cue(
        cue_id=cue_id,
        start_ms=max(0, cue.start_ms + delta_ms),
        end_ms=max(0, cue.end_ms + delta_ms),
        base_version=base_version,
        user=user,
        episode_id=episode_id,
    )


@actions.undo_handler(EditAction.Kind.RETIME)
def undo_retime(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Put back the times (and their provenance) the cue had before ``act``; refused if the
    cue was retimed since or the old times now break a rule against a moved neighbour."""
    data = act.data or {}
    try:
        cue = _locked_cue(int(data["cue_id"]), act.episode_id)
        old_start, old_end, old_timing = data["old"]
        version = int(data["version"])
    except (KeyError, TypeError, ValueError, RetimeError):
        raise actions.UndoRefused("Not undone: the cue is gone or the action is damaged.") from None
    where = f"row {cue.segment.order + 1}, cue {cue.index + 1}"
    if cue.version != version:
        raise actions.UndoRefused(f"Not undone: {where} was retimed since.")
    if old_timing not in Cue.Timing.values:
        raise actions.UndoRefused("Not undone: the action is damaged.")
    if old_start is not None and old_end is not None:
        near = neighbours(cue, int(old_start), int(old_end), TimingRules())
        hit = first_overlap((int(old_start), int(old_end)), near)
        if hit is not None:
            raise actions.UndoRefused(
                f"Not undone: the old times of {where} would overlap {hit.label}."
            )
    _write(
        cue,
        start_ms=old_start,
        end_ms=old_end,
        timing=old_timing,
        base_version=version,
        user=user,
        action=SegmentRevision.Action.UNDO,
    )
