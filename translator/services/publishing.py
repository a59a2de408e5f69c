"""Publish / unpublish an episode's English transcript at a stable public address."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from translator import permissions
from translator.models import Episode


@transaction.atomic
def set_published(*, episode_id: int, published: bool, user: AbstractBaseUser) -> Episode:
    """Reviewers publish and unpublish. The public address (``public_id``) never changes."""
    permissions.require(user, permissions.can_publish)
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    if episode.published == published:
        return episode
    episode.published = published
    episode.published_at = timezone.now() if published else None
    episode.save(update_fields=["published", "published_at", "updated_at"])
    return episode
