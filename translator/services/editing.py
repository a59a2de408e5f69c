"""Episode editing beside the segments: English title, speaker names, glossary terms, media.

Every function checks the user's permission itself (views check too), validates its input and
raises ``EditingError`` with a one-line message an editor can act on.
"""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from translator import permissions
from translator.models import Episode, GlossaryTerm, Speaker
from translator.services import waveform
from translator.services.qa_flags import segments_changed

AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".aac", ".wav", ".ogg", ".oga", ".opus", ".flac"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".ogv", ".mkv"})
MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS
MAX_NAME_CHARS = 100
MAX_TERM_CHARS = 200
MAX_NOTE_CHARS = 300


class EditingError(Exception):
    """A change that cannot be made; ``str()`` is a message for the editor."""


def strip_invisible(value: str) -> str:
    """``value`` without format and control characters: bidi overrides and isolates
    (U+202A–U+202E, U+2066–U+2069, U+200E/F), zero-width spaces and joiners (U+200B–U+200D,
    U+2060, U+FEFF), soft hyphens. They draw nothing, so ``Yamada`` and ``Yama\\u200bda`` would
    look the same on the page; ``\\u202egnirts`` would read backwards."""
    if value.isascii() and value.isprintable():
        return value
    return "".join(
        ch for ch in value if unicodedata.category(ch) not in ("Cf", "Cc") or ch in " \t\n"
    )


def _one_line(value: str, *, limit: int, what: str, required: bool = True) -> str:
    value = " ".join(strip_invisible(value or "").split())
    if required and not value:
        raise EditingError(f"The {what} cannot be empty.")
    if len(value) > limit:
        raise EditingError(f"The {what} is longer than {limit} characters.")
    return value


# --- English title ----------------------------------------------------------------------------

MAX_TITLE_CHARS = 300


@transaction.atomic
def set_english_title(*, episode_id: int, title_en: str, user: AbstractBaseUser) -> Episode:
    """Set (or clear, to fall back to the original) the title published in English."""
    permissions.require(user, permissions.can_change_episode)
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    episode.title_en = _one_line(
        title_en, limit=MAX_TITLE_CHARS, what="English title", required=False
    )
    episode.save(update_fields=["title_en", "updated_at"])
    return episode


# --- Speakers ---------------------------------------------------------------------------------


@transaction.atomic
def rename_speaker(*, speaker_id: int, display_name: str, user: AbstractBaseUser) -> Speaker:
    """Set a speaker's English display name."""
    permissions.require(user, permissions.can_rename_speaker)
    speaker = Speaker.objects.select_for_update().get(pk=speaker_id)
    name = _one_line(display_name, limit=MAX_NAME_CHARS, what="English name")
    twin = (
        Speaker.objects.filter(episode_id=speaker.episode_id, display_name__iexact=name)
        .exclude(pk=speaker.pk)
        .first()
    )
    if twin is not None:  # two speakers who look the same on the page are one too many
        raise EditingError(f"{twin.label} is already called “{twin.display_name}”.")
    speaker.display_name = name
    speaker.save(update_fields=["display_name"])
    segments_changed(episode_id=speaker.episode_id)  # names are kept whole in line breaks
    return speaker


# --- Glossary ---------------------------------------------------------------------------------


def _glossary_changed(episode_id: int | None, *sources: str) -> None:
    """QA after a term changed: the episode's, or (a project term, ``episode_id=None``) every
    episode whose source mentions it."""
    if episode_id is None:
        from translator.services.memory import refresh_for_terms

        refresh_for_terms(sources)
    else:
        segments_changed(episode_id=episode_id)


def _term_fields(source: str, target: str, note: str) -> tuple[str, str, str]:
    return (
        _one_line(source, limit=MAX_TERM_CHARS, what="Japanese term"),
        _one_line(target, limit=MAX_TERM_CHARS, what="English term"),
        _one_line(note, limit=MAX_NOTE_CHARS, what="note", required=False),
    )


def add_glossary_term(
    *, episode_id: int | None, source: str, target: str, note: str = "", user: AbstractBaseUser
) -> GlossaryTerm:
    """Add a term to an episode's glossary, or (``episode_id=None``) to the project's, for
    every episode; a source already in that glossary is refused."""
    permissions.require(user, permissions.can_add_term)
    source, target, note = _term_fields(source, target, note)
    try:
        with transaction.atomic():
            if (
                episode_id is None
                and GlossaryTerm.objects.filter(episode__isnull=True, source=source).exists()
            ):
                raise IntegrityError  # (the partial unique index says the same)
            term = GlossaryTerm.objects.create(
                episode_id=episode_id, source=source, target=target, note=note
            )
            _glossary_changed(episode_id, source)
            return term
    except IntegrityError as exc:
        raise EditingError(f"“{source}” is already in the glossary.") from exc


def update_glossary_term(
    *, term_id: int, source: str, target: str, note: str = "", user: AbstractBaseUser
) -> GlossaryTerm:
    """Change a term's source, target or note."""
    permissions.require(user, permissions.can_change_term)
    source, target, note = _term_fields(source, target, note)
    try:
        with transaction.atomic():
            term = GlossaryTerm.objects.select_for_update().get(pk=term_id)
            old_source = term.source
            term.source, term.target, term.note = source, target, note
            term.save(update_fields=["source", "target", "note"])
            _glossary_changed(term.episode_id, old_source, source)
            return term
    except IntegrityError as exc:
        raise EditingError(f"“{source}” is already in the glossary.") from exc


@transaction.atomic
def delete_glossary_term(*, term_id: int, user: AbstractBaseUser) -> None:
    permissions.require(user, permissions.can_delete_term)
    term = GlossaryTerm.objects.filter(pk=term_id).first()
    if term is not None:
        term.delete()
        _glossary_changed(term.episode_id, term.source)


# --- Media ------------------------------------------------------------------------------------


def media_kind(name: str) -> str:
    """``"video"`` or ``"audio"`` by extension (what element the page should use)."""
    return "video" if PurePosixPath(name.lower()).suffix in VIDEO_EXTENSIONS else "audio"


def _media_extension(filename: str) -> str:
    ext = PurePosixPath((filename or "").lower()).suffix
    if ext not in MEDIA_EXTENSIONS:
        allowed = ", ".join(sorted(MEDIA_EXTENSIONS))
        raise EditingError(f"Unsupported media type: use an audio or video file ({allowed}).")
    return ext


def _delete_stored(name: str) -> None:
    """Delete a stored media file no episode uses any more. Each episode owns its file, but
    episodes restored by an older version may share one: the last owner's removal deletes it."""
    if name and not Episode.objects.filter(media_file=name).exists():
        with contextlib.suppress(OSError):  # a missing file is not worth failing anything
            default_storage.delete(name)


def attach_media_file(*, episode_id: int, upload: UploadedFile, user: AbstractBaseUser) -> Episode:
    """Store an uploaded audio/video file under a server-generated name and attach it."""
    permissions.require(user, permissions.can_change_episode)
    ext = _media_extension(upload.name or "")
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type and not content_type.startswith(("audio/", "video/", "application/octet")):
        raise EditingError("That file is not audio or video.")
    limit = settings.JIMAKU_MAX_MEDIA_BYTES
    if upload.size is None or upload.size > limit:
        raise EditingError(
            f"The file is {(upload.size or 0) / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB."
        )
    if not upload.size:
        raise EditingError("The file is empty.")
    name = default_storage.save(f"episodes/{int(episode_id)}/{uuid.uuid4().hex}{ext}", upload)
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode_id)
        old = episode.media_file.name
        episode.media_file.name = name
        episode.media_url = ""
        episode.save(update_fields=["media_file", "media_url", "updated_at"])
        waveform.media_changed(episode_id=episode.pk, media_name=name)
    transaction.on_commit(lambda: _delete_stored(old))
    return episode


def attach_media_url(*, episode_id: int, url: str, user: AbstractBaseUser) -> Episode:
    """Attach an http(s) address of an audio/video file (played directly by the browser)."""
    permissions.require(user, permissions.can_change_episode)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 200:
        raise EditingError("Enter an http:// or https:// address of an audio or video file.")
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode_id)
        old = episode.media_file.name
        episode.media_url = url
        episode.media_file.name = ""
        episode.save(update_fields=["media_file", "media_url", "updated_at"])
        waveform.media_changed(episode_id=episode.pk, media_name="")
    transaction.on_commit(lambda: _delete_stored(old))
    return episode


def detach_media(*, episode_id: int, user: AbstractBaseUser) -> Episode:
    """Remove the episode's media (a stored file is deleted)."""
    permissions.require(user, permissions.can_change_episode)
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode_id)
        old = episode.media_file.name
        episode.media_url = ""
        episode.media_file.name = ""
        episode.save(update_fields=["media_file", "media_url", "updated_at"])
        waveform.media_changed(episode_id=episode.pk, media_name="")
    transaction.on_commit(lambda: _delete_stored(old))
    return episode
