"""No GET request writes to the database: every GET page of the app, run under a guard that
fails on any INSERT, UPDATE or DELETE (stored QA flags are written by the services only)."""

from __future__ import annotations

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.factories import timed_episode
from translator.models import AlignmentRun, GlossaryTerm, ImportJob, Segment, TranslationJob

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            out += _patterns(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            out.append((namespace + entry.name, list(entry.pattern.regex.groupindex)))
    return out


class _NoWrites:
    def __init__(self) -> None:
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITES):
            self.writes.append(sql[:120])
        return execute(sql, params, many, context)


def test_no_get_request_writes(client, reviewer_user, sample_episode):
    # Rows bulk-created without the services: their QA flags were never stored.
    bulk = timed_episode(
        30,
        speakers=[("友野", "Tomono")],
        label=lambda i: "友野",
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: f"Still 日本語 {i}." if i % 3 == 0 else f"Sentence {i}.",
    )
    assert bulk.segments.filter(qa_flags__isnull=True).count() == 30
    seg = sample_episode.segments.order_by("order").first()
    term = GlossaryTerm.objects.create(episode=sample_episode, source="字幕", target="subtitles")
    job = ImportJob.objects.create(requested_by=reviewer_user, token="t" * 32)
    TranslationJob.objects.create(episode=sample_episode, engine="argos")
    run = AlignmentRun.objects.create(episode=sample_episode, report={})
    revision = seg.revisions.create(new_text="x", old_text="", action="edit", version=1)
    speaker = sample_episode.speakers.first()
    values = {
        "segment_id": seg.pk,
        "term_id": term.pk,
        "import_job_id": job.pk,
        "job_id": sample_episode.jobs.first().pk,
        "run_id": run.pk,
        "revision_id": revision.pk,
        "speaker_id": speaker.pk,
        "public_id": sample_episode.public_id,
    }
    client.force_login(reviewer_user)
    client.get("/")  # the session is saved once, before the guard
    guard = _NoWrites()
    seen: list[str] = []
    queries = ["", "?flag=any", "?flag=japanese_left&status=machine", "?goto=10&q=Still"]
    with connection.execute_wrapper(guard):
        for name, params in _patterns(get_resolver()):
            if name.startswith(("admin:", "djdt")):
                continue
            for episode in (sample_episode, bulk):
                kwargs = {p: values.get(p, episode.pk) for p in params}
                url = reverse(name, kwargs=kwargs)
                for query in queries if name == "translator:episode_detail" else [""]:
                    response = client.get(url + query)
                    assert response.status_code < 500, (url + query, response.status_code)
                    seen.append(name)
    assert guard.writes == [], guard.writes
    assert {
        "translator:episode_detail",
        "translator:segment_row",
        "translator:public_transcript",
        "translator:memory",
        "translator:episode_list",
    } <= set(seen)
    assert bulk.segments.filter(qa_flags__isnull=True).count() == 30  # shown, never stored
    assert Segment.objects.filter(episode=bulk, text__startswith="Still").count() == 10
