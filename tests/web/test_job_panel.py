"""The job panel on the episode page: the engine last used is preselected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.factories import timed_episode
from translator.models import TranslationJob

pytestmark = pytest.mark.django_db

ENGINES = {
    "argos": {"CLASS": "translator.engines.argos.ArgosEngine", "OPTIONS": {}},
    "deepl": {"CLASS": "translator.engines.deepl.DeepLEngine", "OPTIONS": {"auth_key": "k"}},
}


def _episode(title: str):
    return timed_episode(
        2,
        speakers=[("A", "Aki")],
        label=lambda i: "A",
        source=lambda i: f"文{i}。",
        text=lambda i: "",
        title=title,
    )


def _engine_options(client, episode) -> str:
    page = client.get(reverse("translator:episode_detail", args=[episode.pk])).text
    return page[page.index('<select name="engine">') :].split("</select>")[0]


def test_engine_last_used_is_preselected(client, translator_user, settings):
    settings.TRANSLATION_ENGINES = ENGINES
    client.force_login(translator_user)
    first, second = _episode("One"), _episode("Two")
    # Nothing run yet: the first configured engine, nothing marked.
    assert "selected" not in _engine_options(client, first)

    TranslationJob.objects.create(episode=first, engine="deepl", state="succeeded")
    assert '<option value="deepl" selected>' in _engine_options(client, first)
    # An episode never translated starts from the engine last run anywhere.
    assert '<option value="deepl" selected>' in _engine_options(client, second)

    TranslationJob.objects.create(episode=second, engine="argos", state="failed")
    assert '<option value="argos" selected>' in _engine_options(client, second)
    assert '<option value="deepl" selected>' in _engine_options(client, first)


def test_panel_poll_tells_the_page_when_the_job_finished(client, translator_user, settings):
    settings.TRANSLATION_ENGINES = ENGINES
    client.force_login(translator_user)
    episode = _episode("One")
    url = reverse("translator:job_panel", args=[episode.pk])
    job = TranslationJob.objects.create(episode=episode, engine="deepl", state="running")
    assert "HX-Trigger" not in client.get(url, {"was_active": "1"}, HTTP_HX_REQUEST="true")
    job.state = "succeeded"
    job.save()
    polled = client.get(url, {"was_active": "1"}, HTTP_HX_REQUEST="true")
    assert polled["HX-Trigger"] == "jobFinished"  # the review page refreshes its rows
    assert "HX-Trigger" not in client.get(url, HTTP_HX_REQUEST="true")  # not polling: no news
