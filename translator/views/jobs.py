"""Translation jobs from the browser: start, live progress (htmx polling), cancel; engines page."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from translator.engines.registry import available_engines, get_engine
from translator.models import Episode, TranslationJob
from translator.permissions import can_translate, can_view, require_perm
from translator.selectors.panels import job_panel_context
from translator.services import translation


@require_POST
@require_perm(can_translate)
def job_start(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    engine = request.POST.get("engine", "")
    try:
        translation.start_translation_job(
            episode_id=episode.pk,
            engine=engine,
            user=request.user,
            retranslate_machine=request.POST.get("retranslate_machine") == "1",
        )
    except translation.JobError as exc:
        if request.htmx:
            ctx = job_panel_context(episode) | {"job_error": str(exc)}
            return render(request, "translator/partials/job_panel.html", ctx)
        messages.error(request, str(exc))
    if request.htmx:
        return render(request, "translator/partials/job_panel.html", job_panel_context(episode))
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_GET
@require_perm(can_view)
def job_panel(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    ctx = job_panel_context(episode)
    response = render(request, "translator/partials/job_panel.html", ctx)
    job = ctx["job"]
    if job and not job.is_active and request.GET.get("was_active"):
        response["HX-Trigger"] = "jobFinished"  # the review page refreshes its rows
    return response


@require_POST
@require_perm(can_translate)
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(TranslationJob, pk=job_id)
    translation.request_cancel(  # PermissionDenied (403) unless it may cancel this job
        job_id=job.pk, user=request.user
    )
    if request.htmx:
        return render(request, "translator/partials/job_panel.html", job_panel_context(job.episode))
    return redirect("translator:episode_detail", episode_id=job.episode_id)


_SERVER_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\-+@~]+){2,}[\\/]?")


def _without_paths(status: dict) -> dict:
    """An engine's status for someone who is not staff: no folder or file of the server (the
    packages folder, paths inside error messages); staff see them to fix the setup."""
    status = {k: v for k, v in status.items() if k != "packages_dir"}
    if isinstance(status.get("error"), str):
        status["error"] = _SERVER_PATH.sub("[server path]", status["error"])
    return status


@require_GET
@require_perm(can_view)
def engines(request: HttpRequest) -> HttpResponse:
    rows = []
    for name in available_engines():
        try:
            engine = get_engine(name)
            status = engine.status()
        except Exception as exc:  # the page shows what is wrong instead of failing
            status = {"name": name, "error": str(exc).splitlines()[0] if str(exc) else repr(exc)}
        if not request.user.is_staff:
            status = _without_paths(status)
        rows.append({"name": name, "status": status})
    deepl_configured = "deepl" in available_engines()
    return render(
        request, "translator/engines.html", {"rows": rows, "deepl_configured": deepl_configured}
    )


urlpatterns = [
    path("engines/", engines, name="engines"),
    path("episodes/<int:episode_id>/jobs/start/", job_start, name="job_start"),
    path("episodes/<int:episode_id>/jobs/panel/", job_panel, name="job_panel"),
    path("jobs/<int:job_id>/cancel/", job_cancel, name="job_cancel"),
]
