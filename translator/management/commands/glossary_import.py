"""Import glossary terms from CSV or TBX into the project glossary or one episode's."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from translator.core.tm_formats import ExchangeError
from translator.management.commands._common import get_episode, read_input_file
from translator.services import memory


class Command(BaseCommand):
    help = (
        "Import terms (CSV source,target[,note] or TBX) into the project glossary, or --episode's."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--episode", help="episode id (default: the project glossary)")

    def handle(self, *args, path, episode=None, **options):
        episode_id = get_episode(episode).pk if episode else None
        data = read_input_file(path)
        try:
            result = memory.import_glossary(
                data=data, filename=Path(path).name, episode_id=episode_id
            )
        except ExchangeError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from exc
        self.stdout.write(f"{result.added} terms added, {result.updated} updated.")
