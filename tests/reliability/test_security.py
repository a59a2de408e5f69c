"""Secrets never rendered or logged, argostranslate's logging silenced, uploads and file names."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reliability.corpus import GOOD_SRT
from tests.support.fixtures import use_deepl
from translator.core.requests import ImportRequest
from translator.engines.registry import reset_engines
from translator.models import Episode
from translator.services import translation
from translator.services.importing import import_episode

pytestmark = pytest.mark.django_db

DEEPL_KEY = "s3cr3t-deepl-key-0123456789:fx"


@pytest.fixture
def deepl_with_key(settings, deepl_server):
    deepl_server.auth_key = DEEPL_KEY
    settings.DEEPL_AUTH_KEY = DEEPL_KEY
    use_deepl(settings, deepl_server.url, DEEPL_KEY)
    yield deepl_server
    reset_engines()


def test_no_secret_rendered_on_any_page(deepl_with_key, client, staff_user, sample_episode):
    client.force_login(staff_user)
    Episode.objects.filter(pk=sample_episode.pk).update(published=True)
    sample_episode.refresh_from_db()
    deepl_with_key.fail(403, times=1)  # an error on the engines page must not echo the key
    pages = [
        "/",
        "/engines/",
        "/engines/",
        f"/episodes/{sample_episode.pk}/",
        f"/episodes/{sample_episode.pk}/jobs/panel/",
        f"/p/{sample_episode.public_id}/",
        "/episodes/import/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert DEEPL_KEY not in body and DEEPL_KEY[:12] not in body, url
        assert django_settings.SECRET_KEY not in body, url


def test_no_secret_logged_during_a_deepl_job(deepl_with_key, sample_episode, caplog):
    deepl_with_key.fail(500, times=1)
    deepl_with_key.fail(403, times=1, path_prefix="/v3/glossaries")
    with caplog.at_level(logging.DEBUG):
        job = translation.start_translation_job(
            episode_id=sample_episode.pk, engine="deepl", enqueue=False
        )
        job = translation.run_translation_job(job_id=job.pk)
        job2 = translation.run_translation_job(
            job_id=translation.start_translation_job(
                episode_id=sample_episode.pk, engine="deepl", enqueue=False
            ).pk
        )
    assert job.state == "failed" and job2.state == "succeeded", (job.error, job2.error)
    assert caplog.records, "expected the deepl library to log something at DEBUG"
    for record in caplog.records:
        assert DEEPL_KEY not in record.getMessage()
        assert DEEPL_KEY[:12] not in caplog.text
    assert django_settings.SECRET_KEY not in caplog.text


def test_argostranslate_user_text_is_not_logged(caplog):
    assert django_settings.LOGGING["loggers"]["argostranslate.utils"]["level"] == "WARNING"
    logger = logging.getLogger("argostranslate.utils")
    assert not logger.isEnabledFor(logging.INFO)
    with caplog.at_level(logging.DEBUG):  # even with the root logger wide open
        logger.info("translating: 秘密のユーザーテキスト")
        logging.getLogger("argostranslate").debug("秘密のユーザーテキスト")
        logger.warning("a real problem")
    assert "秘密" not in caplog.text
    assert "a real problem" in caplog.text


def test_user_file_names_are_never_paths(client, translator_user, tmp_path):
    """The import view stashes uploads under a random token, never the user's name."""
    client.force_login(translator_user)
    pending = Path(django_settings.DATA_DIR) / "pending-imports"
    before = set(pending.iterdir()) if pending.exists() else set()
    name = "../../etc/passwd.srt"
    response = client.post(
        "/episodes/import/",
        {
            "file": SimpleUploadedFile(name, GOOD_SRT.encode()),
            "format": "auto",
            "encoding": "auto",
            "target_language": "EN-US",
        },
    )
    assert response.status_code == 200 and response.context["token"]
    new = set(pending.iterdir()) - before
    assert len(new) == 1
    (stashed,) = new
    assert stashed.parent == pending and stashed.name.isalnum() and len(stashed.name) == 32
    assert not (Path(django_settings.DATA_DIR).parent / "etc").exists()
    confirm = client.post("/episodes/import/", {"confirm": "1", "token": response.context["token"]})
    assert confirm.status_code == 302
    assert not stashed.exists()  # cleaned up after import
    # A forged token cannot read other files.
    for token in ("../../../etc/passwd", "..", "a/b"):
        r = client.post("/episodes/import/", {"confirm": "1", "token": token})
        assert r.status_code == 302 and r["Location"] == "/episodes/import/"


def test_media_upload_is_stored_under_a_generated_name(client, translator_user, sample_episode):
    client.force_login(translator_user)
    url = f"/episodes/{sample_episode.pk}/media/"
    client.post(
        url, {"file": SimpleUploadedFile("../../../evil.mp3", b"ID3" + b"\0" * 32, "audio/mpeg")}
    )
    sample_episode.refresh_from_db()
    name = sample_episode.media_file.name
    assert name.startswith(f"episodes/{sample_episode.pk}/") and ".." not in name
    assert "evil" not in name
    # Types other than audio/video are refused.
    for bad in ("page.html", "script.js", "x.svg", "run.exe"):
        client.post(
            url, {"file": SimpleUploadedFile(bad, b"<script>alert(1)</script>", "text/html")}
        )
        sample_episode.refresh_from_db()
        assert sample_episode.media_file.name == name, bad


def test_import_refuses_other_file_types(client, translator_user):
    client.force_login(translator_user)
    for name in ("x.html", "x.exe", "x.png", "x"):
        response = client.post(
            "/episodes/import/",
            {
                "file": SimpleUploadedFile(name, b"hello"),
                "format": "auto",
                "encoding": "auto",
                "target_language": "EN-US",
            },
        )
        assert response.status_code == 200
        assert "Unsupported file type" in response.content.decode(), name


def test_download_file_name_cannot_inject_headers(client, translator_user):
    episode = import_episode(data=GOOD_SRT.encode(), request=ImportRequest(filename="a.srt"))
    Episode.objects.filter(pk=episode.pk).update(title='../../x"; filename="evil.html\r\nX-Evil: 1')
    client.force_login(translator_user)
    response = client.get(f"/episodes/{episode.pk}/export/", {"format": "srt"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert disposition.count('"') == 2, disposition
    assert "/" not in disposition.split("filename=")[1]
    assert "X-Evil" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookie_flags(client, translator_user):
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.X_FRAME_OPTIONS == "DENY"
    response = client.post("/accounts/login/", {"username": "tina", "password": "pw-tina-123!"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
