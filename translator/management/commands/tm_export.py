"""Write the translation memory as a TMX 1.4 file (Japanese → English)."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from translator.models import Episode
from translator.services import memory


class Command(BaseCommand):
    help = "Export the translation memory as TMX 1.4 (stdout, or -o FILE)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: stdout)")
        parser.add_argument(
            "--english",
            choices=[c for c, _ in Episode.TargetLanguage.choices],
            help="only units of this English variant",
        )

    def handle(self, *args, output=None, english=None, **options):
        data = memory.export_tmx(target_language=english)
        if not output or output == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror})") from exc
        units = len(re.findall(rb"<tu[\s>]", data))  # not the <tuv> inside each unit
        self.stderr.write(f"Wrote {units} units to {output}.")
