"""Episode review page (side by side) and its htmx endpoints (issue 5).

Every endpoint checks the user's role on the server (``translator.permissions``): viewing needs
``view_episode``, editing ``change_segment``, approving ``approve_segment``. Forbidden → 403.
htmx requests get partials (a row, a panel) plus the status counters as an out-of-band swap;
plain requests get a redirect back to the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import permissions, review_selectors
from translator.context_processors import roles
from translator.models import Episode, GlossaryTerm, Segment, SegmentRevision, Speaker
from translator.review_rows import render_rows
from translator.services import editing, qa_flags, review
from translator.views.jobs import job_panel_context
from translator.views.media import serve_media
from translator.views.timing import timing_panel_context

CONFLICT_TEMPLATE = "translator/review/conflict.html"


# --- helpers ----------------------------------------------------------------------------------


def _require_view(request: HttpRequest) -> None:
    if not permissions.can_view(request.user):
        raise PermissionDenied


def _require_edit(request: HttpRequest) -> None:
    if not (permissions.can_view(request.user) and permissions.can_edit(request.user)):
        raise PermissionDenied


def _require_approve(request: HttpRequest) -> None:
    if not (permissions.can_view(request.user) and permissions.can_approve(request.user)):
        raise PermissionDenied


def _back(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Redirect to the page the form came from (same host only), else the episode page."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("translator:episode_detail", episode_id=episode_id)


def _counters_oob(request: HttpRequest, episode_id: int) -> str:
    ctx = review_selectors.counters(episode_id) | {"oob": True}
    return render_to_string("translator/review/counters.html", ctx, request=request)


def row_context() -> dict:
    """What every row needs besides the row: labels translated once, not per row (speed)."""
    return {
        "seg_base": reverse("translator:segment_row", args=[0]).removesuffix("0/row/"),
        "L": {
            "save": _("Save"),
            "approve": _("Approve"),
            "unapprove": _("Unapprove"),
            "diff": _("Diff"),
            "diff_title": _("Machine text and diff"),
            "history": _("History"),
            "play": _("Play from here"),
            "select": _("Select"),
            "english_for": _("English for"),
            "placeholder": _("English translation"),
        },
    }


def _row_response(
    request: HttpRequest, segment: Segment | int, *, error: str = "", saved: bool = False
) -> HttpResponse:
    row = review_selectors.review_row(segment)
    ctx = row_context() | roles(request) | {"row_error": error}
    html = str(render_rows([row], ctx))
    html += _counters_oob(request, row.segment.episode_id)
    response = HttpResponse(html)
    if saved:
        response["HX-Trigger"] = "segmentSaved"
    return response


def _conflict_response(request: HttpRequest, conflict: review.EditConflict) -> HttpResponse:
    row = review_selectors.review_row(conflict.segment.pk)
    their_rev = (
        SegmentRevision.objects.filter(segment_id=conflict.segment.pk)
        .select_related("user")
        .order_by("-created_at", "-id")
        .first()
    )
    ctx = row_context() | {
        "row": row,
        "conflict": conflict,
        "their_revision": their_rev,
        "merged": conflict.theirs + ("\n" if conflict.theirs else "") + conflict.yours,
    }
    response = HttpResponse(render_to_string(CONFLICT_TEMPLATE, ctx, request=request))
    response["X-Jimaku-Conflict"] = "1"
    response["HX-Trigger"] = "segmentConflict"
    return response


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    return get_object_or_404(Segment.objects.only("id", "episode_id"), pk=segment_id)


# --- the page ---------------------------------------------------------------------------------


@require_GET
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    _require_view(request)
    episode = get_object_or_404(Episode, pk=episode_id)
    filters = review_selectors.parse_filters(request.GET)
    page = review_selectors.parse_int(request.GET.get("page"), 1) or 1
    goto = review_selectors.parse_int(request.GET.get("goto"))
    if filters.flag and review_selectors.qa_flags_missing(episode.pk):
        qa_flags.refresh_qa_flags(episode_id=episode.pk, missing_only=True)  # the filter is SQL
    data = review_selectors.review_page(
        episode=episode, filters=filters, page=page, goto_number=goto
    )
    if any(row.segment.qa_flags is None for row in data.rows):
        # Rows written without the services (bulk loads, backups): the page computed their
        # flags; store them for the whole episode once, so later pages just read them.
        qa_flags.refresh_qa_flags(episode_id=episode.pk, missing_only=True)
    ctx = row_context() | {
        "episode": episode,
        "data": data,
        "filters": filters,
        "qa_choices": list(review_selectors.QA_LABELS.items()),
        "status_choices": list(Segment.Status.choices),
        "media_kind": editing.media_kind(episode.media_file.name or episode.media_url),
        "media_src": _media_src(episode),
        "rows_url": reverse("translator:episode_detail", args=[episode.pk])
        + filters.querystring(page=data.page),
    }
    if request.htmx and request.htmx.target == "review-body":
        html = render_to_string("translator/review/body.html", ctx, request=request)
        return HttpResponse(html + _counters_oob(request, episode.pk))
    ctx |= job_panel_context(episode)
    ctx["episode"] = episode
    ctx["not_approved"] = data.counts["total"] - data.counts["approved"]
    ctx |= timing_panel_context(episode)  # the timing panel: undo, audio timing job
    return render(request, "translator/episode_detail.html", ctx)


def _media_src(episode: Episode) -> str:
    if episode.media_file:
        return reverse("translator:episode_media", args=[episode.pk])
    return episode.media_url


# --- one segment ------------------------------------------------------------------------------


@require_GET
def segment_row(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The row as saved (Escape / "keep theirs" / refresh)."""
    _require_view(request)
    return _row_response(request, _segment(request, segment_id).pk)


@require_POST
def segment_save(request: HttpRequest, segment_id: int) -> HttpResponse:
    _require_edit(request)
    seg = _segment(request, segment_id)
    intent = request.POST.get("intent", "save")
    approve = intent == "approve"
    if approve and not permissions.can_approve(request.user):
        raise PermissionDenied
    base_version = review_selectors.parse_int(request.POST.get("version"))
    if base_version is None:
        return HttpResponse(_("Missing version."), status=400)
    return _review_action(
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


def _review_action(
    request: HttpRequest, seg: Segment, action: Callable[[], Segment]
) -> HttpResponse:
    """Run a review service call; answer with the row (htmx) or go back to the page, showing a
    conflict or the reason it was refused."""
    try:
        saved = action()
    except review.EditConflict as conflict:
        if not request.htmx:
            messages.warning(request, _("Someone else saved this segment after you opened it."))
            return _back(request, seg.episode_id)
        return _conflict_response(request, conflict)
    except review.ReviewError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
            return _back(request, seg.episode_id)
        return _row_response(request, seg.pk, error=str(exc))
    if not request.htmx:
        return _back(request, seg.episode_id)
    return _row_response(request, saved, saved=True)


@require_POST
def segment_approve(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Approve (``approved=1``) or unapprove (``approved=0``) the saved text."""
    _require_approve(request)
    seg = _segment(request, segment_id)
    return _review_action(
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
def segment_history(request: HttpRequest, segment_id: int) -> HttpResponse:
    _require_view(request)
    seg = get_object_or_404(Segment, pk=segment_id)
    revisions = review_selectors.segment_history(seg.pk)
    return render(
        request,
        "translator/review/history.html",
        {"segment": seg, "revisions": revisions},
    )


@require_GET
def segment_diff(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The machine text and a word diff from it to the editor's text (``?text=``, else saved)."""
    _require_view(request)
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
def revision_restore(request: HttpRequest, revision_id: int) -> HttpResponse:
    _require_edit(request)
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
            return _back(request, seg.episode_id)
        return _conflict_response(request, conflict)
    if not request.htmx:
        messages.success(request, _("Restored."))
        return _back(request, seg.episode_id)
    return _row_response(request, restored, saved=True)


@require_POST
def bulk_approve(request: HttpRequest, episode_id: int) -> HttpResponse:
    _require_approve(request)
    episode = get_object_or_404(Episode, pk=episode_id)
    # Each checkbox is "<segment id>:<version shown>": what changed since is not approved.
    seen: dict[int, int] = {}
    for value in request.POST.getlist("segment_ids"):
        pk, _sep, version = value.partition(":")
        pk_int, version_int = (review_selectors.parse_int(x) for x in (pk, version))
        if any(
            x.strip().isdigit() and n is None for x, n in ((pk, pk_int), (version, version_int))
        ):
            return HttpResponse(  # a number no row can have: a crafted request, refused whole
                _("Bad selection: %(value)s… is beyond any segment id or version.")
                % {"value": value[:24]},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if pk_int is None or version_int is None:
            continue  # junk from an old page: skipped, the rest is approved
        seen[pk_int] = version_int
    if not seen:
        messages.warning(request, _("Select some rows first."))
        return _back(request, episode.pk)
    result = review.bulk_approve(seen=seen, episode_id=episode.pk, user=request.user)
    messages.success(request, _("Approved %(n)d segments.") % {"n": result.approved})
    if result.changed:
        rows = ", ".join(f"#{n}" for n in result.changed)
        messages.warning(
            request,
            _("Not approved, saved by someone else after you opened the page: %(rows)s.")
            % {"rows": rows},
        )
    return _back(request, episode.pk)


# --- speakers and glossary --------------------------------------------------------------------


def _speakers_panel(request: HttpRequest, episode: Episode, error: str = "") -> HttpResponse:
    ctx = {
        "episode": episode,
        "speakers": review_selectors.episode_speakers(episode.pk),
        "usage": review_selectors.speaker_usage(episode.pk),
        "panel_error": error,
    }
    return render(request, "translator/review/speakers.html", ctx)


def _glossary_panel(request: HttpRequest, episode: Episode, error: str = "") -> HttpResponse:
    ctx = {
        "episode": episode,
        "glossary": list(GlossaryTerm.objects.filter(episode=episode).order_by("source")),
        "panel_error": error,
    }
    return render(request, "translator/review/glossary.html", ctx)


@require_POST
def speaker_rename(request: HttpRequest, speaker_id: int) -> HttpResponse:
    _require_edit(request)
    speaker = get_object_or_404(Speaker.objects.select_related("episode"), pk=speaker_id)
    error = ""
    try:
        editing.rename_speaker(
            speaker_id=speaker.pk,
            display_name=request.POST.get("display_name", ""),
            user=request.user,
        )
    except editing.EditingError as exc:
        error = str(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request, speaker.episode_id)
    response = _speakers_panel(request, speaker.episode, error)
    if not error:
        response["HX-Trigger"] = "speakersChanged"  # the rows show the new names
    return response


def _glossary_action(request: HttpRequest, episode: Episode, action) -> HttpResponse:
    error = ""
    try:
        action()
    except editing.EditingError as exc:
        error = str(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request, episode.pk)
    response = _glossary_panel(request, episode, error)
    if not error:
        response["HX-Trigger"] = "glossaryChanged"  # QA flags depend on the glossary
    return response


@require_POST
def glossary_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    _require_edit(request)
    episode = get_object_or_404(Episode, pk=episode_id)
    return _glossary_action(
        request,
        episode,
        lambda: editing.add_glossary_term(
            episode_id=episode.pk,
            source=request.POST.get("source", ""),
            target=request.POST.get("target", ""),
            note=request.POST.get("note", ""),
            user=request.user,
        ),
    )


@require_POST
def glossary_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    _require_edit(request)
    term = get_object_or_404(GlossaryTerm.objects.select_related("episode"), pk=term_id)
    return _glossary_action(
        request,
        term.episode,
        lambda: editing.update_glossary_term(
            term_id=term.pk,
            source=request.POST.get("source", ""),
            target=request.POST.get("target", ""),
            note=request.POST.get("note", ""),
            user=request.user,
        ),
    )


@require_POST
def glossary_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    _require_edit(request)
    term = get_object_or_404(GlossaryTerm.objects.select_related("episode"), pk=term_id)
    return _glossary_action(
        request,
        term.episode,
        lambda: editing.delete_glossary_term(term_id=term.pk, user=request.user),
    )


# --- media ------------------------------------------------------------------------------------


@require_POST
def media_attach(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Attach an uploaded file (``file``) or an address (``url``), or ``remove=1``."""
    _require_edit(request)
    if not request.user.has_perm("translator.change_episode"):
        raise PermissionDenied
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        if request.POST.get("remove") == "1":
            editing.detach_media(episode_id=episode.pk, user=request.user)
            messages.success(request, _("Media removed."))
        elif request.FILES.get("file"):
            editing.attach_media_file(
                episode_id=episode.pk, upload=request.FILES["file"], user=request.user
            )
            messages.success(request, _("Media attached."))
        elif request.POST.get("url", "").strip():
            editing.attach_media_url(
                episode_id=episode.pk, url=request.POST["url"], user=request.user
            )
            messages.success(request, _("Media attached."))
        else:
            messages.error(request, _("Choose a file or enter an address."))
    except editing.EditingError as exc:
        messages.error(request, str(exc))
    return redirect("translator:episode_detail", episode_id=episode.pk)


@require_GET
def episode_media(request: HttpRequest, episode_id: int) -> HttpResponseBase:
    """Serve the episode's stored media to users who may view it, with single byte ranges."""
    _require_view(request)
    episode = get_object_or_404(Episode.objects.only("id", "media_file"), pk=episode_id)
    return serve_media(
        request,
        episode.media_file.name,
        download_name=f"episode-{episode.pk}",
        cache_control="private, max-age=3600",
    )


urlpatterns = [
    path("episodes/<int:episode_id>/", episode_detail, name="episode_detail"),
    path("episodes/<int:episode_id>/bulk-approve/", bulk_approve, name="bulk_approve"),
    path("episodes/<int:episode_id>/glossary/add/", glossary_add, name="glossary_add"),
    path("episodes/<int:episode_id>/media/", media_attach, name="media_attach"),
    path("episodes/<int:episode_id>/media/file/", episode_media, name="episode_media"),
    path("segments/<int:segment_id>/row/", segment_row, name="segment_row"),
    path("segments/<int:segment_id>/save/", segment_save, name="segment_save"),
    path("segments/<int:segment_id>/approve/", segment_approve, name="segment_approve"),
    path("segments/<int:segment_id>/history/", segment_history, name="segment_history"),
    path("segments/<int:segment_id>/diff/", segment_diff, name="segment_diff"),
    path("revisions/<int:revision_id>/restore/", revision_restore, name="revision_restore"),
    path("speakers/<int:speaker_id>/rename/", speaker_rename, name="speaker_rename"),
    path("glossary/<int:term_id>/edit/", glossary_edit, name="glossary_edit"),
    path("glossary/<int:term_id>/delete/", glossary_delete, name="glossary_delete"),
]
