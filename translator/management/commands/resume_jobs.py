"""Re-enqueue translation, large-import and audio timing jobs whose worker died (run before
starting workers)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from translator.services import audio_timing, importing, translation


class Command(BaseCommand):
    help = (
        "Re-enqueue active jobs (translation, import, audio timing) whose worker stopped reporting."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Resume every queued/running job now (use when no worker is running)",
        )

    def handle(self, *args, all: bool, **options):
        jobs = translation.resume_stale_jobs(force=all)
        for job in jobs:
            self.stdout.write(f"Resumed job {job.pk} ({job.engine}, {job.done}/{job.total}).")
        imports = importing.resume_import_jobs(force=all)
        for job in imports:
            self.stdout.write(f"Resumed import {job.pk} ({job.stage} of {job.filename or 'text'}).")
        timings = audio_timing.resume_audio_timing_jobs(force=all)
        for job in timings:
            self.stdout.write(f"Resumed audio timing {job.pk} of episode {job.episode_id}.")
        if not jobs and not imports and not timings:
            self.stdout.write("No job to resume.")
        deleted = importing.cleanup_pending()
        if deleted:
            self.stdout.write(f"Deleted {len(deleted)} abandoned import upload(s).")
