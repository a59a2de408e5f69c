"""Stored QA flags (Segment.qa_flags): written by the services that change what QA depends on,
filled in for rows written otherwise, and always equal to what core QA computes now."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.factories import timed_episode
from translator.core.qa import check_segment
from translator.models import Cue, Episode, GlossaryTerm, Segment
from translator.services import editing, qa_flags, review, translation
from translator.services.qa_flags import compute_qa_flags, refresh_qa_flags

pytestmark = pytest.mark.django_db


def _episode(n: int = 4) -> Episode:
    """Timed rows written behind the services' back (bulk_create): no stored flags yet."""
    return timed_episode(
        n,
        title="QA",
        speakers=[("友野", "Tomono")],
        label=lambda i: "友野",
        source=lambda i: f"字幕は{i + 1}個です。",
        text=lambda i: f"There are {i + 1} subtitles.",
    )


def _flags(ep: Episode) -> list[list[str] | None]:
    return list(ep.segments.order_by("order").values_list("qa_flags", flat=True))


def _core_flags(seg: Segment) -> list[str]:
    """What core QA says about ``seg`` right now (the reference the stored flags must equal)."""
    glossary = dict(seg.episode.glossary.values_list("source", "target"))
    names = seg.episode.speakers.values_list("display_name", flat=True)
    protected = tuple(sorted({*glossary.values(), *names} - {""}))
    spans = list(seg.cues.order_by("index").values_list("start_ms", "end_ms"))
    nxt = Segment.objects.filter(episode=seg.episode, order=seg.order + 1).first()
    first = nxt.cues.order_by("index").first() if nxt else None
    return [
        f.value
        for f in check_segment(
            seg.source_text,
            seg.text,
            spans if seg.kind == Segment.Kind.TRANSCRIPT else None,
            glossary=glossary,
            next_start_ms=first.start_ms if first else None,
            protected=protected,
            speakers=dict(seg.episode.speakers.values_list("label", "display_name")),
        )
    ]


def test_missing_flags_are_filled_once_and_match_core_qa():
    ep = _episode()
    assert _flags(ep) == [None] * 4
    assert refresh_qa_flags(episode_id=ep.pk, missing_only=True) == 4
    for seg in ep.segments.all():
        assert seg.qa_flags == _core_flags(seg)
    assert refresh_qa_flags(episode_id=ep.pk, missing_only=True) == 0
    assert refresh_qa_flags(episode_id=ep.pk) == 0  # nothing changed: nothing written


def test_refresh_needs_ids_or_episode():
    with pytest.raises(ValueError):
        refresh_qa_flags()
    with pytest.raises(ValueError):
        refresh_qa_flags(segment_ids=[1], episode_id=1)


def test_next_segments_first_cue_is_used():
    ep = _episode(2)
    first, second = ep.segments.order_by("order")
    # Long English over a short cue: too fast unless it may run into the silence after it.
    Segment.objects.filter(pk=first.pk).update(
        text="There is one subtitle, and it goes on for a rather long while."
    )
    Cue.objects.filter(segment=second).update(start_ms=60_000, end_ms=62_000)
    refresh_qa_flags(segment_ids=[first.pk])
    relaxed = Segment.objects.get(pk=first.pk).qa_flags
    Cue.objects.filter(segment=second).update(start_ms=2600, end_ms=4000)
    refresh_qa_flags(segment_ids=[first.pk])
    tight = Segment.objects.get(pk=first.pk).qa_flags
    assert "reading_speed" not in relaxed and "reading_speed" in tight
    assert tight == _core_flags(Segment.objects.get(pk=first.pk))
    assert compute_qa_flags(segment_ids=[first.pk]) == {first.pk: tight}


def test_import_stores_flags(sample_episode):
    flags = _flags(sample_episode)
    assert None not in flags
    assert all("empty_translation" in f for f in flags)  # nothing translated yet


def test_saving_updates_the_rows_flags(sample_episode, reviewer_user):
    seg = sample_episode.segments.filter(kind=Segment.Kind.TRANSCRIPT).order_by("order").first()
    saved = review.save_segment(
        segment_id=seg.pk, text="Still 日本語 here.", base_version=seg.version, user=reviewer_user
    )
    assert "japanese_left" in saved.qa_flags and "empty_translation" not in saved.qa_flags
    saved = review.save_segment(
        segment_id=seg.pk, text="All English.", base_version=saved.version, user=reviewer_user
    )
    assert "japanese_left" not in saved.qa_flags
    assert saved.qa_flags == _core_flags(saved)
    before = _flags(sample_episode)
    review.set_approved(segment_id=seg.pk, approved=True, user=reviewer_user)
    assert _flags(sample_episode) == before  # approving does not change the text

    first = saved.revisions.order_by("version").first()
    restored = review.restore_revision(revision_id=first.pk, user=reviewer_user)
    assert "japanese_left" in restored.qa_flags


def test_glossary_changes_refresh_the_episode(reviewer_user):
    ep = _episode()
    refresh_qa_flags(episode_id=ep.pk, missing_only=True)
    assert not any("glossary_not_followed" in f for f in _flags(ep))
    term = editing.add_glossary_term(
        episode_id=ep.pk, source="字幕", target="captions", user=reviewer_user
    )
    assert all("glossary_not_followed" in f for f in _flags(ep))
    editing.update_glossary_term(
        term_id=term.pk, source="字幕", target="subtitles", user=reviewer_user
    )
    assert not any("glossary_not_followed" in f for f in _flags(ep))
    editing.update_glossary_term(
        term_id=term.pk, source="字幕", target="captions", user=reviewer_user
    )
    editing.delete_glossary_term(term_id=term.pk, user=reviewer_user)
    assert not any("glossary_not_followed" in f for f in _flags(ep))
    assert not GlossaryTerm.objects.filter(episode=ep).exists()


def test_speaker_rename_refreshes_the_episode(reviewer_user):
    ep = _episode()
    speaker = ep.speakers.get()
    editing.rename_speaker(speaker_id=speaker.pk, display_name="Tomono-san", user=reviewer_user)
    assert None not in _flags(ep)
    for seg in ep.segments.all():
        assert seg.qa_flags == _core_flags(seg)


def test_machine_translation_stores_flags(sample_episode, deepl_settings):
    job = translation.start_translation_job(
        episode_id=sample_episode.pk, engine="deepl", enqueue=False
    )
    translation.run_translation_job(job_id=job.pk)
    translated = list(sample_episode.segments.exclude(text=""))
    assert translated
    for seg in translated:
        assert seg.qa_flags == _core_flags(seg)
        assert "empty_translation" not in seg.qa_flags


def test_rows_changed_outside_the_services_are_stored_by_refresh_qa():
    ep = _episode(1)
    refresh_qa_flags(episode_id=ep.pk)
    seg = ep.segments.get()
    assert "japanese_left" not in seg.qa_flags
    seg.text = "日本語"
    seg.save()  # behind the services' back: a plain save writes no flags of its own
    assert compute_qa_flags(segment_ids=[seg.pk])[seg.pk] == _core_flags(seg)  # readers see it
    call_command("refresh_qa", str(ep.pk), stdout=io.StringIO())
    assert Segment.objects.get(pk=seg.pk).qa_flags == _core_flags(seg)


def test_segments_changed_in_a_collect_block_refreshes_once(monkeypatch):
    ep = _episode(3)
    other = _episode(2)
    ids = list(ep.segments.values_list("id", flat=True))
    calls: list[dict] = []
    real = qa_flags.refresh_qa_flags
    monkeypatch.setattr(qa_flags, "refresh_qa_flags", lambda **kw: calls.append(kw) or real(**kw))
    with qa_flags.collect():
        for pk in ids:
            qa_flags.segments_changed(segment_ids=[pk])
        with qa_flags.collect():  # a nested block joins the outer one
            qa_flags.segments_changed(episode_id=other.pk)
            qa_flags.segments_changed(episode_id=other.pk)
        assert calls == []  # nothing yet: recorded only
    assert calls == [{"episode_id": other.pk}, {"segment_ids": set(ids)}]
    assert None not in _flags(ep) and None not in _flags(other)
    calls.clear()
    qa_flags.segments_changed(segment_ids=ids[:1])  # outside a block: at once
    assert calls == [{"segment_ids": set(ids[:1])}]


def test_a_failed_collect_block_stores_nothing(monkeypatch):
    ep = _episode(2)
    with pytest.raises(RuntimeError), qa_flags.collect():
        qa_flags.segments_changed(episode_id=ep.pk)
        raise RuntimeError
    assert _flags(ep) == [None, None]
    qa_flags.segments_changed(episode_id=ep.pk)  # and the next change is not swallowed
    assert None not in _flags(ep)


def test_refresh_costs_a_few_queries_whatever_the_size():
    ep = _episode(300)
    ids = list(ep.segments.values_list("id", flat=True))
    with CaptureQueriesContext(connection) as episode_queries:
        refresh_qa_flags(episode_id=ep.pk)
    with CaptureQueriesContext(connection) as id_queries:
        refresh_qa_flags(segment_ids=ids[:50])
    assert len(episode_queries) <= 12 and len(id_queries) <= 10


def test_data_migration_computes_existing_rows():
    ep = _episode()
    GlossaryTerm.objects.create(episode=ep, source="字幕", target="captions")
    migration = importlib.import_module("translator.migrations.0004_segment_qa_flags")
    migration.compute_flags(apps, None)
    for seg in ep.segments.all():
        assert seg.qa_flags == _core_flags(seg)
        assert "glossary_not_followed" in seg.qa_flags


def test_refresh_qa_command_recomputes_stale_flags(capsys):
    """Flags stored under an older rule (here: a glossary flag for "Subtitle", which a plural
    term now accepts) are recomputed by ``manage.py refresh_qa``."""
    from django.core.management import call_command

    ep = _episode(3)
    GlossaryTerm.objects.create(episode=ep, source="字幕", target="subtitles")
    refresh_qa_flags(episode_id=ep.pk)
    Segment.objects.filter(episode=ep).update(qa_flags=["glossary_not_followed"])  # stale
    other = _episode(2)
    refresh_qa_flags(episode_id=other.pk)

    call_command("refresh_qa", str(ep.pk))
    assert "1 episode(s); 3 segment(s) changed" in capsys.readouterr().out
    assert _flags(ep) == [_core_flags(s) for s in ep.segments.order_by("order")]
    assert all("glossary_not_followed" not in f for f in _flags(ep))

    call_command("refresh_qa")  # every episode; nothing left to change
    assert "2 episode(s); 0 segment(s) changed" in capsys.readouterr().out


def _count_english_normalisations(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = qa_flags.tm.normalize

    def counting(text: str) -> str:
        calls.append(text)
        return original(text)

    monkeypatch.setattr(qa_flags.tm, "normalize", counting)
    qa_flags._normalize_cached.cache_clear()  # sources too: count from a cold cache
    return calls


@pytest.mark.parametrize("size", [40, 400])
def test_refreshing_a_few_rows_does_not_renormalise_the_whole_episode(monkeypatch, size):
    """A translation job refreshes each batch's rows: the consistency check looks at the
    segments with the same source, not at the English of every segment of the episode (that
    made a 10,000-segment job's QA cost grow with the square of its size)."""
    ep = _episode(size)
    ids = list(ep.segments.order_by("order").values_list("id", flat=True))
    refresh_qa_flags(episode_id=ep.pk)
    calls = _count_english_normalisations(monkeypatch)
    refresh_qa_flags(segment_ids=ids[:5])
    english = [text for text in calls if text.isascii()]
    assert len(english) <= 10, len(english)


def test_a_partial_refresh_still_finds_an_inconsistent_peer():
    ep = _episode(30)
    seg = list(ep.segments.order_by("order"))
    refresh_qa_flags(episode_id=ep.pk)
    Segment.objects.filter(pk=seg[20].pk).update(source_text=seg[3].source_text)
    refresh_qa_flags(segment_ids=[seg[20].pk])
    flags = dict(ep.segments.values_list("id", "qa_flags"))
    assert "inconsistent" in flags[seg[20].pk] and "inconsistent" in flags[seg[3].pk]
    assert "inconsistent" not in flags[seg[4].pk]
