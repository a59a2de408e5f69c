"""Translation jobs through the real engines: progress, resumability, people's work kept."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.fixtures import use_argos
from translator.engines.argos import ArgosEngine
from translator.engines.registry import reset_engines
from translator.models import EngineState, Episode, Segment, SegmentRevision, TranslationJob
from translator.services import translation

pytestmark = pytest.mark.django_db

Status = Segment.Status


def _run(episode, engine, **kwargs) -> TranslationJob:
    job = translation.start_translation_job(
        episode_id=episode.pk, engine=engine, enqueue=False, **kwargs
    )
    return translation.run_translation_job(job_id=job.pk)


def test_argos_job_translates_every_segment_with_provenance(argos_settings, sample_episode):
    n = sample_episode.segments.count()
    seen = []
    job = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="argos", enqueue=False
    )
    assert job.total == n
    job = translation.run_translation_job(job_id=job.pk, on_progress=lambda j: seen.append(j.done))
    assert job.state == TranslationJob.State.SUCCEEDED, job.error
    assert job.done == job.total == n
    assert seen[-1] == n and seen == sorted(seen)
    segs = list(sample_episode.segments.all())
    assert all(s.status == Status.MACHINE for s in segs)
    assert all(s.machine_text and s.text == s.machine_text for s in segs)
    assert all(s.machine_engine == "argos" and s.machine_engine_version for s in segs)
    assert all(s.machine_translated_at is not None for s in segs)
    # One machine revision per segment: nothing translated twice.
    assert SegmentRevision.objects.filter(action="machine").count() == n


def test_job_never_touches_edited_or_approved(argos_settings, sample_episode, reviewer_user):
    edited, approved = sample_episode.segments.order_by("order")[:2]
    edited.text, edited.status = "My own words.", Status.EDITED
    edited.save()
    approved.text, approved.status = "Approved words.", Status.APPROVED
    approved.save()
    job = _run(sample_episode, "argos", retranslate_machine=True)
    assert job.state == TranslationJob.State.SUCCEEDED
    edited.refresh_from_db()
    approved.refresh_from_db()
    assert (edited.text, edited.status, edited.machine_text) == ("My own words.", Status.EDITED, "")
    assert (approved.text, approved.status) == ("Approved words.", Status.APPROVED)
    assert job.total == sample_episode.segments.count() - 2


def test_rerun_only_sends_what_is_left_and_retranslate_keeps_edits(argos_settings, sample_episode):
    _run(sample_episode, "argos")
    again = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="argos", enqueue=False
    )
    assert again.total == 0
    translation.run_translation_job(job_id=again.pk)
    seg = sample_episode.segments.order_by("order").first()
    seg.text, seg.status = "Edited after machine.", Status.EDITED
    seg.save()
    job = _run(sample_episode, "argos", retranslate_machine=True)
    assert job.total == sample_episode.segments.count() - 1
    seg.refresh_from_db()
    assert seg.text == "Edited after machine."
    # The raw machine text is kept even after an editor changed the English.
    assert seg.machine_text


def test_interrupted_job_resumes_without_duplicates(argos_settings, sample_episode):
    """A job that died after its first batch finishes the rest when run again."""
    job = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="argos", enqueue=False
    )
    calls = {"n": 0}

    def die_after_first_batch(j):
        calls["n"] += 1
        if j.done > 0:
            raise KeyboardInterrupt  # what a killed worker looks like to the job: it just stops

    from translator.engines.registry import get_engine

    engine = get_engine("argos")
    original = engine.max_batch_texts
    engine.max_batch_texts = 16  # several batches
    try:
        with pytest.raises(KeyboardInterrupt):
            translation.run_translation_job(job_id=job.pk, on_progress=die_after_first_batch)
        job.refresh_from_db()
        assert job.state == TranslationJob.State.RUNNING
        first = job.done
        assert 0 < first < job.total
        job = translation.run_translation_job(job_id=job.pk)
    finally:
        engine.max_batch_texts = original
    assert job.state == TranslationJob.State.SUCCEEDED
    n = sample_episode.segments.count()
    assert job.done == n
    assert not sample_episode.segments.filter(machine_text="").exists()
    per_segment = SegmentRevision.objects.filter(action="machine").values_list("segment", flat=True)
    assert len(per_segment) == len(set(per_segment)) == n


def test_cancel_stops_after_current_batch(argos_settings, sample_episode):
    job = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="argos", enqueue=False
    )
    from translator.engines.registry import get_engine

    engine = get_engine("argos")
    engine.max_batch_texts = 10

    def cancel_on_first(j):
        if j.done:
            translation.request_cancel(job_id=j.pk)

    try:
        job = translation.run_translation_job(job_id=job.pk, on_progress=cancel_on_first)
    finally:
        reset_engines()
    assert job.state == TranslationJob.State.CANCELLED
    assert 0 < job.done < job.total


def test_one_active_job_per_episode(argos_settings, sample_episode):
    translation.start_translation_job(episode_id=sample_episode.pk, engine="argos", enqueue=False)
    with pytest.raises(translation.JobError, match="already running"):
        translation.start_translation_job(
            episode_id=sample_episode.pk, engine="argos", enqueue=False
        )


def test_unknown_engine_is_refused(argos_settings, sample_episode):
    with pytest.raises(translation.JobError, match="Unknown engine"):
        translation.start_translation_job(episode_id=sample_episode.pk, engine="nope")


def test_missing_argos_package_fails_job_with_clear_reason(settings, sample_episode, tmp_path):
    use_argos(settings, tmp_path / "empty")
    job = _run(sample_episode, "argos")
    reset_engines()
    assert job.state == TranslationJob.State.FAILED
    assert "argos_install" in job.error
    assert not sample_episode.segments.exclude(machine_text="").exists()


def test_deepl_job_sends_context_and_minimum_requests(deepl_settings, sample_episode):
    server = deepl_settings
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.SUCCEEDED, job.error
    seg = sample_episode.segments.order_by("order").first()
    assert seg.text.startswith("EN(")
    requests = server.translate_requests()
    assert all(len(r.texts) <= 50 for r in requests)
    assert all(len(r.body) <= 128 * 1024 for r in requests)
    assert any(r.params.get("context") for r in requests)


def test_deepl_quota_error_keeps_partial_work(deepl_settings, sample_episode):
    server = deepl_settings
    from translator.engines.registry import get_engine

    get_engine("deepl").max_batch_texts = 20
    original_handle = server.handle
    calls = {"n": 0}

    def handle(method, path, params, auth):
        if path.startswith("/v2/translate"):
            calls["n"] += 1
            if calls["n"] > 1:
                return 456, {"message": "Quota exceeded"}
        return original_handle(method, path, params, auth)

    server.handle = handle
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.FAILED
    assert "quota" in job.error.lower()
    assert 0 < job.done < job.total
    kept = sample_episode.segments.exclude(machine_text="").count()
    assert kept == job.done
    # Fixed quota: running again finishes only the rest.
    server.handle = original_handle
    job2 = _run(sample_episode, "deepl")
    assert job2.state == TranslationJob.State.SUCCEEDED
    assert job2.total == sample_episode.segments.count() - kept


def test_deepl_key_rejected(deepl_settings, sample_episode):
    deepl_settings.fail(403)
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.FAILED
    assert "DeepL key rejected" in job.error


def test_translate_command_wait(argos_settings, sample_episode, capsys):
    call_command("translate", str(sample_episode.pk), "--engine", "argos", "--wait")
    out = capsys.readouterr()
    assert "done" in out.out
    assert not sample_episode.segments.filter(machine_text="").exists()


def test_translate_command_failure_exits_nonzero(settings, sample_episode, tmp_path):
    use_argos(settings, tmp_path / "none")
    with pytest.raises(CommandError, match="failed"):
        call_command("translate", str(sample_episode.pk), "--engine", "argos", "--wait")
    reset_engines()


def test_translate_command_enqueues_for_worker(
    argos_settings, sample_episode, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("translate", str(sample_episode.pk), "--engine", "argos")
    job = TranslationJob.objects.get()
    assert job.task_id
    assert "queued" in capsys.readouterr().out


def _deepl_glossary_id(episode: Episode) -> str:
    """The DeepL glossary id the engine keeps for ``episode`` (its ``EngineState``)."""
    state = EngineState.objects.filter(engine="deepl", episode=episode).first()
    return state.data.get("glossary_id", "") if state is not None else ""


def test_deepl_glossary_synced_once_per_change(deepl_settings, sample_episode):
    from translator.models import GlossaryTerm

    server = deepl_settings
    GlossaryTerm.objects.create(episode=sample_episode, source="字幕", target="subtitles")
    _run(sample_episode, "deepl")
    assert _deepl_glossary_id(sample_episode)
    created = [r for r in server.glossary_requests() if r.method == "POST"]
    assert len(created) == 1
    # Same terms again (a fresh process: engine cache dropped): no new glossary request.
    reset_engines()
    Segment.objects.filter(episode=sample_episode).update(
        machine_text="", status=Status.UNTRANSLATED, text=""
    )

    def writes():
        return [r for r in server.glossary_requests() if r.method in ("POST", "PUT", "PATCH")]

    before = len(writes())
    _run(sample_episode, "deepl")
    assert len(writes()) == before  # only a GET to check the stored glossary still exists
    assert all(
        r.params.get("glossary_id") == _deepl_glossary_id(sample_episode)
        for r in server.translate_requests()
    )
    # Changed terms: the same glossary is replaced, not a new one created.
    GlossaryTerm.objects.create(episode=sample_episode, source="翻訳", target="translation")
    Segment.objects.filter(episode=sample_episode).update(
        machine_text="", status=Status.UNTRANSLATED, text=""
    )
    old_id = _deepl_glossary_id(sample_episode)
    _run(sample_episode, "deepl")
    assert _deepl_glossary_id(sample_episode) == old_id
    assert len([r for r in server.glossary_requests() if r.method == "POST"]) == 1


def test_speaker_names_are_protected_for_argos(argos_settings, sample_episode):
    from translator.services.translation import engine_glossary

    terms = engine_glossary(sample_episode)
    assert terms.get("佐藤") == "Sato"
    job = _run(sample_episode, "argos")
    assert job.state == TranslationJob.State.SUCCEEDED
    seg = sample_episode.segments.filter(source_text__contains="佐藤").first()
    assert "Sato" in seg.machine_text


def test_job_fills_an_empty_english_title_and_never_replaces_one(deepl_settings, sample_episode):
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.SUCCEEDED
    sample_episode.refresh_from_db()
    assert sample_episode.title_en == f"EN({sample_episode.title})"
    assert sample_episode.english_title == sample_episode.title_en

    Episode.objects.filter(pk=sample_episode.pk).update(title_en="Behind the Subtitles, Ep. 12")
    job = _run(sample_episode, "deepl", retranslate_machine=True)
    assert job.state == TranslationJob.State.SUCCEEDED
    sample_episode.refresh_from_db()
    assert sample_episode.title_en == "Behind the Subtitles, Ep. 12"
    titles = [r for r in deepl_settings.translate_requests() if sample_episode.title in r.texts]
    assert len(titles) == 1  # asked once, for the empty title only


def test_title_failure_leaves_the_job_succeeded(deepl_settings, sample_episode):
    server = deepl_settings
    original_handle = server.handle

    def handle(method, path, params, auth):
        texts = params.get("text", [])
        texts = [texts] if isinstance(texts, str) else texts
        if path.startswith("/v2/translate") and sample_episode.title in texts:
            return 456, {"message": "Quota exceeded"}
        return original_handle(method, path, params, auth)

    server.handle = handle
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.SUCCEEDED, job.error
    sample_episode.refresh_from_db()
    assert sample_episode.title_en == ""
    assert not sample_episode.segments.filter(machine_text="").exists()


def test_translate_wait_keeps_deepl_request_logs_out_of_the_progress_bar(
    deepl_settings, sample_episode, capsys, caplog
):
    """The DeepL library logs every request at INFO; with --wait those lines used to cut
    through the progress bar. Only its warnings and errors reach the console."""
    caplog.set_level(logging.DEBUG)
    call_command("translate", str(sample_episode.pk), "--engine", "deepl", "--wait")
    assert "done" in capsys.readouterr().out
    noisy = [
        r for r in caplog.records if r.name.startswith("deepl") and r.levelno < logging.WARNING
    ]
    assert noisy == []


class RecordingArgos(ArgosEngine):
    """The real Argos engine, recording what the base class hands to its batch method."""

    seen: list[tuple[list[str], list[tuple[str, ...]], dict[str, str]]] = []

    def _translate_batch(self, texts, **kwargs):
        RecordingArgos.seen.append((list(texts), kwargs["contexts"], dict(kwargs["glossary"])))
        return super()._translate_batch(texts, **kwargs)


def test_job_sends_argos_no_context_and_protected_terms(argos_settings, sample_episode):
    argos_settings.TRANSLATION_ENGINES["argos"]["CLASS"] = (
        "tests.services.test_translation_jobs.RecordingArgos"
    )
    reset_engines()
    RecordingArgos.seen = []
    job = _run(sample_episode, "argos")
    assert job.state == TranslationJob.State.SUCCEEDED, job.error
    assert RecordingArgos.seen
    assert all(glossary == {} for _, _, glossary in RecordingArgos.seen)
    assert all(context == () for _, contexts, _ in RecordingArgos.seen for context in contexts)
    sent = [text for texts, _, _ in RecordingArgos.seen for text in texts]
    assert any("Sato" in text for text in sent)
    assert not any("佐藤" in text for text in sent)  # the speaker's name went in as English
    assert not EngineState.objects.exists()  # Argos has no glossary of its own to keep


def test_job_sends_deepl_context_and_keeps_its_glossary_per_episode(deepl_settings, sample_episode):
    server = deepl_settings
    job = _run(sample_episode, "deepl")
    assert job.state == TranslationJob.State.SUCCEEDED, job.error
    state = EngineState.objects.get(engine="deepl", episode=sample_episode)
    assert set(state.data) == {"glossary_id", "glossary_hash"}
    assert state.data["glossary_id"] in server.glossaries
    assert any(r.params.get("context") for r in server.translate_requests())
    sent = [t for r in server.translate_requests() for t in r.texts]
    assert any("佐藤" in t for t in sent)  # DeepL's own glossary handles the names


def test_claim_job_leaves_finished_and_cancelled_jobs_alone(argos_settings, sample_episode):
    job = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="argos", enqueue=False
    )
    TranslationJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert translation.claim_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == TranslationJob.State.CANCELLED and job.finished_at
    assert translation.claim_job(job_id=job.pk) is None  # finished: nothing to claim
    assert translation.run_translation_job(job_id=job.pk).state == TranslationJob.State.CANCELLED
