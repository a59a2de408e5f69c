"""Restore a JSON project file as a new episode; prints the new episode's id."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from translator.management.commands._common import read_input_file
from translator.services import backup


class Command(BaseCommand):
    help = "Import a Jimaku project file (made by export_project) as a new episode."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        data = read_input_file(path)
        try:
            episode = backup.import_project(data=data)
        except backup.BackupError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stderr.write(f"Imported “{episode.title}”: {episode.segments.count()} segments.")
        self.stdout.write(str(episode.pk))
