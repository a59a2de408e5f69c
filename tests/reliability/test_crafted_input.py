"""Crafted input that used to answer 500 or print a traceback: each gets a
one-line refusal (4xx on the web, ``CommandError`` on the command line) and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reliability.conftest import row_counts
from translator.models import AlignmentRun, Cue
from translator.services import backup, editing

pytestmark = pytest.mark.django_db

IMPORT_FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}


def _one_line(message: str) -> None:
    assert message.strip() and "\n" not in message.strip(), message
    assert "Traceback" not in message and len(message) < 300, message


def _project(episode) -> dict:
    return backup.export_project(episode_id=episode.pk)


def _big_int(p: dict) -> str:
    p["episode"]["segments"][0]["version"] = 2**63
    return json.dumps(p)


def _version_2_31(p: dict) -> str:
    p["episode"]["segments"][0]["version"] = 2**31
    return json.dumps(p)


def _big_cue_time(p: dict) -> str:
    p["episode"]["segments"][0]["cues"][0]["end_ms"] = 2**64 + 1
    return json.dumps(p)


def _big_int_in_report(p: dict) -> str:
    p["episode"]["alignment_report"] = {"matched": 10**30}
    return json.dumps(p)


def _impossible_date(p: dict) -> str:
    p["episode"]["segments"][0]["updated_at"] = "2025-02-30T10:00:00+00:00"
    return json.dumps(p)


def _date_off_the_calendar(p: dict) -> str:
    p["episode"]["segments"][0]["updated_at"] = "0001-01-01T00:00:00+05:00"
    return json.dumps(p)


def _lone_surrogate(p: dict) -> str:
    p["episode"]["segments"][0]["text"] = "SURROGATE"
    return json.dumps(p).replace("SURROGATE", "abc\\ud800def")


def _surrogate_key(p: dict) -> str:
    p["episode"]["alignment_report"] = {"KEY": 1}
    return json.dumps(p).replace('"KEY"', '"\\udfff"')


def _deep(p: dict) -> str:
    return json.dumps(p)[:-1] + ', "x": ' + "[" * 10_000 + "]" * 10_000 + "}"


def _deep_but_parsable(p: dict) -> str:
    p["episode"]["alignment_report"] = {"x": json.loads("[" * 200 + "]" * 200)}
    return json.dumps(p)


def _objects_as_lines(p: dict) -> str:
    p["episode"]["segments"][0]["cues"][0]["lines"] = [{"text": "x"}, 3]
    return json.dumps(p)


def _nan(p: dict) -> str:
    p["episode"]["duration_ms"] = "NOT-A-NUMBER"
    return json.dumps(p).replace('"NOT-A-NUMBER"', "NaN")


def _huge_literal(p: dict) -> str:
    return json.dumps(p).replace('"turn": 0', '"turn": ' + "9" * 5000, 1)


CASES = {
    "integer >= 2^63": (_big_int, "segments[0].version: the number 9223372036854775808"),
    "version 2^31": (_version_2_31, "version: must be a whole number from 0 to 2147483647"),
    "cue time 2^64": (_big_cue_time, "cues[0].end_ms: the number"),
    "10^30 in a report": (_big_int_in_report, "alignment_report.matched: the number"),
    "impossible date": (_impossible_date, "updated_at: must be an ISO 8601"),
    "date off the calendar": (_date_off_the_calendar, "updated_at: must be an ISO 8601"),
    "lone surrogate": (_lone_surrogate, "segments[0].text: text with an unpaired surrogate"),
    "surrogate in a key": (_surrogate_key, "unpaired surrogate"),
    "10k-deep JSON": (_deep, "nested more than 64 levels deep"),
    "200-deep JSON": (_deep_but_parsable, "nested more than 64 levels deep"),
    "NaN": (_nan, "NaN is not a JSON number"),
    "cue lines not text": (_objects_as_lines, "cues[0].lines: must be a list of strings"),
    "5000-digit integer": (_huge_literal, "not a project file"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_crafted_project_file_service_and_web(name, client, sample_episode, translator_user):
    mutate, message = CASES[name]
    text = mutate(_project(sample_episode))
    before = row_counts()
    with pytest.raises(backup.BackupError) as info:
        backup.import_project(data=text.encode("utf-8"), user=translator_user)
    _one_line(str(info.value))
    assert message in str(info.value)
    assert row_counts() == before

    client.force_login(translator_user)
    upload = SimpleUploadedFile("x.jimaku.json", text.encode(), content_type="application/json")
    response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM})
    assert response.status_code == 400
    assert message in response.text
    assert row_counts() == before


@pytest.mark.parametrize("name", list(CASES))
def test_crafted_project_file_cli(name, sample_episode, tmp_path):
    mutate, message = CASES[name]
    path = tmp_path / "x.jimaku.json"
    path.write_text(mutate(_project(sample_episode)), encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError) as info:
        call_command("import_project", str(path))
    _one_line(str(info.value))
    assert message in str(info.value)
    assert row_counts() == before


# --- the media URL, bulk approve, alignment undo ------------------------------------------------


@pytest.fixture
def media_episode(sample_episode, translator_user):
    upload = SimpleUploadedFile("a.mp3", b"ID3" + bytes(range(256)) * 4, content_type="audio/mpeg")
    return editing.attach_media_file(
        episode_id=sample_episode.pk, upload=upload, user=translator_user
    )


@pytest.mark.parametrize(
    "header",
    ["bytes=-" + "9" * 5000, "bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000],
)
def test_range_with_thousands_of_digits_is_416(client, media_episode, translator_user, header):
    client.force_login(translator_user)
    response = client.get(f"/episodes/{media_episode.pk}/media/file/", headers={"range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1027"


def test_bulk_approve_with_an_id_beyond_any_database_is_400(client, sample_episode, reviewer_user):
    client.force_login(reviewer_user)
    seg = sample_episode.segments.order_by("order").first()
    for value in (f"{10**20}:1", f"{seg.pk}:{10**20}", f"{seg.pk}:" + "9" * 5000):
        response = client.post(
            f"/episodes/{sample_episode.pk}/bulk-approve/", {"segment_ids": [value]}
        )
        assert response.status_code == 400, value
        _one_line(response.text)
    assert not sample_episode.segments.filter(status="approved").exists()


def test_undo_with_stored_times_of_10_to_the_30_is_refused(client, sample_episode, translator_user):
    cue = Cue.objects.filter(segment__episode=sample_episode).first()
    run = AlignmentRun.objects.create(
        episode=sample_episode, previous_times={str(cue.pk): [0, 10**30, "estimated"]}
    )
    before = list(Cue.objects.values_list("pk", "start_ms", "end_ms", "timing"))
    client.force_login(translator_user)
    response = client.post(f"/timing/{run.pk}/undo/")
    assert response.status_code == 400
    _one_line(response.text)
    assert "damaged" in response.text
    assert list(Cue.objects.values_list("pk", "start_ms", "end_ms", "timing")) == before
    run.refresh_from_db()
    assert not run.undone


def test_cli_subprocess_prints_one_line_not_a_traceback(sample_episode, tmp_path):
    """As a real process (``manage.py import_project``): one ``CommandError:`` line, exit 1."""
    import os

    from tests.support.processes import run_manage

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", JIMAKU_DATA_DIR=str(tmp_path / "data"))
    assert run_manage("migrate", "-v", "0", env=env).returncode == 0
    for name in ("integer >= 2^63", "impossible date", "lone surrogate", "10k-deep JSON"):
        mutate, message = CASES[name]
        path = tmp_path / "x.jimaku.json"
        path.write_text(mutate(_project(sample_episode)), encoding="utf-8")
        result = run_manage("import_project", str(path), env=env)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert result.returncode != 0 and len(lines) == 1, (name, result.stderr[-500:])
        assert lines[0].startswith("CommandError:") and message in lines[0], lines
