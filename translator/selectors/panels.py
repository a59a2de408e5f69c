"""Reads for the episode page's side panels: the translation job panel (engines ready or not,
the rows a running job translated since the last poll) and the timing panel."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from translator.engines import argos_packages
from translator.engines.registry import engine_config
from translator.models import AudioTimingJob, Episode, Segment, TranslationJob
from translator.services import audio_timing, translation


@dataclass(frozen=True)
class EngineChoice:
    """One engine of the menu: whether a job can run on it now, and if not, why and what to do
    (``fix`` for anyone, ``admin_fix`` added for staff, who can run commands on the server)."""

    name: str
    label: str
    ready: bool
    reason: str = ""
    fix: str = ""
    admin_fix: str = ""


_LABELS = {"deepl": "DeepL", "argos": "Argos (offline)"}


def _argos_choice(name: str) -> EngineChoice:
    """Ready when a model for the pair is installed: a look at the packages folder (from the
    configuration, no engine instance), without loading the model (the Engines page opens it)."""
    label = _LABELS.get(name, name)
    try:
        options = dict(engine_config().get(name, {}).get("OPTIONS", {}))
        found = (
            argos_packages.find_package(
                options["packages_dir"],
                options.get("source_code", "ja"),
                options.get("target_code", "en"),
            )
            if options.get("packages_dir")
            else None
        )
    except Exception as exc:  # a broken setup shows here instead of failing the page
        return EngineChoice(
            name,
            label,
            False,
            _("The offline engine is not working on this server."),
            _("Ask an administrator to check the Engines page."),
            str(exc).splitlines()[0] if str(exc) else "",
        )
    if found is None:
        return EngineChoice(
            name,
            label,
            False,
            _("No Japanese→English model is installed on this server."),
            _("Ask an administrator to install one, or use another engine."),
            "manage.py argos_install ja en",
        )
    return EngineChoice(name, label, True)


def engine_choices() -> list[EngineChoice]:
    """The engines of the menu, configured ones first; DeepL without a key is listed, not
    ready, so that users learn it exists and what it needs."""
    choices = []
    for name, entry in engine_config().items():
        if "argos" in str(entry.get("CLASS", "")).lower():
            choices.append(_argos_choice(name))
        else:  # DeepL and others: configured (a key is set) is ready; usage is on Engines
            choices.append(EngineChoice(name, _LABELS.get(name, name), True))
    if "deepl" not in {c.name for c in choices}:
        choices.append(
            EngineChoice(
                "deepl",
                "DeepL",
                False,
                _("DeepL is not set up on this server (it needs an API key)."),
                _("Ask an administrator to add a DeepL API key."),
                "DEEPL_AUTH_KEY",
            )
        )
    return choices


_COMMAND_HINT = re.compile(r"[;:,.]?\s*(?:[^;:.]*\b(?:with|use|run)\b:?\s*)?python manage\.py.*$")


def web_job_error(error: str) -> str:
    """A job's error as a web user should read it: the server command that fixes it (meant for
    whoever runs the server) is replaced by who can act on it."""
    if "manage.py" not in error:
        return error
    kept = _COMMAND_HINT.sub("", error).strip().rstrip(";:,")
    return (
        f"{kept}. {_('Ask an administrator to check the Engines page.')}"
        if kept
        else _("Ask an administrator to check the Engines page.")
    )


def episode_engine(episode_id: int) -> EngineChoice | None:
    """The engine a one-segment re-translation of this episode uses, with whether it is ready:
    the engine this episode's last job ran (as configured now), else the one the episode page
    preselects (the engine last run anywhere when it is ready, else the first ready one); when
    none is ready, the first of the menu (its reason says why). ``None``: no engine at all."""
    choices = engine_choices()
    by_name = {c.name: c for c in choices}
    own = (
        TranslationJob.objects.filter(episode_id=episode_id)
        .order_by("-created_at", "-id")
        .values_list("engine", flat=True)
        .first()
    )
    if own in by_name:
        return by_name[own]
    ready = [c for c in choices if c.ready]
    last = TranslationJob.objects.order_by("-created_at", "-id").values_list("engine", flat=True)
    latest = last.first()
    if latest in by_name and by_name[latest].ready:
        return by_name[latest]
    if ready:
        return ready[0]
    return choices[0] if choices else None


def job_panel_context(episode: Episode) -> dict:
    choices = engine_choices()
    ready = [c.name for c in choices if c.ready]
    # One query: this episode's latest job if it has one, else the latest job anywhere, whose
    # engine is preselected (the engine this episode last ran, else the one last run at all)
    # when it is ready; otherwise the first ready engine.
    last = TranslationJob.objects.order_by(
        Case(When(episode_id=episode.pk, then=0), default=1), "-created_at", "-id"
    ).first()
    job = last if last and last.episode_id == episode.pk else None
    fallback = ready[0] if ready else ""
    selected = last.engine if last and last.engine in ready else fallback
    by_name = {c.name: c for c in choices}
    failed_engine = by_name.get(job.engine) if job and job.error else None
    return {
        "episode": episode,
        "job": job,
        "poll_since": _cursor(timezone.now()),
        "job_stale": bool(job and translation.is_stale(job)),
        "engines": [c.name for c in choices],
        "engine_choices": choices,
        "not_ready": [c for c in choices if not c.ready],
        "any_ready": bool(ready),
        "selected_engine": selected,
        # A job that failed because its engine is not ready: say so in a web user's words.
        "job_engine_not_ready": failed_engine
        if failed_engine and not failed_engine.ready
        else None,
        "job_error_web": web_job_error(job.error) if job and job.error else "",
    }


# The live rows of a running job: each poll sends the cursor of the previous one and gets the
# (id, version) of the segments translated since (a small overlap: a batch's rows are stamped
# before their transaction commits; the page skips the versions it already shows).
LIVE_ROWS_OVERLAP = datetime.timedelta(seconds=5)
LIVE_ROWS_MAX = 500


def _cursor(when: datetime.datetime) -> str:
    return str(int(when.timestamp() * 1000))


def parse_cursor(value: str | None) -> datetime.datetime | None:
    if not value or not value.isdigit() or len(value) > 15:
        return None
    return datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC)


def translated_since(episode_id: int, since: datetime.datetime) -> list[tuple[int, int]]:
    """(id, version) of the episode's segments machine-translated (or filled from memory)
    after ``since``: one indexed query, bounded."""
    return list(
        Segment.objects.filter(
            episode_id=episode_id, machine_translated_at__gte=since - LIVE_ROWS_OVERLAP
        )
        .order_by("order")
        .values_list("pk", "version")[:LIVE_ROWS_MAX]
    )


def timing_panel_context(episode: Episode, *, count_manual: bool = True) -> dict:
    """What the timing panel shows: the last alignment, the latest audio timing job and how
    many cue times would need confirmation to be replaced (one query: imported or aligned
    cues, and cues set by hand, which every run keeps unless told to replace them); the job
    only while the episode has an audio file (the episode page has a query budget: without
    media and ``count_manual`` off, ``manual_cues`` is ``None`` and the panel loads that
    choice when it is opened)."""
    job = None
    hand_set = 0
    timed, manual = 0, None
    if episode.media_file or count_manual:
        timed, manual = audio_timing.timing_counts(episode.pk)  # one query for both
    if episode.media_file:
        job = audio_timing.latest_job(episode.pk)
        if job is None or not job.is_active:
            hand_set = timed
        if job is not None and job.state == AudioTimingJob.State.SUCCEEDED and job.started_at:
            # The episode may have been read before the job finished: then its report is
            # missing (and the panel, no longer polling, would keep showing that).
            try:
                aligned_at = datetime.datetime.fromisoformat(episode.alignment_report["aligned_at"])
            except (TypeError, KeyError, ValueError):
                aligned_at = None
            if aligned_at is None or aligned_at < job.started_at:
                episode.refresh_from_db(fields=["alignment_report"])
    return {
        "audio_job": job,
        "hand_set_cues": hand_set,
        "manual_cues": manual,  # retimed by an editor: a run keeps them unless told otherwise
        "has_media_file": bool(episode.media_file),
        "last_alignment": (
            episode.alignments.filter(undone=False).first() if episode.alignment_report else None
        ),
    }
