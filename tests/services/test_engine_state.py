"""DeepL's glossary state lives in ``EngineState``: the migration that moves it off Episode."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("translator", "0011_tm_memory")]
AFTER = [("translator", "0012_arch_engines_engine_state")]


def _latest():
    """The app's newest migration: where the test database must be left for other tests."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("translator")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_moves_the_deepl_glossary_off_the_episode_and_back():
    apps = _migrate(BEFORE)
    Episode = apps.get_model("translator", "Episode")
    with_glossary = Episode.objects.create(
        title="a", deepl_glossary_id="gid-1", deepl_glossary_hash="h" * 64
    )
    without = Episode.objects.create(title="b")

    apps = _migrate(AFTER)
    EngineState = apps.get_model("translator", "EngineState")
    states = list(EngineState.objects.values_list("engine", "episode_id", "data"))
    assert states == [
        ("deepl", with_glossary.pk, {"glossary_id": "gid-1", "glossary_hash": "h" * 64})
    ]
    assert not EngineState.objects.filter(episode_id=without.pk).exists()

    apps = _migrate(BEFORE)  # and back: nothing lost
    Episode = apps.get_model("translator", "Episode")
    back = Episode.objects.get(pk=with_glossary.pk)
    assert (back.deepl_glossary_id, back.deepl_glossary_hash) == ("gid-1", "h" * 64)
    _migrate(_latest())
