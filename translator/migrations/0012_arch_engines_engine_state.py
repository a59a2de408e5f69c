"""DeepL's glossary id and hash move off Episode into EngineState, which the engine owns."""

import django.db.models.deletion
from django.db import migrations, models


def move_to_engine_state(apps, schema_editor):
    Episode = apps.get_model("translator", "Episode")
    EngineState = apps.get_model("translator", "EngineState")
    states = [
        EngineState(
            engine="deepl",
            episode_id=pk,
            data={"glossary_id": glossary_id, "glossary_hash": glossary_hash},
        )
        for pk, glossary_id, glossary_hash in Episode.objects.exclude(
            deepl_glossary_id="", deepl_glossary_hash=""
        ).values_list("pk", "deepl_glossary_id", "deepl_glossary_hash")
    ]
    EngineState.objects.bulk_create(states, batch_size=500)


def move_back_to_episode(apps, schema_editor):
    Episode = apps.get_model("translator", "Episode")
    EngineState = apps.get_model("translator", "EngineState")
    for state in EngineState.objects.filter(engine="deepl"):
        Episode.objects.filter(pk=state.episode_id).update(
            deepl_glossary_id=str(state.data.get("glossary_id") or "")[:100],
            deepl_glossary_hash=str(state.data.get("glossary_hash") or "")[:64],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("translator", "0011_tm_memory"),
    ]

    operations = [
        migrations.CreateModel(
            name="EngineState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("engine", models.CharField(max_length=50)),
                ("data", models.JSONField(blank=True, default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="engine_states",
                        to="translator.episode",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("engine", "episode"), name="unique_engine_state"
                    )
                ],
            },
        ),
        migrations.RunPython(move_to_engine_state, move_back_to_episode),
        migrations.RemoveField(model_name="episode", name="deepl_glossary_hash"),
        migrations.RemoveField(model_name="episode", name="deepl_glossary_id"),
    ]
