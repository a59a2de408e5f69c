"""List the Argos Translate packages installed in ARGOS_PACKAGES_DIR."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from translator.engines import argos_packages
from translator.engines.base import EngineError


class Command(BaseCommand):
    help = "List the Argos Translate packages installed in ARGOS_PACKAGES_DIR."

    def handle(self, *args: object, **options: object) -> None:
        packages_dir = settings.ARGOS_PACKAGES_DIR
        try:
            installed = argos_packages.list_installed(packages_dir)
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        if not installed:
            self.stdout.write(
                f"No Argos packages in {packages_dir}. Install one with: "
                "python manage.py argos_install --from-file PATH.argosmodel"
            )
            return
        for pkg in installed:
            self.stdout.write(
                f"{pkg.from_code}→{pkg.to_code}  {pkg.package_version or '-'}  {pkg.name}"
            )
