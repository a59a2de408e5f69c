"""Find and replace across an episode.

:func:`preview` (reads only) lists every match with its row and, when replacing, the text
before and after; each change carries the segment's version. :func:`apply` replaces in the
changes the editor kept — the English through
:func:`translator.services.review.save_segment` (versions, revisions, QA flags, translation
memory), the Japanese through :func:`translator.services.structure.edit_source` (cues cut
again, the "Japanese changed" flag) — all as one undoable action of kind ``replace``. A row
changed in both is done Japanese first, then English (so the English, written by the editor
after the new Japanese, confirms it: no "Japanese changed" flag stays), each checked against
the version it is at. A segment whose version moved since the preview is left alone and
reported as a conflict; one whose Japanese would be refused (empty, too long) is left alone
whole and reported too.

One undo (:func:`undo_replace`) puts every row back: the English and status, and the
Japanese with its cues (the structure module's source undo), refused whole when any row
changed since.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from translator import permissions
from translator.core.find import (
    MAX_MATCHES,
    Finder,
    FindError,
    FindQuery,
    compile_query,
    pieces,
)
from translator.models import EditAction, Segment, SegmentRevision
from translator.services import actions, qa_flags, review, structure

SCOPES = ("en", "ja", "both")
FIELDS = ("ja", "en")  # the order a row's changes are made in
CONTEXT_CHARS = 60  # characters kept around a match in a long text

__all__ = ["FindError", "Hit", "Preview", "ReplaceResult", "apply", "preview"]


@dataclass(frozen=True)
class Hit:
    """The matches in one field of one segment."""

    segment_id: int
    number: int  # row number (order + 1)
    version: int
    field: str  # "en" | "ja"
    status: str
    count: int
    before: list[tuple[str, bool]]  # (piece, is_match): the text with the matches marked
    after: list[tuple[str, bool]] | None = None  # the text with the replacements marked

    @property
    def replaceable(self) -> bool:
        return self.after is not None


@dataclass
class Preview:
    query: FindQuery
    replacement: str | None
    scope: str
    hits: list[Hit] = field(default_factory=list)
    matches: int = 0
    truncated: bool = False  # more than MAX_MATCHES: only the first ones are listed

    @property
    def changes(self) -> list[Hit]:
        return [h for h in self.hits if h.replaceable]

    @property
    def rows(self) -> int:
        return len({h.segment_id for h in self.hits})

    @property
    def japanese_hits(self) -> int:
        return sum(1 for h in self.hits if h.field == "ja")


@dataclass(frozen=True)
class ReplaceResult:
    replaced: list[int]  # segment ids changed
    conflicts: list[int]  # row numbers changed since the preview, left alone
    action_id: int | None  # the undoable action (None when nothing was replaced)
    summary: str = ""
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row, why) left alone


def _fields(scope: str) -> tuple[str, ...]:
    if scope not in SCOPES:
        raise FindError("Choose where to search: English, Japanese or both.")
    return {"en": ("en",), "ja": ("ja",), "both": ("ja", "en")}[scope]


def preview(
    *, episode_id: int, query: FindQuery, replacement: str | None = None, scope: str = "en"
) -> Preview:
    """Every match in the episode (one query), at most ``MAX_MATCHES``; with a
    ``replacement``, the text as it would read after. Writes nothing."""
    fields = _fields(scope)
    finder = compile_query(query, replacement=replacement)
    out = Preview(query=query, replacement=replacement, scope=scope)
    rows = (
        Segment.objects.filter(episode_id=episode_id)
        .order_by("order")
        .values_list("id", "order", "version", "status", "source_text", "text")
    )
    for pk, order, version, status, source_text, text in rows.iterator(chunk_size=2000):
        for name in fields:
            value = source_text if name == "ja" else text
            left = MAX_MATCHES - out.matches
            spans = finder.spans(value, limit=left + 1)
            if not spans:
                continue
            if len(spans) > left:
                out.truncated = True
                return out
            after = None
            if replacement is not None:
                done = finder.replace(value, replacement)
                after = pieces(done.text, done.after, context=CONTEXT_CHARS)
            out.hits.append(
                Hit(
                    segment_id=pk,
                    number=order + 1,
                    version=version,
                    field=name,
                    status=status,
                    count=len(spans),
                    before=pieces(value, spans, context=CONTEXT_CHARS),
                    after=after,
                )
            )
            out.matches += len(spans)
    return out


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(query: FindQuery, replacement: str, rows: int) -> str:
    unit = "row" if rows == 1 else "rows"
    return f"Replace “{_quote(query.pattern)}” → “{_quote(replacement)}” in {rows} {unit}"


def _kept_fields(fields: Mapping[int, Collection[str]] | None, pk: int) -> tuple[str, ...]:
    if fields is None:
        return ("en",)
    wanted = set(fields.get(pk, ()))
    return tuple(f for f in FIELDS if f in wanted)


@transaction.atomic
def apply(
    *,
    episode_id: int,
    query: FindQuery,
    replacement: str,
    selected: Mapping[int, int],
    user: AbstractBaseUser,
    fields: Mapping[int, Collection[str]] | None = None,
) -> ReplaceResult:
    """Replace in the ``selected`` segments (segment id -> version shown in the preview), as
    one undoable action: in the fields ``fields`` names for each ("ja", "en"; ``None``: the
    English of every one). A segment changed since (another version) is left alone and its row
    number returned in ``conflicts``; one whose Japanese the source edit refuses is left alone
    and returned in ``refused`` with the reason."""
    permissions.require(user, permissions.can_edit)
    finder = compile_query(query, replacement=replacement)
    if len(selected) > MAX_MATCHES:
        raise FindError(f"At most {MAX_MATCHES} rows can be replaced at once.")
    segments = list(
        Segment.objects.select_for_update()
        .filter(episode_id=episode_id, pk__in=list(selected))
        .order_by("order")
        .only("id", "order", "version", "text", "source_text")
    )
    replaced: list[int] = []
    conflicts: list[int] = []
    refused: list[tuple[int, str]] = []
    with (
        actions.action(episode_id=episode_id, user=user, kind=EditAction.Kind.REPLACE) as act,
        qa_flags.collect(),  # one QA refresh at the end, not one per row
    ):
        for seg in segments:
            if seg.version != selected[seg.pk]:
                conflicts.append(seg.order + 1)
                continue
            try:
                changed = _replace_row(seg, _kept_fields(fields, seg.pk), finder, replacement, user)
            except review.EditConflict:
                conflicts.append(seg.order + 1)
                continue
            except structure.StructureError as exc:
                refused.append((seg.order + 1, str(exc)))
                continue
            if changed:
                replaced.append(seg.pk)
        act.summary = summary(query, replacement, len(replaced))
    return ReplaceResult(
        replaced=replaced,
        conflicts=conflicts,
        refused=refused,
        action_id=act.pk,
        summary=act.summary,
    )


def _replace_row(
    seg: Segment,
    fields: tuple[str, ...],
    finder: Finder,
    replacement: str,
    user: AbstractBaseUser,
) -> bool:
    """The Japanese, then the English of one row, each at the version the row is at (the
    first write moves it on); whether anything changed. The Japanese is refused
    (``StructureError``, nothing written) before the English is touched."""
    version = seg.version
    for name in fields:
        value = seg.source_text if name == "ja" else seg.text
        new = finder.replace(value, replacement)
        if not new.before:
            continue
        if name == "ja":
            saved = structure.edit_source(
                segment_id=seg.pk, source_text=new.text, base_version=version, user=user
            )
        else:
            saved = review.save_segment(
                segment_id=seg.pk, text=new.text, base_version=version, user=user
            )
        version = saved.version
    return version != seg.version


@actions.undo_handler(EditAction.Kind.REPLACE)
def undo_replace(act: EditAction, user: AbstractBaseUser | None) -> None:
    """Put back every row a replace changed: the English and status (``review``'s undo), the
    Japanese with its cues and flag (``structure``'s source undo). Refused whole, nothing
    written, when any row (or a source-edited row's cues) changed since."""
    touched = review.lock_touched(act)
    sources = act.data.get(structure.NESTED_SOURCE_EDITS, {})
    review.refuse_moved(
        [
            s
            for s in touched.segments.values()
            if touched.moved(s)
            or (str(s.pk) in sources and structure.source_cues_moved(s, sources[str(s.pk)]))
        ]
    )
    with_english = set(
        act.revisions.exclude(action=SegmentRevision.Action.SOURCE).values_list(
            "segment_id", flat=True
        )
    )
    english = [s for s in touched.segments.values() if s.pk in with_english]
    with qa_flags.collect():
        # The reverse of the order they were made in: the English, then the Japanese.
        review.revert_english(act, user, touched, english)
        for segment in touched.segments.values():
            data = sources.get(str(segment.pk))
            if data is not None:
                segment.refresh_from_db()
                structure.revert_source(segment, data, user)
