"""Recompute the stored QA flags (after an upgrade that changed a QA rule, or a bulk change
made outside the services)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from translator.management.commands._common import get_episode
from translator.models import Episode
from translator.services.qa_flags import refresh_qa_flags


class Command(BaseCommand):
    help = "Recompute the stored QA flags of the given episodes (default: every episode)."

    def add_arguments(self, parser):
        parser.add_argument("episodes", nargs="*", help="episode ids (default: all)")

    def handle(self, *args, episodes: list[str], **options):
        targets = (
            [get_episode(e) for e in episodes] if episodes else list(Episode.objects.order_by("pk"))
        )
        changed = 0
        for episode in targets:
            changed += refresh_qa_flags(episode_id=episode.pk)
        self.stdout.write(
            f"QA flags recomputed for {len(targets)} episode(s); {changed} segment(s) changed."
        )
