"""Restore a JSON project file as a new episode; prints the new episode's id."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from translator.management.commands._common import read_input_file
from translator.services import backup


class Command(BaseCommand):
    help = "Import a Jimaku project file (made by export_project) as a new episode."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--user",
            help="restore as this account (its permissions apply: approval survives only for "
            "a reviewer); default: the operator, who may approve",
        )

    def handle(self, *args, path, user=None, **options):
        account = None
        if user:
            model = get_user_model()
            account = model.objects.filter(**{model.USERNAME_FIELD: user}).first()
            if account is None:
                raise CommandError(f"--user: no account named “{user}”")
        data = read_input_file(path)
        try:
            episode = backup.import_project(data=data, user=account)
        except backup.BackupError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except PermissionDenied:
            raise CommandError(f"--user: {user} may not import episodes") from None
        self.stderr.write(f"Imported “{episode.title}”: {episode.segments.count()} segments.")
        for line in backup.restore_report(episode).lines():
            self.stderr.write(line)
        self.stdout.write(str(episode.pk))
