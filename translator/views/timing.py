"""Timing from the browser: rough captions, the episode's audio, or both; coverage; undo.

Audio timing only starts a job here (the worker decodes the audio and runs the detector; this
process never imports them); the panel polls for its progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator.core.errors import InputError
from translator.forms import IMPORT_EXTENSIONS
from translator.models import AlignmentRun, Episode
from translator.permissions import can_edit, can_view, require_perm
from translator.selectors.panels import timing_panel_context
from translator.services import alignment, audio_timing


@require_POST
@require_perm(can_edit)
def audio_start(request: HttpRequest, episode_id: int) -> HttpResponse:
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
            replace_manual=request.POST.get("manual") == "replace",
        )
    except audio_timing.AudioTimingError as exc:
        messages.error(request, _("Audio timing refused: %(reason)s") % {"reason": exc})
    except InputError as exc:
        messages.error(request, _("Caption file refused: %(reason)s") % {"reason": exc})
    else:
        messages.info(request, _("Timing from the audio: the worker is on it."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_GET
@require_perm(can_view)
def timing_panel(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    ctx = {"episode": episode} | timing_panel_context(episode)
    response = render(request, "translator/partials/timing_panel.html", ctx)
    job = ctx["audio_job"]
    if job and not job.is_active and request.GET.get("was_active"):
        response["HX-Trigger"] = "jobFinished"  # the review page refreshes its rows
    return response


@require_GET
@require_perm(can_view)
def manual_choice(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The panel's "N cues were set by hand: keep them / replace them" (loaded when the panel
    is opened: the episode page does not count them)."""
    episode = get_object_or_404(Episode, pk=episode_id)
    _timed, manual = audio_timing.timing_counts(episode.pk)
    return render(
        request,
        "translator/partials/manual_cues_choice.html",
        {"episode": episode, "manual_cues": manual},
    )


@require_POST
@require_perm(can_edit)
def align_upload(request: HttpRequest, episode_id: int) -> HttpResponse:
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
                replace_manual=request.POST.get("manual") == "replace",
            )
        except InputError as exc:
            messages.error(request, _("Caption file refused: %(reason)s") % {"reason": exc})
        else:
            messages.success(request, run.report["summary"])
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_POST
@require_perm(can_edit)
def align_undo(request: HttpRequest, run_id: int) -> HttpResponse:
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
    path("episodes/<int:episode_id>/timing/manual/", manual_choice, name="timing_manual_choice"),
    path("timing/<int:run_id>/undo/", align_undo, name="align_undo"),
]
