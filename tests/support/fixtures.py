"""pytest fixtures for engine tests: a fake DeepL server, tiny Argos models, isolated dirs.

Import them into a conftest (``from tests.support.fixtures import *``) to register them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.argos_model import build_argosmodel
from tests.support.deepl_server import FakeDeepLServer

__all__ = [
    "ArgosModels",
    "argos_isolated_dirs",
    "argos_models",
    "argos_settings",
    "deepl_engine",
    "deepl_server",
    "deepl_settings",
    "fast_deepl_retries",
    "installed_argos",
    "packages_dir",
    "use_argos",
    "use_deepl",
]


@pytest.fixture(scope="session", autouse=True)
def argos_isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """argostranslate writes under XDG_* and reads ARGOS_PACKAGES_DIR when first imported."""
    root = tmp_path_factory.mktemp("argos-home")
    names = ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "ARGOS_PACKAGES_DIR")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(root / name.lower())
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass(frozen=True)
class ArgosModels:
    copy: Path  # copies the input; package_version 1.0
    cat: Path  # same pair, package_version 2.0, outputs "cat" for 猫


@pytest.fixture(scope="session")
def argos_models(tmp_path_factory: pytest.TempPathFactory) -> ArgosModels:
    """Two real tiny .argosmodel files, built once per test session (about 1.5 s)."""
    root = tmp_path_factory.mktemp("argosmodels")
    return ArgosModels(
        copy=build_argosmodel(root / "copy.argosmodel", package_version="1.0"),
        cat=build_argosmodel(
            root / "cat.argosmodel", package_version="2.0", token_map={"猫": "cat"}
        ),
    )


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    return tmp_path / "argos-packages"


@pytest.fixture
def installed_argos(argos_models: ArgosModels, packages_dir: Path):
    """An ArgosEngine over a packages dir holding the copy model."""
    from translator.engines.argos import ArgosEngine
    from translator.engines.argos_packages import install_from_file

    install_from_file(argos_models.copy, packages_dir)
    return ArgosEngine(packages_dir, beam_size=2)


@pytest.fixture
def fast_deepl_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """deepl's retry loop in milliseconds instead of ~16 s (2 retries, 1 s request timeout)."""
    import deepl

    monkeypatch.setattr(deepl.http_client, "max_network_retries", 2)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", 1.0)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_MAX", 0.05)


@pytest.fixture
def deepl_server(fast_deepl_retries: None) -> Iterator[FakeDeepLServer]:
    """A DeepL-compatible server on 127.0.0.1 that records requests."""
    with FakeDeepLServer() as server:
        yield server


@pytest.fixture
def deepl_engine(deepl_server: FakeDeepLServer):
    from translator.engines.deepl import DeepLEngine

    return DeepLEngine(deepl_server.auth_key, deepl_server.url)


# --------------------------------------------------------------------------- engine settings


def use_argos(settings: Any, packages: Path | str, **options: Any) -> None:
    """Point the ``argos`` engine at ``packages`` (``options``: more ArgosEngine options,
    e.g. ``beam_size=1``: the copy model never ends its second beam hypothesis)."""
    from translator.engines.registry import reset_engines

    settings.TRANSLATION_ENGINES = {
        "argos": {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages), **options},
        }
    }
    reset_engines()


def use_deepl(settings: Any, server_url: str, auth_key: str) -> None:
    """Point the ``deepl`` engine at a DeepL-compatible server."""
    from translator.engines.registry import reset_engines

    settings.TRANSLATION_ENGINES = {
        "deepl": {
            "CLASS": "translator.engines.deepl.DeepLEngine",
            "OPTIONS": {"auth_key": auth_key, "server_url": server_url},
        }
    }
    reset_engines()


@pytest.fixture
def argos_settings(settings: Any, argos_models: ArgosModels, tmp_path: Path) -> Iterator[Any]:
    """The ``argos`` engine with the copy model installed, beam 1; yields ``settings``."""
    from translator.engines.argos_packages import install_from_file
    from translator.engines.registry import reset_engines

    packages = tmp_path / "argos-packages"
    install_from_file(argos_models.copy, packages)
    use_argos(settings, packages, beam_size=1)
    yield settings
    reset_engines()


@pytest.fixture
def deepl_settings(settings: Any, deepl_server: FakeDeepLServer) -> Iterator[FakeDeepLServer]:
    """The ``deepl`` engine on the local DeepL-compatible server; yields the server."""
    from translator.engines.registry import reset_engines

    use_deepl(settings, deepl_server.url, deepl_server.auth_key)
    yield deepl_server
    reset_engines()
