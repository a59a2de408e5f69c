"""Argos Translate package management: install, list, find (``argostranslate.package`` only).

An ``.argosmodel`` is a zip with ONE top-level folder holding ``metadata.json`` (with
``from_code``/``to_code``), ``model/model.bin`` (CTranslate2) and ``sentencepiece.model``.

argostranslate notes (1.11):

* ``argostranslate.settings`` reads ``ARGOS_PACKAGES_DIR`` (and ``XDG_*_HOME``) once, at import,
  and creates its data/cache/config folders there. We never rely on its global packages dir:
  every function here takes ``packages_dir`` and passes explicit paths; :func:`argos_package`
  only sets ``ARGOS_PACKAGES_DIR`` (if unset) before the first import so argostranslate's own
  tools agree with us.
* ``argostranslate.package.install_from_path`` extracts into the global dir without validation
  and imports ``argostranslate.translate`` (torch, stanza) to clear a cache, so installs here
  validate the zip first and extract into a staging folder that is renamed into place.
* ``argostranslate.translate`` keeps in-process caches (``get_installed_languages`` lru_cache and
  ``installed_translates``, holding loaded translators) that survive reinstalls. Our engine does
  not use that path; :func:`invalidate_caches` clears them if that module was imported anyway,
  and ``ArgosEngine`` notices a changed package on disk by itself (also in other processes).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from translator.engines.base import EngineError

REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")


class ArgosPackageError(EngineError):
    """An Argos package cannot be installed or found. One line, for the command line."""


class InvalidPackageError(ArgosPackageError):
    """The file is not a usable ``.argosmodel``."""


@dataclass(frozen=True)
class InstalledPackage:
    """One installed Argos package (a folder under the packages dir)."""

    name: str  # folder name, e.g. "translate-ja_en-1_9"
    path: Path
    from_code: str
    to_code: str
    package_version: str
    from_name: str = ""
    to_name: str = ""
    argos_version: str = ""
    target_prefix: str = ""

    @property
    def version_label(self) -> str:
        """Provenance string: package name and version from metadata.json."""
        return f"{self.name} {self.package_version}".strip()


def silence_argos_loggers() -> None:
    """argostranslate logs user text at INFO: keep only warnings and errors."""
    for name in ("argostranslate", "argostranslate.utils"):
        logging.getLogger(name).setLevel(logging.WARNING)


def argos_package(packages_dir: str | os.PathLike[str] | None = None) -> ModuleType:
    """Import ``argostranslate.package`` (light: no torch), with our packages dir as default."""
    if "argostranslate.settings" not in sys.modules and packages_dir is not None:
        os.environ.setdefault("ARGOS_PACKAGES_DIR", str(packages_dir))
    try:
        import argostranslate.package as package
    except ImportError as exc:
        raise ArgosPackageError(
            "argostranslate is not installed (pip install argostranslate)", engine="argos"
        ) from exc
    silence_argos_loggers()
    return package


def list_installed(packages_dir: str | os.PathLike[str]) -> list[InstalledPackage]:
    """Installed packages under ``packages_dir`` (folders without metadata.json are skipped)."""
    root = Path(packages_dir)
    if not root.is_dir():
        return []
    package = argos_package(root)
    found = []
    for path in sorted(root.iterdir()):
        if not path.is_dir() or path.name.startswith(".") or not (path / "metadata.json").exists():
            continue
        try:
            pkg = package.Package(path)
        except (OSError, ValueError):
            continue
        if not pkg.from_code or not pkg.to_code:
            continue
        found.append(
            InstalledPackage(
                name=path.name,
                path=path,
                from_code=pkg.from_code,
                to_code=pkg.to_code,
                package_version=str(pkg.package_version or ""),
                from_name=pkg.from_name or "",
                to_name=pkg.to_name or "",
                argos_version=str(pkg.argos_version or ""),
                target_prefix=pkg.target_prefix or "",
            )
        )
    return found


def find_package(
    packages_dir: str | os.PathLike[str], from_code: str, to_code: str
) -> InstalledPackage | None:
    """The installed package for the pair (highest version if several), or ``None``."""
    matches = [
        p for p in list_installed(packages_dir) if p.from_code == from_code and p.to_code == to_code
    ]
    if not matches:
        return None
    return max(matches, key=lambda p: (_version_key(p.package_version), p.name))


def validate_package_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check an ``.argosmodel`` without extracting it; return its metadata.json.

    Raises :class:`InvalidPackageError` naming what is wrong.
    """
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise InvalidPackageError(f"{label}: no such file")
    if not zipfile.is_zipfile(path):
        raise InvalidPackageError(f"{label} is not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n and not n.startswith("__MACOSX/")]
            tops = set()
            for name in names:
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name:
                    raise InvalidPackageError(f"{label} contains an unsafe path: {name}")
                tops.add(parts[0])
            if len(tops) != 1 or not any("/" in n for n in names):
                raise InvalidPackageError(
                    f"{label} must contain exactly one top-level folder (found {len(tops)})"
                )
            top = tops.pop()
            members = set(names)
            missing = [f for f in REQUIRED_FILES if f"{top}/{f}" not in members]
            if missing:
                raise InvalidPackageError(
                    f"{label} is incomplete: missing {', '.join(missing)} in {top}/"
                )
            bad = archive.testzip()
            if bad is not None:
                raise InvalidPackageError(f"{label} is corrupt (bad CRC in {bad})")
            metadata = json.loads(archive.read(f"{top}/metadata.json").decode("utf-8"))
    except InvalidPackageError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InvalidPackageError(f"{label} is corrupt: {exc}") from exc
    if not isinstance(metadata, dict):
        raise InvalidPackageError(f"{label}: metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise InvalidPackageError(f"{label}: metadata.json has no {key}")
    metadata["_top"] = top
    return metadata


def install_from_file(
    path: str | os.PathLike[str], packages_dir: str | os.PathLike[str]
) -> InstalledPackage:
    """Validate and install a ``.argosmodel``; replaces the installed package of the same pair.

    The archive is checked first, then extracted into a staging folder inside ``packages_dir``
    and renamed into place; on any failure the packages directory is left as it was.
    """
    metadata = validate_package_file(path)
    root = Path(packages_dir)
    root.mkdir(parents=True, exist_ok=True)
    top = metadata["_top"]
    staging = root / f".staging-{uuid.uuid4().hex}"
    trash = root / f".trash-{uuid.uuid4().hex}"
    try:
        staging.mkdir()
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        new_dir = staging / top
        argos_package(root).Package(new_dir)  # argostranslate can read it
        old = [
            p
            for p in list_installed(root)
            if (p.from_code, p.to_code) == (metadata["from_code"], metadata["to_code"])
            or p.name == top
        ]
        if (root / top).exists() and all(p.name != top for p in old):
            raise ArgosPackageError(f"{root / top} exists and is not an Argos package")
        trash.mkdir()
        for pkg in old:
            pkg.path.rename(trash / pkg.name)
        try:
            new_dir.rename(root / top)
        except OSError:
            for pkg in old:  # put the previous package back
                (trash / pkg.name).rename(pkg.path)
            raise
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArgosPackageError(f"Installing {Path(path).name} failed: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
    invalidate_caches()
    installed = find_package(root, metadata["from_code"], metadata["to_code"])
    assert installed is not None
    return installed


def install_from_index(
    from_code: str, to_code: str, packages_dir: str | os.PathLike[str]
) -> InstalledPackage:
    """Download the pair's package from the Argos package index and install it.

    Needs network access; without it raises :class:`ArgosPackageError` with one line.
    """
    package = argos_package(packages_dir)
    from argostranslate import settings as argos_settings

    index_path = Path(argos_settings.local_package_index)
    before = index_path.stat().st_mtime_ns if index_path.exists() else None
    package.update_package_index()  # logs and returns on network errors
    after = index_path.stat().st_mtime_ns if index_path.exists() else None
    if after is None or after == before:
        raise ArgosPackageError(
            "Cannot reach the Argos package index at "
            f"{argos_settings.remote_package_index} (no network?). Download the .argosmodel "
            "elsewhere and use: python manage.py argos_install --from-file PATH.argosmodel",
            engine="argos",
        )
    available = [
        p
        for p in package.get_available_packages()
        if p.from_code == from_code and p.to_code == to_code
    ]
    if not available:
        raise ArgosPackageError(
            f"The Argos package index has no {from_code}→{to_code} package", engine="argos"
        )
    best = max(available, key=lambda p: _version_key(str(p.package_version)))
    try:
        downloaded = best.download()
    except Exception as exc:
        raise ArgosPackageError(
            f"Downloading the Argos {from_code}→{to_code} package failed: {exc}", engine="argos"
        ) from exc
    try:
        return install_from_file(downloaded, packages_dir)
    finally:
        Path(downloaded).unlink(missing_ok=True)


def invalidate_caches() -> None:
    """Drop loaded Argos translators so a (re)install takes effect in this process.

    Resets the engine registry's Argos instances and, only if ``argostranslate.translate`` was
    already imported, its language cache and loaded translations (never imports it).
    """
    from translator.engines import registry

    for name, engine in list(registry._engines.items()):
        if type(engine).__name__ == "ArgosEngine":
            registry.reset_engines(name)
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()
        translate.installed_translates.clear()


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.replace("-", ".").split("."):
        parts.append(int(piece) if piece.isdigit() else 0)
    return tuple(parts)
