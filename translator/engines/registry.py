"""Engine registry: name → configured :class:`Engine`, one instance per process.

Configured by ``settings.TRANSLATION_ENGINES`` (read lazily, inside the functions)::

    TRANSLATION_ENGINES = {
        "deepl": {"CLASS": "translator.engines.deepl.DeepLEngine",
                  "OPTIONS": {"auth_key": DEEPL_AUTH_KEY, "server_url": DEEPL_SERVER_URL}},
        "argos": {"CLASS": "translator.engines.argos.ArgosEngine",
                  "OPTIONS": {"packages_dir": ARGOS_PACKAGES_DIR, "beam_size": 2}},
    }

Without that setting, :func:`default_engine_config` builds the same from ``DEEPL_AUTH_KEY``,
``DEEPL_SERVER_URL`` and ``ARGOS_PACKAGES_DIR`` (DeepL only when a key is set).
Instances are cached so the Argos model loads once per worker; :func:`reset_engines` drops them
(tests, and after a package install).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

from translator.engines.base import Engine, EngineConfigError

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def default_engine_config(settings: Any) -> dict[str, dict[str, Any]]:
    """``TRANSLATION_ENGINES`` built from the plain DeepL/Argos settings."""
    config: dict[str, dict[str, Any]] = {}
    auth_key = getattr(settings, "DEEPL_AUTH_KEY", "") or ""
    if auth_key:
        config["deepl"] = {
            "CLASS": "translator.engines.deepl.DeepLEngine",
            "OPTIONS": {
                "auth_key": auth_key,
                "server_url": getattr(settings, "DEEPL_SERVER_URL", None) or None,
            },
        }
    packages_dir = getattr(settings, "ARGOS_PACKAGES_DIR", None)
    if packages_dir:
        config["argos"] = {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages_dir)},
        }
    return config


def engine_config(config: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The engines configuration: ``config`` if given, else from Django settings."""
    if config is not None:
        return dict(config)
    from django.conf import settings

    configured = getattr(settings, "TRANSLATION_ENGINES", None)
    if configured is not None:
        return dict(configured)
    return default_engine_config(settings)


def available_engines(config: Mapping[str, Any] | None = None) -> list[str]:
    """Names of the configured engines, in configuration order."""
    return list(engine_config(config))


def get_engine(name: str, config: Mapping[str, Any] | None = None) -> Engine:
    """The process-wide instance of engine ``name`` (created on first use).

    Raises :class:`EngineConfigError` for an unknown name or a bad ``CLASS``; the engine's own
    constructor may raise other :class:`EngineError` subclasses (e.g. a missing DeepL key).
    """
    with _lock:
        engine = _engines.get(name)
        if engine is not None:
            return engine
        engines = engine_config(config)
        entry = engines.get(name)
        if entry is None:
            known = ", ".join(engines) or "none"
            raise EngineConfigError(f"Unknown translation engine '{name}' (configured: {known})")
        engine_class = _import_class(entry.get("CLASS", ""))
        engine = engine_class(**dict(entry.get("OPTIONS", {})))
        _engines[name] = engine
        return engine


def reset_engines(name: str | None = None) -> None:
    """Forget cached engine instances (all, or just ``name``); the next use re-creates them."""
    with _lock:
        if name is None:
            _engines.clear()
        else:
            _engines.pop(name, None)


def _import_class(path: str) -> type[Engine]:
    module_name, _, class_name = path.rpartition(".")
    try:
        engine_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise EngineConfigError(f"Translation engine class '{path}' cannot be imported") from exc
    if not (isinstance(engine_class, type) and issubclass(engine_class, Engine)):
        raise EngineConfigError(f"'{path}' is not a translation engine class")
    return engine_class
