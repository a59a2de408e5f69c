"""Editing a segment beyond its English: fix the Japanese, re-translate one segment, split a
segment in two, merge it with the next one.

Each is one undoable editor action (:mod:`translator.services.actions`) that writes revisions
(shown in the history) and checks the versions the editor saw, like an English save:

* :func:`edit_source` — the Japanese of one segment (a transcription fix). Its cues are cut
  again from the new text (same number of cues: each keeps its times; otherwise the segment's
  time span is divided over the new cues by their width, as import estimates a sentence);
  ruby stays where its word is still there. English a person wrote is never touched; the row
  is flagged "Japanese changed since the translation" (``Segment.source_stale``) until it is
  re-translated, or its English is edited or approved. A version conflict raises
  :class:`SourceConflict` (the review page's conflict view, for the Japanese).
* :func:`retranslate_segment` — one segment through the episode's engine, inline, with the
  batch job's request (context, glossary) and result writing: edited or approved English is
  kept (only the machine text changes, and the caller says so).
* :func:`split_segment` — at a caret in the Japanese and, when given, one in the English
  (else the English is cut at the space nearest the same proportion). Cues wholly before the
  cut stay, those after move to the new segment, a cue across the cut is cut there with its
  time divided by its characters. Later segments move down one place.
* :func:`merge_with_next` — with the next segment, when it has the same speaker and kind.

Their undo handlers put back exactly what was there (text, status, machine text, cues with
their times and versions, the Japanese; a merged-away segment with its history, under its own
id), refusing when someone changed one of the segments or its cues since. Cues keep their rows
through a split or merge (the tail of a cue cut in two is a new cue), so what refers to a cue
still finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils.dateparse import parse_datetime

from translator import permissions
from translator.core import segment_edit, tm
from translator.core.cues import display_units, split_cues
from translator.core.timing_rules import TimingRules
from translator.engines.base import EngineError, TranslationRequest
from translator.models import Cue, EditAction, Episode, MemoryUnit, Segment, SegmentRevision
from translator.services import actions, memory, qa_flags, review, translation

Status = Segment.Status
Kind = EditAction.Kind
Action = SegmentRevision.Action
MAX_SOURCE_CHARS = 5000
# Kinds whose doing or undoing adds or removes rows (row numbers move): a page showing the
# rows reloads them afterwards (the review page: HX-Trigger ``rowsRestructured``).
RESTRUCTURING_KINDS = frozenset({Kind.SPLIT, Kind.MERGE})
# ``act.data`` key of an outer action (a replace) that source edits joined: segment id (str) ->
# that edit's undo data, as a source edit of its own keeps in its ``act.data``.
NESTED_SOURCE_EDITS = "source_edits"


class StructureError(review.ReviewError):
    """A source edit, split, merge or re-translation that cannot be done; ``str()`` is one line
    for the editor."""


@dataclass
class SourceConflict(review.EditConflict):
    """Someone changed the segment since the editor opened it; ``yours``/``theirs`` are the
    Japanese."""

    field: ClassVar[str] = "source"


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _row(segment: Segment) -> int:
    return segment.order + 1


def _changed_by_others(segment: Segment, base_version: int, user: AbstractBaseUser) -> bool:
    """Whether versions after ``base_version`` were written by someone other than ``user``
    (versions of your own lose nobody's work, as for English saves)."""
    if segment.version == base_version:
        return False
    newer = segment.revisions.filter(version__gt=base_version)
    return not newer.exists() or newer.exclude(user_id=getattr(user, "pk", None)).exists()


def _record(
    segment: Segment,
    *,
    user: AbstractBaseUser | None,
    action: str,
    old_text: str,
    old_status: str,
    old_source: str = "",
) -> SegmentRevision:
    return SegmentRevision.objects.create(
        segment=segment,
        user=_user(user),
        action=action,
        old_text=old_text,
        new_text=segment.text,
        old_status=old_status,
        new_status=segment.status,
        version=segment.version,
        old_source_text=old_source,
        new_source_text=segment.source_text if old_source else "",
        edit_action=actions.current(),
    )


def _protected(episode_id: int) -> tuple[str, ...]:
    """Japanese never broken across cue lines: the glossary's source terms (as at import)."""
    return tuple(memory.effective_glossary(episode_id))


# --- snapshots: what an undo puts back ---------------------------------------------------------

_SEGMENT_FIELDS = (
    "order",
    "kind",
    "turn",
    "speaker_label",
    "source_text",
    "text",
    "machine_text",
    "machine_engine",
    "machine_engine_version",
    "machine_flags",
    "status",
    "source_stale",
    "version",
    "recorded_updated_by",
)
_CUE_FIELDS = (
    "index",
    "start_ms",
    "end_ms",
    "source_start",
    "source_end",
    "source_text",
    "lines",
    "timing",
    "ruby",
    "version",
)
_REVISION_FIELDS = (
    "action",
    "old_text",
    "new_text",
    "old_status",
    "new_status",
    "version",
    "recorded_user",
    "old_source_text",
    "new_source_text",
    "user_id",
    "edit_action_id",
)


def _segment_snapshot(segment: Segment) -> dict[str, Any]:
    data = {f: getattr(segment, f) for f in _SEGMENT_FIELDS}
    data["id"] = segment.pk
    data["machine_translated_at"] = (
        segment.machine_translated_at.isoformat() if segment.machine_translated_at else None
    )
    data["updated_by_id"] = segment.updated_by_id
    return data


def _segment_values(snapshot: dict[str, Any]) -> dict[str, Any]:
    values = {f: snapshot[f] for f in _SEGMENT_FIELDS if f not in ("order", "version")}
    when = snapshot.get("machine_translated_at")
    values["machine_translated_at"] = parse_datetime(when) if when else None
    return values


def _cue_snapshot(segment_id: int) -> list[dict[str, Any]]:
    return list(
        Cue.objects.filter(segment_id=segment_id).order_by("index").values("id", *_CUE_FIELDS)
    )


def _cue_state(segment_id: int) -> list[list[int]]:
    """[cue id, version] of a segment's cues: an undo is refused when these moved (a retime)."""
    return [
        [pk, v]
        for pk, v in Cue.objects.filter(segment_id=segment_id)
        .order_by("index")
        .values_list("id", "version")
    ]


def _put_cues(segment_id: int, cues: Sequence[dict[str, Any]]) -> None:
    """Make the segment's cues exactly ``cues`` (a :func:`_cue_snapshot`), with their ids:
    whatever refers to a cue (the cue view, a retime's undo) still finds it."""
    ids = [c["id"] for c in cues if c.get("id") is not None]
    Cue.objects.filter(segment_id=segment_id).delete()
    Cue.objects.filter(pk__in=ids).delete()  # moved to another segment meanwhile
    Cue.objects.bulk_create(Cue(segment_id=segment_id, **c) for c in cues)


def _revision_snapshot(segment_id: int) -> list[dict[str, Any]]:
    out = []
    for rev in SegmentRevision.objects.filter(segment_id=segment_id).order_by("id"):
        data = {f: getattr(rev, f) for f in _REVISION_FIELDS}
        data["created_at"] = rev.created_at.isoformat()
        out.append(data)
    return out


def _put_revisions(segment_id: int, revisions: Sequence[dict[str, Any]]) -> None:
    created = SegmentRevision.objects.bulk_create(
        SegmentRevision(segment_id=segment_id, **{f: r[f] for f in _REVISION_FIELDS})
        for r in revisions
    )
    for rev, data in zip(created, revisions, strict=True):  # auto_now_add: set it afterwards
        if rev.pk is not None:
            SegmentRevision.objects.filter(pk=rev.pk).update(
                created_at=parse_datetime(data["created_at"])
            )


def _lock_episode_of(segment_id: int) -> int:
    """Lock the segment's episode (structure edits of one episode run one at a time: each
    renumbers the rows after it) before any of its segments, so two never deadlock."""
    episode_id = Segment.objects.filter(pk=segment_id).values_list("episode_id", flat=True).first()
    if episode_id is None:
        raise StructureError("This row no longer exists (merged or removed): reload the page.")
    Episode.objects.select_for_update().filter(pk=episode_id).values_list("id", flat=True).get()
    return episode_id


def _same_source(episode_id: int, *sources: str) -> list[int]:
    """Segments of the episode with one of these Japanese texts (their consistency flag may
    change when a segment stops or starts having it)."""
    return list(
        Segment.objects.filter(episode_id=episode_id, source_text__in=sources).values_list(
            "id", flat=True
        )
    )


# --- orders: shifting later segments without breaking unique (episode, order) ------------------


def _shift_orders(episode_id: int, *, after: int, by: int) -> None:
    """Move every segment of the episode whose order is greater than ``after`` by ``by`` (+1
    or -1). Two statements through a range no row uses, so the unique (episode, order)
    constraint holds after every row on every database (SQLite and PostgreSQL check it row by
    row, in no promised order)."""
    later = Segment.objects.filter(episode_id=episode_id, order__gt=after)
    top = Segment.objects.filter(episode_id=episode_id).aggregate(m=Max("order"))["m"] or 0
    offset = top + 2
    later.update(order=F("order") + offset)
    Segment.objects.filter(episode_id=episode_id, order__gte=after + 1 + offset).update(
        order=F("order") - offset + by
    )


def _refuse_if_moved(segments: Sequence[Segment], act: EditAction, cue_state: dict) -> None:
    """Refuse an undo (nothing written) when any of ``segments`` or its cues changed since
    ``act``, other than by actions undone since."""
    moved: list[int] = []
    for segment in segments:
        last = act.revisions.filter(segment_id=segment.pk).order_by("-id").first()
        if last is None:
            continue
        if review._moved_on(segment, last) or _cue_state(segment.pk) != cue_state.get(
            str(segment.pk)
        ):
            moved.append(_row(segment))
    if moved:
        rows = ", ".join(str(n) for n in sorted(moved))
        raise actions.UndoRefused(
            f"Not undone: row {rows} changed since."
            if len(moved) == 1
            else f"Not undone: rows {rows} changed since."
        )


def _require_approval_rights(user: AbstractBaseUser | None, *statuses: str) -> None:
    """Putting an approval back (undo) needs a reviewer, as for English undo."""
    if Status.APPROVED in statuses:
        permissions.require(user, permissions.can_approve)


# --- 1. the Japanese ---------------------------------------------------------------------------


def _recut_cues(segment: Segment, new_source: str) -> None:
    """Cut ``new_source`` into cues again. Same number of cues: each keeps its times, timing
    kind and version (a typo fix leaves hand-set times alone). Otherwise the cues are new and
    the old cues' overall span is divided over them by width (untimed stays untimed)."""
    old = list(segment.cues.order_by("index"))
    drafts = split_cues(new_source, protected=_protected(segment.episode_id))
    ruby = [pair for cue in old for pair in (cue.ruby or [])]
    if len(drafts) == len(old):
        for cue, draft in zip(old, drafts, strict=True):
            text = new_source[draft.source_start : draft.source_end]
            cue.source_start, cue.source_end = draft.source_start, draft.source_end
            cue.source_text, cue.lines = text, draft.lines
            cue.ruby = segment_edit.kept_ruby(cue.ruby or [], text)
            cue.save(update_fields=["source_start", "source_end", "source_text", "lines", "ruby"])
        return
    timed = [c for c in old if c.start_ms is not None and c.end_ms is not None]
    times: list[tuple[int | None, int | None]] = [(None, None)] * len(drafts)
    if old and len(timed) == len(old):
        start, end = min(c.start_ms for c in timed), max(c.end_ms for c in timed)
        units = [display_units(new_source[d.source_start : d.source_end].strip()) for d in drafts]
        times = list(segment_edit.spread_times(units, start, end, gap_ms=TimingRules().min_gap_ms))
    kinds = {c.timing for c in old}
    timing = kinds.pop() if len(kinds) == 1 else Cue.Timing.ESTIMATED
    Cue.objects.filter(segment=segment).delete()
    Cue.objects.bulk_create(
        Cue(
            segment=segment,
            index=i,
            start_ms=start_ms,
            end_ms=end_ms,
            source_start=d.source_start,
            source_end=d.source_end,
            source_text=new_source[d.source_start : d.source_end],
            lines=d.lines,
            timing=timing,
            ruby=segment_edit.kept_ruby(ruby, new_source[d.source_start : d.source_end]),
        )
        for i, (d, (start_ms, end_ms)) in enumerate(zip(drafts, times, strict=True))
    )


@transaction.atomic
def edit_source(
    *,
    segment_id: int,
    source_text: str,
    base_version: int,
    user: AbstractBaseUser,
    overwrite: bool = False,
) -> Segment:
    """Replace a segment's Japanese (see the module docstring). ``overwrite`` (after a conflict
    was shown) saves over whatever version is current. Inside another action (a find &
    replace) it joins that action, keeping its undo data under ``NESTED_SOURCE_EDITS`` for
    that action's undo (:func:`revert_source`)."""
    permissions.require(user, permissions.can_edit)
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    new = segment_edit.clean_source(source_text)
    if not new:
        raise StructureError("The Japanese cannot be empty: to remove a line, merge it instead.")
    if len(new) > MAX_SOURCE_CHARS:
        raise StructureError(
            f"The Japanese is {len(new):,} characters, over the limit of {MAX_SOURCE_CHARS:,} "
            "for one segment: split it first."
        )
    if new == segment.source_text:
        return segment
    if not overwrite and _changed_by_others(segment, base_version, user):
        raise SourceConflict(
            segment=segment,
            yours=new,
            theirs=segment.source_text,
            their_version=segment.version,
            their_status=segment.status,
        )
    old_source = segment.source_text
    with actions.action(
        episode_id=segment.episode_id,
        user=user,
        kind=Kind.SOURCE_EDIT,
        summary=f"Edit Japanese row {_row(segment)}",
    ) as act:
        undo_data = {
            "segment": segment.pk,
            "source": old_source,
            "source_stale": segment.source_stale,
            "cues": _cue_snapshot(segment.pk),
        }
        if act.kind == Kind.SOURCE_EDIT:
            act.data = undo_data
        else:  # joined an outer action (a replace): its undo finds this row's data by id
            act.data.setdefault(NESTED_SOURCE_EDITS, {})[str(segment.pk)] = undo_data
        _recut_cues(segment, new)
        has_english = bool(segment.text.strip() or segment.machine_text.strip())
        Segment.objects.filter(pk=segment.pk).update(
            source_text=new,
            source_stale=segment.source_stale or has_english,
            version=F("version") + 1,
            updated_by=_user(user),
        )
        segment.refresh_from_db()
        _record(
            segment,
            user=user,
            action=Action.SOURCE,
            old_text=segment.text,
            old_status=segment.status,
            old_source=old_source,
        )
        undo_data["cues_after"] = {str(segment.pk): _cue_state(segment.pk)}
        _move_unit_source(segment, old_source)
        qa_flags.segments_changed(
            segment_ids=[segment.pk, *_same_source(segment.episode_id, old_source)]
        )
    return segment


def _move_unit_source(segment: Segment, old_source: str) -> None:
    """An approved segment's memory unit follows its Japanese; who approved it and when stay
    (editing the Japanese approves nothing)."""
    norm = tm.normalize(segment.source_text)
    moved = MemoryUnit.objects.filter(segment_id=segment.pk).update(
        source_text=segment.source_text,
        source_norm=norm,
        source_hash=tm.source_hash(norm),
        norm_len=len(norm),
    )
    if moved:
        memory._refresh_dependents([old_source, segment.source_text], segment.episode_id)


@actions.undo_handler(Kind.SOURCE_EDIT)
def undo_source_edit(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Put the Japanese, its cues and the stale flag back as they were before the edit."""
    data = act.data
    segment = Segment.objects.select_for_update().filter(pk=data.get("segment")).first()
    if segment is None:
        raise actions.UndoRefused("Not undone: the row was merged or removed since.")
    _refuse_if_moved([segment], act, data.get("cues_after", {}))
    revert_source(segment, data, user)


def source_cues_moved(segment: Segment, data: dict[str, Any]) -> bool:
    """Whether the cues of a source-edited ``segment`` changed since the edit (a retime):
    ``data`` is the edit's undo data (``act.data`` of a source edit, or its entry in an outer
    action's ``NESTED_SOURCE_EDITS``). Part of the refusal check of an undo."""
    return _cue_state(segment.pk) != data.get("cues_after", {}).get(str(segment.pk))


def revert_source(segment: Segment, data: dict[str, Any], user: AbstractBaseUser | None) -> None:
    """Put back the Japanese, cues and stale flag a source edit replaced (``data``: its undo
    data, see :func:`source_cues_moved`), as an undo revision. The caller has locked the row
    and checked that nobody changed it since."""
    changed_source = segment.source_text
    _put_cues(segment.pk, data["cues"])
    Segment.objects.filter(pk=segment.pk).update(
        source_text=data["source"],
        source_stale=data["source_stale"],
        version=F("version") + 1,
        updated_by=_user(user),
    )
    segment.refresh_from_db()
    _record(
        segment,
        user=user,
        action=Action.UNDO,
        old_text=segment.text,
        old_status=segment.status,
        old_source=changed_source,
    )
    _move_unit_source(segment, changed_source)
    qa_flags.segments_changed(
        segment_ids=[segment.pk, *_same_source(segment.episode_id, changed_source)]
    )


# --- 1b. re-translate one segment --------------------------------------------------------------


@dataclass(frozen=True)
class Retranslation:
    segment: Segment
    engine_label: str
    kept_human: bool  # the English is a person's: only the machine text changed


def retranslate_segment(*, segment_id: int, user: AbstractBaseUser) -> Retranslation:
    """Translate one segment again with the episode's engine, inline. The engine is called
    outside any transaction (a DeepL request must not hold the database); the result is written
    only if the row did not change meanwhile."""
    from translator.selectors.panels import episode_engine  # reads; imports this layer

    permissions.require(user, permissions.can_edit)
    permissions.require(user, permissions.can_translate)
    segment = Segment.objects.select_related("episode").get(pk=segment_id)
    episode = segment.episode
    choice = episode_engine(episode.pk)
    if choice is None:
        raise StructureError("No translation engine is set up on this server.")
    if not choice.ready:
        raise StructureError(f"{choice.label}: {choice.reason} {choice.fix}".strip())
    if not segment.source_text.strip():
        raise StructureError("This row has no Japanese to translate.")
    try:
        engine = translation.get_engine(choice.name)
        glossary = translation.engine_glossary(episode)
        translation.sync_engine_glossary(
            engine, engine_name=choice.name, episode_id=episode.pk, glossary=glossary
        )
        contexts = translation._contexts([segment]) if engine.supports_context else {}
        [result] = engine.translate(
            [TranslationRequest(text=segment.source_text, context=contexts.get(segment.pk, ()))],
            source_lang=episode.source_language,
            target_lang=episode.target_language,
            glossary=glossary,
        )
    except EngineError as exc:
        raise StructureError(f"{choice.label}: {exc}") from exc
    with transaction.atomic():
        current = Segment.objects.select_for_update().get(pk=segment.pk)
        if current.version != segment.version:
            raise StructureError(
                f"Row {_row(current)} changed while it was being re-translated: nothing was "
                "written. Try again."
            )
        with actions.action(
            episode_id=episode.pk,
            user=user,
            kind=Kind.RETRANSLATE,
            summary=f"Re-translate row {_row(current)}",
        ) as act:
            act.data = {"segment": current.pk, "before": _segment_snapshot(current)}
            if not translation.write_machine_result(current, result, user=user, one_segment=True):
                raise StructureError(f"Row {_row(current)} changed meanwhile: nothing written.")
            current.refresh_from_db()
            memory.sync_segment(current, user=user)
            qa_flags.segments_changed(segment_ids=[current.pk])
    return Retranslation(current, choice.label, kept_human=current.is_human)


@actions.undo_handler(Kind.RETRANSLATE)
def undo_retranslate(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Put back the machine text, provenance, English and status the row had before."""
    before = act.data["before"]
    segment = Segment.objects.select_for_update().filter(pk=act.data.get("segment")).first()
    if segment is None:
        raise actions.UndoRefused("Not undone: the row was merged or removed since.")
    _refuse_if_moved([segment], act, {str(segment.pk): _cue_state(segment.pk)})
    old_text, old_status = segment.text, segment.status
    values = _segment_values(before)
    keep = ("text", "status", "source_stale", "machine_text", "machine_engine")
    keep += ("machine_engine_version", "machine_translated_at", "machine_flags")
    Segment.objects.filter(pk=segment.pk).update(
        **{k: values[k] for k in keep}, version=F("version") + 1, updated_by=_user(user)
    )
    segment.refresh_from_db()
    _record(segment, user=user, action=Action.UNDO, old_text=old_text, old_status=old_status)
    memory.sync_segment(segment, user=user)
    qa_flags.segments_changed(segment_ids=[segment.pk])


# --- 2. split and merge ------------------------------------------------------------------------


def _pieces(segment: Segment) -> list[segment_edit.CuePiece]:
    return [
        segment_edit.CuePiece(
            c.source_start, c.source_end, c.start_ms, c.end_ms, c.lines, c.ruby, id=c.pk
        )
        for c in segment.cues.order_by("index")
    ]


def _part_status(original: str, text: str, machine: str, user: AbstractBaseUser) -> str:
    """Status of one part of a split: an approval survives a reviewer's split only; a part
    whose English is the machine's keeps its machine (or memory) status."""
    if not text:
        return Status.UNTRANSLATED
    if original == Status.APPROVED:
        return Status.APPROVED if permissions.can_approve(user) else Status.EDITED
    if original in (Status.MACHINE, Status.MEMORY):
        return original if text == machine else Status.EDITED
    return Status.EDITED


def _write_cues(
    segment: Segment, pieces: Sequence[segment_edit.CuePiece], timing: str, old: dict[int, Cue]
) -> None:
    """The segment's cues become ``pieces``: a piece of an existing cue updates that row (its
    version moves when its times changed, so a retime based on the old times conflicts), a
    new piece is a new cue."""
    new: list[Cue] = []
    for i, p in enumerate(pieces):
        text = segment.source_text[p.source_start : p.source_end]
        values = {
            "segment": segment,
            "index": i,
            "start_ms": p.start_ms,
            "end_ms": p.end_ms,
            "source_start": p.source_start,
            "source_end": p.source_end,
            "source_text": text,
            "lines": p.lines,
            "ruby": p.ruby,
        }
        cue = old.get(p.id) if p.id is not None else None
        if cue is None:
            new.append(Cue(timing=timing, **values))
            continue
        retimed = (cue.start_ms, cue.end_ms) != (p.start_ms, p.end_ms)
        Cue.objects.filter(pk=cue.pk).update(
            **values, version=F("version") + 1 if retimed else cue.version
        )
    Cue.objects.bulk_create(new)


def _refuse_changed(segments: Sequence[tuple[Segment, int | None]], user, verb: str) -> None:
    for segment, seen in segments:
        if seen is None or _changed_by_others(segment, seen, user):
            raise StructureError(
                f"Not {verb}: row {_row(segment)} was changed by someone else since you opened "
                "the page. Reload the rows to see their change, then try again."
            )


@transaction.atomic
def split_segment(
    *,
    segment_id: int,
    at: int,
    base_version: int,
    user: AbstractBaseUser,
    english_at: int | None = None,
) -> tuple[Segment, Segment]:
    """Split a segment at offset ``at`` of its Japanese into two segments (the second is new,
    right after it). ``english_at``: where the editor cut the English (``None``: at the space
    nearest the same proportion of it). The machine text is cut with the English when they are
    the same, else by proportion. Returns both parts."""
    permissions.require(user, permissions.can_edit)
    _lock_episode_of(segment_id)
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    _refuse_changed([(segment, base_version)], user, "split")
    cut = segment_edit.split_source(segment.source_text, at)
    if cut is None:
        raise StructureError(
            "Put the caret inside the Japanese, where the second segment should begin."
        )
    fraction = cut.first_end / max(1, len(segment.source_text))
    text_a, text_b = segment_edit.split_english(segment.text, at=english_at, fraction=fraction)
    if segment.machine_text and segment.machine_text == segment.text:
        machine_a, machine_b = text_a, text_b
    else:
        machine_a, machine_b = segment_edit.split_english(segment.machine_text, fraction=fraction)
    cues_a, cues_b = segment_edit.divide_cues(
        _pieces(segment),
        cut,
        gap_ms=TimingRules().min_gap_ms,
        protected=_protected(segment.episode_id),
    )
    if not cues_b:  # cues not covering the text (hand-made data): the new part gets its own
        cues_b = [
            segment_edit.CuePiece(d.source_start, d.source_end, None, None, d.lines)
            for d in split_cues(cut.second)
        ]
    old_cues = {c.pk: c for c in segment.cues.all()}
    kinds = {c.timing for c in old_cues.values()}
    timing = kinds.pop() if len(kinds) == 1 else Cue.Timing.ESTIMATED
    with actions.action(
        episode_id=segment.episode_id,
        user=user,
        kind=Kind.SPLIT,
        summary=f"Split row {_row(segment)}",
    ) as act:
        before = _segment_snapshot(segment)
        act.data = {"segment": segment.pk, "before": before, "cues": _cue_snapshot(segment.pk)}
        _shift_orders(segment.episode_id, after=segment.order, by=1)
        status_a = _part_status(segment.status, text_a, machine_a, user)
        status_b = _part_status(segment.status, text_b, machine_b, user)
        second = Segment.objects.create(
            episode_id=segment.episode_id,
            order=segment.order + 1,
            kind=segment.kind,
            turn=segment.turn,
            speaker_label=segment.speaker_label,
            source_text=cut.second,
            text=text_b,
            machine_text=machine_b,
            machine_engine=segment.machine_engine if machine_b else "",
            machine_engine_version=segment.machine_engine_version if machine_b else "",
            machine_translated_at=segment.machine_translated_at if machine_b else None,
            machine_flags=segment.machine_flags if machine_b else [],
            status=status_b,
            source_stale=segment.source_stale,
            updated_by=_user(user),
        )
        Segment.objects.filter(pk=segment.pk).update(
            source_text=cut.first,
            text=text_a,
            machine_text=machine_a,
            status=status_a,
            version=F("version") + 1,
            updated_by=_user(user),
        )
        segment.refresh_from_db()
        _write_cues(segment, cues_a, timing, old_cues)
        _write_cues(second, cues_b, timing, old_cues)
        _record(
            segment,
            user=user,
            action=Action.SPLIT,
            old_text=before["text"],
            old_status=before["status"],
            old_source=before["source_text"],
        )
        _record(
            second,
            user=user,
            action=Action.SPLIT,
            old_text="",
            old_status=Status.UNTRANSLATED,
            old_source=before["source_text"],
        )
        act.data["second"] = second.pk
        act.data["cues_after"] = {
            str(segment.pk): _cue_state(segment.pk),
            str(second.pk): _cue_state(second.pk),
        }
        memory.sync_segment(segment, user=user)
        memory.sync_segment(second, user=user)
        qa_flags.segments_changed(
            segment_ids=[
                segment.pk,
                second.pk,
                *_same_source(segment.episode_id, before["source_text"]),
            ]
        )
    return segment, second


def _forget(segment: Segment) -> None:
    """Take a segment about to be deleted out of the translation memory."""
    unit = MemoryUnit.objects.filter(segment_id=segment.pk).first()
    if unit is not None:
        unit.delete()
        memory._refresh_dependents([unit.source_text], segment.episode_id)


def _put_back(first: Segment, before: dict, cues: list, user: AbstractBaseUser | None) -> str:
    """The first row of an undone split or merge as it was before (its values, its cues), as
    an UNDO revision, the memory following; returns the Japanese it had until now."""
    old_text, old_status, old_source = first.text, first.status, first.source_text
    Segment.objects.filter(pk=first.pk).update(
        **_segment_values(before), version=F("version") + 1, updated_by=_user(user)
    )
    _put_cues(first.pk, cues)
    first.refresh_from_db()
    _record(
        first,
        user=user,
        action=Action.UNDO,
        old_text=old_text,
        old_status=old_status,
        old_source=old_source,
    )
    memory.sync_segment(first, user=user)
    return old_source


@actions.undo_handler(Kind.SPLIT)
def undo_split(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Join the two parts back into the segment as it was (text, status, machine text, cues)."""
    data = act.data
    Episode.objects.select_for_update().filter(pk=act.episode_id).values_list("id", flat=True).get()
    first = Segment.objects.select_for_update().filter(pk=data.get("segment")).first()
    second = Segment.objects.select_for_update().filter(pk=data.get("second")).first()
    if first is None or second is None:
        raise actions.UndoRefused("Not undone: one of the two rows was merged or removed since.")
    if second.order != first.order + 1 or second.episode_id != first.episode_id:
        raise actions.UndoRefused("Not undone: the two rows are no longer next to each other.")
    _refuse_if_moved([first, second], act, data.get("cues_after", {}))
    before = data["before"]
    _require_approval_rights(user, before["status"], first.status, second.status)
    _forget(second)
    second.delete()
    _shift_orders(first.episode_id, after=first.order, by=-1)
    _put_back(first, before, data["cues"], user)
    qa_flags.segments_changed(
        segment_ids=[first.pk, *_same_source(first.episode_id, before["source_text"])]
    )


def _merged_status(a: Segment, b: Segment) -> str:
    """One status for two joined rows: a person's English (either side) makes it edited, two
    approvals stay approved; otherwise the machine's (or the memory's, both sides memory)."""
    if a.status == b.status:
        return a.status
    if a.is_human or b.is_human:
        return Status.EDITED
    return Status.MACHINE if (a.text or b.text) else Status.UNTRANSLATED


@transaction.atomic
def merge_with_next(
    *,
    segment_id: int,
    base_version: int,
    next_version: int | None,
    user: AbstractBaseUser,
) -> Segment:
    """Merge a segment with the next one of the episode (same speaker, same kind): the
    Japanese, English and machine text joined, the next one's cues after its own. Both must
    still be at the versions the editor saw (``next_version``: the next row's)."""
    permissions.require(user, permissions.can_edit)
    _lock_episode_of(segment_id)
    first = Segment.objects.select_for_update().get(pk=segment_id)
    second = (
        Segment.objects.select_for_update()
        .filter(episode_id=first.episode_id, order=first.order + 1)
        .first()
    )
    if second is None:
        raise StructureError(f"Row {_row(first)} is the last row: there is no next row to merge.")
    if second.kind != first.kind:
        raise StructureError(
            f"Not merged: row {_row(first)} is {first.get_kind_display().lower()} and row "
            f"{_row(second)} is {second.get_kind_display().lower()}; only rows of one kind merge."
        )
    if second.speaker_label != first.speaker_label:
        raise StructureError(
            f"Not merged: rows {_row(first)} and {_row(second)} have different speakers "
            f"({first.speaker_label or '—'} and {second.speaker_label or '—'})."
        )
    _refuse_changed([(first, base_version), (second, next_version)], user, "merged")
    source, sep = segment_edit.join_source(first.source_text, second.source_text)
    if len(source) > MAX_SOURCE_CHARS:
        raise StructureError("Not merged: the joined Japanese would be too long for one segment.")
    offset = len(first.source_text) + len(sep)
    with actions.action(
        episode_id=first.episode_id,
        user=user,
        kind=Kind.MERGE,
        summary=f"Merge rows {_row(first)} and {_row(second)}",
    ) as act:
        first_cues = list(first.cues.order_by("index"))
        second_cues = list(second.cues.order_by("index"))
        act.data = {
            "segment": first.pk,
            "before": _segment_snapshot(first),
            "cues": _cue_snapshot(first.pk),
            "second_before": _segment_snapshot(second),
            "second_cues": [
                {"id": c.pk, **{f: getattr(c, f) for f in _CUE_FIELDS}} for c in second_cues
            ],
            "second_revisions": _revision_snapshot(second.pk),
        }
        before = act.data["before"]
        text = segment_edit.join_english(first.text, second.text)
        machine = segment_edit.join_english(first.machine_text, second.machine_text)
        status = _merged_status(first, second)
        if status in (Status.MACHINE, Status.MEMORY) and text != machine:
            status = Status.EDITED
        if status == Status.APPROVED and not permissions.can_approve(user):
            status = Status.EDITED
        partial = bool(first.text.strip()) != bool(second.text.strip())  # English for half
        for i, cue in enumerate(second_cues, start=len(first_cues)):
            Cue.objects.filter(pk=cue.pk).update(
                segment=first,
                index=i,
                source_start=cue.source_start + offset,
                source_end=cue.source_end + offset,
            )
        for cue in first_cues[-1:]:
            if sep:  # the separator belongs to the first part's last cue
                Cue.objects.filter(pk=cue.pk).update(source_end=cue.source_end + len(sep))
        _forget(second)
        second_order, second_source = second.order, second.source_text
        second.delete()
        _shift_orders(first.episode_id, after=second_order, by=-1)
        Segment.objects.filter(pk=first.pk).update(
            source_text=source,
            text=text,
            machine_text=machine,
            machine_engine=first.machine_engine or second.machine_engine,
            machine_engine_version=first.machine_engine_version or second.machine_engine_version,
            machine_translated_at=first.machine_translated_at or second.machine_translated_at,
            status=status,
            source_stale=first.source_stale or second.source_stale or partial,
            version=F("version") + 1,
            updated_by=_user(user),
        )
        first.refresh_from_db()
        _record(
            first,
            user=user,
            action=Action.MERGE,
            old_text=before["text"],
            old_status=before["status"],
            old_source=before["source_text"],
        )
        act.data["cues_after"] = {str(first.pk): _cue_state(first.pk)}
        memory.sync_segment(first, user=user)
        qa_flags.segments_changed(
            segment_ids=[
                first.pk,
                *_same_source(first.episode_id, second_source, before["source_text"]),
            ]
        )
    return first


@actions.undo_handler(Kind.MERGE)
def undo_merge(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Split the merged segment back into the two it was made of, the second with its history
    (a new id), both with their text, status, machine text and cues."""
    data = act.data
    Episode.objects.select_for_update().filter(pk=act.episode_id).values_list("id", flat=True).get()
    first = Segment.objects.select_for_update().filter(pk=data.get("segment")).first()
    if first is None:
        raise actions.UndoRefused("Not undone: the row was merged or removed since.")
    _refuse_if_moved([first], act, data.get("cues_after", {}))
    before, second_before = data["before"], data["second_before"]
    _require_approval_rights(user, before["status"], second_before["status"], first.status)
    _shift_orders(first.episode_id, after=first.order, by=1)
    old_id = second_before.get("id")
    second = Segment.objects.create(  # under its old id (never reused), so that what refers
        pk=old_id if old_id and not Segment.objects.filter(pk=old_id).exists() else None,
        episode_id=first.episode_id,  # to it (history, undo, the page's row) still holds
        order=first.order + 1,
        **_segment_values(second_before),
        version=second_before["version"],
    )
    _put_revisions(second.pk, data["second_revisions"])
    for cue in data["second_cues"]:
        Cue.objects.filter(pk=cue["id"]).update(
            segment=second,
            index=cue["index"],
            source_start=cue["source_start"],
            source_end=cue["source_end"],
        )
    old_source = _put_back(first, before, data["cues"], user)
    memory.sync_segment(second, user=user)
    qa_flags.segments_changed(
        segment_ids=[first.pk, second.pk, *_same_source(first.episode_id, old_source)]
    )
