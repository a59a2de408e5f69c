"""Timing alignment from the browser: upload rough captions, see coverage, undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from translator import permissions
from translator.core.errors import InputError
from translator.forms import IMPORT_EXTENSIONS
from translator.models import AlignmentRun, Episode
from translator.services import alignment


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
    path("episodes/<int:episode_id>/timing/align/", align_upload, name="align_upload"),
    path("timing/<int:run_id>/undo/", align_undo, name="align_undo"),
]
