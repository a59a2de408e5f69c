"""A review row beyond its English: edit the Japanese, re-translate the row, split it at the
caret, merge it with the next row (``translator.services.structure`` does the work).

htmx requests get the row back (and the status counters); a split or merge also triggers
``rowsRestructured``, on which the page reloads its rows (numbers and neighbours moved). A
source conflict answers with the review page's conflict view, for the Japanese.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from translator.models import Segment
from translator.permissions import can_edit, can_translate, can_view, require_perm
from translator.selectors import review as review_selectors
from translator.services import review, structure
from translator.views.review_common import back, conflict_response, row_response


def _segment(segment_id: int) -> Segment:
    return get_object_or_404(Segment.objects.only("id", "episode_id"), pk=segment_id)


def _version(request: HttpRequest, name: str = "version") -> int | None:
    return review_selectors.parse_int(request.POST.get(name))


def _answer(
    request: HttpRequest,
    seg: Segment,
    run: Callable[[], Any],
    *,
    done: str | Callable[[Any], str] = "",
    restructured: bool = False,
) -> HttpResponse:
    """Run the service call; the row (htmx) or back to the page, with its error or conflict."""
    try:
        result = run()
    except review.EditConflict as conflict:
        if not request.htmx:
            messages.warning(request, str(conflict))
            return back(request, seg.episode_id)
        return conflict_response(request, conflict)
    except review.ReviewError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
            return back(request, seg.episode_id)
        return row_response(request, seg.pk, error=str(exc))
    notice = done(result) if callable(done) else done
    if not request.htmx:
        if notice:
            messages.success(request, notice)
        return back(request, seg.episode_id)
    response = row_response(request, seg.pk, notice=notice, saved=True)
    if restructured:
        response["HX-Trigger"] = json.dumps({"segmentSaved": True, "rowsRestructured": seg.pk})
    return response


@require_POST
@require_perm(can_view, can_edit)
def segment_source(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = _segment(segment_id)
    base_version = _version(request)
    if base_version is None:
        return HttpResponse(_("Missing version."), status=400)
    return _answer(
        request,
        seg,
        lambda: structure.edit_source(
            segment_id=seg.pk,
            source_text=request.POST.get("source", ""),
            base_version=base_version,
            user=request.user,
            overwrite=request.POST.get("overwrite") == "1",
        ),
    )


def _retranslated(result: structure.Retranslation) -> str:
    if result.kept_human:
        return _(
            "Re-translated with %(engine)s: your English is kept; the new machine text is "
            "under Diff (Ctrl+M copies it)."
        ) % {"engine": result.engine_label}
    return _("Re-translated with %(engine)s.") % {"engine": result.engine_label}


@require_POST
@require_perm(can_view, can_edit, can_translate)
def segment_retranslate(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = _segment(segment_id)
    return _answer(
        request,
        seg,
        lambda: structure.retranslate_segment(segment_id=seg.pk, user=request.user),
        done=_retranslated,
    )


@require_POST
@require_perm(can_view, can_edit)
def segment_split(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = _segment(segment_id)
    base_version, at = _version(request), _version(request, "at")
    if base_version is None or at is None:
        return HttpResponse(_("Missing version or caret position."), status=400)
    return _answer(
        request,
        seg,
        lambda: structure.split_segment(
            segment_id=seg.pk,
            at=at,
            english_at=_version(request, "english_at"),
            base_version=base_version,
            user=request.user,
        ),
        restructured=True,
    )


@require_POST
@require_perm(can_view, can_edit)
def segment_merge(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = _segment(segment_id)
    base_version = _version(request)
    if base_version is None:
        return HttpResponse(_("Missing version."), status=400)
    return _answer(
        request,
        seg,
        lambda: structure.merge_with_next(
            segment_id=seg.pk,
            base_version=base_version,
            next_version=_version(request, "next_version"),
            user=request.user,
        ),
        restructured=True,
    )


urlpatterns = [
    path("segments/<int:segment_id>/source/", segment_source, name="segment_source"),
    path("segments/<int:segment_id>/retranslate/", segment_retranslate, name="segment_retranslate"),
    path("segments/<int:segment_id>/split/", segment_split, name="segment_split"),
    path("segments/<int:segment_id>/merge/", segment_merge, name="segment_merge"),
]
