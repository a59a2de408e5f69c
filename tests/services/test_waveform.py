"""The waveform of an episode's media (translator.services.waveform): queued when a file is
attached (the worker computes it), replaced when another file is attached, deleted with the
media; bad media is a one-line error; the strip's button computes it again."""

from __future__ import annotations

import gzip
import io
import wave
from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from translator.core.audio.peaks import PEAKS_PER_SECOND, Peaks
from translator.models import WaveformPeaks
from translator.services import editing, waveform

pytestmark = pytest.mark.django_db


def tone_wav(seconds_on: float = 1.0, seconds_off: float = 1.0, rate: int = 22_050) -> bytes:
    t = np.arange(int(seconds_on * rate)) / rate
    signal = np.concatenate([0.5 * np.sin(2 * np.pi * 330 * t), np.zeros(int(seconds_off * rate))])
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((signal * 32767).astype("<i2").tobytes())
    return buf.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def attach(episode, user, data: bytes, name: str = "talk.wav", capture=None):
    upload = SimpleUploadedFile(name, data, content_type="audio/wav")
    if capture is None:
        return editing.attach_media_file(episode_id=episode.pk, upload=upload, user=user)
    with capture(execute=True):
        return editing.attach_media_file(episode_id=episode.pk, upload=upload, user=user)


def test_attaching_a_file_queues_its_peaks_for_the_worker(
    sample_episode, translator_user, django_capture_on_commit_callbacks
):
    ep = attach(
        sample_episode, translator_user, tone_wav(), capture=django_capture_on_commit_callbacks
    )
    row = WaveformPeaks.objects.get(episode=ep)
    assert row.state == WaveformPeaks.State.QUEUED and row.media_name == ep.media_file.name
    # Enqueued after the commit, on the real database queue: the upload request decoded nothing.
    task = DBTaskResult.objects.get(pk=row.task_id)
    assert task.task_path.endswith("waveform_task") and task.args_kwargs["args"] == [row.pk]
    assert row.length == 0 and bytes(row.data_gz) == b""

    done = waveform.run_waveform_job(peaks_id=row.pk)
    assert done.state == WaveformPeaks.State.READY and done.error == ""
    row.refresh_from_db()
    peaks = Peaks.from_dat(gzip.decompress(bytes(row.data_gz)))
    assert row.raw_bytes == len(peaks.to_dat()) and row.length == peaks.length
    assert abs(row.length - 2 * PEAKS_PER_SECOND) <= 1 and abs(row.duration_ms - 2000) <= 10
    pairs = peaks.pairs()
    assert min(hi for _lo, hi in pairs[5:95]) >= 120  # the tone
    assert max(abs(lo) + abs(hi) for lo, hi in pairs[110:190]) <= 2  # the silence
    # The worker running the same row again changes nothing.
    assert waveform.run_waveform_job(peaks_id=row.pk).state == WaveformPeaks.State.READY


def test_reattach_replaces_the_peaks_and_detach_deletes_them(sample_episode, translator_user):
    ep = attach(sample_episode, translator_user, tone_wav())
    first = WaveformPeaks.objects.get(episode=ep)
    waveform.run_waveform_job(peaks_id=first.pk)
    ep = attach(ep, translator_user, tone_wav(0.5, 0.5))
    second = WaveformPeaks.objects.get(episode=ep)
    assert second.pk != first.pk and second.state == WaveformPeaks.State.QUEUED
    assert second.media_name == ep.media_file.name != first.media_name
    # The worker still holding the old row's task finds nothing to do.
    assert waveform.run_waveform_job(peaks_id=first.pk) is None
    assert WaveformPeaks.objects.filter(episode=ep).count() == 1

    editing.detach_media(episode_id=ep.pk, user=translator_user)
    assert not WaveformPeaks.objects.filter(episode=ep).exists()
    assert waveform.run_waveform_job(peaks_id=second.pk) is None


def test_an_address_gets_no_peaks_and_drops_the_old_ones(sample_episode, translator_user):
    ep = attach(sample_episode, translator_user, tone_wav())
    assert WaveformPeaks.objects.filter(episode=ep).exists()
    editing.attach_media_url(
        episode_id=ep.pk, url="https://example.org/episode.mp3", user=translator_user
    )
    assert not WaveformPeaks.objects.filter(episode=ep).exists()  # nothing fetched either


@pytest.mark.parametrize(
    "data",
    [b"ID3" + b"\0" * 400, b"<html>not audio</html>" * 40, tone_wav(8, 2)[:100_000]],
    ids=["empty-mp3", "html", "wav-cut-short"],
)
def test_bad_media_is_a_one_line_error(sample_episode, translator_user, data):
    ep = attach(sample_episode, translator_user, data)
    row = WaveformPeaks.objects.get(episode=ep)
    done = waveform.run_waveform_job(peaks_id=row.pk)
    assert done.state == WaveformPeaks.State.FAILED
    assert done.error and "\n" not in done.error and "Traceback" not in done.error
    assert bytes(WaveformPeaks.objects.get(pk=row.pk).data_gz) == b""


def test_a_missing_file_is_a_one_line_error(sample_episode, translator_user):
    from django.core.files.storage import default_storage

    ep = attach(sample_episode, translator_user, tone_wav())
    default_storage.delete(ep.media_file.name)
    done = waveform.run_waveform_job(peaks_id=WaveformPeaks.objects.get(episode=ep).pk)
    assert done.state == WaveformPeaks.State.FAILED and "does not exist" in done.error


def test_request_waveform_recomputes_only_what_needs_it(
    sample_episode, translator_user, plain_user, reviewer_user
):
    with pytest.raises(waveform.WaveformError, match="no uploaded media"):
        waveform.request_waveform(episode_id=sample_episode.pk, user=translator_user)
    ep = attach(sample_episode, translator_user, tone_wav())
    # Media attached before waveforms existed: no row; the button makes one.
    WaveformPeaks.objects.filter(episode=ep).delete()
    with pytest.raises(PermissionDenied):
        waveform.request_waveform(episode_id=ep.pk, user=plain_user)
    row = waveform.request_waveform(episode_id=ep.pk, user=translator_user)
    assert row.state == WaveformPeaks.State.QUEUED
    # Queued and fresh: asking again does not queue twice.
    assert waveform.request_waveform(episode_id=ep.pk, user=reviewer_user).pk == row.pk
    # A worker that died: stale after ten minutes, queued again.
    WaveformPeaks.objects.filter(pk=row.pk).update(
        state=WaveformPeaks.State.RUNNING, updated_at=timezone.now() - timedelta(minutes=11)
    )
    again = waveform.request_waveform(episode_id=ep.pk, user=translator_user)
    assert again.pk != row.pk and again.state == WaveformPeaks.State.QUEUED
    ready = waveform.run_waveform_job(peaks_id=again.pk)
    assert waveform.request_waveform(episode_id=ep.pk, user=translator_user).pk == ready.pk
