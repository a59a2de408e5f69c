"""translator/views/episodes.py: the episode list and the import page (paste or upload →
preview → import; a project file is restored at once)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.commands.test_segment import TALK
from translator.models import Episode
from translator.services import backup, importing

pytestmark = pytest.mark.django_db
FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}
IMPORT = reverse("translator:episode_import")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "pending-imports"


def test_list_shows_episodes_to_people_who_may_view(client, translator_user, plain_user):
    Episode.objects.create(title="字幕の話")
    client.force_login(translator_user)
    response = client.get(reverse("translator:episode_list"))
    assert response.status_code == 200 and "字幕の話" in response.content.decode()
    client.force_login(plain_user)
    assert client.get(reverse("translator:episode_list")).status_code == 403


def test_paste_preview_then_import(client, translator_user, data_dir):
    client.force_login(translator_user)
    preview = client.post(IMPORT, {"text": TALK, "title": "Talk", **FORM})
    assert preview.status_code == 200
    assert preview.context["n_paragraphs"] == 4 and preview.context["n_sentences"] == 6
    token = preview.context["token"]
    assert (data_dir / token).exists()  # kept server-side, under a random name
    assert not Episode.objects.exists()  # a preview writes nothing

    done = client.post(IMPORT, {"confirm": "1", "token": token})
    episode = Episode.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("translator:episode_detail", args=[episode.pk])
    assert episode.title == "Talk" and episode.segments.count() == 6
    assert not (data_dir / token).exists()  # the stash is gone once imported


def test_a_stale_or_foreign_token_is_an_expired_preview(client, translator_user, data_dir):
    client.force_login(translator_user)
    token = importing.stash_upload(TALK)  # not this session's preview
    response = client.post(IMPORT, {"confirm": "1", "token": token}, follow=True)
    assert "That preview has expired" in response.content.decode()
    assert not Episode.objects.exists()


def test_bad_input_is_shown_on_the_form(client, translator_user, data_dir):
    client.force_login(translator_user)
    english = "This is an English sentence and not a Japanese transcript at all.\n" * 3
    response = client.post(IMPORT, {"text": english, **FORM})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and "English" in errors[0] and "\n" not in errors[0]
    assert not Episode.objects.exists()


def test_a_project_file_is_restored_without_preview(client, reviewer_user, sample_episode):
    data = json.dumps(backup.export_project(episode_id=sample_episode.pk)).encode()
    client.force_login(reviewer_user)
    upload = SimpleUploadedFile("backup.jimaku.json", data)
    response = client.post(IMPORT, {"file": upload, **FORM})
    copy = Episode.objects.exclude(pk=sample_episode.pk).get()
    assert response.status_code == 302 and str(copy.pk) in response["Location"]
    assert copy.segments.count() == sample_episode.segments.count()


def test_only_importers_see_the_import_page(client, plain_user):
    client.force_login(plain_user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"text": TALK, **FORM}).status_code == 403
