"""Export downloads, publishing, and the public transcript page (no login)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import permissions, selectors
from translator.core.requests import ExportRequest
from translator.middleware import mark_shared
from translator.models import Episode
from translator.permissions import can_edit, can_publish, can_view, require_perm
from translator.selectors.public import public_transcript as public_transcript_reads
from translator.services import editing, exporting, publishing
from translator.views.media import serve_media


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) in {"1", "on", "true"}


def _fps(request: HttpRequest) -> float:
    """The frame rate asked for (0 when unreadable: the export refuses it in one line)."""
    try:
        return float(request.GET.get("fps") or 25)
    except ValueError:
        return 0.0


def _export_request(request: HttpRequest, fps: float) -> ExportRequest:
    return ExportRequest(
        format=request.GET.get("format", "srt"),
        layout=request.GET.get("layout") or "bilingual",
        approved_only=_flag(request, "approved_only"),
        strict_reading_speed=_flag(request, "strict"),
        voice_tags=_flag(request, "voice_tags"),
        fps=fps,
        timestamps=_flag(request, "timestamps"),
        parallel=_flag(request, "parallel"),
    )


@require_GET
@require_perm(can_view)
def export_download(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        exported = exporting.export_file(
            episode=episode, request=_export_request(request, _fps(request))
        )
    except exporting.ExportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if exported.report is not None:
        report = exported.report
        response["X-Jimaku-Cues"] = str(report.events)
        response["X-Jimaku-Compliant-Cues"] = str(report.compliant_events)
        response["X-Jimaku-Compliant-English-Cues"] = str(report.compliant_en_events)
        response["X-Jimaku-Compliant-Japanese-Cues"] = str(report.compliant_ja_events)
        response["X-Jimaku-Not-Approved"] = str(report.not_approved_segments)
    return response


RULE_LABELS = {
    "reading_speed_en": "English reading speed",
    "reading_speed_ja": "Japanese reading speed",
    "line_length": "Line length",
    "lines": "More than two lines",
    "duration": "Duration",
    "gap": "Gap between cues",
}


@require_GET
@require_perm(can_view)
def export_report(request: HttpRequest, episode_id: int) -> HttpResponse:
    """What *Download* just produced, for the page: the style-rule report (per side for a
    bilingual file) that the download itself only carries in its headers."""
    episode = get_object_or_404(Episode, pk=episode_id)
    export_request = _export_request(request, _fps(request))
    fmt, layout = export_request.format, export_request.layout
    ctx: dict = {"format": fmt, "error": ""}
    if fmt in exporting.SUBTITLE_FORMATS:
        try:
            exported = exporting.export_file(episode=episode, request=export_request)
        except exporting.ExportError as exc:
            ctx["error"] = str(exc)
        else:
            report = exported.report
            ctx |= {
                "filename": exported.filename,
                "report": report,
                "share": round(100 * report.compliant_share),
                "bilingual": layout.startswith("bilingual"),
                "broken": [
                    (RULE_LABELS.get(rule, rule), n) for rule, n in report.violations.items() if n
                ],
            }
    return render(request, "translator/partials/export_report.html", ctx)


@require_POST
@require_perm(can_edit)
def episode_title(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Set the English title (empty: fall back to the original)."""
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        editing.set_english_title(
            episode_id=episode.pk, title_en=request.POST.get("title_en", ""), user=request.user
        )
    except editing.EditingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("English title saved."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


def _approved_only_choice(request: HttpRequest) -> bool | None:
    value = request.POST.get("approved_only")
    return None if value is None else value == "1"


@require_POST
@require_perm(can_view, can_publish)
def publish(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Publish or unpublish. Publishing while segments are not approved asks first (showing how
    many) and lets the reviewer publish everything, marked, or the approved segments only."""
    episode = get_object_or_404(Episode, pk=episode_id)
    published = request.POST.get("published") == "1"
    approved_only = _approved_only_choice(request)
    if published and request.POST.get("confirmed") != "1":
        counts = selectors.status_counts(episode.pk)
        not_approved = counts["total"] - counts["approved"]
        if not_approved:
            return render(
                request,
                "translator/publish_confirm.html",
                {
                    "episode": episode,
                    "counts": counts,
                    "not_approved": not_approved,
                    "approved_only": episode.publish_approved_only
                    if approved_only is None
                    else approved_only,
                },
            )
    was_published = episode.published
    episode = publishing.set_published(
        episode_id=episode.pk, published=published, user=request.user, approved_only=approved_only
    )
    if published and was_published:
        messages.success(request, _("Saved. The public page shows the new choice."))
    elif published:
        messages.success(request, _("Published. The public page is live."))
    else:
        messages.success(request, _("Unpublished. The public page is gone."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


@dataclass(frozen=True)
class _RenderedPage:
    fingerprint: tuple
    body: bytes
    etag: str
    last_modified: float


class _PageCache:
    """The latest rendering of each published page, per process (a few entries, LRU).

    A reader's request costs the fingerprint's three aggregate queries; the page is rendered
    again only when the fingerprint changed (an edit, a publish, a new title...)."""

    def __init__(self, size: int | None = None) -> None:
        self._size = size
        self._pages: OrderedDict[int, _RenderedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, episode_id: int, fingerprint: tuple) -> _RenderedPage | None:
        with self._lock:
            page = self._pages.get(episode_id)
            if page is None or page.fingerprint != fingerprint:
                return None
            self._pages.move_to_end(episode_id)
            return page

    @property
    def size(self) -> int:
        return settings.JIMAKU_PUBLIC_PAGE_CACHE if self._size is None else self._size

    def put(self, episode_id: int, page: _RenderedPage) -> None:
        with self._lock:
            self._pages[episode_id] = page
            self._pages.move_to_end(episode_id)
            while len(self._pages) > max(0, self.size):
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


public_pages = _PageCache()


def _public_context(episode: Episode) -> dict:
    return public_transcript_reads(episode) | {
        "episode": episode,
        "media_src": public_media_src(episode),
    }


@login_not_required
@require_GET
def public_transcript(request: HttpRequest, public_id) -> HttpResponse:
    """The published English transcript: a cacheable document.

    Published pages are the same for everyone (rendered without the request; the middleware
    drops ``Vary: Cookie``/``Accept-Language`` from them), so they carry a strong ``ETag`` (a hash of the page), ``Last-Modified``
    and ``Cache-Control: public, max-age, s-maxage`` for browsers and CDNs. A conditional GET
    whose ``If-None-Match`` names the current ETag gets 304 without the page being rendered.
    Any change to what the page shows (publish, unpublish, an edit, a title) changes the
    fingerprint, so the next request renders again and a changed page gets a new ETag.
    ``If-Modified-Since`` alone is answered in full: not every write moves a timestamp.
    Unpublished pages (a reviewer's preview) are private and never stored."""
    episode = Episode.objects.filter(public_id=public_id).first()
    if episode is None:
        raise Http404
    if not episode.published:
        if not permissions.can_view(request.user):
            raise Http404  # unpublished: 404 to anyone who may not review it
        response = render(request, "translator/public_transcript.html", _public_context(episode))
        response["Cache-Control"] = "private, no-store"
        return response
    fingerprint, changed = selectors.public_page_fingerprint(episode)
    page = public_pages.get(episode.pk, fingerprint)
    if page is None:
        body = render_to_string("translator/public_transcript.html", _public_context(episode))
        encoded = body.encode("utf-8")
        page = _RenderedPage(
            fingerprint,
            encoded,
            f'"{hashlib.sha256(encoded).hexdigest()[:32]}"',
            changed.timestamp(),
        )
        public_pages.put(episode.pk, page)
    response = HttpResponse(page.body, content_type="text/html; charset=utf-8")
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.last_modified)
    max_age = settings.JIMAKU_PUBLIC_MAX_AGE_S
    response["Cache-Control"] = (
        f"public, max-age={max_age}, s-maxage={settings.JIMAKU_PUBLIC_S_MAXAGE_S}"
    )
    conditional = get_conditional_response(request, etag=page.etag, response=response)
    return mark_shared(conditional if conditional is not None else response)


def public_media_src(episode: Episode) -> str | None:
    if episode.media_url and episode.media_url.lower().startswith(("http://", "https://")):
        return episode.media_url
    if episode.media_file:
        return reverse("translator:public_media", args=[episode.public_id])
    return None


@login_not_required
@require_GET
def public_media(request: HttpRequest, public_id) -> HttpResponseBase:
    """A published episode's stored media, with byte ranges (seeking), under a neutral name."""
    episode = Episode.objects.filter(public_id=public_id, published=True).first()
    if episode is None or not episode.media_file:
        raise Http404
    return serve_media(
        request,
        episode.media_file.name,
        download_name="episode",
        cache_control="public, max-age=300",
    )


urlpatterns = [
    path("episodes/<int:episode_id>/export/", export_download, name="export_download"),
    path("episodes/<int:episode_id>/export/report/", export_report, name="export_report"),
    path("episodes/<int:episode_id>/title/", episode_title, name="episode_title"),
    path("episodes/<int:episode_id>/publish/", publish, name="publish"),
    path("p/<uuid:public_id>/", public_transcript, name="public_transcript"),
    path("p/<uuid:public_id>/media/", public_media, name="public_media"),
]
