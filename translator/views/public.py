"""The published English transcript (no login): a cacheable document, and its media."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from translator import permissions, selectors
from translator.middleware import mark_shared
from translator.models import Episode
from translator.selectors.public import public_transcript as public_transcript_reads
from translator.views.media import serve_media


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
    path("p/<uuid:public_id>/", public_transcript, name="public_transcript"),
    path("p/<uuid:public_id>/media/", public_media, name="public_media"),
]
