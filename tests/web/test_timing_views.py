"""translator/views/timing.py: the timing panel, caption alignment upload and its undo (the
audio side is in test_timing_panel_audio.py)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.commands.test_align_timing import _rough_captions, _times
from translator.models import AlignmentRun

pytestmark = pytest.mark.django_db


def _upload(client, episode, name: str, data: bytes):
    return client.post(
        reverse("translator:align_upload", args=[episode.pk]),
        {"captions": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_align_then_undo(client, translator_user, sample_episode):
    client.force_login(translator_user)
    before = _times(sample_episode)
    response = _upload(
        client, sample_episode, "rough.srt", _rough_captions(sample_episode, 2000).encode()
    )
    assert response.status_code == 200
    run = AlignmentRun.objects.get(episode=sample_episode)
    assert run.report["summary"] in response.content.decode()
    assert _times(sample_episode) != before

    panel = client.get(reverse("translator:timing_panel", args=[sample_episode.pk]))
    assert panel.status_code == 200
    assert reverse("translator:align_undo", args=[run.pk]) in panel.content.decode()

    response = client.post(reverse("translator:align_undo", args=[run.pk]), follow=True)
    assert "previous cue times are back" in response.content.decode()
    assert _times(sample_episode) == before


def test_bad_uploads_are_refused_with_a_reason(client, translator_user, sample_episode):
    client.force_login(translator_user)
    before = _times(sample_episode)
    assert (
        "Unsupported file type" in _upload(client, sample_episode, "a.pdf", b"x").content.decode()
    )
    refused = _upload(client, sample_episode, "a.srt", b"just some text").content.decode()
    assert "Caption file refused" in refused
    response = client.post(
        reverse("translator:align_upload", args=[sample_episode.pk]), follow=True
    )
    assert "Choose a caption file" in response.content.decode()
    assert _times(sample_episode) == before
    assert not AlignmentRun.objects.exists()


def test_viewers_may_look_but_not_align(client, reviewer_user, plain_user, sample_episode):
    client.force_login(plain_user)
    assert (
        client.get(reverse("translator:timing_panel", args=[sample_episode.pk])).status_code == 403
    )
    response = client.post(
        reverse("translator:align_upload", args=[sample_episode.pk]),
        {"captions": SimpleUploadedFile("a.srt", _rough_captions(sample_episode, 0).encode())},
    )
    assert response.status_code == 403
    assert client.post(reverse("translator:align_undo", args=[1])).status_code == 403
    assert not AlignmentRun.objects.exists()
