"""Delete abandoned import previews (uploads stashed under DATA_DIR/pending-imports/)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from translator.services import importing


class Command(BaseCommand):
    help = (
        "Delete stashed import uploads older than a day (previews nobody imported); uploads "
        "a queued or running import job needs are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=importing.PENDING_MAX_AGE.total_seconds() / 3600,
            help="Delete uploads not touched for this many hours (default 24)",
        )

    def handle(self, *args, hours: float, **options):
        if not hours > 0:
            raise CommandError(f"--hours must be a positive number of hours, not {hours:g}")
        deleted = importing.cleanup_pending(max_age=timedelta(hours=hours))
        self.stdout.write(f"Deleted {len(deleted)} abandoned import upload(s).")
