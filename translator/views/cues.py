"""The cue view of an episode (one row per subtitle cue, keyboard retiming) and the retime
endpoint it shares with the waveform.

``POST /episodes/<episode>/cues/<cue>/retime/`` with ``start_ms``, ``end_ms``, ``version``
(and ``overwrite=1`` after a conflict was shown) retimes through
:func:`translator.services.timing_edit.retime_cue`. With ``Accept: application/json`` it
answers ``{"id", "start_ms", "end_ms", "version", "cps", …}`` (200), the same with ``"error"``
and the cue as saved (400: a broken rule or bad input, one line; 409: retimed by someone else,
with ``"yours"``); otherwise the rows of the cue's segment (HTML for htmx and the page's
script: a broken rule inline in the row, a conflict as theirs/yours).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator.models import Cue, Episode
from translator.permissions import can_edit, can_view, require_perm
from translator.selectors import cues as cue_selectors
from translator.selectors import review as review_selectors
from translator.selectors import waveform as waveform_selectors
from translator.services import editing, timing_edit
from translator.templatetags.cue_rows import labels, render_cue_rows
from translator.views.media import media_src


@require_GET
@require_perm(can_view)
def cue_view(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    page = review_selectors.parse_int(request.GET.get("page"), 1) or 1
    per_page = cue_selectors.parse_per_page(request.GET.get("per_page"))
    data = cue_selectors.cue_page(
        episode=episode,
        page=page,
        per_page=per_page,
        goto_cue=review_selectors.parse_int(request.GET.get("cue")),
    )
    return render(
        request,
        "translator/cues/page.html",
        {
            "episode": episode,
            "data": data,
            "L": labels(),
            "media_kind": editing.media_kind(episode.media_file.name or episode.media_url),
            "media_src": media_src(episode),
            "rules": cue_selectors.OPTIONS,
        }
        | waveform_selectors.strip_context(episode),  # the waveform strip under the player
    )


def _cue(episode_id: int, cue_id: int) -> Cue:
    return get_object_or_404(
        Cue.objects.only("id", "segment_id"), pk=cue_id, segment__episode_id=episode_id
    )


def _rows_html(
    request: HttpRequest, cue_id: int, *, error: str = "", conflict=None
) -> HttpResponse:
    rows = cue_selectors.segment_cue_rows(cue_id)
    if error:
        cue_selectors.cue_row(cue_id, rows).error = error
    ctx = {"can_edit": can_edit(request.user), "L": labels()}
    response = HttpResponse(render_cue_rows(rows, ctx, conflict=conflict))
    if conflict is not None:
        response["X-Jimaku-Conflict"] = "1"
    return response


@require_GET
@require_perm(can_view)
def cue_row(request: HttpRequest, episode_id: int, cue_id: int) -> HttpResponse:
    """The rows of the cue's segment as saved (Escape, "keep theirs")."""
    return _rows_html(request, _cue(episode_id, cue_id).pk)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json(episode_id: int, cue: Cue, status: int = 200, **extra: object) -> JsonResponse:
    """The cue as saved (``cue``: of ``episode_id``, as :func:`_cue` found it)."""
    row = cue_selectors.cue_row(cue.pk, segment=(episode_id, cue.segment_id))
    body = row.as_json() | extra
    return JsonResponse(body, status=status)


@require_POST
@require_perm(can_view, can_edit)
def cue_retime(request: HttpRequest, episode_id: int, cue_id: int) -> HttpResponse:
    cue = _cue(episode_id, cue_id)
    values = [review_selectors.parse_int(request.POST.get(k)) for k in ("start_ms", "end_ms")]
    version = review_selectors.parse_int(request.POST.get("version"))
    try:
        if None in values or version is None:
            raise timing_edit.RetimeError(_("Give start_ms, end_ms and version as whole numbers."))
        timing_edit.retime_cue(
            cue_id=cue.pk,
            start_ms=values[0],
            end_ms=values[1],
            base_version=version,
            user=request.user,
            overwrite=request.POST.get("overwrite") == "1",
            episode_id=episode_id,
        )
    except timing_edit.RetimeConflict as conflict:
        if _wants_json(request):
            yours = {"start_ms": conflict.yours[0], "end_ms": conflict.yours[1]}
            return _json(episode_id, cue, 409, error=str(conflict), conflict=True, yours=yours)
        if not request.htmx:
            messages.warning(request, str(conflict))
            return _back(episode_id)
        return _rows_html(request, cue.pk, conflict=conflict)
    except timing_edit.RetimeError as exc:
        if _wants_json(request):
            return _json(episode_id, cue, 400, error=str(exc))
        if not request.htmx:
            messages.error(request, str(exc))
            return _back(episode_id)
        return _rows_html(request, cue.pk, error=str(exc))
    if _wants_json(request):
        return _json(episode_id, cue)
    if not request.htmx:
        return _back(episode_id)
    response = _rows_html(request, cue.pk)
    response["HX-Trigger"] = "cueRetimed"
    return response


def _back(episode_id: int) -> HttpResponse:
    return redirect(reverse("translator:cue_view", args=[episode_id]))


urlpatterns = [
    path("episodes/<int:episode_id>/cues/", cue_view, name="cue_view"),
    path("episodes/<int:episode_id>/cues/<int:cue_id>/row/", cue_row, name="cue_row"),
    path("episodes/<int:episode_id>/cues/<int:cue_id>/retime/", cue_retime, name="cue_retime"),
]
