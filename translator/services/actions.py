"""Editor actions and undo.

Each thing an editor does through the services (a save, an approval, a bulk approval, a
replace across the episode, a source edit, a split or merge, a retime) runs inside
:func:`action`, which creates one :class:`~translator.models.EditAction`; every
``SegmentRevision`` written meanwhile points to it (``translator.services.review._record``
asks :func:`current`). An action that wrote nothing is not kept: there is nothing to undo.

:func:`undo` reverts one action as a whole, and is itself an action (kind ``undo``) whose
revisions are in the history. It is refused, with nothing written, when someone changed any
segment the action touched since (the segment's version moved past the action's last
revision of it), and only the editor who did an action may undo it.

Kinds whose undo needs more than "put the old text and status back" (split, merge, retime,
source edit) register a handler with :func:`undo_handler` in the module that writes them, and
keep what the handler needs in ``EditAction.data``; the default handler
(:func:`translator.services.review.undo_revisions`) reverts English text and status.
"""

from __future__ import annotations

import contextvars
import copy
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.models import EditAction

Kind = EditAction.Kind

# (the action being undone, the acting user): revert it through the services, raising
# UndoRefused when it cannot be reverted whole.
UndoHandler = Callable[[EditAction, AbstractBaseUser | None], None]

_current: contextvars.ContextVar[EditAction | None] = contextvars.ContextVar(
    "jimaku_edit_action", default=None
)
_handlers: dict[str, UndoHandler] = {}

# Modules that register undo handlers; imported before the first undo so their handlers are
# known however the process started (web, worker, shell).
HANDLER_MODULES = (
    "translator.services.review",
    "translator.services.timing_edit",
    "translator.services.structure",
)


class UndoRefused(Exception):
    """The action cannot be undone; ``str()`` is a one-line message for the editor."""


def current() -> EditAction | None:
    """The action the calling service runs in, if any (its revisions are attached to it)."""
    return _current.get()


@contextmanager
def action(
    *,
    episode_id: int,
    user: AbstractBaseUser | None,
    kind: str,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> Iterator[EditAction]:
    """Run a service's writes as one undoable action. Nested actions join the outer one (a
    replace that saves many segments is one action, not one per save). Discarded when nothing
    was recorded: no revision attached and no ``data`` set."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    with transaction.atomic():
        act = EditAction.objects.create(
            episode_id=episode_id,
            user=user if user is not None and user.is_authenticated else None,
            kind=kind,
            summary=summary[:300],
            data=data or {},
        )
        as_created = (copy.deepcopy(act.data), act.summary)
        token = _current.set(act)
        try:
            yield act
        finally:
            _current.reset(token)
        if not act.data and not act.revisions.exists():
            act.delete()
            act.pk = None
        elif (act.data, act.summary) != as_created:
            # the body set data or a summary with what it did (no write when it was all known
            # up front: a retime names its data when the action starts)
            EditAction.objects.filter(pk=act.pk).update(data=act.data, summary=act.summary[:300])


def undo_handler(*kinds: str) -> Callable[[UndoHandler], UndoHandler]:
    """Register ``fn`` as the undo of actions of these kinds."""

    def register(fn: UndoHandler) -> UndoHandler:
        for kind in kinds:
            _handlers[kind] = fn
        return fn

    return register


def _handler(kind: str) -> UndoHandler:
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    try:
        return _handlers[kind]
    except KeyError:
        raise UndoRefused("This action cannot be undone.") from None


def last_undoable(*, episode_id: int, user: AbstractBaseUser) -> EditAction | None:
    """The user's most recent action in this episode that is not undone (undos excluded: Ctrl+Z
    again undoes the action before)."""
    if not user.is_authenticated:
        return None
    return (
        EditAction.objects.filter(episode_id=episode_id, user=user, undone_at__isnull=True)
        .exclude(kind=Kind.UNDO)
        .order_by("-created_at", "-id")
        .first()
    )


def undo(*, action_id: int, user: AbstractBaseUser) -> EditAction:
    """Undo one of the user's own actions; returns the undo action (its revisions are the
    history entries). ``UndoRefused`` with nothing written if it cannot be undone whole."""
    permissions.require(user, permissions.can_edit)
    with transaction.atomic():
        try:
            act = EditAction.objects.select_for_update().get(pk=action_id)
        except EditAction.DoesNotExist:
            raise UndoRefused("There is no such action to undo.") from None
        if act.user_id is None or act.user_id != user.pk:
            raise UndoRefused("You can only undo your own actions.")
        if act.kind == Kind.UNDO:
            raise UndoRefused("An undo cannot itself be undone.")
        if act.undone_at is not None:
            raise UndoRefused("This action was already undone.")
        handler = _handler(act.kind)
        with action(
            episode_id=act.episode_id,
            user=user,
            kind=Kind.UNDO,
            summary=f"Undo: {act.summary}" if act.summary else "Undo",
            data={"undid": act.pk},
        ) as undo_act:
            handler(act, user)
        act.undone_at = timezone.now()
        act.undone_by = undo_act
        act.save(update_fields=["undone_at", "undone_by"])
    return undo_act
