"""Export the project glossary (or one episode's) as CSV or TBX."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from translator.management.commands._common import get_episode
from translator.services import memory


class Command(BaseCommand):
    help = "Export the project glossary, or --episode's, as CSV or TBX (stdout, or -o FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--episode", help="episode id (default: the project glossary)")
        parser.add_argument("--format", choices=["csv", "tbx"], default="csv")
        parser.add_argument("-o", "--output")

    def handle(self, *args, episode=None, format="csv", output=None, **options):  # noqa: A002
        episode_id = get_episode(episode).pk if episode else None
        data = memory.export_glossary(episode_id=episode_id, fmt=format)
        if not output or output == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror})") from exc
