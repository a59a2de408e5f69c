"""translator/services/importing.py: imports all or nothing, stashed uploads and their cleanup."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command

from translator.core.errors import InputError
from translator.core.requests import ImportRequest
from translator.models import Cue, Episode, ImportJob, Segment, Speaker
from translator.services import importing

pytestmark = pytest.mark.django_db

TRANSCRIPT = (
    "佐藤: こんにちは、佐藤です。今日はよろしくお願いします。\n\n"
    "田中: はい、田中です。よろしくお願いします。\n\n"
    "佐藤: では始めましょう。\n\n"
    "田中: そうですね。\n"
)
DAY_S = 24 * 3600


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "pending-imports"


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_import_episode_writes_speakers_segments_and_cues():
    episode = importing.import_episode(
        data=TRANSCRIPT.encode(), request=ImportRequest(filename="talk.txt")
    )
    assert sorted(Speaker.objects.filter(episode=episode).values_list("label", flat=True)) == [
        "佐藤",
        "田中",
    ]
    sources = list(episode.segments.order_by("order").values_list("source_text", flat=True))
    assert sources == [
        "こんにちは、佐藤です。",
        "今日はよろしくお願いします。",
        "はい、田中です。",
        "よろしくお願いします。",
        "では始めましょう。",
        "そうですね。",
    ]
    assert list(episode.segments.order_by("order").values_list("turn", flat=True)) == [
        *sorted(episode.segments.values_list("turn", flat=True))
    ]
    assert Cue.objects.filter(segment__episode=episode).count() >= len(sources)
    assert set(episode.segments.values_list("status", flat=True)) == {Segment.Status.UNTRANSLATED}
    assert episode.source_filename == "talk.txt"


def test_bad_input_leaves_no_episode_behind():
    with pytest.raises(InputError) as info:
        importing.import_episode(data=b"", request=ImportRequest(filename="empty.txt"))
    assert "\n" not in str(info.value)
    with pytest.raises(InputError):
        importing.import_episode(data="This is an English sentence, not Japanese.\n" * 5)
    assert not Episode.objects.exists()
    assert not Segment.objects.exists()


def test_preview_writes_nothing():
    doc = importing.preview_document(data=TRANSCRIPT)
    assert [p.speaker for p in doc.paragraphs] == ["佐藤", "田中", "佐藤", "田中"]
    assert not Episode.objects.exists()


def test_stash_round_trip_and_discard(data_dir):
    token = importing.stash_upload("字幕")
    importing.stash_part(token, "en", b"English")
    assert importing.read_pending(token) == "字幕".encode()
    assert importing.read_pending(token, part="en") == b"English"
    assert importing.read_pending("../../etc/passwd") is None  # only our own random names
    assert importing.read_pending(token, part="secret") is None
    importing.discard_pending(token)
    assert importing.read_pending(token) is None
    assert importing.read_pending(token, part="en") is None
    assert list(data_dir.iterdir()) == []


def test_abandoned_previews_are_deleted_after_a_day(data_dir):
    old = importing.stash_upload(b"old")
    importing.stash_part(old, "en", b"old english")
    fresh = importing.stash_upload(b"fresh")
    needed = importing.stash_upload(b"queued import")
    ImportJob.objects.create(token=needed, state=ImportJob.State.QUEUED)
    stray = data_dir / "README"
    stray.write_text("not an upload")
    for path in (data_dir / old, data_dir / f"{old}-en", data_dir / needed, stray):
        _age(path, DAY_S + 60)
    _age(data_dir / fresh, DAY_S - 60)

    assert importing.cleanup_pending() == sorted([old, f"{old}-en"])
    assert importing.read_pending(old) is None
    assert importing.read_pending(fresh) == b"fresh"
    assert importing.read_pending(needed) == b"queued import"  # a job still needs it
    assert stray.exists()  # not ours
    assert importing.cleanup_pending() == []


def test_each_new_stash_deletes_the_abandoned_ones(data_dir):
    old = importing.stash_upload(b"old")
    _age(data_dir / old, DAY_S + 1)
    new = importing.stash_upload(b"new")
    assert sorted(p.name for p in data_dir.iterdir()) == [new]


def test_resume_jobs_deletes_abandoned_previews(data_dir, capsys):
    old = importing.stash_upload(b"old")
    _age(data_dir / old, 2 * DAY_S)
    call_command("resume_jobs")
    out = capsys.readouterr().out
    assert "No job to resume." in out
    assert "Deleted 1 abandoned import upload(s)." in out
    assert not (data_dir / old).exists()


def test_cleanup_without_a_folder_is_a_no_op(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "never-made"
    assert importing.cleanup_pending(max_age=timedelta(0)) == []
