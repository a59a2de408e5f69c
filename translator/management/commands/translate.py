"""Machine-translate an episode: enqueue a job for the worker, or run it here with --wait."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from translator.engines.registry import available_engines
from translator.management.commands._common import get_episode
from translator.models import TranslationJob
from translator.services import translation


class Command(BaseCommand):
    help = "Start a translation job for EPISODE (use --wait to run it in this process)."

    def add_arguments(self, parser):
        parser.add_argument("episode", help="Episode id")
        parser.add_argument("--engine", required=True, choices=available_engines())
        parser.add_argument(
            "--wait", action="store_true", help="Run here with a progress bar (no worker needed)"
        )
        parser.add_argument(
            "--retranslate-machine",
            action="store_true",
            help="Also re-translate segments that only have machine text (never edited ones)",
        )

    def handle(self, *args, episode, engine, wait, retranslate_machine, **options):
        ep = get_episode(episode)
        try:
            job = translation.start_translation_job(
                episode_id=ep.pk,
                engine=engine,
                retranslate_machine=retranslate_machine,
                enqueue=not wait,
            )
        except translation.JobError as exc:
            raise CommandError(str(exc)) from exc
        if not wait:
            self.stdout.write(
                f"Job {job.pk} queued: {job.total} segments. The worker (manage.py db_worker) "
                "will run it."
            )
            return
        job = translation.run_translation_job(job_id=job.pk, on_progress=self._progress)
        sys.stderr.write("\n")
        if job.state == TranslationJob.State.SUCCEEDED:
            self.stdout.write(f"Job {job.pk} done: {job.done}/{job.total} segments translated.")
        elif job.state == TranslationJob.State.CANCELLED:
            raise CommandError(f"Job {job.pk} was cancelled after {job.done}/{job.total}.")
        else:
            raise CommandError(f"Job {job.pk} failed after {job.done}/{job.total}: {job.error}")

    def _progress(self, job: TranslationJob) -> None:
        width = 30
        filled = int(width * job.done / job.total) if job.total else width
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {job.done}/{job.total} {job.get_state_display():<10}")
        sys.stderr.flush()
