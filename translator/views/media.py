"""An episode's media: attaching it (a file or an address), and serving stored media (audio,
video) with single byte ranges: :func:`serve_media` is the one helper, for the episode page
(reviewers and translators) and the public transcript page (no login, ``views/public.py``).

The response names the file by what the caller says (``episode-12.mp3``, ``episode.mp3``), never
by its stored name. A range with numbers longer than any file (more than 18 digits) is refused
with 416, as are ranges past the end.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator.models import Episode
from translator.permissions import can_change_episode, can_edit, can_view, require_perm
from translator.services import editing


def media_src(episode: Episode) -> str:
    """Where a page's player loads the episode's media: the stored file through
    :func:`episode_media`, else the attached address ("" when there is none)."""
    if episode.media_file:
        return reverse("translator:episode_media", args=[episode.pk])
    return episode.media_url


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_MAX_DIGITS = 18  # 10^18 bytes is an exabyte: a longer number is crafted, not a real range
_CHUNK_BYTES = 64 * 1024


def _read_range(fh, start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(_CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(
        "Range Not Satisfiable", status=416, content_type="text/plain; charset=utf-8"
    )
    response["Content-Range"] = f"bytes */{size}"
    return response


def serve_media(
    request: HttpRequest, name: str, *, download_name: str, cache_control: str
) -> HttpResponseBase:
    """The stored file ``name`` (404 if missing), whole or one byte range (``Range``)."""
    if not name or not default_storage.exists(name):
        raise Http404
    size = default_storage.size(name)
    ext = os.path.splitext(name)[1].lower()
    content_type = mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
            return _unsatisfiable(size)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            return _unsatisfiable(size)
        length = end - start + 1
        response: HttpResponseBase = StreamingHttpResponse(
            _read_range(default_storage.open(name, "rb"), start, length),
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{download_name}{ext}"'
    return response


@require_POST
@require_perm(can_view, can_edit, can_change_episode)
def media_attach(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Attach an uploaded file (``file``) or an address (``url``), or ``remove=1``."""
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
@require_perm(can_view)
def episode_media(request: HttpRequest, episode_id: int) -> HttpResponseBase:
    """Serve the episode's stored media to users who may view it, with single byte ranges."""
    episode = get_object_or_404(Episode.objects.only("id", "media_file"), pk=episode_id)
    return serve_media(
        request,
        episode.media_file.name,
        download_name=f"episode-{episode.pk}",
        cache_control="private, max-age=3600",
    )


urlpatterns = [
    path("episodes/<int:episode_id>/media/", media_attach, name="media_attach"),
    path("episodes/<int:episode_id>/media/file/", episode_media, name="episode_media"),
]
