"""``manage.py import_transcript``: a file becomes an episode; bad input changes nothing."""

from __future__ import annotations

import pytest

from tests.commands.test_segment import TALK
from translator.models import Episode, Segment

pytestmark = pytest.mark.django_db


def test_imports_and_prints_the_episode_id(run, tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text(TALK, encoding="utf-8")
    ran = run("import_transcript", str(path), "--title", "Talk", "--english", "EN-GB")
    episode = Episode.objects.get()
    assert ran.out.strip() == str(episode.pk)
    assert "Imported “Talk”: 6 segments." in ran.err
    assert episode.target_language == "EN-GB"
    assert episode.segments.count() == 6


def test_duration_scales_the_estimated_timing(run, tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text(TALK, encoding="utf-8")
    run("import_transcript", str(path), "--duration", "00:10:00")
    episode = Episode.objects.get()
    assert episode.duration_ms == 600_000


def test_english_file_is_imported_as_the_edited_english(run, tmp_path):
    ja = tmp_path / "ja.srt"
    ja.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nこんにちは。\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nありがとうございます。\n",
        encoding="utf-8",
    )
    en = tmp_path / "en.srt"
    en.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nHello.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nThank you.\n",
        encoding="utf-8",
    )
    run("import_transcript", str(ja), "--english-file", str(en))
    texts = list(Segment.objects.order_by("order").values_list("text", "status"))
    assert texts == [("Hello.", "edited"), ("Thank you.", "edited")]


def test_bad_input_is_one_line_and_imports_nothing(refused, tmp_path):
    assert "no such file" in refused("import_transcript", str(tmp_path / "nope.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert str(empty) in refused("import_transcript", str(empty))
    garbage = tmp_path / "garbage.srt"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    refused("import_transcript", str(garbage))
    assert not Episode.objects.exists()
