"""Full episode backup as a JSON project file, and restoring one as a new episode.

The file is ``{"format": "jimaku-project", "version": 1, "episode": {...}}`` holding the
episode's fields, speakers, glossary, segments with their cues and revision history, its timing
alignment runs with their undo data, and optionally its translation jobs. Users are named by
username. Ids are not stored: an import always creates a new episode (with a new public
address), so a file can be imported into the database it came from. Timestamps of revisions,
segments, alignment runs and jobs are kept.

A project file is text anyone can edit, so a restore never grants more than the restoring user
may do: the new episode is unpublished; ``approved`` survives only when the restoring
user may approve (the command line, run by the server's operator, may), otherwise it becomes
``edited``; the users the file names are kept as recorded text (``recorded_user``…: "recorded
as rev1 in the file"), never linked to an account here; media does not travel in the file, and a
stored file name in it is ignored (it could name another episode's file). What was kept less
than the file claimed is listed in the episode's import report (``DOWNGRADED`` entries).

Import validates the whole file first and raises :class:`BackupError` with a one-line message
(naming the field, e.g. ``episode.segments[3].cues[0].start_ms``) and writes in one transaction:
a bad file or a failure half-way leaves nothing behind. An alignment run's undo data names cues
by position (``"<segment order>/<cue index>"``), not by database id, so a restored episode can
still undo its latest alignment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from translator import permissions
from translator.core.report import ImportReport, ReportCategory
from translator.models import (
    AlignmentRun,
    Cue,
    Episode,
    GlossaryTerm,
    Segment,
    SegmentRevision,
    Speaker,
    TranslationJob,
)
from translator.services import memory
from translator.services.editing import strip_invisible
from translator.services.qa_flags import segments_changed

FORMAT = "jimaku-project"
VERSION = 1


class BackupError(ValueError):
    """A project file that cannot be read or imported; ``str()`` is one line."""


# --------------------------------------------------------------------------- export


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user: Any, recorded: str = "") -> str | None:
    """The account's name, else the name a restored file recorded (kept on export)."""
    return user.get_username() if user is not None else (recorded or None)


EPISODE_FIELDS = (
    "title",
    "title_en",
    "description",
    "source_language",
    "target_language",
    "source_format",
    "source_encoding",
    "source_filename",
    "duration_ms",
    "media_url",
    "published",
    "publish_approved_only",
    "alignment_report",
)
SEGMENT_FIELDS = (
    "order",
    "kind",
    "turn",
    "speaker_label",
    "source_text",
    "text",
    "machine_text",
    "machine_engine",
    "machine_engine_version",
    "machine_flags",
    "status",
    "source_stale",
    "version",
)
CUE_FIELDS = (
    "index",
    "start_ms",
    "end_ms",
    "source_start",
    "source_end",
    "source_text",
    "lines",
    "timing",
    "ruby",
)
ALIGNMENT_FIELDS = ("caption_filename", "report", "undone")
REVISION_FIELDS = (
    "action",
    "old_text",
    "new_text",
    "old_status",
    "new_status",
    "version",
    "old_source_text",
    "new_source_text",
)
JOB_FIELDS = ("engine", "state", "retranslate_machine", "done", "total", "error")


def export_project(*, episode_id: int, include_jobs: bool = False) -> dict[str, Any]:
    """The project file of one episode, as a JSON-ready dict."""
    episode = Episode.objects.select_related("created_by").get(pk=episode_id)
    data: dict[str, Any] = {f: getattr(episode, f) for f in EPISODE_FIELDS}
    data.update(
        media_file=episode.media_file.name or "",
        published_at=_iso(episode.published_at),
        created_at=_iso(episode.created_at),
        created_by=_username(episode.created_by),
        speakers=[
            {"label": s.label, "display_name": s.display_name, "order": s.order}
            for s in episode.speakers.order_by("order", "id")
        ],
        glossary=[
            {"source": t.source, "target": t.target, "note": t.note}
            for t in episode.glossary.order_by("source")
        ],
    )
    cues: dict[int, list[dict[str, Any]]] = {}
    cue_place: dict[str, str] = {}  # cue id -> "<segment order>/<cue index>"
    for cue in (
        Cue.objects.filter(segment__episode=episode)
        .select_related("segment")
        .order_by("segment_id", "index", "id")
    ):
        cues.setdefault(cue.segment_id, []).append({f: getattr(cue, f) for f in CUE_FIELDS})
        cue_place[str(cue.pk)] = f"{cue.segment.order}/{cue.index}"
    revisions: dict[int, list[dict[str, Any]]] = {}
    for rev in (
        SegmentRevision.objects.filter(segment__episode=episode)
        .select_related("user")
        .order_by("created_at", "id")
    ):
        item = {f: getattr(rev, f) for f in REVISION_FIELDS}
        item.update(user=_username(rev.user, rev.recorded_user), created_at=_iso(rev.created_at))
        revisions.setdefault(rev.segment_id, []).append(item)
    segments = []
    for seg in episode.segments.select_related("updated_by").order_by("order"):
        item = {f: getattr(seg, f) for f in SEGMENT_FIELDS}
        item.update(
            machine_translated_at=_iso(seg.machine_translated_at),
            updated_at=_iso(seg.updated_at),
            updated_by=_username(seg.updated_by, seg.recorded_updated_by),
            cues=cues.get(seg.pk, []),
            revisions=revisions.get(seg.pk, []),
        )
        segments.append(item)
    data["segments"] = segments
    data["alignments"] = [
        {f: getattr(run, f) for f in ALIGNMENT_FIELDS}
        | {
            "user": _username(run.user, run.recorded_user),
            "created_at": _iso(run.created_at),
            "previous_times": {
                cue_place[cue_id]: times
                for cue_id, times in run.previous_times.items()
                if cue_id in cue_place
            },
        }
        for run in episode.alignments.select_related("user").order_by("created_at", "id")
    ]
    if include_jobs:
        data["jobs"] = [
            {f: getattr(job, f) for f in JOB_FIELDS}
            | {
                "requested_by": _username(job.requested_by, job.recorded_requested_by),
                "created_at": _iso(job.created_at),
                "started_at": _iso(job.started_at),
                "finished_at": _iso(job.finished_at),
            }
            for job in episode.jobs.select_related("requested_by").order_by("created_at", "id")
        ]
    return {"format": FORMAT, "version": VERSION, "episode": data}


def dumps_project(*, episode_id: int, include_jobs: bool = False) -> str:
    """The project file as JSON text (UTF-8, Japanese kept readable)."""
    project = export_project(episode_id=episode_id, include_jobs=include_jobs)
    return json.dumps(project, ensure_ascii=False, indent=1)


# --------------------------------------------------------------------------- validation


class _Reader:
    """Typed access to one JSON object, raising ``BackupError`` that names the field."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise BackupError(f"{path}: expected an object")
        self.data, self.path = data, path

    def _get(self, key: str, default: Any) -> Any:
        if key not in self.data:
            if default is _REQUIRED:
                raise BackupError(f"{self.path}.{key}: missing")
            return default
        return self.data[key]

    def _fail(self, key: str, what: str) -> BackupError:
        return BackupError(f"{self.path}.{key}: must be {what}")

    def text(self, key: str, default: str | None = None, *, max_len: int = 0) -> str:
        value = self._get(key, "" if default is None else default)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        if max_len and len(value) > max_len:
            raise self._fail(key, f"at most {max_len} characters")
        return value

    def name(self, key: str) -> str | None:
        """A username, or ``None``."""
        value = self._get(key, None)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a username or null")
        return value or None

    def required_str(self, key: str, *, max_len: int = 0) -> str:
        self._get(key, _REQUIRED)
        return self.text(key, max_len=max_len)

    def number(self, key: str, default: Any = 0, *, nullable: bool = False) -> int | None:
        value = self._get(key, default)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise self._fail(
                key, f"a whole number from 0 to {MAX_INT}" + (" or null" if nullable else "")
            )
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def choice(self, key: str, choices: Any, default: str) -> str:
        value = self.text(key, default)
        allowed = [c for c, _ in choices]
        if value not in allowed:
            raise self._fail(key, "one of " + ", ".join(allowed))
        return value

    def time(self, key: str) -> datetime | None:
        value = self._get(key, None)
        if value is None:
            return None
        try:  # "2024-02-30T…" is well-formed but impossible: ValueError, not None
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is not None and parsed.tzinfo is not None:
                parsed.astimezone(UTC)  # year 1 or 9999 with an offset leaves the calendar
        except (ValueError, OverflowError):
            parsed = None
        if parsed is None:
            raise self._fail(key, "an ISO 8601 date-time or null")
        return parsed

    def strings(self, key: str) -> list[str]:
        value = self.json(key, list, []) or []
        if not all(isinstance(line, str) for line in value):
            raise self._fail(key, "a list of strings")
        return value

    def json(self, key: str, kind: type, default: Any) -> Any:
        value = self._get(key, default)
        if value is not None and not isinstance(value, kind):
            raise self._fail(key, f"a JSON {'list' if kind is list else 'object'}")
        return value

    def items(self, key: str, required: bool = False) -> list[_Reader]:
        value = self._get(key, _REQUIRED if required else [])
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return [_Reader(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(value)]


_REQUIRED = object()
MAX_INT = 2**31 - 1  # the largest value of a PositiveIntegerField on every database
MAX_DEPTH = 64  # nesting of JSON objects and lists; a real project file uses about 8
MAX_JSON_INT = 2**53  # numbers inside free-form JSON (reports): what JavaScript reads exactly


def _refuse_constant(name: str) -> Any:
    raise BackupError(f"not a project file: {name} is not a JSON number")


def _check_values(root: Any) -> None:
    """Refuse what JSON allows but the database or the pages cannot hold: nesting deeper than
    ``MAX_DEPTH``, text with an unpaired surrogate (``"\\ud800"``), numbers beyond
    ``MAX_JSON_INT``. Iterative, so deep nesting costs no Python stack; only containers are
    stacked (about 1 s for a 50 MB file)."""
    if not isinstance(root, dict | list):
        _check_scalar(root, ())
        return
    stack: list[tuple[dict | list, tuple[Any, ...]]] = [(root, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            raise BackupError(f"{_path(path)}: nested more than {MAX_DEPTH} levels deep")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, dict | list):
                stack.append((item, (*path, key)))
            elif isinstance(item, int | str):
                _check_scalar(item, (*path, key))
            if isinstance(key, str):
                _check_text(key, path)


def _check_scalar(value: Any, path: tuple[Any, ...]) -> None:
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INT:
        raise BackupError(f"{_path(path)}: the number {str(value)[:20]}… is too large")


def _check_text(value: str, path: tuple[Any, ...]) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BackupError(
            f"{_path(path)}: text with an unpaired surrogate (character {exc.start + 1})"
        ) from None


def _path(path: tuple[Any, ...]) -> str:
    out = ""
    for key in path[:8]:
        key = key if isinstance(key, int) else str(key)[:40]
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return (out + ("…" if len(path) > 8 else "")) or "the file"


def _ruby_pairs(value: list) -> list[list[str]]:
    """Ruby readings of a cue from a project file: only [base, reading] pairs of short text
    are kept (older files have none)."""
    return [
        [item[0], item[1]]
        for item in value
        if isinstance(item, list)
        and len(item) == 2
        and all(isinstance(x, str) and 0 < len(x) <= 100 for x in item)
    ][:50]


def parse_project(raw: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Check the header of a project file and return it as a dict (``BackupError`` if bad)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BackupError(f"not a project file: not UTF-8 text (byte {exc.start})") from exc
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise BackupError(
                f"not a project file: invalid JSON at line {exc.lineno}, column {exc.colno}"
            ) from exc
        except RecursionError:
            raise BackupError(
                f"not a project file: nested more than {MAX_DEPTH} levels deep"
            ) from None
        except ValueError as exc:  # an integer of more than 4300 digits
            raise BackupError(f"not a project file: {str(exc).splitlines()[0][:120]}") from None
    _check_values(raw)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f'not a Jimaku project file (no "format": "{FORMAT}" header)')
    version = raw.get("version")
    if version != VERSION:
        raise BackupError(
            f"unsupported project file version {version!r} (this Jimaku reads version {VERSION})"
        )
    if not isinstance(raw.get("episode"), dict):
        raise BackupError("episode: missing or not an object")
    return raw


# --------------------------------------------------------------------------- import


class _Restore:
    """What one restore may keep, and the report of what it kept less of."""

    def __init__(self, user: AbstractBaseUser | None) -> None:
        self.user = user if user is not None and user.is_authenticated else None
        # The command line (no user) is the server's operator: a reviewer and more.
        self.may_approve = user is None or permissions.can_approve(user)
        self.report = ImportReport()
        self.names: set[str] = set()

    def recorded(self, name: str | None) -> str:
        """A user the file names: kept as text (trimmed to the field), never an account."""
        if not name:
            return ""
        self.names.add(name)
        return name[:150]

    def status(self, status: str, text: str, order: int) -> str:
        if status != Segment.Status.APPROVED or self.may_approve:
            return status
        self.report.add(
            ReportCategory.DOWNGRADED,
            "approved_as_edited",
            "approved segments restored as edited: only a reviewer's restore keeps approval",
            example=f"#{order + 1}",
        )
        return Segment.Status.EDITED if text else Segment.Status.UNTRANSLATED

    def downgrade(self, code: str, message: str, example: str | None = None) -> None:
        self.report.add(ReportCategory.DOWNGRADED, code, message, example=example)

    def finish(self) -> ImportReport:
        if self.names:
            names = sorted(self.names)
            self.report.add(
                ReportCategory.DOWNGRADED,
                "users_recorded",
                "users named in the file kept as recorded names, not linked to accounts here",
                example=", ".join(names[:10]) + (" …" if len(names) > 10 else ""),
                count=len(names),
            )
        return self.report


def import_project(
    *, data: str | bytes | dict[str, Any], user: AbstractBaseUser | None = None
) -> Episode:
    """Create a new episode from a project file. All or nothing; ``BackupError`` if bad.

    ``user`` is the restoring account (it must be allowed to import; ``PermissionDenied``
    otherwise) and becomes the creator; ``None`` is the command line. The restore keeps only
    what ``user`` may do (see the module docstring); ``episode.import_report`` lists what it
    kept less of (``restore_report`` reads it back).
    """
    permissions.require(user, permissions.can_import)
    restore = _Restore(user)
    project = parse_project(data)
    try:
        with transaction.atomic():
            return _create(_Reader(project["episode"], "episode"), restore)
    except IntegrityError as exc:
        raise BackupError(f"the file contradicts itself: {str(exc).splitlines()[0]}") from exc
    except (OverflowError, UnicodeError) as exc:  # a value the checks above missed: one line
        raise BackupError(f"a value the database cannot store: {str(exc)[:120]}") from exc


def restore_report(episode: Episode) -> ImportReport:
    """The report a restore stored on the episode (what it kept less than the file claimed)."""
    return ImportReport.from_dict(episode.import_report)


def _media_url(ep: _Reader, restore: _Restore) -> str:
    url = ep.text("media_url", max_len=200).strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        restore.downgrade(
            "media_url_refused", "media address not restored: only http(s) addresses play", url
        )
        return ""
    return url


def _create(ep: _Reader, restore: _Restore) -> Episode:
    """The episode and everything in it, read (and checked) in the file's order."""
    episode = _create_episode(ep, restore)
    _create_speakers_and_terms(ep, episode)
    segments, seg_readers = _create_segments(ep, episode, restore)
    cues, revisions, touched = _read_cues_and_revisions(segments, seg_readers, restore)
    Cue.objects.bulk_create(cues, batch_size=1000)
    _create_alignments(ep, episode, restore)
    created = SegmentRevision.objects.bulk_create([rev for rev, _ in revisions], batch_size=1000)
    _keep_times(created, [t for _, t in revisions], "created_at")
    _keep_times([s for s, _ in touched], [t for _, t in touched], "updated_at")
    _create_jobs(ep, episode, restore)
    report = restore.finish()
    episode.import_report = report.to_dict() if report else None
    episode.save(update_fields=["import_report"])
    # Its approved segments go into the translation memory, as their approvals would have.
    memory.sync_episode(episode.pk, user=restore.user)
    segments_changed(episode_id=episode.pk)  # a restored episode's flags are stored
    return episode


def _create_episode(ep: _Reader, restore: _Restore) -> Episode:
    """The episode row: unpublished, no media, created by whoever restores the file."""
    ep.name("created_by")  # validated; the creator here is whoever restores the file
    media = ep.text("media_file", max_len=255)
    if media:  # a stored name could be any episode's file: media never comes by name
        restore.downgrade(
            "media_not_restored",
            "media file not restored: project files do not carry media, attach it again",
            media.rsplit("/", 1)[-1],
        )
    published = ep.flag("published")
    ep.time("published_at")
    if published:
        restore.downgrade(
            "unpublished", "restored unpublished: a reviewer can publish it after checking"
        )
    episode = Episode.objects.create(
        title=ep.required_str("title", max_len=300),
        title_en=ep.text("title_en", max_len=300),
        description=ep.text("description"),
        source_language=ep.text("source_language", "ja", max_len=10),
        target_language=ep.choice("target_language", Episode.TargetLanguage.choices, "EN-US"),
        source_format=ep.text("source_format", "text", max_len=10),
        source_encoding=ep.text("source_encoding", "utf-8", max_len=40),
        source_filename=ep.text("source_filename", max_len=255),
        duration_ms=ep.number("duration_ms", None, nullable=True),
        media_url=_media_url(ep, restore),
        published=False,
        published_at=None,
        publish_approved_only=ep.flag("publish_approved_only"),
        alignment_report=ep.json("alignment_report", dict, None),
        created_by=restore.user,
    )
    return episode


def _create_speakers_and_terms(ep: _Reader, episode: Episode) -> None:
    Speaker.objects.bulk_create(
        Speaker(
            episode=episode,
            label=s.required_str("label", max_len=100),
            display_name=strip_invisible(s.text("display_name", max_len=100)),
            order=s.number("order"),
        )
        for s in ep.items("speakers")
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(
            episode=episode,
            source=strip_invisible(t.required_str("source", max_len=200)),
            target=strip_invisible(t.required_str("target", max_len=200)),
            note=t.text("note", max_len=300),
        )
        for t in ep.items("glossary")
    )


def _create_segments(
    ep: _Reader, episode: Episode, restore: _Restore
) -> tuple[list[Segment], list[_Reader]]:
    """The segments (saved, with ids), and their readers in the same order."""
    seg_readers = ep.items("segments", required=True)
    segments = []
    for s in seg_readers:
        order = s.number("order", _REQUIRED)
        text = s.text("text")
        segments.append(
            Segment(
                episode=episode,
                order=order,
                kind=s.choice("kind", Segment.Kind.choices, Segment.Kind.TRANSCRIPT),
                turn=s.number("turn"),
                speaker_label=s.text("speaker_label", max_len=100),
                source_text=s.required_str("source_text"),
                text=text,
                machine_text=s.text("machine_text"),
                machine_engine=s.text("machine_engine", max_len=40),
                machine_engine_version=s.text("machine_engine_version", max_len=200),
                machine_translated_at=s.time("machine_translated_at"),
                machine_flags=s.strings("machine_flags"),
                source_stale=s.flag("source_stale"),
                status=restore.status(
                    s.choice("status", Segment.Status.choices, Segment.Status.UNTRANSLATED),
                    text,
                    order,
                ),
                version=max(1, s.number("version", 1) or 1),
                recorded_updated_by=restore.recorded(s.name("updated_by")),
            )
        )
    Segment.objects.bulk_create(segments, batch_size=500)
    if segments and segments[0].pk is None:  # backends without RETURNING ids
        by_order = {s.order: s for s in episode.segments.all()}
        segments = [by_order[s.order] for s in segments]
    return segments, seg_readers


def _read_cues_and_revisions(
    segments: list[Segment], seg_readers: list[_Reader], restore: _Restore
) -> tuple[
    list[Cue],
    list[tuple[SegmentRevision, datetime | None]],
    list[tuple[Segment, datetime | None]],
]:
    """Each segment's cues and revisions (unsaved), and its recorded last change."""
    cues: list[Cue] = []
    revisions: list[tuple[SegmentRevision, datetime | None]] = []
    touched: list[tuple[Segment, datetime | None]] = []
    for segment, reader in zip(segments, seg_readers, strict=True):
        touched.append((segment, reader.time("updated_at")))
        for c in reader.items("cues"):
            cues.append(
                Cue(
                    segment=segment,
                    index=c.number("index"),
                    start_ms=c.number("start_ms", None, nullable=True),
                    end_ms=c.number("end_ms", None, nullable=True),
                    source_start=c.number("source_start"),
                    source_end=c.number("source_end"),
                    source_text=c.text("source_text"),
                    lines=c.strings("lines"),
                    timing=c.choice("timing", Cue.Timing.choices, Cue.Timing.ESTIMATED),
                    ruby=_ruby_pairs(c.json("ruby", list, []) or []),
                )
            )
        for r in reader.items("revisions"):
            revisions.append(
                (
                    SegmentRevision(
                        segment=segment,
                        recorded_user=restore.recorded(r.name("user")),
                        action=r.choice(
                            "action", SegmentRevision.Action.choices, SegmentRevision.Action.EDIT
                        ),
                        old_text=r.text("old_text"),
                        new_text=r.text("new_text"),
                        old_status=r.text("old_status", max_len=20),
                        new_status=r.text("new_status", max_len=20),
                        version=r.number("version", _REQUIRED),
                        old_source_text=r.text("old_source_text"),
                        new_source_text=r.text("new_source_text"),
                    ),
                    r.time("created_at"),
                )
            )
    return cues, revisions, touched


def _create_jobs(ep: _Reader, episode: Episode, restore: _Restore) -> None:
    """The translation jobs as history: an active one is shown as stopped."""
    jobs = []
    for j in ep.items("jobs"):
        state = j.choice("state", TranslationJob.State.choices, TranslationJob.State.SUCCEEDED)
        error = j.text("error")
        if state in TranslationJob.ACTIVE_STATES:  # nothing runs it here: show it as stopped
            state, error = TranslationJob.State.CANCELLED, error or "Imported from a backup."
        job = TranslationJob(
            episode=episode,
            engine=j.required_str("engine", max_len=40),
            state=state,
            retranslate_machine=j.flag("retranslate_machine"),
            done=j.number("done"),
            total=j.number("total"),
            error=error,
            recorded_requested_by=restore.recorded(j.name("requested_by")),
            started_at=j.time("started_at"),
            finished_at=j.time("finished_at"),
        )
        jobs.append((job, j.time("created_at")))
    created_jobs = TranslationJob.objects.bulk_create([job for job, _ in jobs])
    _keep_times(created_jobs, [t for _, t in jobs], "created_at")


def _create_alignments(ep: _Reader, episode: Episode, restore: _Restore) -> None:
    """Alignment runs, their undo data mapped from cue positions to the new cue ids."""
    readers = ep.items("alignments")
    if not readers:
        return
    cue_ids = {
        f"{order}/{index}": pk
        for pk, order, index in Cue.objects.filter(segment__episode=episode).values_list(
            "pk", "segment__order", "index"
        )
    }
    timings = [c for c, _ in Cue.Timing.choices]
    runs = []
    for r in readers:
        previous = {}
        for place, times in r.json("previous_times", dict, {}).items():
            where = f"{r.path}.previous_times[{place!r}]"
            if place not in cue_ids:
                raise BackupError(f"{where}: names no cue of this episode")
            ok = (
                isinstance(times, list)
                and len(times) == 3
                and all(t is None or (type(t) is int and 0 <= t <= MAX_INT) for t in times[:2])
                and times[2] in timings
            )
            if not ok:
                raise BackupError(f"{where}: must be [start_ms, end_ms, timing]")
            previous[str(cue_ids[place])] = times
        run = AlignmentRun(
            episode=episode,
            recorded_user=restore.recorded(r.name("user")),
            caption_filename=r.text("caption_filename", max_len=255),
            report=r.json("report", dict, {}) or {},
            undone=r.flag("undone"),
            previous_times=previous,
        )
        runs.append((run, r.time("created_at")))
    created = AlignmentRun.objects.bulk_create([run for run, _ in runs])
    _keep_times(created, [t for _, t in runs], "created_at")


def _keep_times(objs: list[Any], times: list[datetime | None], field: str) -> None:
    """Put back the file's timestamps that ``auto_now(_add)`` replaced on insert."""
    changed = []
    for obj, value in zip(objs, times, strict=True):
        if value is not None and obj.pk is not None:
            setattr(obj, field, value)
            changed.append(obj)
    if changed:
        type(changed[0]).objects.bulk_update(changed, [field], batch_size=500)
