"""The waveform strip: its state fragment (polled while the worker computes the peaks), the
peaks themselves (binary, gzipped, cached by the browser), the cues it draws, and the button
that (re)computes them. The web process never decodes media."""

from __future__ import annotations

import gzip

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from translator.models import Episode
from translator.permissions import can_edit, can_view, require_perm
from translator.selectors import waveform as selectors
from translator.services import waveform

PEAKS_MAX_AGE_S = 24 * 3600  # the address names the computation (?v=…): a new one is new


def _strip(request: HttpRequest, episode: Episode) -> HttpResponse:
    ctx = {"episode": episode} | selectors.strip_context(episode)
    return render(request, "translator/review/waveform_strip.html", ctx)


@require_GET
@require_perm(can_view)
def waveform_strip(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The strip's state: computing (polls itself), failed (one line), or ready to draw."""
    episode = get_object_or_404(Episode, pk=episode_id)
    return _strip(request, episode)


@require_POST
@require_perm(can_view, can_edit)
def waveform_compute(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        waveform.request_waveform(episode_id=episode.pk, user=request.user)
    except waveform.WaveformError as exc:
        messages.error(request, str(exc))
    if not request.htmx:
        return redirect("translator:episode_detail", episode_id=episode.pk)
    return _strip(request, episode)


def _accepts_gzip(request: HttpRequest) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") != "q=0":
            return True
    return False


@require_GET
@require_perm(can_view)
def waveform_peaks(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The peaks as audiowaveform v2 bytes (``translator.core.audio.peaks``), gzip-encoded
    when the browser accepts it (it always does), with an ETag; 404 until they are ready."""
    peaks = selectors.ready_peaks(episode_id)
    if peaks is None:
        raise Http404("no waveform yet")
    tag = selectors.etag(peaks)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    elif _accepts_gzip(request):
        response = HttpResponse(bytes(peaks.data_gz), content_type="application/octet-stream")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(
            gzip.decompress(bytes(peaks.data_gz)), content_type="application/octet-stream"
        )
    response["ETag"] = tag
    response["Cache-Control"] = f"private, max-age={PEAKS_MAX_AGE_S}"
    response["X-Content-Type-Options"] = "nosniff"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_GET
@require_perm(can_view)
def waveform_cues(request: HttpRequest, episode_id: int) -> JsonResponse:
    """The timed cues the strip draws as regions: id, segment, row number, times, version."""
    get_object_or_404(Episode.objects.only("id"), pk=episode_id)
    response = JsonResponse({"cues": selectors.waveform_cues(episode_id)})
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("episodes/<int:episode_id>/waveform/", waveform_strip, name="waveform_strip"),
    path("episodes/<int:episode_id>/waveform/compute/", waveform_compute, name="waveform_compute"),
    path("episodes/<int:episode_id>/waveform/peaks/", waveform_peaks, name="waveform_peaks"),
    path("episodes/<int:episode_id>/waveform/cues/", waveform_cues, name="waveform_cues"),
]
