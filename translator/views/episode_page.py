"""The episode list, and the episode page: the review rows (side by side), with the job, timing, speakers, glossary,
media and export panels around them. Reads only: it never writes, not even QA flags (rows
whose flags were never stored show flags computed for the page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from translator import permissions, selectors
from translator.models import Episode, Segment
from translator.permissions import can_view, require_perm
from translator.selectors import panels
from translator.selectors import review as review_selectors
from translator.selectors import waveform as waveform_selectors
from translator.services import editing
from translator.templatetags.review_rows import row_context
from translator.views.media import media_src
from translator.views.review_common import counters_oob
from translator.views.review_shortcuts import review_shortcuts


@require_GET
@require_perm(can_view)  # a user in no group may see nothing, not even titles
def episode_list(request: HttpRequest) -> HttpResponse:
    episodes = list(selectors.episodes_with_progress())
    for ep in episodes:
        ep.progress = selectors.progress_parts(
            {s: getattr(ep, f"n_{s}") for s in selectors.STATUSES}
        )
    return render(request, "translator/episode_list.html", {"episodes": episodes})


@require_GET
@require_perm(can_view)
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    filters = review_selectors.parse_filters(request.GET)
    page = review_selectors.parse_int(request.GET.get("page"), 1) or 1
    goto = review_selectors.parse_int(request.GET.get("goto"))
    data = review_selectors.review_page(
        episode=episode, filters=filters, page=page, goto_number=goto
    )
    ctx = row_context() | {
        "episode": episode,
        "data": data,
        "filters": filters,
        "qa_choices": list(review_selectors.QA_LABELS.items()),
        "status_choices": list(Segment.Status.choices),
        "media_kind": editing.media_kind(episode.media_file.name or episode.media_url),
        "media_src": media_src(episode),
        "rows_url": reverse("translator:episode_detail", args=[episode.pk])
        + filters.querystring(page=data.page),
    }
    if request.htmx and request.htmx.target == "review-body":
        html = render_to_string("translator/review/body.html", ctx, request=request)
        return HttpResponse(html + counters_oob(request, episode.pk))
    ctx |= panels.job_panel_context(episode)
    ctx["episode"] = episode
    ctx["not_approved"] = data.counts["total"] - data.counts["approved"]
    # The timing panel: undo, audio timing job (cues set by hand are counted when it opens).
    ctx |= panels.timing_panel_context(episode, count_manual=False)
    ctx |= waveform_selectors.strip_context(episode)  # the waveform strip under the player
    ctx |= review_shortcuts(  # the shortcuts panel and the keys review.js binds
        can_edit=permissions.can_edit(request.user),
        can_approve=permissions.can_approve(request.user),
    )
    return render(request, "translator/episode_detail.html", ctx)


urlpatterns = [
    path("episodes/<int:episode_id>/", episode_detail, name="episode_detail"),
]
