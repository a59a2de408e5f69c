"""The job panel on the episode page: the engine last used is preselected when it is ready;
an engine that is not ready is shown disabled, with why and what to do."""

from __future__ import annotations

import json

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


def _ready_engines(packages_dir) -> dict:
    return {
        "argos": {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages_dir)},
        },
        "deepl": ENGINES["deepl"],
    }


def test_engine_last_used_is_preselected(
    client, translator_user, settings, installed_argos, packages_dir
):
    settings.TRANSLATION_ENGINES = _ready_engines(packages_dir)
    client.force_login(translator_user)
    first, second = _episode("One"), _episode("Two")
    # Nothing run yet: the first ready engine.
    assert '<option value="argos" selected>' in _engine_options(client, first)

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
    # The review page learns it finished; its rows came live with the polls ("live").
    assert json.loads(polled["HX-Trigger"]) == {"jobFinished": {"live": True}}
    assert "HX-Trigger" not in client.get(url, HTTP_HX_REQUEST="true")  # not polling: no news


def test_an_engine_that_is_not_installed_is_not_preselected(client, translator_user, settings):
    """Argos configured without a model, DeepL ready: every new episode defaulted to Argos and
    *Machine-translate* failed telling a web user to run a management command."""
    settings.TRANSLATION_ENGINES = ENGINES  # argos: no packages at all
    client.force_login(translator_user)
    episode = _episode("One")
    TranslationJob.objects.create(episode=_episode("Other"), engine="argos", state="failed")
    options = _engine_options(client, episode)
    assert '<option value="deepl" selected>' in options
    assert '<option value="argos" disabled>' in options and "not ready" in options
    page = client.get(reverse("translator:episode_detail", args=[episode.pk])).text
    assert "No Japanese→English model is installed on this server." in page
    assert "Ask an administrator to install one" in page
    assert "manage.py" not in page  # not for a web user

    # Posting the engine anyway is refused in the same words, and no job is queued.
    r = client.post(
        reverse("translator:job_start", args=[episode.pk]),
        {"engine": "argos"},
        HTTP_HX_REQUEST="true",
    )
    assert "No Japanese→English model is installed" in r.text and "manage.py" not in r.text
    assert not TranslationJob.objects.filter(episode=episode).exists()


def test_deepl_without_a_key_is_listed_as_not_set_up(
    client, translator_user, settings, installed_argos, packages_dir
):
    settings.TRANSLATION_ENGINES = {"argos": _ready_engines(packages_dir)["argos"]}
    client.force_login(translator_user)
    episode = _episode("One")
    options = _engine_options(client, episode)
    assert '<option value="argos" selected>' in options
    assert '<option value="deepl" disabled>' in options
    page = client.get(reverse("translator:episode_detail", args=[episode.pk])).text
    assert "DeepL is not set up on this server" in page and "DEEPL_AUTH_KEY" not in page


def test_a_job_failed_for_a_missing_model_explains_in_web_words(client, translator_user, settings):
    settings.TRANSLATION_ENGINES = ENGINES
    client.force_login(translator_user)
    episode = _episode("One")
    TranslationJob.objects.create(
        episode=episode,
        engine="argos",
        state="failed",
        error="No Argos ja→en package installed. Install one with: python manage.py argos_install",
    )
    page = client.get(reverse("translator:episode_detail", args=[episode.pk])).text
    panel = page[page.index('id="job-panel"') :].split('<details class="tool"')[0]
    assert "manage.py" not in panel
    assert "No Japanese→English model is installed on this server." in panel


def test_panel_poll_names_the_rows_translated_since_the_last_poll(
    client, translator_user, settings
):
    import re

    from django.utils import timezone

    from translator.models import Segment

    settings.TRANSLATION_ENGINES = ENGINES
    client.force_login(translator_user)
    episode = _episode("One")
    url = reverse("translator:job_panel", args=[episode.pk])
    TranslationJob.objects.create(episode=episode, engine="deepl", state="running")
    first = client.get(url, {"was_active": "1", "since": "0"}, HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in first  # nothing translated yet
    since = re.search(r"since=(\d+)", first.text).group(1)  # the next poll's cursor

    seg = episode.segments.order_by("order").first()
    Segment.objects.filter(pk=seg.pk).update(
        text="One.", status="machine", machine_translated_at=timezone.now(), version=5
    )
    polled = client.get(url, {"was_active": "1", "since": since}, HTTP_HX_REQUEST="true")
    trigger = json.loads(polled["HX-Trigger"])
    assert trigger["segmentsTranslated"]["rows"] == [[seg.pk, 5]]
    assert trigger["segmentsTranslated"]["row_url"] == reverse("translator:segment_row", args=[0])
    # The counters come along, out of band.
    assert 'id="review-counters" class="counters" hx-swap-oob="true"' in polled.text
    assert "jobFinished" not in trigger
    assert client.get(url, {"was_active": "1", "since": "junk"}).get("HX-Trigger") is None


def test_a_job_error_naming_a_server_command_is_worded_for_web_users(
    client, translator_user, staff_user, settings, installed_argos, packages_dir
):
    settings.TRANSLATION_ENGINES = _ready_engines(packages_dir)  # installed, but it failed
    episode = _episode("One")
    TranslationJob.objects.create(
        episode=episode,
        engine="argos",
        state="failed",
        error="The Argos package p cannot be loaded (bad model); reinstall it with: "
        "python manage.py argos_install --from-file PATH.argosmodel",
    )
    url = reverse("translator:job_panel", args=[episode.pk])
    client.force_login(translator_user)
    panel = client.get(url, HTTP_HX_REQUEST="true").text
    assert "The Argos package p cannot be loaded (bad model)." in panel
    assert "Ask an administrator to check the Engines page." in panel
    assert "manage.py" not in panel
    client.force_login(staff_user)
    assert "python manage.py argos_install" in client.get(url, HTTP_HX_REQUEST="true").text
