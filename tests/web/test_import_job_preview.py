"""An import previewed by the worker (uploads over ``JIMAKU_INLINE_IMPORT_BYTES``) offers what
the inline preview offers: a kind select per paragraph and left-out line, the track picker, the
English track and the second English file — and the import follows the choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.conftest import make_user
from translator.models import Episode, ImportJob, Segment
from translator.services import importing

pytestmark = pytest.mark.django_db(transaction=True)  # the in-process worker, see test_import_jobs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PODCAST = FIXTURES / "transcripts" / "podcast_page.txt"
RADIO = FIXTURES / "subtitles" / "radio_bilingual_jp_cn.ass"
TOP_BOTTOM = FIXTURES / "subtitles" / "bilingual_top_bottom_en.ass"
IMPORT_FORM = {"format": "auto", "encoding": "auto", "target_language": "EN-US"}


@pytest.fixture(autouse=True)
def worker_path(settings):
    settings.JIMAKU_INLINE_IMPORT_BYTES = 100  # every fixture here goes to the worker


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _previewed(client, captured, path: Path, **extra) -> tuple[ImportJob, str]:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with captured(execute=True):
        response = client.post("/episodes/import/", {"file": upload, **IMPORT_FORM, **extra})
    job = ImportJob.objects.order_by("-id").first()
    assert (
        response.status_code == 302 and response["Location"] == f"/episodes/import/jobs/{job.pk}/"
    )
    _worker()
    job.refresh_from_db()
    assert job.state == "previewed", job.error
    return job, client.get(f"/episodes/import/jobs/{job.pk}/").text


def _confirm(client, captured, job: ImportJob, **fields) -> Episode:
    with captured(execute=True):
        response = client.post(
            "/episodes/import/", {"confirm": "1", "import_job": job.pk, **fields}
        )
    assert response["Location"] == f"/episodes/import/jobs/{job.pk}/"
    _worker()
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    return job.episode


def test_the_worker_preview_has_the_kind_selects_and_the_import_follows_them(
    client, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    job, page = _previewed(client, django_capture_on_commit_callbacks, PODCAST)
    assert 'table class="list preview-kinds"' in page
    assert page.count('<tr class="row-left-out"') == 7  # the page chrome, left out
    assert '<select name="kind-6"' in page and '<select name="kind-19"' in page
    assert '<select name="kind-28"' in page
    episode = _confirm(
        client,
        django_capture_on_commit_callbacks,
        job,
        **{"kind-19": "left_out", "kind-28": "description"},  # 28: the footer's blurb
    )
    texts = dict(episode.segments.values_list("source_text", "kind"))
    assert texts["毎週金曜日に配信しています。"] == "description"  # a left-out line kept
    assert "どうも、森です。" not in texts  # a turn left out
    assert texts["今回はメッセージアプリの移り変わりがテーマです。"] == "description"


def test_the_worker_preview_has_the_track_picker(
    client, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    job, page = _previewed(client, django_capture_on_commit_callbacks, RADIO)
    assert 'class="row track-picker"' in page
    assert f'name="import_job" value="{job.pk}"' in page
    assert '<option value="ja" selected>' in page and "皆さんこんばんは" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/episodes/import/", {"retrack": "1", "import_job": job.pk, "track": "zh"}
        )
    assert (
        response.status_code == 302 and response["Location"] == f"/episodes/import/jobs/{job.pk}/"
    )
    job.refresh_from_db()
    assert job.state == "queued" and job.stage == "preview" and job.options["track"] == "zh"
    assert 'id="import-job-panel"' in client.get(response["Location"]).text  # progress again
    _worker()
    job.refresh_from_db()
    assert job.state == "previewed" and job.preview["report"]["chosen_track"] == "zh"
    page = client.get(f"/episodes/import/jobs/{job.pk}/").text
    assert '<option value="zh" selected>' in page and "<div>大家晚上好</div>" in page

    episode = _confirm(client, django_capture_on_commit_callbacks, job)
    sources = list(episode.segments.order_by("order").values_list("source_text", flat=True))
    assert sources[:3] == ["大家晚上好", "本周也开始了", "开始了呢"]
    assert episode.import_report["chosen_track"] == "zh"


def test_the_worker_imports_the_english_track_as_existing_english(
    client, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    job, page = _previewed(client, django_capture_on_commit_callbacks, TOP_BOTTOM)
    assert '<select name="english_track">' in page
    episode = _confirm(client, django_capture_on_commit_callbacks, job, english_track="en")
    segments = list(episode.segments.order_by("order"))
    assert [s.text for s in segments] == [
        "Is this your first time in this town?",
        "Yes, I moved here last week.",
        "I recommend the café by the station.",
    ]
    assert {s.status for s in segments} == {Segment.Status.EDITED}
    assert {s.machine_engine for s in segments} == {importing.IMPORTED_ENGINE}


def test_the_worker_imports_a_second_english_file(
    client, translator_user, django_capture_on_commit_callbacks
):
    ja = "".join(
        f"{k}\n00:00:0{2 * k},000 --> 00:00:0{2 * k + 1},500\n{text}\n\n"
        for k, text in enumerate(["おはようございます", "今日はいい天気ですね", "散歩に行こう"], 1)
    )
    en = "".join(
        f"{k}\n00:00:0{2 * k},000 --> 00:00:0{2 * k + 1},500\n{text}\n\n"
        for k, text in enumerate(["Good morning.", "Nice weather today.", "Let's walk."], 1)
    )
    client.force_login(translator_user)
    path = Path(importing.pending_dir()) / "ja-upload.srt"
    path.write_text(ja, "utf-8")
    try:
        english = SimpleUploadedFile("english.srt", en.encode())
        job, page = _previewed(
            client, django_capture_on_commit_callbacks, path, english_file=english
        )
    finally:
        path.unlink()
    assert (importing.pending_dir() / f"{job.token}-en").is_file()  # kept beside the upload
    assert "English from english.srt" in page
    episode = _confirm(client, django_capture_on_commit_callbacks, job)
    assert list(episode.segments.order_by("order").values_list("source_text", "text")) == [
        ("おはようございます", "Good morning."),
        ("今日はいい天気ですね", "Nice weather today."),
        ("散歩に行こう", "Let's walk."),
    ]
    assert not (importing.pending_dir() / f"{job.token}-en").exists()  # gone with the upload


def test_someone_else_cannot_change_the_track_of_a_job(
    client, translator_user, django_capture_on_commit_callbacks
):
    client.force_login(translator_user)
    job, _page = _previewed(client, django_capture_on_commit_callbacks, RADIO)
    client.force_login(make_user("otto", group="translator"))
    response = client.post(
        "/episodes/import/", {"retrack": "1", "import_job": job.pk, "track": "zh"}
    )
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.state == "previewed" and not job.options.get("track")


def test_a_preview_stored_before_the_kinds_table_still_shows(client, translator_user):
    """Jobs previewed by an older worker stored paragraphs only: shown, without selects."""
    job = ImportJob.objects.create(
        state=ImportJob.State.PREVIEWED,
        token="0" * 32,
        filename="old.srt",
        requested_by=translator_user,
        preview={
            "title": "old",
            "n_paragraphs": 1,
            "n_sentences": 1,
            "paragraphs": [
                {"kind": "transcript", "speaker": "美咲", "sentences": [{"text": "古い"}]}
            ],
            "report": None,
        },
    )
    client.force_login(translator_user)
    page = client.get(f"/episodes/import/jobs/{job.pk}/").text
    assert "<div>古い</div>" in page and "美咲" in page
    assert '<select name="kind-' not in page
