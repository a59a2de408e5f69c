"""Reliability suite fixtures: the shared engine fixtures plus row counting helpers."""

from __future__ import annotations

import pytest

from tests.support.fixtures import *  # noqa: F403


def row_counts() -> dict[str, int]:
    """How many rows every episode-owned table holds (half-made episodes show up here)."""
    from translator.models import Cue, Episode, GlossaryTerm, Segment, SegmentRevision, Speaker

    return {
        model.__name__: model.objects.count()
        for model in (Episode, Speaker, Segment, Cue, SegmentRevision, GlossaryTerm)
    }


@pytest.fixture
def small_import_limit(settings):
    from tests.reliability.corpus import TEST_MAX_BYTES

    settings.JIMAKU_MAX_IMPORT_BYTES = TEST_MAX_BYTES
    return TEST_MAX_BYTES
