"""Timing an imported episode from its own audio: the job, the stored speech, the alignment run,
hand-set times, bad files; and the align_timing command with --audio / --media."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.support.audio_episode import (
    build_episode,
    damaged_captions_srt,
    sample_transcript,
    write_music_only,
    write_silence,
)
from translator.core.requests import ImportRequest
from translator.models import AlignmentRun, AudioTimingJob, Cue, Episode
from translator.services import audio_timing
from translator.services.alignment import undo_alignment
from translator.services.importing import import_episode

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    path = tmp_path_factory.mktemp("audio") / "episode.wav"
    return build_episode(sample_transcript(14), path, seed=11)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def episode(spoken):
    return import_episode(data=sample_transcript(14), request=ImportRequest(title="Audio"))


def _attach(episode: Episode, path: Path) -> None:
    with open(path, "rb") as fh:
        episode.media_file.name = default_storage.save(
            f"episodes/{episode.pk}/m{path.suffix}", File(fh)
        )
    episode.save(update_fields=["media_file"])


def _cues(episode):
    return list(
        Cue.objects.filter(segment__episode=episode, segment__kind="transcript").order_by(
            "segment__order", "index"
        )
    )


def _share_within(episode, spoken, limit_ms=300) -> float:
    cues = _cues(episode)
    assert len(cues) == len(spoken.cues)
    close = sum(
        abs(c.start_ms - t.start_ms) <= limit_ms for c, t in zip(cues, spoken.cues, strict=True)
    )
    return close / len(cues)


def _times(episode):
    return [(c.start_ms, c.end_ms, c.timing) for c in _cues(episode)]


def _run(episode, **kwargs) -> AudioTimingJob:
    job = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False, **kwargs)
    return audio_timing.run_audio_timing_job(job_id=job.pk)


def test_timed_from_the_attached_audio_as_an_undoable_alignment(episode, spoken, media_root):
    _attach(episode, spoken.path)
    before = _times(episode)
    job = _run(episode)
    assert job.state == AudioTimingJob.State.SUCCEEDED, job.error
    assert job.speech["regions"] and job.done_ms == job.total_ms == job.speech["duration_ms"]
    assert _share_within(episode, spoken) >= 0.90
    assert {c.timing for c in _cues(episode)} == {Cue.Timing.ALIGNED}
    episode.refresh_from_db()
    report = episode.alignment_report
    assert report["source"] == "audio"
    assert report["audio"]["cues"] == len(spoken.cues)
    run = AlignmentRun.objects.get(episode=episode)
    assert job.alignment_id == run.pk
    undo_alignment(run_id=run.pk)
    assert _times(episode) == before


def test_the_speech_is_found_once_per_file(episode, spoken, media_root, monkeypatch):
    _attach(episode, spoken.path)
    first = _run(episode)
    assert first.state == AudioTimingJob.State.SUCCEEDED

    def fail(*args, **kwargs):
        raise AssertionError("the detector ran again")

    monkeypatch.setattr("translator.core.audio.vad.analyse_file", fail)
    second = _run(episode, replace_timed=True)
    assert second.state == AudioTimingJob.State.SUCCEEDED, second.error
    assert second.speech == first.speech


def test_audio_plus_damaged_captions(episode, spoken, media_root):
    _attach(episode, spoken.path)
    job = _run(
        episode, captions_data=damaged_captions_srt(spoken, seed=2), captions_filename="asr.srt"
    )
    assert job.state == AudioTimingJob.State.SUCCEEDED, job.error
    assert _share_within(episode, spoken) >= 0.97
    episode.refresh_from_db()
    assert episode.alignment_report["source"] == "audio+captions"
    assert episode.alignment_report["caption_file"] == "m.wav + asr.srt"
    assert episode.alignment_report["coverage"] > 0.8


def test_imported_or_aligned_times_are_kept_unless_confirmed(episode, spoken, media_root):
    _attach(episode, spoken.path)
    Cue.objects.filter(pk=_cues(episode)[3].pk).update(timing=Cue.Timing.IMPORTED, start_ms=1)
    before = _times(episode)
    with pytest.raises(audio_timing.ConfirmationNeeded, match="1 cues have imported or aligned"):
        audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    assert not AudioTimingJob.objects.exists()
    assert _times(episode) == before
    job = _run(episode, replace_timed=True)
    assert job.state == AudioTimingJob.State.SUCCEEDED
    assert _times(episode) != before


def test_times_set_while_the_job_waited_are_kept(episode, spoken, media_root):
    _attach(episode, spoken.path)
    job = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    Cue.objects.filter(pk=_cues(episode)[0].pk).update(timing=Cue.Timing.ALIGNED)
    before = _times(episode)
    job = audio_timing.run_audio_timing_job(job_id=job.pk)
    assert job.state == AudioTimingJob.State.FAILED
    assert "confirm replacing them" in job.error
    assert _times(episode) == before
    assert not AlignmentRun.objects.exists()


@pytest.mark.parametrize("kind", ["silence", "music", "truncated", "text", "empty-track"])
def test_unusable_audio_fails_the_job_in_one_line_and_changes_nothing(
    episode, spoken, media_root, tmp_path, kind
):
    path = tmp_path / "bad.wav"
    if kind == "silence":
        write_silence(path, seconds=6)
    elif kind == "music":
        write_music_only(path, seconds=12)
    elif kind == "truncated":
        data = spoken.path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "text":
        path = tmp_path / "bad.mp3"
        path.write_text("これは音声ではありません。\n" * 50, encoding="utf-8")
    else:
        write_silence(path, seconds=0)
    _attach(episode, path)
    before = _times(episode)
    job = _run(episode)
    assert job.state == AudioTimingJob.State.FAILED
    assert job.error and "\n" not in job.error and "Unexpected" not in job.error
    assert _times(episode) == before
    episode.refresh_from_db()
    assert episode.alignment_report is None
    assert not AlignmentRun.objects.exists()


def test_an_episode_without_media_is_refused(episode):
    with pytest.raises(audio_timing.AudioTimingError, match="attach its audio"):
        audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)


def test_one_audio_job_at_a_time(episode, spoken, media_root):
    _attach(episode, spoken.path)
    first = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    with pytest.raises(audio_timing.AudioTimingError, match="already being timed"):
        audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    # A job whose worker died (no news for longer than STALE_AFTER) does not block forever.
    old = timezone.now() - audio_timing.STALE_AFTER - timedelta(seconds=1)
    AudioTimingJob.objects.filter(pk=first.pk).update(created_at=old, heartbeat_at=old)
    second = audio_timing.start_audio_timing(episode_id=episode.pk, enqueue=False)
    first.refresh_from_db()
    assert first.state == AudioTimingJob.State.FAILED and "stopped reporting" in first.error
    assert audio_timing.run_audio_timing_job(job_id=second.pk).state == "succeeded"


# --- the command ------------------------------------------------------------------------------


def test_align_timing_with_audio(episode, spoken, capsys):
    call_command("align_timing", str(episode.pk), "--audio", str(spoken.path))
    out = capsys.readouterr().out
    assert f"{len(spoken.cues)} cues timed to the audio" in out
    assert "morae/s" in out
    assert _share_within(episode, spoken) >= 0.90
    # Again: the times are now aligned, so replacing them needs --replace.
    with pytest.raises(CommandError, match="confirm replacing them"):
        call_command("align_timing", str(episode.pk), "--audio", str(spoken.path))
    call_command("align_timing", str(episode.pk), "--audio", str(spoken.path), "--replace")


def test_align_timing_with_audio_and_captions(episode, spoken, tmp_path, capsys):
    captions = tmp_path / "asr.srt"
    captions.write_bytes(damaged_captions_srt(spoken, seed=4))
    call_command("align_timing", str(episode.pk), str(captions), "--audio", str(spoken.path))
    assert "caption coverage" in capsys.readouterr().out
    assert _share_within(episode, spoken) >= 0.97


def test_align_timing_from_the_attached_media(episode, spoken, media_root, capsys):
    _attach(episode, spoken.path)
    call_command("align_timing", str(episode.pk), "--media")
    assert "cues timed to the audio" in capsys.readouterr().out


def test_align_timing_errors_are_one_line(episode, tmp_path):
    music = write_music_only(tmp_path / "music.wav", seconds=12)
    before = _times(episode)
    with pytest.raises(CommandError) as exc:
        call_command("align_timing", str(episode.pk), "--audio", str(music))
    assert str(exc.value).startswith(f"{music}: no speech found")
    assert "\n" not in str(exc.value)
    with pytest.raises(CommandError, match="no such file"):
        call_command("align_timing", str(episode.pk), "--audio", str(tmp_path / "nope.mp3"))
    with pytest.raises(CommandError, match="attach its audio"):
        call_command("align_timing", str(episode.pk), "--media")
    bad_captions = tmp_path / "bad.srt"
    bad_captions.write_text("just text\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.srt: "):
        call_command("align_timing", str(episode.pk), str(bad_captions), "--audio", str(music))
    with pytest.raises(CommandError, match="give a CAPTIONS_FILE"):
        call_command("align_timing", str(episode.pk))
    assert _times(episode) == before
