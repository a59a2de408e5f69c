"""``manage.py segment``: the detected structure, nothing written."""

from __future__ import annotations

import json

import pytest

from translator.models import Episode

pytestmark = pytest.mark.django_db

TALK = (
    "佐藤: こんにちは、佐藤です。今日はよろしくお願いします。\n\n"
    "田中: はい、田中です。よろしくお願いします。\n\n"
    "佐藤: では始めましょう。\n\n"
    "田中: そうですね。\n"
)


@pytest.fixture
def talk(tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text(TALK, encoding="utf-8")
    return path


def test_prints_speakers_sentences_and_cues(run, talk):
    ran = run("segment", str(talk))
    assert "Speakers:  佐藤, 田中" in ran.out
    assert "Paragraphs 4, sentences 6" in ran.out
    assert "  * こんにちは、佐藤です。" in ran.out
    assert "→" in ran.out  # cue times
    assert not Episode.objects.exists()


def test_json_is_one_object_per_paragraph(run, talk):
    lines = run("segment", str(talk), "--json").out.splitlines()
    paragraphs = [json.loads(line) for line in lines]
    assert [p["speaker"] for p in paragraphs] == ["佐藤", "田中", "佐藤", "田中"]
    first = paragraphs[0]["sentences"][0]
    assert first["text"] == "こんにちは、佐藤です。"
    cue = first["cues"][0]
    assert cue["lines"] and 0 <= cue["start_ms"] < cue["end_ms"]


def test_shift_jis_file_is_decoded(run, tmp_path):
    path = tmp_path / "sjis.txt"
    path.write_bytes(TALK.encode("cp932"))
    assert "Speakers:  佐藤, 田中" in run("segment", str(path)).out


def test_bad_input_is_one_line(refused, tmp_path):
    assert "no such file" in refused("segment", str(tmp_path / "missing.txt"))
    english = tmp_path / "english.txt"
    english.write_text("This is plain English text, not a Japanese transcript.\n" * 5)
    assert str(english) in refused("segment", str(english))
    assert "--duration" in refused("segment", str(english), "--duration", "soon")
