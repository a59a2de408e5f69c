"""Give an episode's cues the timing of rough timed captions.

Writes only cue times (start, end, timing kind) in one transaction, and records what it replaced
in an ``AlignmentRun`` so the alignment can be undone. No text, segment, translation or status
is changed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from translator import permissions
from translator.core.align import AlignCue, align_cues
from translator.core.cue_view import fit_around_fixed
from translator.core.encoding import decode_bytes
from translator.core.errors import FormatError
from translator.core.formats import detect_format, get_format
from translator.core.subtitle_input import read_caption_lines
from translator.core.types import TimedLine
from translator.models import AlignmentRun, Cue, Episode, Segment
from translator.services.qa_flags import segments_changed


def read_captions(
    data: bytes, *, filename: str | None = None, encoding: str = "auto"
) -> list[TimedLine]:
    """The timed lines of a caption file (SRT/VTT/ASS, any supported encoding)."""
    text, _encoding = decode_bytes(
        data, encoding=encoding, max_bytes=settings.JIMAKU_MAX_IMPORT_BYTES
    )
    spec = get_format(detect_format(text, filename))
    if not spec.timed_file:
        raise FormatError("the caption file must be SRT, WebVTT or ASS (it has no timings)")
    return read_caption_lines(text, spec.name)


def manual_count(episode_id: int) -> int:
    """Cues whose times an editor set by hand (cue view, waveform)."""
    return Cue.objects.filter(
        segment__episode_id=episode_id,
        segment__kind__in=(Segment.Kind.TRANSCRIPT, Segment.Kind.SOUND),
        timing=Cue.Timing.MANUAL,
    ).count()


def store_times(
    cues: list[Cue], times: dict[int, tuple[int, int]], timing: dict[int, str], *, keep_manual: bool
) -> list[Cue]:
    """Give ``cues`` (an episode's, in reading order) their new ``times`` and ``timing`` kind,
    one bulk update; each changed cue's version moves on (an editor's open cue view then sees a
    conflict, not a silent overwrite). ``keep_manual``: hand-set cues keep their times and the
    others are kept clear of them (:func:`translator.core.cue_view.fit_around_fixed`)."""
    fixed = [keep_manual and c.timing == Cue.Timing.MANUAL for c in cues]
    spans = [(c.start_ms, c.end_ms) if fixed[i] else times.get(c.pk) for i, c in enumerate(cues)]
    if keep_manual and any(fixed):
        spans = fit_around_fixed(
            [s if s is None or s[0] is not None else None for s in spans], fixed
        )
    changed = []
    for cue, span, keep in zip(cues, spans, fixed, strict=True):
        if keep or span is None or cue.pk not in times:
            continue
        cue.start_ms, cue.end_ms = span
        cue.timing = timing[cue.pk]
        cue.version = F("version") + 1
        changed.append(cue)
    Cue.objects.bulk_update(changed, ["start_ms", "end_ms", "timing", "version"], batch_size=500)
    return changed


@transaction.atomic
def align_episode_timing(
    *,
    episode_id: int,
    data: bytes,
    filename: str | None = None,
    encoding: str = "auto",
    user: AbstractBaseUser | None = None,
    replace_manual: bool = False,
) -> AlignmentRun:
    """Align and store. Raises ``InputError`` for an unusable caption file (nothing written).
    Cues set by hand keep their times unless ``replace_manual``."""
    permissions.require(user, permissions.can_edit, "You cannot change this episode.")
    captions = read_captions(data, filename=filename, encoding=encoding)
    episode = Episode.objects.select_for_update().get(pk=episode_id)
    cues = list(
        Cue.objects.filter(segment__episode=episode)
        .select_related("segment")
        .order_by("segment__order", "index")
    )
    result = align_cues(
        [
            AlignCue(
                key=cue.pk,
                text=cue.source_text,
                timed=cue.segment.kind == Segment.Kind.TRANSCRIPT,
            )
            for cue in cues
        ],
        captions,
    )
    previous = {str(c.pk): [c.start_ms, c.end_ms, c.timing] for c in cues}
    kinds = {
        pk: Cue.Timing.ALIGNED if method == "aligned" else Cue.Timing.ESTIMATED
        for pk, method in result.method.items()
    }
    changed = store_times(cues, result.times, kinds, keep_manual=not replace_manual)
    # Only times changed: the timing flags of the retimed rows (and the row before each)
    segments_changed(segment_ids={c.segment_id for c in changed}, timing_only=True)
    report = result.report.to_dict() | {
        "summary": result.report.summary(),
        "caption_file": (filename or "")[:255],
        "aligned_at": timezone.now().isoformat(),
    }
    episode.alignment_report = report
    episode.save(update_fields=["alignment_report", "updated_at"])
    return AlignmentRun.objects.create(
        episode=episode,
        user=user if user is not None and user.is_authenticated else None,
        caption_filename=(filename or "")[:255],
        report=report,
        previous_times=previous,
    )


@transaction.atomic
def undo_alignment(*, run_id: int, user: AbstractBaseUser | None = None) -> AlignmentRun:
    """Put back the cue times an alignment replaced (only the latest run can be undone)."""
    permissions.require(user, permissions.can_edit, "You cannot change this episode.")
    run = AlignmentRun.objects.select_for_update().get(pk=run_id)
    latest = run.episode.alignments.filter(undone=False).order_by("-created_at", "-id").first()
    if run.undone or latest is None or latest.pk != run.pk:
        raise FormatError("only the latest alignment can be undone")
    previous = _checked_times(run.previous_times)
    # A cue set by hand since the run keeps the editor's times (the run itself never sets
    # hand-set times: a hand-set cue it kept has its previous times already).
    cues = list(
        Cue.objects.filter(pk__in=list(previous), segment__episode_id=run.episode_id).exclude(
            timing=Cue.Timing.MANUAL
        )
    )
    for cue in cues:
        cue.start_ms, cue.end_ms, cue.timing = previous[cue.pk]
        cue.version = F("version") + 1
    Cue.objects.bulk_update(cues, ["start_ms", "end_ms", "timing", "version"], batch_size=500)
    segments_changed(segment_ids={c.segment_id for c in cues}, timing_only=True)
    run.undone = True
    run.save(update_fields=["undone"])
    episode = run.episode
    previous = episode.alignments.filter(undone=False).order_by("-created_at", "-id").first()
    episode.alignment_report = previous.report if previous else None
    episode.save(update_fields=["alignment_report", "updated_at"])
    return run


class UndoDataError(FormatError):
    """An alignment run's stored undo data cannot be put back (damaged or crafted)."""


MAX_MS = 2**31 - 1  # what a cue time column holds on every database


def _checked_times(previous: object) -> dict[int, tuple[int | None, int | None, str]]:
    """``{cue id: (start_ms, end_ms, timing)}`` from a run's stored undo data, or
    ``UndoDataError`` if any of it is not something a cue can hold (nothing is written)."""
    timings = {c for c, _ in Cue.Timing.choices}
    checked: dict[int, tuple[int | None, int | None, str]] = {}
    items = previous.items() if isinstance(previous, dict) else [(None, None)]
    for key, times in items:
        ok = (
            isinstance(key, str)
            and key.isdigit()
            and len(key) <= 18
            and isinstance(times, list)
            and len(times) == 3
            and all(t is None or (type(t) is int and 0 <= t <= MAX_MS) for t in times[:2])
            and times[2] in timings
        )
        if not ok:
            raise UndoDataError(
                "the stored undo data of this alignment is damaged; nothing was changed"
            )
        checked[int(key)] = (times[0], times[1], times[2])
    return checked
