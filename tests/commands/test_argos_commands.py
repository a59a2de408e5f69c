"""The argos_install / argos_list commands, run in a subprocess with minimal Django settings."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=[],
    ARGOS_PACKAGES_DIR=sys.argv[1],
)
django.setup()
from django.core.management import load_command_class, CommandError
name, args = sys.argv[2], sys.argv[3:]
command = load_command_class("translator", name)
try:
    command.run_from_argv(["manage.py", name, *args])
except SystemExit as exc:
    sys.exit(exc.code)
"""


def _run(tmp_path, packages, *args):
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(tmp_path / "xdg")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(packages), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_install_from_file_then_list(argos_models, tmp_path):
    packages = tmp_path / "pk"
    out = _run(tmp_path, packages, "argos_list")
    assert out.returncode == 0 and "No Argos packages" in out.stdout
    out = _run(tmp_path, packages, "argos_install", "--from-file", str(argos_models.copy))
    assert out.returncode == 0, out.stderr
    assert "Installed ja→en (translate-ja_en-test 1.0)" in out.stdout
    out = _run(tmp_path, packages, "argos_list")
    assert out.stdout.strip() == "ja→en  1.0  translate-ja_en-test"


def test_bad_file_is_a_one_line_command_error(tmp_path):
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"not a zip")
    out = _run(tmp_path, tmp_path / "pk", "argos_install", "--from-file", str(bad))
    assert out.returncode == 1
    assert (
        out.stderr.strip()
        == "CommandError: bad.argosmodel is not an Argos package (not a zip archive)"
    )


def test_missing_arguments(tmp_path):
    out = _run(tmp_path, tmp_path / "pk", "argos_install")
    assert out.returncode == 1
    assert "Give --from-file" in out.stderr
