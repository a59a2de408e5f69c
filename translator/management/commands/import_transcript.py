"""Import a transcript or subtitle file as a new episode; prints the new episode's id."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from translator.core.errors import InputError
from translator.core.report import ImportReport
from translator.core.requests import ImportRequest
from translator.management.commands._common import FORMATS, duration_ms, read_input_file
from translator.models import Episode
from translator.services.importing import import_episode


class Command(BaseCommand):
    help = "Import a Japanese transcript (txt/md) or subtitle file (srt/vtt/ass) as an episode."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--title")
        parser.add_argument("--duration", help="Episode duration HH:MM:SS")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--encoding", default="auto")
        parser.add_argument(
            "--any-language",
            action="store_true",
            help="Import even if the text does not read as Japanese (Chinese, English…)",
        )
        parser.add_argument(
            "--english", default="EN-US", choices=[c for c, _ in Episode.TargetLanguage.choices]
        )
        parser.add_argument(
            "--track", help="Timed files: the language track to import (ja, zh, en…; default ja)"
        )
        parser.add_argument(
            "--english-track",
            help="Import this track of the same file (e.g. en) as the existing English",
        )
        parser.add_argument(
            "--english-file",
            help="An English subtitle file with the same timing, imported as the existing English",
        )

    def handle(self, *args, path, title, duration, format, encoding, english, **options):
        data = read_input_file(path)
        english_path = options.get("english_file")
        request = ImportRequest(
            filename=path,
            format=format,
            encoding=encoding,
            check_language=not options.get("any_language"),
            title=title,
            duration_ms=duration_ms(duration),
            target_language=english,
            track=options.get("track"),
            english_track=options.get("english_track"),
            english_file=read_input_file(english_path) if english_path else None,
        )
        try:
            episode = import_episode(data=data, request=request)
        except InputError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        n = episode.segments.count()
        self.stderr.write(f"Imported “{episode.title}”: {n} segments.")
        for line in ImportReport.from_dict(episode.import_report).lines():
            self.stderr.write(line)
        self.stdout.write(str(episode.pk))
