"""Install an Argos Translate package: from a file, or from the Argos index (needs network)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from translator.engines import argos_packages
from translator.engines.base import EngineError


class Command(BaseCommand):
    help = (
        "Install an Argos Translate package into ARGOS_PACKAGES_DIR: "
        "'argos_install --from-file PATH.argosmodel' or 'argos_install ja en' (download)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("from_code", nargs="?", help="source language code, e.g. ja")
        parser.add_argument("to_code", nargs="?", help="target language code, e.g. en")
        parser.add_argument("--from-file", dest="from_file", help="path to a .argosmodel file")

    def handle(self, *args: object, **options: object) -> None:
        packages_dir = settings.ARGOS_PACKAGES_DIR
        from_file = options.get("from_file")
        from_code, to_code = options.get("from_code"), options.get("to_code")
        if from_file and (from_code or to_code):
            raise CommandError("Give either --from-file PATH or FROM TO, not both")
        if not from_file and not (from_code and to_code):
            raise CommandError("Give --from-file PATH.argosmodel, or FROM and TO codes (ja en)")
        try:
            if from_file:
                installed = argos_packages.install_from_file(str(from_file), packages_dir)
            else:
                installed = argos_packages.install_from_index(
                    str(from_code), str(to_code), packages_dir
                )
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Installed {installed.from_code}→{installed.to_code} "
            f"({installed.version_label}) in {installed.path}"
        )
