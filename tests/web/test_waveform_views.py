"""The waveform strip's views: the state fragment (computing, failed, ready), the peaks (who
may read them, gzip, caching headers, ETag), the cues JSON, the compute button, and the page's
style nonce for wavesurfer's shadow-root stylesheet."""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.services.test_waveform import tone_wav
from translator.core.audio.peaks import Peaks
from translator.models import Cue, WaveformPeaks
from translator.services import editing, waveform

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def episode(sample_episode, translator_user):
    upload = SimpleUploadedFile("talk.wav", tone_wav(), content_type="audio/wav")
    return editing.attach_media_file(
        episode_id=sample_episode.pk, upload=upload, user=translator_user
    )


def _ready(episode) -> WaveformPeaks:
    return waveform.run_waveform_job(peaks_id=WaveformPeaks.objects.get(episode=episode).pk)


def _page(client, episode):
    return client.get(reverse("translator:episode_detail", args=[episode.pk]))


def test_page_says_computing_and_polls_until_ready(client, translator_user, episode):
    client.force_login(translator_user)
    page = _page(client, episode).text
    strip_url = reverse("translator:waveform_strip", args=[episode.pk])
    assert "Computing waveform…" in page and f'hx-get="{strip_url}"' in page
    _ready(episode)
    strip = client.get(strip_url).text
    assert 'data-state="ready"' in strip and "hx-get" not in strip  # polling stops
    assert 'class="wf-view"' in strip and 'data-editable="1"' in strip
    assert 'data-duration-ms="2000"' in strip


def test_failed_media_shows_one_line_and_try_again(client, translator_user, sample_episode):
    upload = SimpleUploadedFile("bad.mp3", b"<html>no</html>" * 50, content_type="audio/mpeg")
    ep = editing.attach_media_file(
        episode_id=sample_episode.pk, upload=upload, user=translator_user
    )
    _ready(ep)
    client.force_login(translator_user)
    page = _page(client, ep)
    assert page.status_code == 200
    error = re.search(r'<p class="form-error small wf-error"[^>]*>(.*?)</p>', page.text, re.S)
    assert error and "cannot read the file" in error.group(1) and "Traceback" not in page.text
    assert "Try again" in page.text
    # Try again queues it anew and the strip polls again.
    response = client.post(
        reverse("translator:waveform_compute", args=[ep.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Computing waveform…" in response.text
    assert WaveformPeaks.objects.get(episode=ep).state == WaveformPeaks.State.QUEUED


def test_media_from_before_waveforms_offers_to_compute(client, translator_user, episode):
    WaveformPeaks.objects.filter(episode=episode).delete()  # attached before this feature
    client.force_login(translator_user)
    strip = client.get(reverse("translator:waveform_strip", args=[episode.pk])).text
    assert 'data-state="missing"' in strip and "Compute the waveform" in strip
    assert "hx-get" not in strip  # nothing to poll for
    response = client.post(
        reverse("translator:waveform_compute", args=[episode.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Computing waveform…" in response.text
    assert WaveformPeaks.objects.get(episode=episode).state == WaveformPeaks.State.QUEUED


def test_viewers_see_the_strip_but_cannot_compute(client, reviewer_user, plain_user, episode):
    from tests.conftest import make_user

    viewer = make_user("vic")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_episode"))
    client.force_login(viewer)
    _ready(episode)
    strip = client.get(reverse("translator:waveform_strip", args=[episode.pk])).text
    assert 'data-editable=""' in strip
    url = reverse("translator:waveform_compute", args=[episode.pk])
    assert client.post(url).status_code == 403
    client.force_login(plain_user)  # in no group: sees nothing
    assert client.get(reverse("translator:waveform_peaks", args=[episode.pk])).status_code == 403


def test_peaks_view_is_gzip_cached_and_private(client, translator_user, episode):
    url = reverse("translator:waveform_peaks", args=[episode.pk])
    assert client.get(url).status_code == 302  # login first
    client.force_login(translator_user)
    assert client.get(url).status_code == 404  # not computed yet
    row = _ready(episode)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    cache = {p.strip() for p in response["Cache-Control"].split(",")}
    assert "private" in cache and "max-age=86400" in cache and "no-store" not in cache
    raw = gzip.decompress(response.content)
    assert len(response.content) < len(raw) == row.raw_bytes
    assert Peaks.from_dat(raw).length == row.length
    # Revalidation: the same ETag answers 304 with no body.
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304 and again.content == b""
    # A client that does not take gzip gets the plain bytes.
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain and plain.content == raw
    # Another file: another ETag, and the old peaks are gone.
    upload = SimpleUploadedFile("b.wav", tone_wav(0.5, 0.2), content_type="audio/wav")
    editing.attach_media_file(episode_id=episode.pk, upload=upload, user=translator_user)
    assert client.get(url).status_code == 404
    _ready(episode)
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"] != response["ETag"]


def test_cues_json_lists_timed_cues_in_time_order(client, translator_user, episode):
    client.force_login(translator_user)
    data = client.get(reverse("translator:waveform_cues", args=[episode.pk])).json()["cues"]
    stored = Cue.objects.filter(segment__episode=episode, start_ms__isnull=False)
    assert len(data) == stored.count() > 0
    assert [c["start_ms"] for c in data] == sorted(c["start_ms"] for c in data)
    first = stored.get(pk=data[0]["id"])
    assert data[0] == {
        "id": first.pk,
        "seg": first.segment_id,
        "n": first.segment.order + 1,
        "start_ms": first.start_ms,
        "end_ms": first.end_ms,
        "version": first.version,
        "text": first.source_text[:80],
    }


def test_page_style_nonce_is_the_policy_nonce(client, translator_user, episode):
    client.force_login(translator_user)
    _ready(episode)
    response = _page(client, episode)
    nonce = re.search(r'data-style-nonce="([^"]+)"', response.text).group(1)
    policy = response["Content-Security-Policy"]
    style = next(d for d in policy.split(";") if d.strip().startswith("style-src "))
    assert f"'nonce-{nonce}'" in style
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src "))
    assert "nonce" not in script and "unsafe-inline" not in script
    assert "vendor/wavesurfer/wavesurfer.min.js" in response.text


def test_pages_without_the_strip_carry_no_nonce(client, translator_user, sample_episode):
    client.force_login(translator_user)
    response = _page(client, sample_episode)
    assert "nonce" not in response["Content-Security-Policy"]
    assert "waveform" not in response.text


def test_an_address_has_no_strip_to_compute(client, translator_user, sample_episode):
    editing.attach_media_url(
        episode_id=sample_episode.pk, url="https://example.org/a.mp3", user=translator_user
    )
    client.force_login(translator_user)
    page = _page(client, sample_episode).text
    assert "drawn for an uploaded media file" in page
    assert "wavesurfer.min.js" not in page


@pytest.mark.django_db(transaction=True)
def test_upload_returns_at_once_and_the_worker_computes_the_peaks(
    client, monkeypatch, sample_bytes
):
    """Through the real queue: the upload request only enqueues; ``db_worker`` computes."""
    from django.core.management import call_command

    from tests.conftest import ensure_groups, make_user
    from translator.core.audio import peaks as core_peaks
    from translator.core.requests import ImportRequest
    from translator.services.importing import import_episode

    ensure_groups()
    user = make_user("tess", group="translator")
    episode = import_episode(data=sample_bytes, request=ImportRequest(title="Queue"))
    calls = []
    real = core_peaks.compute_peaks
    monkeypatch.setattr(
        core_peaks, "compute_peaks", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    client.force_login(user)
    upload = SimpleUploadedFile("talk.wav", tone_wav(), content_type="audio/wav")
    response = client.post(reverse("translator:media_attach", args=[episode.pk]), {"file": upload})
    assert response.status_code == 302
    assert calls == []  # nothing decoded in the request
    assert WaveformPeaks.objects.get(episode=episode).state == WaveformPeaks.State.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(calls) == 1
    row = WaveformPeaks.objects.get(episode=episode)
    assert row.state == WaveformPeaks.State.READY and row.length == 200
    client.force_login(user)
    peaks = client.get(
        reverse("translator:waveform_peaks", args=[episode.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert peaks.status_code == 200 and peaks["Content-Encoding"] == "gzip"
