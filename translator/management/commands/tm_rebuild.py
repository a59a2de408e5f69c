"""Make the translation memory hold every approved segment (after a backup was restored or
rows were changed outside the app)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from translator.services import memory


class Command(BaseCommand):
    help = "Re-sync the translation memory with every approved segment (imported units stay)."

    def handle(self, *args, **options):
        count = memory.rebuild_from_segments()
        self.stdout.write(f"{count} approved segments in the translation memory.")
