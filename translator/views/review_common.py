"""What the review page's endpoints share: answering with a row (and the status counters as
an out-of-band swap), a conflict, or a redirect back to the page.

htmx requests get partials; plain requests get a redirect back to the page they came from.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from translator.context_processors import roles
from translator.models import Segment
from translator.selectors import review as review_selectors
from translator.services import review
from translator.templatetags.review_rows import render_rows, row_context

CONFLICT_TEMPLATE = "translator/review/conflict.html"


def back(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Redirect to the page the form came from (same host only), else the episode page."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("translator:episode_detail", episode_id=episode_id)


def counters_oob(request: HttpRequest, episode_id: int) -> str:
    ctx = review_selectors.counters(episode_id) | {"oob": True}
    return render_to_string("translator/review/counters.html", ctx, request=request)


def row_response(
    request: HttpRequest,
    segment: Segment | int,
    *,
    error: str = "",
    saved: bool = False,
    notice: str = "",
) -> HttpResponse:
    row = review_selectors.review_row(segment)
    ctx = row_context() | roles(request) | {"row_error": error, "row_notice": notice}
    html = str(render_rows([row], ctx))
    html += counters_oob(request, row.segment.episode_id)
    response = HttpResponse(html)
    if saved:
        response["HX-Trigger"] = "segmentSaved"
    return response


def conflict_response(request: HttpRequest, conflict: review.EditConflict) -> HttpResponse:
    ctx = row_context() | {
        "row": review_selectors.review_row(conflict.segment.pk),
        "conflict": conflict,
        "their_revision": review_selectors.latest_revision(conflict.segment.pk),
        "merged": conflict.theirs + ("\n" if conflict.theirs else "") + conflict.yours,
    }
    if getattr(conflict, "field", "text") == "source":  # the Japanese (services.structure)
        ctx |= {
            "conflict_url": reverse("translator:segment_source", args=[conflict.segment.pk]),
            "conflict_field": "source",
            "merged": conflict.yours,
        }
    response = HttpResponse(render_to_string(CONFLICT_TEMPLATE, ctx, request=request))
    response["X-Jimaku-Conflict"] = "1"
    response["HX-Trigger"] = "segmentConflict"
    return response


def review_action(
    request: HttpRequest, seg: Segment, action: Callable[[], Segment]
) -> HttpResponse:
    """Run a review service call; answer with the row (htmx) or go back to the page, showing a
    conflict or the reason it was refused."""
    try:
        saved = action()
    except review.EditConflict as conflict:
        if not request.htmx:
            messages.warning(request, _("Someone else saved this segment after you opened it."))
            return back(request, seg.episode_id)
        return conflict_response(request, conflict)
    except review.ReviewError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
            return back(request, seg.episode_id)
        return row_response(request, seg.pk, error=str(exc))
    if not request.htmx:
        return back(request, seg.episode_id)
    return row_response(request, saved, saved=True)
