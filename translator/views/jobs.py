"""Translation jobs from the browser: start, live progress (htmx polling), cancel; engines page."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import permissions, selectors
from translator.engines import argos_packages
from translator.engines.registry import available_engines, engine_config, get_engine
from translator.models import Episode, Segment, TranslationJob
from translator.services import translation


@dataclass(frozen=True)
class EngineChoice:
    """One engine of the menu: whether a job can run on it now, and if not, why and what to do
    (``fix`` for anyone, ``admin_fix`` added for staff, who can run commands on the server)."""

    name: str
    label: str
    ready: bool
    reason: str = ""
    fix: str = ""
    admin_fix: str = ""


_LABELS = {"deepl": "DeepL", "argos": "Argos (offline)"}


def _argos_choice(name: str) -> EngineChoice:
    """Ready when a model for the pair is installed: a look at the packages folder (from the
    configuration, no engine instance), without loading the model (the Engines page opens it)."""
    label = _LABELS.get(name, name)
    try:
        options = dict(engine_config().get(name, {}).get("OPTIONS", {}))
        found = (
            argos_packages.find_package(
                options["packages_dir"],
                options.get("source_code", "ja"),
                options.get("target_code", "en"),
            )
            if options.get("packages_dir")
            else None
        )
    except Exception as exc:  # a broken setup shows here instead of failing the page
        return EngineChoice(
            name,
            label,
            False,
            _("The offline engine is not working on this server."),
            _("Ask an administrator to check the Engines page."),
            str(exc).splitlines()[0] if str(exc) else "",
        )
    if found is None:
        return EngineChoice(
            name,
            label,
            False,
            _("No Japanese→English model is installed on this server."),
            _("Ask an administrator to install one, or use another engine."),
            "manage.py argos_install ja en",
        )
    return EngineChoice(name, label, True)


def engine_choices() -> list[EngineChoice]:
    """The engines of the menu, configured ones first; DeepL without a key is listed, not
    ready, so that users learn it exists and what it needs."""
    choices = []
    for name, entry in engine_config().items():
        if "argos" in str(entry.get("CLASS", "")).lower():
            choices.append(_argos_choice(name))
        else:  # DeepL and others: configured (a key is set) is ready; usage is on Engines
            choices.append(EngineChoice(name, _LABELS.get(name, name), True))
    if "deepl" not in {c.name for c in choices}:
        choices.append(
            EngineChoice(
                "deepl",
                "DeepL",
                False,
                _("DeepL is not set up on this server (it needs an API key)."),
                _("Ask an administrator to add a DeepL API key."),
                "DEEPL_AUTH_KEY",
            )
        )
    return choices


_COMMAND_HINT = re.compile(r"[;:,.]?\s*(?:[^;:.]*\b(?:with|use|run)\b:?\s*)?python manage\.py.*$")


def web_job_error(error: str) -> str:
    """A job's error as a web user should read it: the server command that fixes it (meant for
    whoever runs the server) is replaced by who can act on it."""
    if "manage.py" not in error:
        return error
    kept = _COMMAND_HINT.sub("", error).strip().rstrip(";:,")
    return (
        f"{kept}. {_('Ask an administrator to check the Engines page.')}"
        if kept
        else _("Ask an administrator to check the Engines page.")
    )


def job_panel_context(episode: Episode) -> dict:
    choices = engine_choices()
    ready = [c.name for c in choices if c.ready]
    # One query: this episode's latest job if it has one, else the latest job anywhere, whose
    # engine is preselected (the engine this episode last ran, else the one last run at all)
    # when it is ready; otherwise the first ready engine.
    last = TranslationJob.objects.order_by(
        Case(When(episode_id=episode.pk, then=0), default=1), "-created_at", "-id"
    ).first()
    job = last if last and last.episode_id == episode.pk else None
    fallback = ready[0] if ready else ""
    selected = last.engine if last and last.engine in ready else fallback
    by_name = {c.name: c for c in choices}
    failed_engine = by_name.get(job.engine) if job and job.error else None
    return {
        "episode": episode,
        "job": job,
        "poll_since": _cursor(timezone.now()),
        "job_stale": bool(job and translation.is_stale(job)),
        "engines": [c.name for c in choices],
        "engine_choices": choices,
        "not_ready": [c for c in choices if not c.ready],
        "any_ready": bool(ready),
        "selected_engine": selected,
        # A job that failed because its engine is not ready: say so in a web user's words.
        "job_engine_not_ready": failed_engine
        if failed_engine and not failed_engine.ready
        else None,
        "job_error_web": web_job_error(job.error) if job and job.error else "",
    }


@require_POST
def job_start(request: HttpRequest, episode_id: int) -> HttpResponse:
    if not permissions.can_translate(request.user):
        raise PermissionDenied
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


# The live rows of a running job: each poll sends the cursor of the previous one and gets the
# (id, version) of the segments translated since (a small overlap: a batch's rows are stamped
# before their transaction commits; the page skips the versions it already shows).
LIVE_ROWS_OVERLAP = datetime.timedelta(seconds=5)
LIVE_ROWS_MAX = 500


def _cursor(when: datetime.datetime) -> str:
    return str(int(when.timestamp() * 1000))


def _parse_cursor(value: str | None) -> datetime.datetime | None:
    if not value or not value.isdigit() or len(value) > 15:
        return None
    return datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC)


def translated_since(episode_id: int, since: datetime.datetime) -> list[tuple[int, int]]:
    """(id, version) of the episode's segments machine-translated (or filled from memory)
    after ``since``: one indexed query, bounded."""
    return list(
        Segment.objects.filter(
            episode_id=episode_id, machine_translated_at__gte=since - LIVE_ROWS_OVERLAP
        )
        .order_by("order")
        .values_list("pk", "version")[:LIVE_ROWS_MAX]
    )


@require_GET
def job_panel(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The job panel, polled every second while a job runs. A poll also names the rows that
    finished batches translated since the previous poll (``HX-Trigger: segmentsTranslated``)
    and carries the status counters out of band, so the review page fills in as it goes; the
    page refreshes those rows unless one is focused or being edited."""
    if not permissions.can_view(request.user):
        raise PermissionDenied
    episode = get_object_or_404(Episode, pk=episode_id)
    ctx = job_panel_context(episode)
    since = _parse_cursor(request.GET.get("since"))
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
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    if not permissions.can_translate(request.user):
        raise PermissionDenied
    job = get_object_or_404(TranslationJob, pk=job_id)
    if not permissions.can_cancel_job(request.user, job):
        raise PermissionDenied
    translation.request_cancel(job_id=job.pk, user=request.user)
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
def engines(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view(request.user):
        raise PermissionDenied
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
