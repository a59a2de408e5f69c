"""Re-enqueue translation and large-import jobs whose worker died (run before starting
workers)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from translator.services import importing, translation


class Command(BaseCommand):
    help = "Re-enqueue active translation jobs whose worker stopped reporting."

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
        if not jobs and not imports:
            self.stdout.write("No job to resume.")
        deleted = importing.cleanup_pending()
        if deleted:
            self.stdout.write(f"Deleted {len(deleted)} abandoned import upload(s).")
