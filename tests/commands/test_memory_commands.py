"""``tm_rebuild``, ``tm_export``, ``tm_import``: the translation memory on the command line."""

from __future__ import annotations

import pytest

from translator.models import MemoryUnit, Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(sample_episode):
    segments = list(sample_episode.segments.filter(kind="transcript").order_by("order")[:3])
    for seg in segments:
        Segment.objects.filter(pk=seg.pk).update(
            text=f"Approved {seg.order}.", status=Segment.Status.APPROVED
        )
    return segments


def test_rebuild_puts_every_approved_segment_in_the_memory(run, approved):
    assert run("tm_rebuild").out.strip() == "3 approved segments in the translation memory."
    assert MemoryUnit.objects.count() == 3
    assert run("tm_rebuild").out.strip() == "3 approved segments in the translation memory."
    assert MemoryUnit.objects.count() == 3  # again: the same units, not twice


def test_export_then_import_round_trip(run, approved, tmp_path):
    run("tm_rebuild")
    path = tmp_path / "memory.tmx"
    ran = run("tm_export", "-o", str(path))
    assert f"Wrote 3 units to {path}." in ran.err
    tmx = path.read_text(encoding="utf-8")
    assert "<tmx" in tmx and approved[0].source_text in tmx and "Approved" in tmx
    assert "<tmx" in run("tm_export").out  # stdout

    MemoryUnit.objects.all().delete()
    assert run("tm_import", str(path)).out.strip() == (
        "Imported 3 units into the translation memory."
    )
    assert set(MemoryUnit.objects.values_list("target_text", flat=True)) == {
        f"Approved {seg.order}." for seg in approved
    }
    assert "(3 already there)" in run("tm_import", str(path)).out


def test_bad_tmx_is_one_line_and_imports_nothing(refused, tmp_path):
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body><tu>", encoding="utf-8")
    message = refused("tm_import", str(bad))
    assert message.startswith(f"{bad}: ") and message.endswith("Nothing was imported.")
    assert "no such file" in refused("tm_import", str(tmp_path / "none.tmx"))
    assert not MemoryUnit.objects.exists()
    assert "--english" in refused("tm_export", "--english", "FR")
