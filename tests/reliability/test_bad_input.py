"""Hostile and broken import files through all three faces: service, web form, CLI.

Each corpus case either imports with sensible content or is refused with a one-line message;
never a traceback, never a half-made episode (row counts before and after).
"""

from __future__ import annotations

import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reliability.conftest import row_counts
from tests.reliability.corpus import FORCED_ENCODING, TEST_MAX_BYTES, Case, build_corpus
from tests.support.processes import run_manage
from translator.core.errors import InputError
from translator.core.requests import ImportRequest
from translator.models import Cue, Episode, Segment
from translator.services.importing import import_episode, preview_document

pytestmark = pytest.mark.django_db

CORPUS = build_corpus(TEST_MAX_BYTES)
IDS = [c.name for c in CORPUS]


def _one_line(message: str) -> None:
    assert message.strip(), "empty message"
    assert "\n" not in message.strip(), message
    assert "Traceback" not in message
    assert len(message) < 300, message


def _expect_refused(case: Case, message: str) -> None:
    _one_line(message)
    if case.message:
        assert case.message.lower() in message.lower(), (case.message, message)


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_service(case: Case, small_import_limit, translator_user):
    before = row_counts()
    encoding = FORCED_ENCODING.get(case.name, "auto")
    if case.expect == "refused":
        with pytest.raises(InputError) as info:
            import_episode(
                data=case.data, request=ImportRequest(filename=case.filename, encoding=encoding)
            )
        _expect_refused(case, str(info.value))
        assert row_counts() == before
        return
    doc = preview_document(
        data=case.data, request=ImportRequest(filename=case.filename, encoding=encoding)
    )
    if case.check:
        case.check(doc)
    episode = import_episode(
        data=case.data,
        user=translator_user,
        request=ImportRequest(filename=case.filename, encoding=encoding),
    )
    n_sentences = sum(len(p.sentences) for p in doc.paragraphs)
    assert episode.segments.count() == n_sentences > 0
    assert Cue.objects.filter(segment__episode=episode).count() == sum(
        len(s.cues) for p in doc.paragraphs for s in p.sentences
    )
    # Every cue's text is the slice of its segment it claims to be.
    for cue in Cue.objects.filter(segment__episode=episode).select_related("segment"):
        assert cue.source_text == cue.segment.source_text[cue.source_start : cue.source_end]
    after = row_counts()
    assert after["Episode"] == before["Episode"] + 1


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_web_form(case: Case, small_import_limit, client, translator_user):
    client.force_login(translator_user)
    before = row_counts()
    upload = SimpleUploadedFile(case.filename, case.data, content_type="application/octet-stream")
    response = client.post(
        "/episodes/import/",
        {
            "file": upload,
            "format": "auto",
            "encoding": FORCED_ENCODING.get(case.name, "auto"),
            "target_language": "EN-US",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Traceback" not in body
    form = response.context["form"]
    if case.expect == "refused":
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        assert len(errors) == 1, errors
        message = errors[0]
        _one_line(message)
        if case.message and "limit" not in case.message:
            assert case.message.lower() in message.lower(), (case.message, message)
        assert "token" not in response.context
        assert row_counts() == before
        return
    assert not form.errors, form.errors
    token = response.context["token"]
    assert token.isalnum()
    confirm = client.post("/episodes/import/", {"confirm": "1", "token": token})
    assert confirm.status_code == 302, confirm.content[:500]
    episode = Episode.objects.order_by("-id").first()
    assert confirm["Location"] == f"/episodes/{episode.pk}/"
    assert episode.segments.exists()
    assert row_counts()["Episode"] == before["Episode"] + 1
    page = client.get(confirm["Location"])
    assert page.status_code == 200


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_cli(case: Case, small_import_limit, tmp_path, capsys):
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    before = row_counts()
    args = ["import_transcript", str(path)]
    if case.name in FORCED_ENCODING:
        args += ["--encoding", FORCED_ENCODING[case.name]]
    if case.expect == "refused":
        with pytest.raises(CommandError) as info:
            call_command(*args)
        _expect_refused(case, str(info.value))
        assert str(info.value).startswith(str(path))
        assert row_counts() == before
        return
    call_command(*args)
    out = capsys.readouterr().out.strip()
    episode = Episode.objects.get(pk=int(out))
    assert episode.segments.exists()


def test_cli_subprocess_exit_codes(tmp_path):
    """Run as a real process: refused files exit non-zero with one line on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="1",
        JIMAKU_DATA_DIR=str(tmp_path / "data"),
        JIMAKU_MAX_IMPORT_BYTES=str(TEST_MAX_BYTES),
    )

    def manage(*args: str) -> subprocess.CompletedProcess:
        return run_manage(*args, env=env)

    assert manage("migrate", "-v", "0").returncode == 0
    by_name = {c.name: c for c in CORPUS}
    for name in ("PNG renamed .srt", "SRT with malformed timestamp", "just over the size limit"):
        case = by_name[name]
        path = tmp_path / case.filename
        path.write_bytes(case.data)
        result = manage("import_transcript", str(path))
        assert result.returncode != 0, name
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("CommandError:"), lines
        assert "Traceback" not in result.stderr
    good = tmp_path / "good.srt"
    good.write_bytes(by_name["SRT well-formed"].data)
    result = manage("import_transcript", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()


def test_corpus_counts():
    """The report's figures: how many hostile inputs, how many refused."""
    refused = [c for c in CORPUS if c.expect == "refused"]
    assert len(CORPUS) >= 30
    assert 10 <= len(refused) < len(CORPUS)


def test_import_is_atomic_when_a_write_fails(monkeypatch, sample_bytes):
    """An exception after the episode and segments were written leaves nothing behind."""
    before = row_counts()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Cue.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        import_episode(data=sample_bytes, request=ImportRequest(filename="sample.txt"))
    assert row_counts() == before
    assert not Segment.objects.exists()
