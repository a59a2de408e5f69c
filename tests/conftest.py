"""Shared test fixtures. Tests never reach the internet and never touch ./data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before Django settings or argostranslate are imported: private data/XDG folders per run.
_RUN_DIR = Path(tempfile.mkdtemp(prefix="jimaku-tests-"))
os.environ.setdefault("JIMAKU_DATA_DIR", str(_RUN_DIR / "data"))
os.environ["ARGOS_PACKAGES_DIR"] = str(_RUN_DIR / "argos-packages")
for _name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
    os.environ[_name] = str(_RUN_DIR / _name.lower())
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.pop("DEEPL_AUTH_KEY", None)
os.environ.pop("DEEPL_SERVER_URL", None)

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# No wall-clock deadline on property tests: speed is measured in bench/, and a loaded CI
# machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("jimaku", deadline=None)
hypothesis_settings.load_profile("jimaku")

SAMPLE_PATH = (
    Path(__file__).resolve().parent.parent / "translator" / "samples" / "sample_episode.txt"
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """SQLite: the test database is a file of this run (WAL, busy timeout, IMMEDIATE
    transactions, as in production), not Django's in-memory default. With an in-memory
    database the live server's request threads and the test thread all share ONE connection,
    so two requests at once (a save while a row's suggestions load) failed under load with
    "database table is locked". JIMAKU_TEST_DB_NAME still names another file."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(_RUN_DIR / "test.sqlite3")


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE_PATH.read_bytes()


def ensure_groups() -> None:
    """The translator/reviewer groups as migration 0002 makes them. A transactional test's
    flush deletes migration-made rows, so tests that need the groups make sure of them."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from translator import permissions

    create_permissions(apps.get_app_config("translator"), verbosity=0)
    for name, codenames in (
        (permissions.TRANSLATOR_GROUP, permissions.TRANSLATOR_PERMISSIONS),
        (permissions.REVIEWER_GROUP, permissions.REVIEWER_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="translator", codename__in=codenames)
        )


def make_user(username: str, *, group: str | None = None, staff: bool = False):
    from django.contrib.auth.models import Group, User

    if group and not Group.objects.filter(name=group).exists():
        ensure_groups()

    user = User.objects.create_user(username=username, password="pw-" + username + "-123!")
    if staff:
        user.is_staff = True
        user.is_superuser = True
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def translator_user(db):
    return make_user("tina", group="translator")


@pytest.fixture
def reviewer_user(db):
    return make_user("rei", group="reviewer")


@pytest.fixture
def staff_user(db):
    return make_user("sam", staff=True)


@pytest.fixture
def plain_user(db):
    """Logged in but in no group: may not see or change anything."""
    return make_user("pat")


@pytest.fixture
def sample_episode(db, sample_bytes):
    from translator.core.requests import ImportRequest
    from translator.services.importing import import_episode

    return import_episode(data=sample_bytes, request=ImportRequest(filename="sample_episode.txt"))


# Engine fixtures (fake DeepL server, tiny Argos models) for every test package.
from tests.support.browser import *  # noqa: E402, F403
from tests.support.fixtures import *  # noqa: E402, F403
