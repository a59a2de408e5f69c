"""Back up an episode as a JSON project file (segments, cues, revisions, speakers, glossary)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from translator.management.commands._common import get_episode
from translator.services import backup


class Command(BaseCommand):
    help = "Write EPISODE as a Jimaku project file (JSON) to -o PATH, else to stdout."

    def add_arguments(self, parser):
        parser.add_argument("episode", help="Episode id")
        parser.add_argument("-o", "--output", help="Output file")
        parser.add_argument("--jobs", action="store_true", help="Include translation jobs")

    def handle(self, *args, episode, output, jobs, **options):
        ep = get_episode(episode)
        text = backup.dumps_project(episode_id=ep.pk, include_jobs=jobs)
        if not output:
            self.stdout.write(text)
            return
        path = Path(output)
        try:
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot write ({exc.strerror})") from exc
        self.stderr.write(f"Wrote {path} ({ep.segments.count()} segments).")
