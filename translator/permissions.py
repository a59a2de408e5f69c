"""Roles, and the one way to check them. Translators edit; reviewers also approve and publish;
staff can do everything.

Checked on the server for every action, not only by hiding buttons, in one style at each layer:

* a check is a function of the user (``can_edit``, ``can_approve``…, or ``perm("codename")``
  for a model permission without a role name);
* views declare theirs with ``@require_perm(can_view, can_edit)`` (403 when one fails);
* services call ``require(user, can_edit)`` first thing (``PermissionDenied``). ``user=None``
  is the system itself (the command line, the worker), which is trusted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

TRANSLATOR_GROUP = "translator"
REVIEWER_GROUP = "reviewer"

# Permissions given to each group by migration 0002 (app label "translator").
TRANSLATOR_PERMISSIONS = (
    "view_episode",
    "add_episode",
    "change_episode",
    "view_segment",
    "change_segment",
    "view_speaker",
    "change_speaker",
    "view_glossaryterm",
    "add_glossaryterm",
    "change_glossaryterm",
    "delete_glossaryterm",
    "view_translationjob",
    "add_translationjob",
    "view_segmentrevision",
)
REVIEWER_PERMISSIONS = TRANSLATOR_PERMISSIONS + ("approve_segment", "publish_episode")

User = AbstractBaseUser | AnonymousUser
Check = Callable[[User], bool]


@functools.cache
def perm(codename: str) -> Check:
    """The check "has the model permission ``translator.<codename>``" (one function per name,
    so it can key :data:`MESSAGES`)."""

    def check(user: User) -> bool:
        return bool(user.is_authenticated and user.has_perm(f"translator.{codename}"))

    check.__name__ = f"perm_{codename}"
    return check


can_view = perm("view_episode")
can_edit = perm("change_segment")
can_approve = perm("approve_segment")
can_publish = perm("publish_episode")
can_import = perm("add_episode")
can_translate = perm("add_translationjob")
can_change_episode = perm("change_episode")  # title, media
can_rename_speaker = perm("change_speaker")
can_add_term = perm("add_glossaryterm")
can_change_term = perm("change_glossaryterm")
can_delete_term = perm("delete_glossaryterm")


def can_import_terms(user: User) -> bool:
    """A glossary file adds terms and updates existing ones."""
    return can_add_term(user) and can_change_term(user)


def can_cancel_job(user: User, job: object) -> bool:
    """Translators cancel the jobs they started; reviewers (who may approve) cancel any."""
    if not can_translate(user):
        return False
    return can_approve(user) or getattr(job, "requested_by_id", None) == user.pk


MESSAGES: dict[Check, str] = {
    can_view: "You cannot see episodes.",
    can_edit: "You cannot edit segments.",
    can_approve: "Only reviewers can approve.",
    can_publish: "Only reviewers can publish.",
    can_import: "You cannot import episodes.",
    can_translate: "You cannot start translation jobs.",
    can_change_episode: "You cannot change this episode.",
    can_rename_speaker: "You cannot rename speakers.",
    can_add_term: "You cannot add glossary terms.",
    can_change_term: "You cannot change glossary terms.",
    can_delete_term: "You cannot delete glossary terms.",
    can_import_terms: "You cannot import glossary terms.",
}


def require(user: User | None, check: Check, message: str = "") -> None:
    """What every service calls first: ``PermissionDenied`` unless ``check(user)``.
    ``None`` is the system (command line, worker): trusted."""
    if user is not None and not check(user):
        raise PermissionDenied(message or MESSAGES.get(check, "You are not allowed to do that."))


def require_perm(*checks: Check) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: 403 unless the request's user passes every check, in order."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            for check in checks:
                if not check(request.user):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
