"""Helpers for the management-command tests: run a command, get what it printed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@dataclass
class Ran:
    out: str
    err: str


@pytest.fixture
def run(capsys):
    """``run("segment", path, "--json")`` → what the command wrote to stdout and stderr."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        call_command(*args)
        captured = capsys.readouterr()
        return Ran(captured.out, captured.err)

    return run


@pytest.fixture
def refused():
    """``refused("segment", "missing.txt")`` → the one-line ``CommandError`` message."""

    def refused(*args: str) -> str:
        with pytest.raises(CommandError) as info:
            call_command(*args)
        message = str(info.value)
        assert message and "\n" not in message and "Traceback" not in message
        return message

    return refused
