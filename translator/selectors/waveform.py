"""Reads of the waveform strip: the state of the episode's peaks, their bytes, and the cues
drawn on it as regions (no writes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from translator.models import Cue, Episode, WaveformPeaks

# A queued or running computation not finished after this long lost its worker: it may be
# started again. An hour of audio takes well under a minute.
STALE_AFTER = timedelta(minutes=10)


def is_stale(peaks: WaveformPeaks) -> bool:
    return peaks.is_active and timezone.now() - peaks.updated_at > STALE_AFTER


def waveform_state(episode: Episode) -> WaveformPeaks | None:
    """The peaks row of the episode's attached file, without its bytes (None: no file, or no
    row: media attached before waveforms existed)."""
    if not episode.media_file:
        return None
    return (
        WaveformPeaks.objects.filter(episode=episode, media_name=episode.media_file.name)
        .defer("data_gz")
        .first()
    )


def ready_peaks(episode_id: int) -> WaveformPeaks | None:
    """The ready peaks of the episode's current file, bytes included."""
    episode = Episode.objects.only("id", "media_file").filter(pk=episode_id).first()
    if episode is None or not episode.media_file:
        return None
    return WaveformPeaks.objects.filter(
        episode_id=episode_id, media_name=episode.media_file.name, state=WaveformPeaks.State.READY
    ).first()


def etag(peaks: WaveformPeaks) -> str:
    stamp = peaks.finished_at.timestamp() if peaks.finished_at else 0
    return f'"wf{peaks.pk}-{int(stamp * 1000)}-{peaks.raw_bytes}"'


def waveform_cues(episode_id: int) -> list[dict[str, Any]]:
    """Every timed cue of the episode, in time order: what the strip draws and retimes."""
    rows = (
        Cue.objects.filter(
            segment__episode_id=episode_id, start_ms__isnull=False, end_ms__isnull=False
        )
        .order_by("start_ms", "segment__order", "index")
        .values_list(
            "id", "segment_id", "segment__order", "start_ms", "end_ms", "version", "source_text"
        )
    )
    return [
        {
            "id": cid,
            "seg": seg,
            "n": order + 1,
            "start_ms": start,
            "end_ms": end,
            "version": version,
            "text": text[:80],
        }
        for cid, seg, order, start, end, version, text in rows
    ]


def strip_context(episode: Episode) -> dict[str, Any]:
    """What ``translator/review/waveform.html`` needs (the review page, the cue view)."""
    peaks = waveform_state(episode)
    retime = reverse("translator:cue_retime", args=[episode.pk, 0])
    return {
        "waveform": peaks,
        "waveform_stale": peaks is not None and is_stale(peaks),
        "waveform_has_file": bool(episode.media_file),
        "waveform_urls": {
            "strip": reverse("translator:waveform_strip", args=[episode.pk]),
            "compute": reverse("translator:waveform_compute", args=[episode.pk]),
            "peaks": reverse("translator:waveform_peaks", args=[episode.pk]),
            "cues": reverse("translator:waveform_cues", args=[episode.pk]),
            # The cue view's retime endpoint, with {id} for the cue (waveform.js fills it in).
            "retime": retime.replace("/0/retime/", "/{id}/retime/"),
        },
    }
