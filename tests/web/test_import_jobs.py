"""Large imports run in the worker with progress, not inside the web request:
the upload request returns at once, the preview and the import are done by ``db_worker``, the
page polls the job and then shows the preview or the new episode."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.conftest import make_user
from tests.reliability.conftest import row_counts
from translator.core.requests import ImportRequest
from translator.models import Episode, ImportJob, Segment
from translator.services import backup, importing

# transaction=True: the in-process db_worker closes its database connection when it stops, which
# on PostgreSQL would end the test's own transaction.
pytestmark = pytest.mark.django_db(transaction=True)

IMPORT_FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}


@pytest.fixture
def small_inline_limit(settings):
    settings.JIMAKU_INLINE_IMPORT_BYTES = 2000  # the sample episode (~10 KB) is "large"
    return settings.JIMAKU_INLINE_IMPORT_BYTES


def _worker() -> None:
    """What ``manage.py db_worker`` does in production: run every queued task, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def no_parsing_here(monkeypatch):
    """Counts segmentations done in this process outside the worker (``_worker`` runs tasks
    here too, so each test checks the count right after the web request)."""
    calls = []
    real = importing.segment_document

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "segment_document", counting)
    return calls


def _upload(client, data: bytes, name: str, captured, **extra):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    with captured(execute=True):  # enqueue the task the request committed
        return client.post("/episodes/import/", {"file": upload, **IMPORT_FORM, **extra})


def test_a_large_upload_is_previewed_and_imported_by_the_worker(
    client,
    small_inline_limit,
    sample_bytes,
    translator_user,
    no_parsing_here,
    django_capture_on_commit_callbacks,
):
    inline_doc = importing.preview_document(
        data=sample_bytes, request=ImportRequest(filename="big.txt")
    )
    no_parsing_here.clear()
    client.force_login(translator_user)
    before = row_counts()

    response = _upload(client, sample_bytes, "big.txt", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/import/jobs/{job.pk}/"
    assert no_parsing_here == []  # the request parsed nothing
    assert job.state == "queued" and job.task_id and job.size_bytes == len(sample_bytes)
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="import-job-panel"' in page.text
    assert "Waiting for the worker" in page.text
    panel = client.get(f"/episodes/import/jobs/{job.pk}/panel/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" in panel.text and "HX-Refresh" not in panel

    _worker()
    job.refresh_from_db()
    assert job.state == "previewed", job.error
    assert row_counts() == before  # a preview writes no episode
    panel = client.get(f"/episodes/import/jobs/{job.pk}/panel/", HTTP_HX_REQUEST="true")
    assert panel["HX-Refresh"] == "true"  # the page reloads to the preview
    preview = client.get(f"/episodes/import/jobs/{job.pk}/").text
    n_sentences = sum(len(p.sentences) for p in inline_doc.paragraphs)
    assert f"{n_sentences} sentences" in preview
    assert inline_doc.paragraphs[0].sentences[0].text in preview
    assert f'name="import_job" value="{job.pk}"' in preview

    no_parsing_here.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(
            "/episodes/import/", {"confirm": "1", "import_job": job.pk, "title": "Big one"}
        )
    assert confirm.status_code == 302 and confirm["Location"] == f"/episodes/import/jobs/{job.pk}/"
    assert no_parsing_here == [] and row_counts() == before
    _worker()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.done == job.total == n_sentences
    episode = Episode.objects.get()
    assert episode.title == "Big one" and episode.created_by == translator_user
    assert Segment.objects.filter(episode=episode).count() == n_sentences
    done = client.get(f"/episodes/import/jobs/{job.pk}/")
    assert done.status_code == 302 and done["Location"] == f"/episodes/{episode.pk}/"
    assert not (importing.pending_dir() / job.token).exists()  # the upload is gone


def test_small_files_stay_inline(client, settings, sample_bytes, translator_user):
    settings.JIMAKU_INLINE_IMPORT_BYTES = len(sample_bytes)
    client.force_login(translator_user)
    upload = SimpleUploadedFile("small.txt", sample_bytes)
    response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM})
    assert response.status_code == 200 and response.context["token"]
    assert not ImportJob.objects.exists()


def test_bad_large_input_fails_the_job_in_one_line(
    client, small_inline_limit, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    before = row_counts()
    data = b"1\n00:00:01,000 --> 00:00:02,000\n\n" * 200  # cues with no text
    _upload(client, data, "empty.srt", django_capture_on_commit_callbacks)
    _worker()
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.error and "\n" not in job.error
    page = client.get(f"/episodes/import/jobs/{job.pk}/")
    assert page.status_code == 400 and job.error in page.text
    assert row_counts() == before
    assert not (importing.pending_dir() / job.token).exists()


def test_someone_elses_import_job_is_not_visible_or_confirmable(
    client, small_inline_limit, sample_bytes, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    _upload(client, sample_bytes, "big.txt", django_capture_on_commit_callbacks)
    _worker()
    job = ImportJob.objects.get()
    client.force_login(make_user("otto", group="translator"))
    assert client.get(f"/episodes/import/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/episodes/import/jobs/{job.pk}/panel/").status_code == 404
    response = client.post("/episodes/import/", {"confirm": "1", "import_job": job.pk})
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.state == "previewed"


def test_a_large_project_file_is_restored_by_the_worker(
    client,
    small_inline_limit,
    sample_episode,
    translator_user,
    no_parsing_here,
    django_capture_on_commit_callbacks,
):
    project = backup.export_project(episode_id=sample_episode.pk)
    project["episode"]["published"] = True
    project["episode"]["segments"][0].update(status="approved", text="Hi.")
    body = json.dumps(project, ensure_ascii=False).encode()
    assert len(body) > small_inline_limit
    client.force_login(translator_user)
    response = _upload(client, body, "backup.jimaku.json", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and Episode.objects.count() == 1
    _worker()
    job = ImportJob.objects.get()
    assert job.state == "succeeded", job.error
    restored = job.episode
    assert not restored.published and restored.segments.get(order=0).status == "edited"
    page = client.get(f"/episodes/import/jobs/{job.pk}/", follow=True).text
    assert "restored unpublished" in page and "approved segments restored as edited" in page


def test_pasted_text_has_the_file_limit_not_5_mb(client, settings, translator_user):
    """A paste over Django's old 5 MB request limit is an import like an upload of that size
    (here: handed to the worker); one over the import limit gets the upload's message."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > settings.JIMAKU_MAX_IMPORT_BYTES
    client.force_login(translator_user)
    text = ("話者: " + "あ" * 60 + "。\n") * 35_000  # about 6.5 MB of UTF-8
    assert 6 * 2**20 < len(text.encode()) < settings.JIMAKU_MAX_IMPORT_BYTES
    response = client.post("/episodes/import/", {"text": text, **IMPORT_FORM})
    assert response.status_code == 302, response.status_code
    job = ImportJob.objects.get()
    assert job.filename == "" and job.options["encoding"] == "utf-8"
    assert importing.read_pending(job.token) == text.strip().encode()

    settings.JIMAKU_MAX_IMPORT_BYTES = 5 * 2**20
    response = client.post("/episodes/import/", {"text": text, **IMPORT_FORM})
    assert response.status_code == 200
    assert "The text is 6.4\xa0MB; the limit is 5.0\xa0MB." in response.text
    assert "Choose a file" not in response.text  # one message


def test_an_import_whose_worker_died_is_resumed(
    client,
    small_inline_limit,
    sample_bytes,
    translator_user,
    capsys,
    django_capture_on_commit_callbacks,
):
    client.force_login(translator_user)
    _upload(client, sample_bytes, "big.txt", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    _worker_claims_and_dies = ImportJob.objects.filter(pk=job.pk)
    _worker_claims_and_dies.update(state="running")
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the worker took the task with it
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_jobs", "--all")
    assert f"Resumed import {job.pk}" in capsys.readouterr().out
    _worker()
    job.refresh_from_db()
    assert job.state == "previewed", job.error


def test_an_import_whose_account_is_gone_is_not_run_with_operator_rights(
    client, small_inline_limit, sample_episode, translator_user, django_capture_on_commit_callbacks
):
    project = backup.export_project(episode_id=sample_episode.pk)
    project["episode"]["segments"][0].update(status="approved", text="Hi.")
    body = json.dumps(project, ensure_ascii=False).encode()
    client.force_login(translator_user)
    _upload(client, body, "backup.jimaku.json", django_capture_on_commit_callbacks)
    translator_user.delete()  # the job's requested_by becomes NULL
    before = row_counts()
    _worker()
    job = ImportJob.objects.get()
    assert job.state == "failed" and "no longer exists" in job.error
    assert row_counts() == before


def test_the_preview_shows_a_bounded_part_of_a_huge_paragraph():
    from translator.core.types import Paragraph, ParagraphKind, ParsedDocument, SentenceDraft

    sentences = [SentenceDraft(text="あ" * 1000 + "。") for _ in range(500)]
    paragraph = Paragraph(kind=ParagraphKind.TRANSCRIPT, raw_text="", sentences=sentences)
    summary = importing.preview_summary(ParsedDocument(title="t", paragraphs=[paragraph]))
    shown = summary["rows"][0]["sentences"]
    assert len(shown) == importing.PREVIEW_SENTENCES + 1 and shown[-1]["text"] == "…"
    assert all(len(s["text"]) <= importing.PREVIEW_CHARS + 1 for s in shown)
    assert summary["n_sentences"] == 500
