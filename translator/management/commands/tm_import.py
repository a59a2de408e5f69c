"""Add a TMX 1.4 file's Japanese → English units to the translation memory, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from translator.core.tm_formats import ExchangeError
from translator.management.commands._common import read_input_file
from translator.services import memory


class Command(BaseCommand):
    help = "Import a TMX file (Japanese → English) into the translation memory as approved units."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        data = read_input_file(path)
        try:
            result = memory.import_tmx(data=data, filename=Path(path).name)
        except ExchangeError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from exc
        self.stdout.write(
            f"Imported {result.added} units into the translation memory"
            + (f" ({result.skipped} already there)." if result.skipped else ".")
        )
