"""One segment of the review page: its row, save, approve, history, diff, restore; and the
bulk approval of ticked rows.

Every endpoint checks the user's role on the server (``@require_perm``): viewing needs
``can_view``, editing ``can_edit``, approving ``can_approve``. Forbidden → 403. htmx requests
get the row plus the status counters as an out-of-band swap; plain requests go back.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator.models import Episode, Segment, SegmentRevision
from translator.permissions import can_approve, can_edit, can_view, require_perm
from translator.selectors import review as review_selectors
from translator.services import review
from translator.views.review_common import back, conflict_response, review_action, row_response


def _segment(segment_id: int) -> Segment:
    return get_object_or_404(Segment.objects.only("id", "episode_id"), pk=segment_id)


@require_GET
@require_perm(can_view)
def segment_row(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The row as saved (Escape / "keep theirs" / refresh)."""
    return row_response(request, _segment(segment_id).pk)


@require_POST
@require_perm(can_view, can_edit)
def segment_save(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = _segment(segment_id)
    approve = request.POST.get("intent", "save") == "approve"  # reviewers only: the service says
    base_version = review_selectors.parse_int(request.POST.get("version"))
    if base_version is None:
        return HttpResponse(_("Missing version."), status=400)
    return review_action(
        request,
        seg,
        lambda: review.save_segment(
            segment_id=seg.pk,
            text=request.POST.get("text", ""),
            base_version=base_version,
            user=request.user,
            approve=approve,
            overwrite=request.POST.get("overwrite") == "1",
        ),
    )


@require_POST
@require_perm(can_view, can_approve)
def segment_approve(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Approve (``approved=1``) or unapprove (``approved=0``) the saved text."""
    seg = _segment(segment_id)
    return review_action(
        request,
        seg,
        lambda: review.set_approved(
            segment_id=seg.pk,
            approved=request.POST.get("approved", "1") == "1",
            user=request.user,
            base_version=review_selectors.parse_int(request.POST.get("version")),
        ),
    )


@require_GET
@require_perm(can_view)
def segment_history(request: HttpRequest, segment_id: int) -> HttpResponse:
    seg = get_object_or_404(Segment, pk=segment_id)
    revisions = review_selectors.segment_history(seg.pk)
    return render(
        request,
        "translator/review/history.html",
        {"segment": seg, "revisions": revisions},
    )


@require_GET
@require_perm(can_view)
def segment_diff(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The machine text and a word diff from it to the editor's text (``?text=``, else saved)."""
    seg = get_object_or_404(Segment, pk=segment_id)
    text = request.GET.get("text")
    text = seg.text if text is None else text.replace("\r\n", "\n").strip()
    return render(
        request,
        "translator/review/diff.html",
        {
            "segment": seg,
            "text": text,
            "diff": review_selectors.word_diff(seg.machine_text, text),
        },
    )


@require_POST
@require_perm(can_view, can_edit)
def revision_restore(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(SegmentRevision.objects.select_related("segment"), pk=revision_id)
    seg = revision.segment
    try:
        restored = review.restore_revision(
            revision_id=revision.pk,
            user=request.user,
            base_version=review_selectors.parse_int(request.POST.get("version")),
        )
    except review.EditConflict as conflict:
        if not request.htmx:
            messages.warning(request, _("Someone else saved this segment after you opened it."))
            return back(request, seg.episode_id)
        return conflict_response(request, conflict)
    if not request.htmx:
        messages.success(request, _("Restored."))
        return back(request, seg.episode_id)
    return row_response(request, restored, saved=True)


def _bad_selection(value: str) -> HttpResponse:
    return HttpResponse(  # a number no row can have: a crafted request, refused whole
        _("Bad selection: %(value)s… is beyond any segment id or version.") % {"value": value[:24]},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_POST
@require_perm(can_view, can_approve)
def bulk_approve(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    # Each checkbox is "<segment id>:<version shown>": what changed since is not approved.
    seen: dict[int, int] = {}
    for value in request.POST.getlist("segment_ids"):
        pk, _sep, version = value.partition(":")
        pk_int, version_int = (review_selectors.parse_int(x) for x in (pk, version))
        if any(
            x.strip().isdigit() and n is None for x, n in ((pk, pk_int), (version, version_int))
        ):
            return _bad_selection(value)
        if pk_int is None or version_int is None:
            continue  # junk from an old page: skipped, the rest is approved
        seen[pk_int] = version_int
    if not seen:
        messages.warning(request, _("Select some rows first."))
        return back(request, episode.pk)
    result = review.bulk_approve(seen=seen, episode_id=episode.pk, user=request.user)
    messages.success(request, _("Approved %(n)d segments.") % {"n": result.approved})
    if result.changed:
        rows = ", ".join(f"#{n}" for n in result.changed)
        messages.warning(
            request,
            _("Not approved, saved by someone else after you opened the page: %(rows)s.")
            % {"rows": rows},
        )
    return back(request, episode.pk)


urlpatterns = [
    path("episodes/<int:episode_id>/bulk-approve/", bulk_approve, name="bulk_approve"),
    path("segments/<int:segment_id>/row/", segment_row, name="segment_row"),
    path("segments/<int:segment_id>/save/", segment_save, name="segment_save"),
    path("segments/<int:segment_id>/approve/", segment_approve, name="segment_approve"),
    path("segments/<int:segment_id>/history/", segment_history, name="segment_history"),
    path("segments/<int:segment_id>/diff/", segment_diff, name="segment_diff"),
    path("revisions/<int:revision_id>/restore/", revision_restore, name="revision_restore"),
]
