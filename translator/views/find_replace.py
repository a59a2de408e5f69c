"""Find & replace across an episode (the review page's panel), undo of the editor's last
action, and the live figures under the English editor. Thin: parse, call the service,
render.

* ``GET  episodes/<id>/replace/preview/`` — every match, with the change when replacing
  (reads only).
* ``POST episodes/<id>/replace/`` — replace in the ticked rows: one undoable action; rows on
  the page that changed come back as out-of-band swaps.
* ``GET  episodes/<id>/undo/`` — the Undo control for the user's last undoable action.
* ``POST episodes/<id>/undo/`` — undo it (or ``action``): the rows it changed come back in
  place; a refusal is one line in the control.
* ``POST segments/<id>/live/`` — characters per line, lines and reading speed of the text
  being typed, as the export will show it (writes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from translator.context_processors import roles
from translator.core.find import FindError, FindQuery
from translator.models import EditAction, Episode, Segment
from translator.permissions import can_edit, can_view, require_perm
from translator.selectors import review as review_selectors
from translator.services import actions, replace
from translator.templatetags.review_rows import render_rows, row_context
from translator.views.review_common import back, counters_oob

PREVIEW_TEMPLATE = "translator/review/replace_preview.html"
UNDO_TEMPLATE = "translator/review/undo_bar.html"
LIVE_TEMPLATE = "translator/review/live_feedback.html"
EDIT_ACTION_DONE = "editActionDone"  # HX-Trigger: the Undo control fetches itself again
# Undoing these adds or removes rows: the page is reloaded rather than rows swapped in place.
ROW_STRUCTURE_KINDS = frozenset({EditAction.Kind.SPLIT, EditAction.Kind.MERGE})


def _query(params: Mapping[str, str]) -> tuple[FindQuery, str | None, str]:
    """(query, replacement or None, scope) from the panel's fields (same names as the
    review filter's search: ``q``, ``in``, ``case``, ``word``, ``re``)."""
    query = FindQuery(
        params.get("q", ""),
        regex=params.get("re") == "1",
        match_case=params.get("case") == "1",
        whole_word=params.get("word") == "1",
    )
    replacement = params.get("replacement")
    if params.get("mode") == "find":
        replacement = None
    scope = {"en": "en", "ja": "ja"}.get(params.get("in", ""), "both")
    return query, replacement, scope


def _rows_on_page(request: HttpRequest) -> set[int]:
    """Ids of the rows the page shows (sent by review_tools.js; unsaved rows left out)."""
    out: set[int] = set()
    for part in request.POST.get("on_page", "").split(",")[:500]:
        number = review_selectors.parse_int(part.strip())
        if number is not None:
            out.add(number)
    return out


def _oob_rows(request: HttpRequest, segment_ids: Iterable[int], episode_id: int) -> str:
    """The changed rows that the page shows (and that still exist), as out-of-band swaps, and
    the counters."""
    wanted = sorted(set(segment_ids) & _rows_on_page(request))
    if wanted:
        wanted = sorted(Segment.objects.filter(pk__in=wanted).values_list("id", flat=True))
    html = ""
    if wanted:
        rows = [review_selectors.review_row(pk) for pk in wanted]
        ctx = row_context() | roles(request) | {"oob_rows": True}
        html = str(render_rows(rows, ctx))
    return html + counters_oob(request, episode_id)


@require_GET
@require_perm(can_view)
def replace_preview(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode.objects.only("id"), pk=episode_id)
    query, replacement, scope = _query(request.GET)
    ctx: dict = {"episode": episode, "scope": scope}
    if not query.pattern:
        ctx["error"] = _("Type something to find.")
    else:
        try:
            ctx["preview"] = replace.preview(
                episode_id=episode.pk, query=query, replacement=replacement, scope=scope
            )
        except FindError as exc:
            ctx["error"] = str(exc)
    ctx["params"] = request.GET
    # A row's link shows it among the matching rows, marked (the review filter's search).
    search = {k: request.GET.get(k, "") for k in ("q", "in", "case", "word", "re")}
    if search["in"] not in ("en", "ja"):
        search["in"] = ""
    ctx["rows_url"] = (
        reverse("translator:episode_detail", args=[episode.pk])
        + "?"
        + urlencode({k: v for k, v in search.items() if v})
    )
    return HttpResponse(render_to_string(PREVIEW_TEMPLATE, ctx, request=request))


def _selected(values: Iterable[str]) -> tuple[dict[int, int], dict[int, set[str]]]:
    """``"<segment id>:<version>[:<ja|en>]"`` values of the ticked changes (junk skipped):
    (segment id -> version, segment id -> the fields to replace in; English when not said)."""
    versions: dict[int, int] = {}
    fields: dict[int, set[str]] = {}
    for value in values:
        pk, _sep, rest = value.partition(":")
        version, _sep, name = rest.partition(":")
        name = name or "en"
        pk_int = review_selectors.parse_int(pk)
        version_int = review_selectors.parse_int(version)
        if pk_int is not None and version_int is not None and name in ("ja", "en"):
            versions[pk_int] = version_int
            fields.setdefault(pk_int, set()).add(name)
    return versions, fields


@require_POST
@require_perm(can_view, can_edit)
def replace_apply(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode.objects.only("id"), pk=episode_id)
    query, replacement, _scope = _query(request.POST)
    selected, fields = _selected(request.POST.getlist("change"))
    ctx: dict = {"episode": episode, "applied": True}
    result = None
    if replacement is None:
        ctx["error"] = _("Type the replacement first.")
    elif not selected:
        ctx["error"] = _("Tick at least one change to replace.")
    else:
        try:
            result = replace.apply(
                episode_id=episode.pk,
                query=query,
                replacement=replacement,
                selected=selected,
                fields=fields,
                user=request.user,
            )
        except FindError as exc:
            ctx["error"] = str(exc)
    if not request.htmx:
        if result is not None:
            messages.success(request, result.summary)
            if result.conflicts:
                messages.warning(request, _conflict_text(result.conflicts))
            if result.refused:
                messages.warning(request, _refused_text(result.refused))
        else:
            messages.error(request, ctx["error"])
        return back(request, episode.pk)
    ctx["result"] = result
    if result is not None and result.conflicts:
        ctx["conflicts"] = _conflict_text(result.conflicts)
    if result is not None and result.refused:
        ctx["refused"] = _refused_text(result.refused)
    html = render_to_string(PREVIEW_TEMPLATE, ctx, request=request)
    response = HttpResponse(html)
    if result is not None and result.replaced:
        response.content = html + _oob_rows(request, result.replaced, episode.pk)
        response["HX-Trigger"] = EDIT_ACTION_DONE
    return response


def _conflict_text(rows: list[int]) -> str:
    listed = ", ".join(f"#{n}" for n in rows[:20]) + (" …" if len(rows) > 20 else "")
    return _("Left alone, changed since the preview: %(rows)s.") % {"rows": listed}


def _refused_text(refused: list[tuple[int, str]]) -> str:
    rows = ", ".join(f"#{n}" for n, _why in refused[:20]) + (" …" if len(refused) > 20 else "")
    return _("Left alone, the Japanese would not be valid: %(rows)s (%(why)s)") % {
        "rows": rows,
        "why": refused[0][1],
    }


def _undo_bar(request: HttpRequest, episode: Episode, *, message: str = "", level: str = "") -> str:
    last = None
    if request.user.is_authenticated:
        last = actions.last_undoable(episode_id=episode.pk, user=request.user)
    ctx = {"episode": episode, "last": last, "message": message, "level": level}
    return render_to_string(UNDO_TEMPLATE, ctx, request=request)


@require_http_methods(["GET", "POST"])
@require_perm(can_view, can_edit)
def undo(request: HttpRequest, episode_id: int) -> HttpResponse:
    """GET: the Undo control. POST: undo the user's last undoable action in this episode (or
    the ``action`` given), answering with the control and the rows it put back."""
    episode = get_object_or_404(Episode.objects.only("id"), pk=episode_id)
    if request.method == "GET":
        return HttpResponse(_undo_bar(request, episode))
    action_id = review_selectors.parse_int(request.POST.get("action"))
    if action_id is not None:
        target = EditAction.objects.filter(episode_id=episode.pk, pk=action_id).first()
    else:
        target = actions.last_undoable(episode_id=episode.pk, user=request.user)
    changed: list[int] = []
    rows_moved = False
    if target is None:
        message, level = _("Nothing to undo."), "info"
    else:
        try:
            undo_act = actions.undo(action_id=target.pk, user=request.user)
        except actions.UndoRefused as exc:
            message, level = str(exc), "warning"
        except PermissionDenied:
            message, level = (
                _("Not undone: it would approve rows again, which only a reviewer may do."),
                "warning",
            )
        else:
            message, level = _("Undone: %(what)s") % {"what": target.summary}, "success"
            changed = list(undo_act.revisions.values_list("segment_id", flat=True).distinct())
            rows_moved = target.kind in ROW_STRUCTURE_KINDS
    if not request.htmx or rows_moved:
        getattr(messages, level)(request, message)
        if not request.htmx:
            return back(request, episode.pk)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # rows came or went: the page is shown again
        return response
    html = _undo_bar(request, episode, message=message, level=level)
    if changed:
        html += _oob_rows(request, changed, episode.pk)
    return HttpResponse(html)


@require_POST
@require_perm(can_view)
def live_feedback(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Figures for the text being typed (``text``), not saved: reads only."""
    seg = get_object_or_404(Segment.objects.only("id"), pk=segment_id)
    feedback = review_selectors.live_feedback(seg.pk, request.POST.get("text", ""))
    return HttpResponse(render_to_string(LIVE_TEMPLATE, {"fb": feedback}, request=request))


urlpatterns = [
    path("episodes/<int:episode_id>/replace/preview/", replace_preview, name="replace_preview"),
    path("episodes/<int:episode_id>/replace/", replace_apply, name="replace_apply"),
    path("episodes/<int:episode_id>/undo/", undo, name="episode_undo"),
    path("segments/<int:segment_id>/live/", live_feedback, name="segment_live"),
]
