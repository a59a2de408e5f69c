"""Episode list and import (upload or paste, preview, then import; or restore a project file)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from translator import permissions, selectors
from translator.core.errors import InputError
from translator.forms import ImportForm
from translator.services import backup
from translator.services.importing import import_episode, preview_document

PENDING_KEY = "jimaku_pending_import"


def episode_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view(request.user):
        raise PermissionDenied  # a user in no group may see nothing, not even titles
    episodes = list(selectors.episodes_with_progress())
    for ep in episodes:
        ep.progress = selectors.progress_parts(
            {s: getattr(ep, f"n_{s}") for s in selectors.STATUSES}
        )
    return render(request, "translator/episode_list.html", {"episodes": episodes})


def _pending_dir() -> Path:
    path = Path(settings.DATA_DIR) / "pending-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash(request: HttpRequest, data: bytes | str, filename: str | None, options: dict) -> str:
    """Keep the previewed input server-side under a random name (never the user's file name)."""
    token = uuid.uuid4().hex
    raw = data.encode("utf-8") if isinstance(data, str) else data
    (_pending_dir() / token).write_bytes(raw)
    if isinstance(data, str):
        options = {**options, "encoding": "utf-8"}
    request.session[PENDING_KEY] = {"token": token, "filename": filename, **options}
    return token


def _unstash(request: HttpRequest, token: str) -> tuple[bytes, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("token") != token or not token.isalnum():
        return None
    path = _pending_dir() / token
    if not path.is_file():
        return None
    return path.read_bytes(), pending


def _discard(request: HttpRequest, token: str) -> None:
    request.session.pop(PENDING_KEY, None)
    if token.isalnum():
        (_pending_dir() / token).unlink(missing_ok=True)
        (_pending_dir() / f"{token}-en").unlink(missing_ok=True)


def _english_stash(token: str) -> bytes | None:
    """The English subtitle file uploaded with the previewed file (kept next to it)."""
    path = _pending_dir() / f"{token}-en"
    return path.read_bytes() if token.isalnum() and path.is_file() else None


@require_http_methods(["GET", "POST"])
def episode_import(request: HttpRequest) -> HttpResponse:
    if not permissions.can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and "retrack" in request.POST:
        # The track picker: preview the same file again with another source track.
        token = request.POST.get("token", "")
        stashed = _unstash(request, token)
        if stashed is None:
            messages.error(request, _("That preview has expired; please choose the file again."))
            return redirect("translator:episode_import")
        data, opts = stashed
        opts = {k: v for k, v in opts.items() if k not in ("token", "filename")}
        opts["track"] = request.POST.get("track", "")[:10] or None
        try:
            doc = preview_document(
                data=data,
                filename=stashed[1].get("filename"),
                fmt=opts["format"],
                encoding=opts["encoding"],
                title=opts["title"],
                duration_ms=opts["duration_ms"],
                track=opts["track"],
            )
        except InputError as exc:
            messages.error(request, str(exc))
            return redirect("translator:episode_import")
        english = _english_stash(token)
        _discard(request, token)
        _preview_context(context, doc)
        context["token"] = _stash(request, data, stashed[1].get("filename"), opts)
        if english is not None:
            (_pending_dir() / f"{context['token']}-en").write_bytes(english)
            context["english_file_name"] = opts.get("english_file_name")
        return render(request, "translator/episode_import.html", context)
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        stashed = _unstash(request, token)
        if stashed is None:
            messages.error(request, _("That preview has expired; please choose the file again."))
            return redirect("translator:episode_import")
        data, opts = stashed
        try:
            episode = import_episode(
                data=data,
                filename=opts.get("filename"),
                fmt=opts["format"],
                encoding=opts["encoding"],
                title=request.POST.get("title") or opts.get("title"),
                duration_ms=opts.get("duration_ms"),
                target_language=opts["target_language"],
                user=request.user,
                track=opts.get("track"),
                english_track=request.POST.get("english_track", "")[:10] or None,
                english_file=_english_stash(token),
            )
        except InputError as exc:
            messages.error(request, str(exc))
            return redirect("translator:episode_import")
        _discard(request, token)
        messages.success(
            request,
            _("Imported “%(title)s”: %(n)d segments.")
            % {"title": episode.title, "n": episode.segments.count()},
        )
        return redirect("translator:episode_detail", episode_id=episode.pk)
    if request.method == "POST" and form.is_valid() and form.is_project_file():
        try:  # a backup: restored whole as a new episode (all or nothing), no preview
            episode = backup.import_project(data=form.payload()[0], user=request.user)
        except backup.BackupError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("Restored “%(title)s” from a project file: %(n)d segments.")
                % {"title": episode.title, "n": episode.segments.count()},
            )
            return redirect("translator:episode_detail", episode_id=episode.pk)
    elif request.method == "POST" and form.is_valid():
        data, filename = form.payload()
        opts = {
            "format": form.cleaned_data["format"],
            "encoding": form.cleaned_data["encoding"],
            "title": form.cleaned_data["title"],
            "duration_ms": form.cleaned_data["duration"],
            "target_language": form.cleaned_data["target_language"],
        }
        try:
            doc = preview_document(
                data=data,
                filename=filename,
                fmt=opts["format"],
                encoding=opts["encoding"],
                title=opts["title"],
                duration_ms=opts["duration_ms"],
            )
        except InputError as exc:
            form.add_error(None, str(exc))
        else:
            english = form.cleaned_data.get("english_file")
            if english:
                opts["english_file_name"] = english.name
            _preview_context(context, doc)
            context["token"] = _stash(request, data, filename, opts)
            if english:
                (_pending_dir() / f"{context['token']}-en").write_bytes(english.read())
                context["english_file_name"] = english.name
    return render(request, "translator/episode_import.html", context)


def _preview_context(context: dict, doc) -> None:  # noqa: ANN001
    context["doc"] = doc
    context["n_sentences"] = sum(len(p.sentences) for p in doc.paragraphs)
    context["n_cues"] = sum(len(s.cues) for p in doc.paragraphs for s in p.sentences)
    context["preview_paragraphs"] = doc.paragraphs[:12]
    context["import_report"] = doc.report.to_dict() if doc.report else None
    # Tracks that can be imported as the existing English of each segment.
    context["english_tracks"] = [
        t for t in doc.report.tracks if t["name"] != doc.report.chosen_track and t["name"] == "en"
    ]
