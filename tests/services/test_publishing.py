"""translator/services/publishing.py: reviewers publish at an address that never changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from translator.services.publishing import set_published

pytestmark = pytest.mark.django_db


def test_publish_and_unpublish_keep_the_address(sample_episode, reviewer_user):
    address = sample_episode.public_id
    ep = set_published(episode_id=sample_episode.pk, published=True, user=reviewer_user)
    assert ep.published and ep.published_at is not None
    first_published_at = ep.published_at
    again = set_published(episode_id=ep.pk, published=True, user=reviewer_user)
    assert again.published_at == first_published_at  # already published: nothing changes
    ep = set_published(episode_id=ep.pk, published=False, user=reviewer_user)
    assert not ep.published and ep.published_at is None
    ep.refresh_from_db()
    assert ep.public_id == address


@pytest.mark.parametrize("who", ["translator_user", "plain_user"])
def test_only_reviewers_publish(sample_episode, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        set_published(episode_id=sample_episode.pk, published=True, user=user)
    sample_episode.refresh_from_db()
    assert not sample_episode.published
