"""Show how a transcript or subtitle file would be segmented, without touching the database."""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from translator.core.errors import InputError
from translator.core.requests import ImportRequest
from translator.management.commands._common import FORMATS, duration_ms, read_input_file
from translator.services.importing import preview_document


def _ms(value: int | None) -> str:
    if value is None:
        return "--:--.---"
    minutes, rest = divmod(value, 60_000)
    return f"{minutes:02d}:{rest / 1000:06.3f}"


class Command(BaseCommand):
    help = "Print the detected structure (paragraphs, sentences, cues, timing) of a file."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--encoding", default="auto")
        parser.add_argument(
            "--any-language",
            action="store_true",
            help="Import even if the text does not read as Japanese (Chinese, English…)",
        )
        parser.add_argument("--duration", help="Episode duration HH:MM:SS (scales estimates)")
        parser.add_argument("--json", action="store_true", help="One JSON object per paragraph")
        parser.add_argument(
            "--track", help="Timed files: the language track to read (ja, zh, en…; default ja)"
        )

    def handle(self, *args, path, format, encoding, duration, json: bool, track=None, **options):
        data = read_input_file(path)
        request = ImportRequest(
            filename=path,
            format=format,
            encoding=encoding,
            check_language=not options.get("any_language"),
            duration_ms=duration_ms(duration),
            track=track or None,
        )
        try:
            doc = preview_document(data=data, request=request)
        except InputError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if json:
            self._print_json(doc)
            if doc.report:  # the report on stderr keeps stdout one JSON object per line
                for line in doc.report.lines():
                    self.stderr.write(line)
        else:
            self._print_text(doc)

    def _print_json(self, doc) -> None:
        for p in doc.paragraphs:
            obj = {
                "speaker": p.speaker,
                "kind": p.kind.value,
                "sentences": [
                    {
                        "text": s.text,
                        "cues": [
                            {
                                "lines": c.lines,
                                "start_ms": c.start_ms,
                                "end_ms": c.end_ms,
                                "timing": c.timing.value,
                            }
                            for c in s.cues
                        ],
                    }
                    for s in p.sentences
                ],
            }
            self.stdout.write(jsonlib.dumps(obj, ensure_ascii=False))

    def _print_text(self, doc) -> None:
        n_sent = sum(len(p.sentences) for p in doc.paragraphs)
        n_cues = sum(len(s.cues) for p in doc.paragraphs for s in p.sentences)
        self.stdout.write(f"Title:     {doc.title}")
        self.stdout.write(f"Format:    {doc.source_format} ({doc.encoding})")
        self.stdout.write(f"Speakers:  {', '.join(doc.speakers) or '-'}")
        self.stdout.write(f"Paragraphs {len(doc.paragraphs)}, sentences {n_sent}, cues {n_cues}")
        for warning in doc.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        if doc.report:
            self.stdout.write("Import report:")
            for line in doc.report.lines():
                self.stdout.write(f"  {line}")
        for p in doc.paragraphs:
            self.stdout.write("")
            self.stdout.write(f"[{p.kind.value}] {p.speaker or ''}".rstrip())
            for s in p.sentences:
                self.stdout.write(f"  * {s.text}")
                for c in s.cues:
                    lines = " / ".join(c.lines)
                    self.stdout.write(f"      {_ms(c.start_ms)} → {_ms(c.end_ms)}  {lines}")
