"""Time EPISODE's cues: to rough timed captions (SRT/VTT/ASS), to its audio, or to both."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from translator.core.errors import InputError
from translator.management.commands._common import get_episode, read_input_file
from translator.models import AudioTimingJob
from translator.services import audio_timing
from translator.services.alignment import align_episode_timing


def _check_file(path: str) -> None:
    p = Path(path)
    if not p.exists():
        raise CommandError(f"{path}: no such file")
    if not p.is_file():
        raise CommandError(f"{path}: not a regular file")


class Command(BaseCommand):
    help = (
        "Align EPISODE's transcript to timed captions, to its audio (--audio FILE, or --media "
        "for the attached file), or to both (audio for the pauses, captions for the words)."
    )

    def add_arguments(self, parser):
        parser.add_argument("episode", help="Episode id")
        parser.add_argument(
            "captions", nargs="?", help="Timed caption file (SRT, WebVTT or ASS), optional"
        )
        parser.add_argument("--encoding", default="auto")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--audio", metavar="FILE", help="Audio or video file of the episode")
        source.add_argument(
            "--media", action="store_true", help="Use the episode's attached audio/video"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace cue times that were imported or aligned before (audio timing)",
        )
        parser.add_argument(
            "--replace-manual",
            action="store_true",
            help="Also replace cue times an editor set by hand (cue view, waveform); by "
            "default they are kept and the other cues are fitted around them",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Audio timing: leave the job to the worker instead of running it here",
        )

    def handle(self, *args, episode, captions, encoding, audio, media, replace, queue, **options):
        ep = get_episode(episode)
        replace_manual = options["replace_manual"]
        if audio is None and not media:
            if not captions:
                raise CommandError("give a CAPTIONS_FILE, --audio FILE or --media")
            self._captions_only(ep.pk, captions, encoding, replace_manual)
            return
        data = read_input_file(captions) if captions else None
        if audio is not None:
            _check_file(audio)
        label = audio or "the episode's media"
        try:
            job = audio_timing.start_audio_timing(
                episode_id=ep.pk,
                audio_path=audio,
                captions_data=data,
                captions_filename=captions,
                encoding=encoding,
                replace_timed=replace,
                replace_manual=replace_manual,
                enqueue=queue,
            )
        except audio_timing.AudioTimingError as exc:
            raise CommandError(f"{label}: {exc}") from exc
        except InputError as exc:  # the caption file
            raise CommandError(f"{captions}: {exc}") from exc
        if queue:
            self.stdout.write(f"Job {job.pk} queued. The worker (manage.py db_worker) will run it.")
            return
        job = audio_timing.run_audio_timing_job(job_id=job.pk, on_progress=self._progress)
        sys.stderr.write("\n")
        if job.state != AudioTimingJob.State.SUCCEEDED:
            raise CommandError(f"{label}: {job.error}")
        report = job.alignment.report
        self.stdout.write(report["summary"])
        audio_report = report["audio"]
        rates = ", ".join(f"{k or '-'} {v}" for k, v in audio_report["morae_per_s"].items())
        line = (
            f"speech {audio_report['speech_ms'] / 1000:.1f} s of "
            f"{audio_report['duration_ms'] / 1000:.1f} s; morae/s: {rates}"
        )
        if data is not None:
            line += f"; caption coverage {report['coverage']:.1%}"
        self.stdout.write(line)
        for warning in report.get("warnings", []):
            self.stdout.write(f"warning: {warning}")

    def _captions_only(
        self, episode_id: int, captions: str, encoding: str, replace_manual: bool
    ) -> None:
        data = read_input_file(captions)
        try:
            run = align_episode_timing(
                episode_id=episode_id,
                data=data,
                filename=captions,
                encoding=encoding,
                replace_manual=replace_manual,
            )
        except InputError as exc:
            raise CommandError(f"{captions}: {exc}") from exc
        report = run.report
        self.stdout.write(report["summary"])
        self.stdout.write(
            f"coverage {report['coverage']:.1%}, aligned {report['cues_aligned']}, "
            f"interpolated {report['cues_interpolated']}, largest unmatched stretch "
            f"{report['largest_unmatched_chars']} chars"
        )

    def _progress(self, job: AudioTimingJob) -> None:
        width = 30
        filled = int(width * job.done_ms / job.total_ms) if job.total_ms else 0
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {job.done_ms // 1000}/{job.total_ms // 1000} s")
