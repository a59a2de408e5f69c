"""Timing from the browser: rough captions, the episode's audio, or both; coverage; undo.

Audio timing only starts a job here (the worker decodes the audio and runs the detector; this
process never imports them); the panel polls for its progress."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import permissions
from translator.core.errors import InputError
from translator.forms import IMPORT_EXTENSIONS
from translator.models import AlignmentRun, AudioTimingJob, Episode
from translator.services import alignment, audio_timing


def timing_panel_context(episode: Episode) -> dict:
    """What the timing panel shows besides the last alignment: the latest audio timing job and
    how many cue times would need confirmation to be replaced. Both only matter while the
    episode has an audio file (no extra query otherwise: the episode page has a query budget)."""
    job = None
    hand_set = 0
    if episode.media_file:
        job = audio_timing.latest_job(episode.pk)
        if job is None or not job.is_active:
            hand_set = audio_timing.hand_set_count(episode.pk)
        if job is not None and job.state == AudioTimingJob.State.SUCCEEDED and job.started_at:
            # The episode may have been read before the job finished: then its report is
            # missing (and the panel, no longer polling, would keep showing that).
            try:
                aligned_at = datetime.fromisoformat(episode.alignment_report["aligned_at"])
            except (TypeError, KeyError, ValueError):
                aligned_at = None
            if aligned_at is None or aligned_at < job.started_at:
                episode.refresh_from_db(fields=["alignment_report"])
    return {
        "audio_job": job,
        "hand_set_cues": hand_set,
        "has_media_file": bool(episode.media_file),
        "last_alignment": (
            episode.alignments.filter(undone=False).first() if episode.alignment_report else None
        ),
    }


@require_POST
def audio_start(request: HttpRequest, episode_id: int) -> HttpResponse:
    if not permissions.can_edit(request.user):
        raise PermissionDenied
    episode = get_object_or_404(Episode, pk=episode_id)
    upload = request.FILES.get("captions")
    data = name = None
    if upload is not None and upload.name:
        if not upload.name.lower().endswith(IMPORT_EXTENSIONS):
            messages.error(request, _("Unsupported file type: use .srt, .vtt, .ass or .ssa."))
            return redirect("translator:episode_detail", episode_id=episode.pk)
        data, name = upload.read(), upload.name
    try:
        audio_timing.start_audio_timing(
            episode_id=episode.pk,
            user=request.user,
            captions_data=data,
            captions_filename=name,
            encoding=request.POST.get("encoding") or "auto",
            replace_timed=request.POST.get("replace_timed") == "1",
        )
    except audio_timing.AudioTimingError as exc:
        messages.error(request, _("Audio timing refused: %(reason)s") % {"reason": exc})
    except InputError as exc:
        messages.error(request, _("Caption file refused: %(reason)s") % {"reason": exc})
    else:
        messages.info(request, _("Timing from the audio: the worker is on it."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_GET
def timing_panel(request: HttpRequest, episode_id: int) -> HttpResponse:
    if not permissions.can_view(request.user):
        raise PermissionDenied
    episode = get_object_or_404(Episode, pk=episode_id)
    ctx = {"episode": episode} | timing_panel_context(episode)
    response = render(request, "translator/partials/timing_panel.html", ctx)
    job = ctx["audio_job"]
    if job and not job.is_active and request.GET.get("was_active"):
        response["HX-Trigger"] = "jobFinished"  # the review page refreshes its rows
    return response


@require_POST
def align_upload(request: HttpRequest, episode_id: int) -> HttpResponse:
    if not permissions.can_edit(request.user):
        raise PermissionDenied
    episode = get_object_or_404(Episode, pk=episode_id)
    upload = request.FILES.get("captions")
    if upload is None:
        messages.error(request, _("Choose a caption file (SRT, WebVTT or ASS)."))
    elif not (upload.name or "").lower().endswith(IMPORT_EXTENSIONS):
        messages.error(request, _("Unsupported file type: use .srt, .vtt, .ass or .ssa."))
    else:
        try:
            run = alignment.align_episode_timing(
                episode_id=episode.pk,
                data=upload.read(),
                filename=upload.name,
                encoding=request.POST.get("encoding") or "auto",
                user=request.user,
            )
        except InputError as exc:
            messages.error(request, _("Caption file refused: %(reason)s") % {"reason": exc})
        else:
            messages.success(request, run.report["summary"])
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_POST
def align_undo(request: HttpRequest, run_id: int) -> HttpResponse:
    if not permissions.can_edit(request.user):
        raise PermissionDenied
    run = get_object_or_404(AlignmentRun, pk=run_id)
    try:
        alignment.undo_alignment(run_id=run.pk, user=request.user)
    except alignment.UndoDataError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    except InputError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The alignment was undone: the previous cue times are back."))
    return redirect("translator:episode_detail", episode_id=run.episode_id)


urlpatterns = [
    path("episodes/<int:episode_id>/timing/audio/", audio_start, name="audio_timing_start"),
    path("episodes/<int:episode_id>/timing/panel/", timing_panel, name="timing_panel"),
    path("episodes/<int:episode_id>/timing/align/", align_upload, name="align_upload"),
    path("timing/<int:run_id>/undo/", align_undo, name="align_undo"),
]
