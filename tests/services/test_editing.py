"""translator/services/editing.py: English title, speaker names, glossary terms, media."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from translator.models import Episode, GlossaryTerm
from translator.services import editing
from translator.services.editing import EditingError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def test_english_title_is_one_clean_line(sample_episode, translator_user):
    ep = editing.set_english_title(
        episode_id=sample_episode.pk, title_en="  Behind\u200b the\n scenes ", user=translator_user
    )
    assert ep.title_en == "Behind the scenes"
    with pytest.raises(EditingError, match="longer than 300"):
        editing.set_english_title(episode_id=ep.pk, title_en="x" * 301, user=translator_user)
    editing.set_english_title(episode_id=ep.pk, title_en="", user=translator_user)
    ep.refresh_from_db()
    assert ep.title_en == "" and ep.english_title == ep.title  # falls back to the original


def test_nobody_without_the_permission_edits(sample_episode, plain_user):
    with pytest.raises(PermissionDenied):
        editing.set_english_title(episode_id=sample_episode.pk, title_en="x", user=plain_user)
    speaker = sample_episode.speakers.first()
    with pytest.raises(PermissionDenied):
        editing.rename_speaker(speaker_id=speaker.pk, display_name="X", user=plain_user)
    with pytest.raises(PermissionDenied):
        editing.add_glossary_term(episode_id=None, source="猫", target="cat", user=plain_user)


def test_rename_speaker_refuses_a_twin_and_empty_names(sample_episode, translator_user):
    first, second = sample_episode.speakers.order_by("order")[:2]
    renamed = editing.rename_speaker(
        speaker_id=first.pk, display_name=" Satō ", user=translator_user
    )
    assert renamed.display_name == "Satō"
    with pytest.raises(EditingError, match="already called"):
        editing.rename_speaker(speaker_id=second.pk, display_name="satō", user=translator_user)
    with pytest.raises(EditingError, match="cannot be empty"):
        editing.rename_speaker(speaker_id=second.pk, display_name="\u200b ", user=translator_user)


def test_glossary_terms_add_update_delete(sample_episode, translator_user):
    term = editing.add_glossary_term(
        episode_id=sample_episode.pk, source="字幕", target="subtitles", user=translator_user
    )
    with pytest.raises(EditingError, match="already in the glossary"):
        editing.add_glossary_term(
            episode_id=sample_episode.pk, source="字幕", target="captions", user=translator_user
        )
    project = editing.add_glossary_term(
        episode_id=None, source="字幕", target="captions", note="house style", user=translator_user
    )
    assert project.episode_id is None  # the project's glossary is another one
    with pytest.raises(EditingError, match="already in the glossary"):
        editing.add_glossary_term(episode_id=None, source="字幕", target="x", user=translator_user)
    updated = editing.update_glossary_term(
        term_id=term.pk, source="字幕", target="subs", user=translator_user
    )
    assert updated.target == "subs"
    editing.delete_glossary_term(term_id=term.pk, user=translator_user)
    editing.delete_glossary_term(term_id=term.pk, user=translator_user)  # twice: no error
    assert list(GlossaryTerm.objects.values_list("episode_id", "target")) == [(None, "captions")]


def test_media_file_url_and_detach(
    sample_episode, translator_user, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("talk.MP3", b"ID3" + b"\0" * 100, content_type="audio/mpeg")
    ep = editing.attach_media_file(
        episode_id=sample_episode.pk, upload=upload, user=translator_user
    )
    stored = ep.media_file.name
    assert stored.startswith(f"episodes/{ep.pk}/") and stored.endswith(".mp3")
    assert "talk" not in stored  # a server-made name, never the user's
    assert default_storage.exists(stored)
    assert editing.media_kind(stored) == "audio" and editing.media_kind("a.webm") == "video"

    with django_capture_on_commit_callbacks(execute=True):
        ep = editing.attach_media_url(
            episode_id=ep.pk, url="https://example.org/a.mp3", user=translator_user
        )
    assert (ep.media_url, ep.media_file.name) == ("https://example.org/a.mp3", "")
    assert not default_storage.exists(stored)  # replaced: the stored file is deleted
    ep = editing.detach_media(episode_id=ep.pk, user=translator_user)
    assert Episode.objects.filter(pk=ep.pk, media_url="", media_file="").exists()


def test_bad_media_is_refused_with_a_reason(sample_episode, translator_user, settings):
    def attach(name: str, data: bytes, content_type: str = "audio/mpeg"):
        upload = SimpleUploadedFile(name, data, content_type=content_type)
        return editing.attach_media_file(
            episode_id=sample_episode.pk, upload=upload, user=translator_user
        )

    with pytest.raises(EditingError, match="Unsupported media type"):
        attach("notes.txt", b"hello")
    with pytest.raises(EditingError, match="not audio or video"):
        attach("a.mp3", b"<html>", content_type="text/html")
    with pytest.raises(EditingError, match="empty"):
        attach("a.mp3", b"")
    settings.JIMAKU_MAX_MEDIA_BYTES = 10
    with pytest.raises(EditingError, match="the limit is"):
        attach("a.mp3", b"x" * 11)
    for url in ("javascript:alert(1)", "ftp://example.org/a.mp3", "https://"):
        with pytest.raises(EditingError, match="http"):
            editing.attach_media_url(episode_id=sample_episode.pk, url=url, user=translator_user)
    sample_episode.refresh_from_db()
    assert not sample_episode.media_file and not sample_episode.media_url
