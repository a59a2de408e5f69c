"""Large imports leave the web request: the time of the upload request that hands a
transcript of 1, 4 and 16 MB to the worker, against an inline preview request of 64 KB.

The request only checks the form, stores the file under a random name and queues the job, so
its time grows with the bytes copied, not with the parsing (that runs in ``db_worker``).
Throwaway SQLite database. ``python -m bench.run import_scale`` prints the figures.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.common import Figure, median_time

SECTION = "Large imports (web request)"
MB = 1024 * 1024
SIZES_MB = (1, 4, 16)
LINE = "友野: 今日はポッドキャストの字幕について話しますが、まずは自己紹介からお願いします。\n"


def _setup_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        tmp = Path(tempfile.mkdtemp(prefix="jimaku-bench-import-"))
        os.environ["JIMAKU_DATA_DIR"] = str(tmp)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_DEBUG", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
        os.environ.setdefault("JIMAKU_LOG_LEVEL", "WARNING")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _transcript(n_bytes: int) -> bytes:
    line = LINE.encode()
    return line * (n_bytes // len(line) + 1)


def run() -> list[Figure]:
    _setup_django()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    user, _ = User.objects.get_or_create(username="bench-import")
    user.groups.add(Group.objects.get(name="translator"))
    client = Client()
    client.force_login(user)
    form = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}

    def post(data: bytes, expect: int) -> None:
        upload = SimpleUploadedFile("bench.txt", data, content_type="text/plain")
        response = client.post("/episodes/import/", {"file": upload, **form})
        assert response.status_code == expect, response.status_code

    small = _transcript(64 * 1024)
    inline = median_time(lambda: post(small, 200), repeat=3)
    figures = [
        Figure(SECTION, "inline preview request, 64 KB (parsed in the request)", inline),
    ]
    first = None
    for size in SIZES_MB:
        data = _transcript(size * MB)
        value = median_time(lambda data=data: post(data, 302), repeat=3)
        first = first or value
        figures.append(
            Figure(
                SECTION,
                f"upload request handing {size} MB to the worker",
                value,
                baseline_name=f"{SIZES_MB[0]} MB" if size != SIZES_MB[0] else "",
                baseline_value=first if size != SIZES_MB[0] else None,
                goal=f"<= {size}x (bytes copied, no parsing)" if size != SIZES_MB[0] else "",
                note="returns before any segmentation",
            )
        )
    return figures


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name}: {fig.value * 1e3:.1f} ms")
