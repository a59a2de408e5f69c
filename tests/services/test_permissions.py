"""Every service checks its own permission, the same way (``permissions.require``): called
as a user in no group (or a translator, for reviewers' actions) it raises PermissionDenied and
changes nothing; ``user=None`` (the command line, the worker) is trusted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from translator.core.requests import ImportRequest
from translator.models import Episode, GlossaryTerm, MemoryUnit, Segment, TranslationJob
from translator.services import (
    alignment,
    audio_timing,
    backup,
    editing,
    importing,
    memory,
    publishing,
    review,
    translation,
)

pytestmark = pytest.mark.django_db

SRT = b"1\n00:00:01,000 --> 00:00:02,000\n\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\n"


def _calls(episode: Episode, user) -> dict[str, object]:
    seg = episode.segments.order_by("order").first()
    speaker = episode.speakers.first()
    term = GlossaryTerm.objects.create(episode=episode, source="字幕", target="subtitles")
    job = TranslationJob.objects.create(episode=episode, engine="argos")
    project = backup.export_project(episode_id=episode.pk)
    return {
        "start_translation_job": lambda: translation.start_translation_job(
            episode_id=episode.pk, engine="argos", user=user
        ),
        "request_cancel": lambda: translation.request_cancel(job_id=job.pk, user=user),
        "import_episode": lambda: importing.import_episode(
            data="友野: こんにちは。", request=ImportRequest(filename="x.txt"), user=user
        ),
        "start_import_job": lambda: importing.start_import_job(
            data=b"x", filename="x.txt", options={}, user=user
        ),
        "import_project": lambda: backup.import_project(data=project, user=user),
        "save_segment": lambda: review.save_segment(
            segment_id=seg.pk, text="Hello.", base_version=seg.version, user=user
        ),
        "restore_revision": lambda: review.restore_revision(
            revision_id=seg.revisions.create(new_text="x", version=1).pk, user=user
        ),
        "set_approved": lambda: review.set_approved(segment_id=seg.pk, approved=True, user=user),
        "bulk_approve": lambda: review.bulk_approve(
            seen={seg.pk: seg.version}, episode_id=episode.pk, user=user
        ),
        "set_published": lambda: publishing.set_published(
            episode_id=episode.pk, published=True, user=user
        ),
        "set_english_title": lambda: editing.set_english_title(
            episode_id=episode.pk, title_en="T", user=user
        ),
        "rename_speaker": lambda: editing.rename_speaker(
            speaker_id=speaker.pk, display_name="Tom", user=user
        ),
        "add_glossary_term": lambda: editing.add_glossary_term(
            episode_id=episode.pk, source="声", target="voice", user=user
        ),
        "update_glossary_term": lambda: editing.update_glossary_term(
            term_id=term.pk, source="字幕", target="captions", user=user
        ),
        "delete_glossary_term": lambda: editing.delete_glossary_term(term_id=term.pk, user=user),
        "attach_media_url": lambda: editing.attach_media_url(
            episode_id=episode.pk, url="https://example.org/a.mp3", user=user
        ),
        "attach_media_file": lambda: editing.attach_media_file(
            episode_id=episode.pk,
            upload=SimpleUploadedFile("a.mp3", b"ID3"),
            user=user,
        ),
        "detach_media": lambda: editing.detach_media(episode_id=episode.pk, user=user),
        "align_episode_timing": lambda: alignment.align_episode_timing(
            episode_id=episode.pk, data=SRT, filename="a.srt", user=user
        ),
        "start_audio_timing": lambda: audio_timing.start_audio_timing(
            episode_id=episode.pk, user=user, enqueue=False
        ),
        "import_tmx": lambda: memory.import_tmx(data=b"<tmx/>", filename="a.tmx", user=user),
        "import_glossary": lambda: memory.import_glossary(
            data=b"source,target\n", filename="a.csv", episode_id=None, user=user
        ),
    }


def _state() -> tuple:
    return (
        Episode.objects.count(),
        list(Segment.objects.order_by("pk").values_list("text", "status", "version")),
        list(GlossaryTerm.objects.order_by("pk").values_list("source", "target")),
        list(Episode.objects.order_by("pk").values_list("published", "title_en", "media_url")),
        TranslationJob.objects.count(),
        MemoryUnit.objects.count(),
    )


def test_every_service_refuses_a_user_in_no_group(plain_user, sample_episode):
    calls = _calls(sample_episode, plain_user)
    before = _state()
    for name, call in calls.items():
        with pytest.raises(PermissionDenied):
            call()
        assert _state() == before, name


def test_reviewers_services_refuse_a_translator(translator_user, sample_episode):
    calls = _calls(sample_episode, translator_user)
    before = _state()
    for name in ("set_approved", "bulk_approve", "set_published", "import_tmx"):
        with pytest.raises(PermissionDenied):
            calls[name]()
        assert _state() == before, name
    other = sample_episode.jobs.create(engine="argos")  # not started by this translator
    with pytest.raises(PermissionDenied):
        translation.request_cancel(job_id=other.pk, user=translator_user)


def test_the_command_line_is_trusted(sample_episode):
    job = translation.start_translation_job(episode_id=sample_episode.pk, engine="argos")
    assert job.requested_by is None
    episode = importing.import_episode(
        data="友野: こんにちは。", request=ImportRequest(filename="x.txt"), user=None
    )
    assert episode.segments.exists()
