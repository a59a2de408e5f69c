"""Translation jobs from the browser: start, live progress (htmx polling), cancel; engines page."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from translator import selectors
from translator.engines.registry import available_engines, get_engine
from translator.models import Episode, TranslationJob
from translator.permissions import can_translate, can_view, require_perm
from translator.selectors.panels import (
    engine_choices,
    job_panel_context,
    parse_cursor,
    translated_since,
)
from translator.services import translation


@require_POST
@require_perm(can_translate)
def job_start(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    engine = request.POST.get("engine", "")
    choice = next((c for c in engine_choices() if c.name == engine), None)
    if choice is not None and not choice.ready:
        error = f"{choice.label}: {choice.reason} {choice.fix}"
        if request.htmx:
            ctx = job_panel_context(episode) | {"job_error": error}
            return render(request, "translator/partials/job_panel.html", ctx)
        messages.error(request, error)
        return redirect("translator:episode_detail", episode_id=episode.pk)
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
    """The job panel, polled every second while a job runs. A poll also names the rows that
    finished batches translated since the previous poll (``HX-Trigger: segmentsTranslated``)
    and carries the status counters out of band, so the review page fills in as it goes; the
    page refreshes those rows unless one is focused or being edited."""
    episode = get_object_or_404(Episode, pk=episode_id)
    ctx = job_panel_context(episode)
    since = parse_cursor(request.GET.get("since"))
    rows = translated_since(episode.pk, since) if since and request.GET.get("was_active") else []
    html = render_to_string("translator/partials/job_panel.html", ctx, request=request)
    if rows:
        counts = selectors.status_counts(episode.pk)
        html += render_to_string(
            "translator/review/counters.html",
            {"counts": counts, "progress": selectors.progress_parts(counts), "oob": True},
            request=request,
        )
    response = HttpResponse(html)
    triggers: dict[str, object] = {}
    if rows:
        triggers["segmentsTranslated"] = {
            "rows": rows,
            "row_url": reverse("translator:segment_row", args=[0]),
        }
    job = ctx["job"]
    if job and not job.is_active and request.GET.get("was_active"):
        # "live": the rows came with the polls, the review page need not reload them all.
        triggers["jobFinished"] = {"live": True}
    if triggers:
        response["HX-Trigger"] = json.dumps(triggers)
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
