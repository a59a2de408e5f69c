"""First-run setup for a local install: an admin account (password printed once) and the
sample episode. Safe to run again: it does nothing the second time."""

from __future__ import annotations

import secrets
from importlib import resources

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from translator.core.requests import ImportRequest
from translator.models import Episode
from translator.permissions import REVIEWER_GROUP
from translator.services.importing import import_episode


def sample_episode_bytes() -> bytes:
    return resources.files("translator.samples").joinpath("sample_episode.txt").read_bytes()


class Command(BaseCommand):
    help = "Create the local admin account (once) and load the sample episode (once)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--no-sample", action="store_true", help="Do not load the sample.")

    def handle(self, *args, username: str, no_sample: bool, **options):
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username=username, email="", password=password)
            user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
            self.stdout.write(
                self.style.SUCCESS(
                    "\n  Admin account created (shown only this once):\n"
                    f"    username: {username}\n    password: {password}\n"
                )
            )
        else:
            self.stdout.write(f"Admin account '{username}' already exists.")
        if not no_sample and not Episode.objects.exists():
            episode = import_episode(
                data=sample_episode_bytes(),
                user=None,
                request=ImportRequest(filename="sample_episode.txt"),
            )
            self.stdout.write(
                f"Loaded the sample episode #{episode.pk}: {episode.title} "
                f"({episode.segments.count()} segments)."
            )
