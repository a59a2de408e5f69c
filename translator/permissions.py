"""Roles. Translators edit; reviewers also approve and publish; staff can do everything.

Checked on the server for every action (views call these), not only by hiding buttons.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


def can_view(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.view_episode"))


def can_edit(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.change_segment"))


def can_approve(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.approve_segment"))


def can_publish(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.publish_episode"))


def can_import(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.add_episode"))


def can_translate(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm("translator.add_translationjob"))


def can_cancel_job(user: User, job: object) -> bool:
    """Translators cancel the jobs they started; reviewers (who may approve) cancel any."""
    if not can_translate(user):
        return False
    return can_approve(user) or getattr(job, "requested_by_id", None) == user.pk
