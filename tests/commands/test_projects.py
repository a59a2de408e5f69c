"""``manage.py export_project`` and ``import_project``: a backup and its restore."""

from __future__ import annotations

import json

import pytest

from translator.models import Episode

pytestmark = pytest.mark.django_db


def test_export_then_import_makes_a_copy(run, sample_episode, tmp_path):
    path = tmp_path / "backup.jimaku.json"
    ran = run("export_project", str(sample_episode.pk), "-o", str(path))
    n = sample_episode.segments.count()
    assert f"Wrote {path} ({n} segments)." in ran.err
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["episode"]["title"] == sample_episode.title

    ran = run("import_project", str(path))
    copy = Episode.objects.exclude(pk=sample_episode.pk).get()
    assert ran.out.strip() == str(copy.pk)
    assert copy.segments.count() == n
    assert not copy.published


def test_export_to_stdout(run, sample_episode):
    data = json.loads(run("export_project", str(sample_episode.pk)).out)
    assert data["episode"]["title"] == sample_episode.title


def test_bad_input_is_one_line_and_restores_nothing(refused, sample_episode, tmp_path):
    assert "No episode" in refused("export_project", "12345")
    assert "no such file" in refused("import_project", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    assert str(bad) in refused("import_project", str(bad))
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"x": 1}))
    assert "no account named" in refused("import_project", str(good), "--user", "nobody")
    assert Episode.objects.count() == 1
