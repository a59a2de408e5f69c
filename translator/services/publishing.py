"""Publish / unpublish an episode's English transcript at a stable public address."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.models import Episode


@transaction.atomic
def set_published(
    *,
    episode_id: int,
    published: bool,
    user: AbstractBaseUser,
    approved_only: bool | None = None,
) -> Episode:
    """Reviewers publish and unpublish. The public address (``public_id``) never changes.

    ``approved_only`` (when given) sets what the public page shows: only approved segments, or
    everything with the segments not yet reviewed marked as such."""
    permissions.require(user, permissions.can_publish)
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    fields = []
    if approved_only is not None and episode.publish_approved_only != approved_only:
        episode.publish_approved_only = approved_only
        fields.append("publish_approved_only")
    if episode.published != published:
        episode.published = published
        episode.published_at = timezone.now() if published else None
        fields += ["published", "published_at"]
    if fields:
        episode.save(update_fields=[*fields, "updated_at"])
    return episode
