"""Translation memory pages and endpoints.

- The review row's fuzzy suggestions, fetched lazily by htmx when a row gets focus (the page
  itself runs no memory query, so its query count does not change), and taking one (a normal
  versioned save).
- The memory page: what is in the memory, TMX export (anyone who may view) and import
  (reviewers only), and the project glossary with CSV/TBX import and export.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import permissions
from translator.core.tm_formats import ExchangeError
from translator.models import Episode, GlossaryTerm, MemoryUnit, Segment
from translator.permissions import can_approve, can_edit, can_view, require_perm
from translator.selectors.review import parse_int
from translator.services import editing, memory
from translator.views.review_common import review_action

RECENT_UNITS = 50


# --- review row suggestions -------------------------------------------------------------------


@require_GET
@require_perm(can_view)
def segment_suggestions(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.only("id", "status"), pk=segment_id)
    suggestions = memory.suggestions_for_segment(segment.pk)
    return render(
        request,
        "translator/memory/suggestions.html",
        {
            "segment": segment,
            "suggestions": suggestions,
            "can_edit": permissions.can_edit(request.user),
        },
    )


@require_POST
@require_perm(can_view, can_edit)
def segment_take(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Put a suggestion's English into the segment (``unit``, ``version`` = the row's)."""
    seg = get_object_or_404(Segment.objects.only("id", "episode_id"), pk=segment_id)
    unit_id = parse_int(request.POST.get("unit"))
    base_version = parse_int(request.POST.get("version"))
    if unit_id is None or base_version is None:
        return HttpResponse(_("Missing suggestion or version."), status=400)
    return review_action(
        request,
        seg,
        lambda: memory.take_suggestion(
            segment_id=seg.pk, unit_id=unit_id, base_version=base_version, user=request.user
        ),
    )


# --- the memory page --------------------------------------------------------------------------


def _page(request: HttpRequest, *, panel_error: str = "", status: int = 200) -> HttpResponse:
    ctx = {
        "stats": memory.memory_stats(),
        "units": list(MemoryUnit.objects.order_by("-approved_at", "-id")[:RECENT_UNITS]),
        "glossary": memory.project_terms(),
        "index_kind": memory.index_kind(),
        "can_import_tm": permissions.can_approve(request.user),
        "can_edit": permissions.can_edit(request.user),
        "panel_error": panel_error,
        "english_choices": Episode.TargetLanguage.choices,
    }
    return render(request, "translator/memory/page.html", ctx, status=status)


@require_GET
@require_perm(can_view)
def memory_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _download(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@require_perm(can_view)
def memory_export(request: HttpRequest) -> HttpResponse:
    english = request.GET.get("english") or None
    if english not in (None, *Episode.TargetLanguage.values):
        english = None
    stamp = timezone.now().strftime("%Y%m%d")
    return _download(
        memory.export_tmx(target_language=english),
        filename=f"jimaku-memory-{stamp}.tmx",
        content_type="application/x-tmx+xml; charset=utf-8",
    )


@require_POST
@require_perm(can_view, can_approve)
def memory_import(request: HttpRequest) -> HttpResponse:
    """Reviewers add a TMX file to the memory; a bad file is refused in one line."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a TMX file."))
        return redirect("translator:memory")
    try:
        result = memory.import_tmx(data=upload.read(), filename=upload.name, user=request.user)
    except ExchangeError as exc:
        messages.error(request, _("%(error)s Nothing was imported.") % {"error": exc})
        return redirect("translator:memory")
    messages.success(
        request,
        _("Imported %(added)d units (%(skipped)d already in the memory).")
        % {"added": result.added, "skipped": result.skipped},
    )
    return redirect("translator:memory")


# --- project glossary -------------------------------------------------------------------------


@require_POST
@require_perm(can_view, can_edit)
def project_term_add(request: HttpRequest) -> HttpResponse:
    try:
        editing.add_glossary_term(
            episode_id=None,
            source=request.POST.get("source", ""),
            target=request.POST.get("target", ""),
            note=request.POST.get("note", ""),
            user=request.user,
        )
    except editing.EditingError as exc:
        messages.error(request, str(exc))
    return redirect("translator:memory")


@require_POST
@require_perm(can_view, can_edit)
def project_term_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(GlossaryTerm, pk=term_id, episode__isnull=True)
    editing.delete_glossary_term(term_id=term.pk, user=request.user)
    return redirect("translator:memory")


def _glossary_episode(request: HttpRequest) -> Episode | None:
    value = parse_int(request.POST.get("episode") or request.GET.get("episode"))
    return get_object_or_404(Episode, pk=value) if value is not None else None


@require_GET
@require_perm(can_view)
def glossary_export(request: HttpRequest) -> HttpResponse:
    """``?format=csv|tbx`` and optional ``?episode=`` (default: the project glossary)."""
    episode = _glossary_episode(request)
    fmt = "tbx" if request.GET.get("format") == "tbx" else "csv"
    name = f"glossary-episode-{episode.pk}" if episode else "glossary-project"
    return _download(
        memory.export_glossary(episode_id=episode.pk if episode else None, fmt=fmt),
        filename=f"{name}.{fmt}",
        content_type="application/x-tbx+xml; charset=utf-8"
        if fmt == "tbx"
        else "text/csv; charset=utf-8",
    )


@require_POST
@require_perm(can_view, can_edit)
def glossary_import(request: HttpRequest) -> HttpResponse:
    episode = _glossary_episode(request)
    back = (
        redirect("translator:episode_detail", episode_id=episode.pk)
        if episode
        else redirect("translator:memory")
    )
    # "glossary_file": the episode page has other file inputs (media, captions).
    upload = request.FILES.get("glossary_file") or request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV or TBX file."))
        return back
    try:
        result = memory.import_glossary(
            data=upload.read(),
            filename=upload.name,
            episode_id=episode.pk if episode else None,
            user=request.user,
        )
    except ExchangeError as exc:
        messages.error(request, _("%(error)s Nothing was imported.") % {"error": exc})
        return back
    messages.success(
        request,
        _("%(added)d terms added, %(updated)d updated.")
        % {"added": result.added, "updated": result.updated},
    )
    return back


urlpatterns = [
    path("memory/", memory_page, name="memory"),
    path("memory/export.tmx", memory_export, name="memory_export"),
    path("memory/import/", memory_import, name="memory_import"),
    path("memory/glossary/add/", project_term_add, name="project_term_add"),
    path("memory/glossary/<int:term_id>/delete/", project_term_delete, name="project_term_delete"),
    path("glossary/export/", glossary_export, name="glossary_export"),
    path("glossary/import/", glossary_import, name="glossary_import"),
    path("segments/<int:segment_id>/memory/", segment_suggestions, name="segment_suggestions"),
    path("segments/<int:segment_id>/memory/take/", segment_take, name="segment_take"),
]
