"""Find and replace across an episode.

:func:`preview` (reads only) lists every match with its row and, when replacing, the English
before and after; each change carries the segment's version. :func:`apply` replaces in the
changes the editor kept, through :func:`translator.services.review.save_segment` (versions,
revisions, QA flags, translation memory), all as one undoable action of kind ``replace``: one
undo puts every row back (``review.undo_revisions``). A segment whose version moved since the
preview is left alone and reported as a conflict.

The Japanese can be searched; it is replaced only through a source-edit service, which is not
here yet (``JAPANESE_REPLACE`` is False: the page says to edit each row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from translator import permissions
from translator.core.find import MAX_MATCHES, FindError, FindQuery, compile_query, pieces
from translator.models import EditAction, Segment
from translator.services import actions, qa_flags, review

SCOPES = ("en", "ja", "both")
JAPANESE_REPLACE = False  # no source-edit service yet: Japanese matches are found, not replaced
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
    after: list[tuple[str, bool]] | None = None  # English with the replacements marked

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


def _fields(scope: str) -> tuple[str, ...]:
    if scope not in SCOPES:
        raise FindError("Choose where to search: English, Japanese or both.")
    return {"en": ("en",), "ja": ("ja",), "both": ("ja", "en")}[scope]


def preview(
    *, episode_id: int, query: FindQuery, replacement: str | None = None, scope: str = "en"
) -> Preview:
    """Every match in the episode (one query), at most ``MAX_MATCHES``; with a
    ``replacement``, the English as it would read after. Writes nothing."""
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
            if replacement is not None and name == "en":
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


@transaction.atomic
def apply(
    *,
    episode_id: int,
    query: FindQuery,
    replacement: str,
    selected: Mapping[int, int],
    user: AbstractBaseUser,
) -> ReplaceResult:
    """Replace in the English of the ``selected`` segments (segment id -> version shown in the
    preview), as one undoable action. A segment changed since (another version) is left alone
    and its row number returned in ``conflicts``."""
    permissions.require(user, permissions.can_edit)
    finder = compile_query(query, replacement=replacement)
    if len(selected) > MAX_MATCHES:
        raise FindError(f"At most {MAX_MATCHES} rows can be replaced at once.")
    segments = list(
        Segment.objects.select_for_update()
        .filter(episode_id=episode_id, pk__in=list(selected))
        .order_by("order")
        .only("id", "order", "version", "text")
    )
    replaced: list[int] = []
    conflicts: list[int] = []
    with (
        actions.action(episode_id=episode_id, user=user, kind=EditAction.Kind.REPLACE) as act,
        qa_flags.collect(),  # one QA refresh at the end, not one per row
    ):
        for seg in segments:
            if seg.version != selected[seg.pk]:
                conflicts.append(seg.order + 1)
                continue
            new = finder.replace(seg.text, replacement)
            if not new.before:
                continue
            try:
                saved = review.save_segment(
                    segment_id=seg.pk, text=new.text, base_version=seg.version, user=user
                )
            except review.EditConflict:
                conflicts.append(seg.order + 1)
                continue
            if saved.version != seg.version:
                replaced.append(seg.pk)
        act.summary = summary(query, replacement, len(replaced))
    return ReplaceResult(
        replaced=replaced, conflicts=conflicts, action_id=act.pk, summary=act.summary
    )
