"""``glossary_export`` and ``glossary_import``: the project glossary or one episode's."""

from __future__ import annotations

import pytest

from translator.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def test_import_csv_then_export_both_formats(run, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("source,target,note\n字幕,subtitles,\n佐藤,Sato,a name\n", encoding="utf-8")
    assert run("glossary_import", str(path)).out.strip() == "2 terms added, 0 updated."
    assert set(GlossaryTerm.objects.filter(episode=None).values_list("source", "target")) == {
        ("字幕", "subtitles"),
        ("佐藤", "Sato"),
    }
    csv = run("glossary_export").out
    assert "字幕,subtitles" in csv and "佐藤,Sato,a name" in csv
    tbx = tmp_path / "terms.tbx"
    run("glossary_export", "--format", "tbx", "-o", str(tbx))
    assert "<termEntry" in tbx.read_text(encoding="utf-8") or "<conceptEntry" in tbx.read_text(
        encoding="utf-8"
    )
    GlossaryTerm.objects.all().delete()
    assert run("glossary_import", str(tbx)).out.strip() == "2 terms added, 0 updated."


def test_episode_glossary_is_kept_apart(run, sample_episode, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("source,target\n字幕,captions\n", encoding="utf-8")
    run("glossary_import", str(path), "--episode", str(sample_episode.pk))
    assert list(GlossaryTerm.objects.values_list("episode_id", "target")) == [
        (sample_episode.pk, "captions")
    ]
    assert "captions" in run("glossary_export", "--episode", str(sample_episode.pk)).out
    assert "captions" not in run("glossary_export").out


def test_bad_input_is_one_line_and_imports_nothing(refused, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage\x00")
    assert refused("glossary_import", str(bad)).endswith("Nothing was imported.")
    assert "No episode" in refused("glossary_import", str(bad), "--episode", "999")
    assert "no such file" in refused("glossary_import", str(tmp_path / "none.csv"))
    assert not GlossaryTerm.objects.exists()
