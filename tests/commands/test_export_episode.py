"""``manage.py export_episode``: subtitles and transcripts to stdout, a file or a folder."""

from __future__ import annotations

import pytest

from translator.models import Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated(sample_episode):
    for seg in sample_episode.segments.all():
        Segment.objects.filter(pk=seg.pk).update(
            text=f"English {seg.order}.", status=Segment.Status.EDITED
        )
    return sample_episode


def test_srt_to_stdout_with_the_rule_report(run, translated):
    ran = run("export_episode", str(translated.pk), "--format", "srt", "--layout", "en")
    first = translated.segments.filter(kind="transcript").order_by("order").first()
    assert ran.out.startswith("1\n00:00:00,000 --> ")
    assert f"\nEnglish {first.order}.\n" in ran.out
    assert "皆さん" not in ran.out  # English only
    assert "meet every style rule" in ran.err  # the style-rule report


def test_bilingual_report_gives_each_side_and_the_japanese_speed_as_information(run, translated):
    err = run("export_episode", str(translated.pk), "--format", "ass").err
    assert "English side:" in err and "Japanese side:" in err
    assert "Japanese reading speed (information, not a rule): median " in err
    assert "% of cues over 6 chars/s" in err
    en = run("export_episode", str(translated.pk), "--format", "srt", "--layout", "en").err
    assert "Japanese reading speed" not in en and "Japanese side" not in en


def test_file_and_directory_outputs(run, translated, tmp_path):
    out = tmp_path / "episode.vtt"
    ran = run("export_episode", str(translated.pk), "--format", "vtt", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("WEBVTT")
    assert f"Wrote {out}" in ran.err
    ran = run("export_episode", str(translated.pk), "--format", "md", "-o", str(tmp_path))
    written = [p for p in tmp_path.iterdir() if p.suffix == ".md"]
    assert len(written) == 1 and "English 0." in written[0].read_text(encoding="utf-8")
    assert f"Wrote {written[0]}" in ran.err


def test_approved_only_leaves_out_what_is_not_approved(run, translated):
    first = translated.segments.order_by("order").filter(kind="transcript").first()
    Segment.objects.filter(pk=first.pk).update(status=Segment.Status.APPROVED)
    out = run("export_episode", str(translated.pk), "--format", "txt", "--approved-only").out
    assert f"English {first.order}." in out
    assert f"English {first.order + 1}." not in out


def test_bad_input_is_one_line(refused, translated, tmp_path):
    assert "No episode with id 999" in refused("export_episode", "999", "--format", "srt")
    assert "a number" in refused("export_episode", "abc", "--format", "srt")
    missing = tmp_path / "no" / "such" / "dir" / "x.srt"
    assert "cannot write" in refused(
        "export_episode", str(translated.pk), "--format", "srt", "-o", str(missing)
    )


def test_an_episode_past_the_latest_subtitle_time_is_refused_in_one_line(refused, translated):
    from translator.models import Cue

    cue = (
        Cue.objects.filter(segment__episode=translated)
        .exclude(start_ms=None)
        .order_by("-start_ms")
        .first()
    )  # NULLs sort first on PostgreSQL
    Cue.objects.filter(pk=cue.pk).update(start_ms=360_000_000, end_ms=360_002_000)  # 100 h
    message = refused("export_episode", str(translated.pk), "--format", "ass")
    assert "past 99:59:59" in message
