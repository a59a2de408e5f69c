"""Helpers shared by the management commands (argument parsing only)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from translator.core.errors import InputError
from translator.core.formats import AUTO, FORMAT_NAMES, INPUT_FORMATS
from translator.core.timing import parse_duration
from translator.models import Episode

# --format choices: the registry's names and aliases (``ssa`` is read as ``ass``).
FORMATS = [AUTO, *FORMAT_NAMES, *(a for f in INPUT_FORMATS for a in f.aliases)]


def read_input_file(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise CommandError(f"{path}: no such file")
    if not p.is_file():
        raise CommandError(f"{path}: not a regular file")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from exc


def duration_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return parse_duration(value)
    except InputError as exc:
        raise CommandError(f"--duration: {exc}") from exc


def get_episode(value: str) -> Episode:
    if not value.isdigit():
        raise CommandError(f"EPISODE must be an episode id (a number), not “{value}”")
    try:
        return Episode.objects.get(pk=int(value))
    except Episode.DoesNotExist:
        raise CommandError(f"No episode with id {value}") from None
