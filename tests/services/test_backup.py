"""Full episode backup: export as a JSON project file, import back identically."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reliability.conftest import row_counts
from translator.models import Cue, Episode, GlossaryTerm, Segment, SegmentRevision, TranslationJob
from translator.services import backup, editing, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_episode(sample_episode, translator_user, reviewer_user):
    """The sample with machine text, edits, an approval, a conflict overwrite, glossary, jobs."""
    ep = sample_episode
    segs = list(ep.segments.order_by("order"))
    for seg in segs:
        seg.text = seg.machine_text = f"Machine {seg.order}."
        seg.status = Segment.Status.MACHINE
        seg.machine_engine, seg.machine_flags = "argos", ["glossary_missing"]
        seg.save()
    review.save_segment(
        segment_id=segs[0].pk, text="Hello «all».", base_version=1, user=translator_user
    )
    review.save_segment(
        segment_id=segs[0].pk, text="Hello, everyone.", base_version=2, user=translator_user
    )
    review.save_segment(
        segment_id=segs[1].pk,
        text="Approved line.",
        base_version=1,
        user=reviewer_user,
        approve=True,
    )
    editing.add_glossary_term(
        episode_id=ep.pk, source="字幕", target="subtitles", note="n", user=translator_user
    )
    editing.rename_speaker(
        speaker_id=ep.speakers.first().pk, display_name="Satō <b>", user=translator_user
    )
    TranslationJob.objects.create(episode=ep, engine="argos", state="succeeded", done=3, total=3)
    TranslationJob.objects.create(episode=ep, engine="deepl", state="running", done=1, total=9)
    Episode.objects.filter(pk=ep.pk).update(
        description="Intro", duration_ms=123456, alignment_report={"matched": 3}
    )
    return Episode.objects.get(pk=ep.pk)


def _comparable(project: dict) -> dict:
    """The project without what must differ between copies (nothing else is dropped)."""
    data = copy.deepcopy(project)
    data["episode"].pop("created_at")
    for seg in data["episode"]["segments"]:
        seg.pop("updated_at")
    return data


def test_round_trip_into_the_same_database(worked_episode):
    exported = backup.export_project(episode_id=worked_episode.pk, include_jobs=True)
    text = json.dumps(exported, ensure_ascii=False)
    before = row_counts()
    copy_ep = backup.import_project(data=text)
    assert copy_ep.pk != worked_episode.pk
    assert copy_ep.public_id != worked_episode.public_id
    again = backup.export_project(episode_id=copy_ep.pk, include_jobs=True)
    # The running job comes back stopped (nothing runs it here); everything else is identical.
    running = [j for j in exported["episode"]["jobs"] if j["state"] == "running"][0]
    running.update(state="cancelled", error="Imported from a backup.")
    assert _comparable(again) == _comparable(exported)
    # Revision timestamps (history order) survive.
    assert [r["created_at"] for s in again["episode"]["segments"] for r in s["revisions"]] == [
        r["created_at"] for s in exported["episode"]["segments"] for r in s["revisions"]
    ]
    after = row_counts()
    assert after["Episode"] == before["Episode"] + 1
    assert after["Segment"] == before["Segment"] * 2
    assert after["Cue"] == before["Cue"] * 2
    assert after["SegmentRevision"] == before["SegmentRevision"] * 2


def test_round_trip_into_an_empty_database(worked_episode):
    text = backup.dumps_project(episode_id=worked_episode.pk)
    original = backup.export_project(episode_id=worked_episode.pk)
    Episode.objects.all().delete()
    User.objects.all().delete()
    assert not Segment.objects.exists() and not SegmentRevision.objects.exists()
    restored = backup.import_project(data=text.encode())
    again = backup.export_project(episode_id=restored.pk)
    # The names stay as the file recorded them (never linked to an account), the work stays.
    expected = _comparable(original)
    expected["episode"]["created_by"] = None
    assert _comparable(again) == expected
    revs = SegmentRevision.objects.filter(segment__episode=restored, recorded_user="rei")
    assert revs.exists() and not revs.exclude(user=None).exists()
    assert restored.segments.get(order=1).status == Segment.Status.APPROVED
    assert GlossaryTerm.objects.get(episode=restored).target == "subtitles"


def test_header_and_jobs_optional(worked_episode):
    project = backup.export_project(episode_id=worked_episode.pk)
    assert project["format"] == "jimaku-project" and project["version"] == 1
    assert "jobs" not in project["episode"]
    restored = backup.import_project(data=project)
    assert not restored.jobs.exists()


def _bad(project: dict, path: str, value) -> dict:
    data = copy.deepcopy(project)
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = int(keys[-1]) if keys[-1].isdigit() else keys[-1]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda p: b"\xff\xfe not json", "not UTF-8"),
        (lambda p: "{oops", "invalid JSON at line 1"),
        (lambda p: "[]", "not a Jimaku project file"),
        (lambda p: _bad(p, "format", "other"), "not a Jimaku project file"),
        (lambda p: _bad(p, "version", 2), "unsupported project file version 2"),
        (lambda p: _bad(p, "episode", _DELETE), "episode: missing"),
        (lambda p: _bad(p, "episode.title", _DELETE), "episode.title: missing"),
        (lambda p: _bad(p, "episode.segments", {}), "episode.segments: must be a list"),
        (
            lambda p: _bad(p, "episode.segments.3.cues.0.start_ms", -5),
            "episode.segments[3].cues[0].start_ms: must be a whole number",
        ),
        (
            lambda p: _bad(p, "episode.segments.2.status", "done"),
            "episode.segments[2].status: must be one of",
        ),
        (
            lambda p: _bad(p, "episode.segments.0.revisions.0.created_at", "yesterday"),
            "created_at: must be an ISO 8601",
        ),
        (lambda p: _bad(p, "episode.segments.1.order", 0), "contradicts itself"),
        (
            lambda p: _bad(p, "episode.speakers.0", "Sato"),
            "episode.speakers[0]: expected an object",
        ),
    ],
)
def test_bad_files_are_refused_with_one_line_and_write_nothing(worked_episode, mutate, message):
    project = backup.export_project(episode_id=worked_episode.pk, include_jobs=True)
    data = mutate(project)
    before = row_counts()
    with pytest.raises(backup.BackupError) as info:
        backup.import_project(data=data)
    text = str(info.value)
    assert message in text
    assert "\n" not in text and len(text) < 300
    assert row_counts() == before


def test_failure_half_way_leaves_nothing(worked_episode, monkeypatch):
    text = backup.dumps_project(episode_id=worked_episode.pk)
    before = row_counts()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SegmentRevision.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        backup.import_project(data=text)
    assert row_counts() == before


def test_commands_round_trip(worked_episode, tmp_path, capsys):
    path = tmp_path / "backup.json"
    call_command("export_project", str(worked_episode.pk), "-o", str(path), "--jobs")
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "jimaku-project"
    capsys.readouterr()
    call_command("import_project", str(path))
    new_id = int(capsys.readouterr().out.strip())
    assert (
        Cue.objects.filter(segment__episode_id=new_id).count()
        == Cue.objects.filter(segment__episode=worked_episode).count()
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "jimaku-project", "version": 9}', encoding="utf-8")
    with pytest.raises(CommandError, match="unsupported project file version 9"):
        call_command("import_project", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_project", str(tmp_path / "missing.json"))


def _aligned(episode, user):
    """Align ``episode`` twice to synthetic captions; undo the second run."""
    import pysubs2

    from tests.core.asr_synth import Damage, synthesise_captions, timed_truth
    from translator.services.alignment import align_episode_timing, undo_alignment

    cues = Cue.objects.filter(segment__episode=episode, segment__kind="transcript").order_by(
        "segment__order", "index"
    )
    truth = timed_truth([c.source_text for c in cues], seed=5)
    runs = []
    for seed in (1, 2):
        subs = pysubs2.SSAFile()
        for line in synthesise_captions(truth, Damage(), seed=seed):
            subs.append(pysubs2.SSAEvent(start=line.start_ms, end=line.end_ms, text=line.text))
        runs.append(
            align_episode_timing(
                episode_id=episode.pk,
                data=subs.to_string("srt").encode(),
                filename=f"auto{seed}.srt",
                user=user,
            )
        )
    undo_alignment(run_id=runs[1].pk, user=user)
    return runs


def _times(episode):
    return list(
        Cue.objects.filter(segment__episode=episode)
        .order_by("segment__order", "index")
        .values_list("start_ms", "end_ms", "timing")
    )


def test_alignment_runs_round_trip_and_the_copy_can_still_undo(worked_episode, translator_user):
    from translator.services.alignment import undo_alignment

    before_alignment = _times(worked_episode)
    _aligned(worked_episode, translator_user)
    exported = backup.export_project(episode_id=worked_episode.pk)
    runs = exported["episode"]["alignments"]
    assert [r["undone"] for r in runs] == [False, True]
    assert runs[0]["user"] == translator_user.username
    assert all("/" in place for place in runs[0]["previous_times"])

    restored = backup.import_project(data=json.dumps(exported))
    assert _comparable(backup.export_project(episode_id=restored.pk)) == _comparable(exported)
    assert _times(restored) == _times(worked_episode)
    latest = restored.alignments.filter(undone=False).get()
    assert set(latest.previous_times) <= {
        str(pk) for pk in Cue.objects.filter(segment__episode=restored).values_list("pk", flat=True)
    }
    undo_alignment(run_id=latest.pk, user=translator_user)
    assert _times(restored) == before_alignment  # the copy's own cues, back to estimated
    assert _times(worked_episode) != before_alignment  # the original is untouched


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"9999/0": [0, 10, "aligned"]}, "names no cue of this episode"),
        ({"0/0": [0, -1, "aligned"]}, "must be [start_ms, end_ms, timing]"),
        ({"0/0": [0, 10, "guessed"]}, "must be [start_ms, end_ms, timing]"),
        ([1, 2], "previous_times: must be a JSON object"),
    ],
)
def test_bad_alignment_undo_data_is_refused(worked_episode, bad, message):
    project = backup.export_project(episode_id=worked_episode.pk)
    project["episode"]["alignments"] = [{"previous_times": bad, "report": {}}]
    before = row_counts()
    with pytest.raises(backup.BackupError, match=message.replace("[", r"\[")) as info:
        backup.import_project(data=project)
    assert "\n" not in str(info.value)
    assert row_counts() == before


# --- in the browser's flow: download from the export box, restore from the import page ----------

IMPORT_FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}


def test_project_file_downloads_and_restores_through_the_web(
    client, worked_episode, translator_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(translator_user)
    page = client.get(reverse("translator:episode_detail", args=[worked_episode.pk])).text
    assert '<option value="project">' in page
    download = client.get(
        reverse("translator:export_download", args=[worked_episode.pk]), {"format": "project"}
    )
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"].endswith('.jimaku.json"')
    body = download.content

    before = row_counts()
    upload = SimpleUploadedFile("backup.jimaku.json", body, content_type="application/json")
    response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM})
    assert response.status_code == 302, response.text[:300]
    restored = Episode.objects.latest("pk")
    assert response["Location"] == f"/episodes/{restored.pk}/"
    assert row_counts()["Segment"] == 2 * before["Segment"]
    expected = _comparable(json.loads(body))
    expected["episode"]["created_by"] = translator_user.username  # who restored it
    for seg in expected["episode"]["segments"]:  # a translator's restore approves nothing
        if seg["status"] == "approved":
            seg["status"] = "edited"
    assert _comparable(backup.export_project(episode_id=restored.pk)) == expected
    page = client.get(response["Location"]).text
    assert "from a project file" in page
    assert "approved segments restored as edited" in page


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"format": "other"}', "not a Jimaku project file"),
        (b"[1, 2", "invalid JSON at line 1"),
    ],
)
def test_bad_project_upload_is_one_line_on_the_form(
    client, worked_episode, translator_user, body, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(translator_user)
    before = row_counts()
    upload = SimpleUploadedFile("x.json", body, content_type="application/json")
    response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM})
    # A .json that is no project file is read as a speech-recognition transcript: refused on
    # the form like any other import (the page again, with its one-line error).
    assert response.status_code == 200
    assert message in response.text
    assert row_counts() == before


def test_publish_approved_only_survives_a_restore(worked_episode):
    Episode.objects.filter(pk=worked_episode.pk).update(publish_approved_only=True)
    project = backup.export_project(episode_id=worked_episode.pk)
    assert project["episode"]["publish_approved_only"] is True
    restored = backup.import_project(data=project)
    assert restored.publish_approved_only is True
    assert (
        backup.import_project(data=backup.dumps_project(episode_id=restored.pk)).published is False
    )


def test_a_restore_puts_its_approved_segments_into_the_memory(worked_episode, translator_user):
    from translator.models import MemoryUnit
    from translator.services import memory

    text = backup.dumps_project(episode_id=worked_episode.pk)
    approved = worked_episode.segments.get(status=Segment.Status.APPROVED)
    Episode.objects.all().delete()
    MemoryUnit.objects.all().delete()  # the approval's unit outlives its episode
    restored = backup.import_project(data=text)  # the command line: approvals kept
    unit = MemoryUnit.objects.get()
    seg = restored.segments.get(status=Segment.Status.APPROVED)
    assert (unit.segment_id, unit.episode_id) == (seg.pk, restored.pk)
    assert (unit.source_text, unit.target_text) == (approved.source_text, "Approved line.")
    assert unit.approved_by_name == "rei" and unit.approved_by is None  # as the file recorded
    # Another episode finds it as an exact match at once, with no tm_rebuild.
    found = memory.exact_matches(
        [approved.source_text], target_language=restored.target_language, exclude_episode_id=0
    )
    assert [u.pk for u in found.values()] == [unit.pk]
    # A restore that keeps no approval (a translator's) adds nothing to the memory.
    backup.import_project(data=text, user=translator_user)
    assert MemoryUnit.objects.count() == 1
