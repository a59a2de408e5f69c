"""Injected faults: DeepL errors (via the fake server), Argos packages missing or corrupt.

Each DeepL fault hits a job after its first batch: the job must end FAILED with a clear,
one-line reason, keep the first batch, and a retry must finish only the rest (every segment
machine-translated exactly once).
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from tests.support.deepl_server import FakeDeepLServer
from tests.support.fixtures import use_argos, use_deepl
from translator.engines.argos_packages import install_from_file
from translator.engines.registry import get_engine, reset_engines
from translator.models import EngineState, Segment, SegmentRevision, TranslationJob
from translator.services import translation

pytestmark = pytest.mark.django_db
State = TranslationJob.State


def _use_deepl(settings, server_url: str, auth_key: str) -> None:
    use_deepl(settings, server_url, auth_key)
    get_engine("deepl").max_batch_texts = 20  # several batches for the sample


@pytest.fixture
def deepl(settings, deepl_server, monkeypatch):
    import deepl as deepl_lib

    monkeypatch.setattr(deepl_lib.http_client, "min_connection_timeout", 0.3)
    _use_deepl(settings, deepl_server.url, deepl_server.auth_key)
    yield deepl_server
    reset_engines()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _start(episode) -> TranslationJob:
    return translation.start_translation_job(episode_id=episode.pk, engine="deepl", enqueue=False)


FAULTS = {
    # name: (inject(server, settings), expected words in job.error)
    "403 key rejected": (lambda s, st: s.fail(403), "key rejected (HTTP 403)"),
    "456 quota": (lambda s, st: s.fail(456), "quota exhausted (HTTP 456)"),
    "429 storm": (lambda s, st: s.fail(429), "rate limit"),
    "500 server error": (lambda s, st: s.fail(500), "unavailable (HTTP 500)"),
    "503 unavailable": (lambda s, st: s.fail(503), "unavailable (HTTP 503)"),
    "timeout": (lambda s, st: setattr(s, "delay_s", 1.0), "timed out"),
    "connection dropped": (lambda s, st: s.drop_connections(), "unreachable"),
    # Stop listening, and close the kept-alive connection on its next request: the client's
    # retries then meet a closed port.
    "connection refused": (lambda s, st: (s.stop(), s.drop_connections()), "connection refused"),
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_deepl_fault_keeps_partial_work_and_retry_resumes(
    fault, deepl, settings, sample_episode, caplog
):
    inject, expected = FAULTS[fault]
    n = sample_episode.segments.count()
    job = _start(sample_episode)
    injected = {"done": False}

    def after_first_batch(j):
        if j.done > 0 and not injected["done"]:
            injected["done"] = True
            inject(deepl, settings)

    with caplog.at_level(logging.DEBUG):
        job = translation.run_translation_job(job_id=job.pk, on_progress=after_first_batch)
    assert job.state == State.FAILED, (fault, job.error)
    assert expected.lower() in job.error.lower(), job.error
    assert "\n" not in job.error and len(job.error) < 300
    assert "Traceback" not in job.error
    kept = sample_episode.segments.exclude(machine_text="").count()
    assert 0 < kept == job.done < n  # the first batch is kept
    # No secret in the job's message or in any log record.
    assert deepl.auth_key not in job.error
    assert deepl.auth_key not in caplog.text

    # Fixed: run again; only the rest is sent, nothing is translated twice.
    deepl.reset_failures()
    server = deepl
    if fault == "connection refused":  # the same account, reachable again (at a new port)
        server = FakeDeepLServer().start()
        server.glossaries = deepl.glossaries
    _use_deepl(settings, server.url, server.auth_key)
    retry = translation.run_translation_job(job_id=_start(sample_episode).pk)
    server.stop()
    assert retry.state == State.SUCCEEDED, retry.error
    assert retry.total == n - kept
    assert not sample_episode.segments.filter(machine_text="").exists()
    per_segment = list(
        SegmentRevision.objects.filter(action="machine").values_list("segment_id", flat=True)
    )
    assert len(per_segment) == len(set(per_segment)) == n


def test_deepl_brief_429_and_5xx_are_retried_transparently(deepl, sample_episode):
    deepl.fail(429, times=1)
    deepl.fail(503, times=1)
    job = translation.run_translation_job(job_id=_start(sample_episode).pk)
    assert job.state == State.SUCCEEDED, job.error
    statuses = len(deepl.translate_requests())
    assert statuses >= 3  # the refused attempts were retried


def test_deepl_fault_never_touches_human_text(deepl, sample_episode, translator_user):
    from translator.services import review

    seg = sample_episode.segments.order_by("order")[25]
    review.save_segment(
        segment_id=seg.pk, text="Mine.", base_version=seg.version, user=translator_user
    )
    deepl.fail(500)
    job = translation.run_translation_job(job_id=_start(sample_episode).pk)
    assert job.state == State.FAILED
    seg.refresh_from_db()
    assert (seg.text, seg.status) == ("Mine.", Segment.Status.EDITED)


# --- Argos -------------------------------------------------------------------------------------


def _use_argos(settings, packages: Path) -> None:
    use_argos(settings, packages, beam_size=1)


def _corrupt(packages: Path) -> None:
    model_bins = list(packages.rglob("model.bin"))
    assert model_bins
    for path in model_bins:
        path.write_bytes(b"this is not a CTranslate2 model")


@pytest.mark.parametrize("damage", ["missing", "corrupt", "metadata"])
def test_argos_package_missing_or_corrupt(
    damage, settings, argos_models, tmp_path, client, translator_user, sample_episode
):
    packages = tmp_path / "argos-packages"
    if damage != "missing":
        install_from_file(argos_models.copy, packages)
        if damage == "corrupt":
            _corrupt(packages)
        else:
            for meta in packages.rglob("metadata.json"):
                meta.write_text("{not json", encoding="utf-8")
    _use_argos(settings, packages)
    client.force_login(translator_user)
    try:
        page = client.get("/engines/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "argos" in html.lower()
        if damage != "corrupt":
            assert "argos_install" in html  # the page says how to fix it
        job = translation.start_translation_job(
            episode_id=sample_episode.pk, engine="argos", enqueue=False
        )
        job = translation.run_translation_job(job_id=job.pk)
        assert job.state == State.FAILED
        assert "argos_install" in job.error and "\n" not in job.error
        assert not sample_episode.segments.exclude(machine_text="").exists()
        # Nothing else breaks.
        for url in (
            "/",
            f"/episodes/{sample_episode.pk}/",
            f"/episodes/{sample_episode.pk}/jobs/panel/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
        panel = client.get(f"/episodes/{sample_episode.pk}/jobs/panel/").content.decode()
        # The panel says it in a web user's words (the command is for staff, on Engines).
        assert "manage.py" not in panel and "Ask an administrator" in panel
        if damage != "corrupt":
            assert "No Japanese→English model is installed on this server." in panel
        export = client.get(f"/episodes/{sample_episode.pk}/export/", {"format": "srt"})
        assert export.status_code == 200
    finally:
        reset_engines()


def test_engines_page_survives_an_engine_that_cannot_start(settings, client, translator_user):
    settings.TRANSLATION_ENGINES = {
        "deepl": {"CLASS": "translator.engines.deepl.DeepLEngine", "OPTIONS": {"auth_key": ""}},
        "broken": {"CLASS": "no.such.Engine", "OPTIONS": {}},
    }
    reset_engines()
    client.force_login(translator_user)
    try:
        page = client.get("/engines/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "DEEPL_AUTH_KEY" in html
        assert "cannot be imported" in html
    finally:
        reset_engines()


def test_fake_server_helper_closes(deepl):
    """The fault helpers reset cleanly (guards the other tests' assumptions)."""
    deepl.fail(500)
    deepl.delay_s = 2
    deepl.reset_failures()
    assert deepl.delay_s == 0 and deepl._take_failure("/v2/translate") is None
    assert isinstance(deepl, FakeDeepLServer)


def test_engines_page_reports_a_corrupt_argos_model(
    settings, argos_models, tmp_path, client, translator_user
):
    packages = tmp_path / "argos-packages"
    install_from_file(argos_models.copy, packages)
    _corrupt(packages)
    _use_argos(settings, packages)
    client.force_login(translator_user)
    try:
        assert "cannot be loaded" in client.get("/engines/").content.decode()
    finally:
        reset_engines()


def test_deepl_glossary_deleted_on_the_server_is_recreated(deepl, sample_episode):
    job = translation.run_translation_job(job_id=_start(sample_episode).pk)
    assert job.state == State.SUCCEEDED, job.error
    state = EngineState.objects.get(engine="deepl", episode=sample_episode)
    assert state.data["glossary_id"]  # speaker names make a glossary
    deepl.glossaries.clear()  # deleted in the DeepL account
    reset_engines()
    get_engine("deepl")
    again = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="deepl", enqueue=False, retranslate_machine=True
    )
    again = translation.run_translation_job(job_id=again.pk)
    assert again.state == State.SUCCEEDED, again.error
