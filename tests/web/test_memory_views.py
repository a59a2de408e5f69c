"""Translation memory in the web app: suggestions per row, taking one, the memory page, TMX
import (reviewers only) and export, project glossary import/export; the review page's query
count does not grow with the memory."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from translate.storage.tmx import tmxfile

from tests.support.factories import timed_episode
from translator.core import tm
from translator.models import GlossaryTerm, MemoryUnit, Segment, SegmentRevision
from translator.services.qa_flags import refresh_qa_flags

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

TMX = (
    '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="ja"/><body>'
    '<tu><tuv xml:lang="ja"><seg>猫が好きです。</seg></tuv><tuv xml:lang="en-US"><seg>I like cats.</seg></tuv></tu>'
    "</body></tmx>"
).encode()


def _url(name: str, *args) -> str:
    return reverse(f"translator:{name}", args=args)


def _unit(source: str, target: str) -> MemoryUnit:
    norm = tm.normalize(source)
    return MemoryUnit.objects.create(
        source_text=source,
        source_norm=norm,
        source_hash=tm.source_hash(norm),
        norm_len=len(norm),
        target_text=target,
        episode_title="Episode 1",
        approved_by_name="rei",
        approved_at=timezone.now(),
    )


def _episode(n: int = 3):
    return timed_episode(
        n,
        speakers=[("友野", "Tomono")],
        label=lambda i: "友野",
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: "",
    )


def test_suggestions_show_the_difference_and_taking_one_is_an_edit(client, translator_user):
    ep = _episode()
    seg = ep.segments.get(order=1)
    unit = _unit("これは1番目の文でした。", "This was sentence one.")
    client.force_login(translator_user)
    html = client.get(_url("segment_suggestions", seg.pk), **HTMX).content.decode()
    assert "This was sentence one." in html and f'data-unit="{unit.pk}"' in html
    assert "<del>した</del><ins>す</ins>" in html  # the Japanese difference
    assert "Episode 1" in html and "rei" in html
    r = client.post(_url("segment_take", seg.pk), {"unit": unit.pk, "version": seg.version}, **HTMX)
    assert r.status_code == 200 and r["HX-Trigger"] == "segmentSaved"
    seg.refresh_from_db()
    assert seg.text == "This was sentence one." and seg.status == Segment.Status.EDITED
    assert seg.revisions.first().action == SegmentRevision.Action.EDIT


def test_viewers_cannot_take_suggestions(client, plain_user):
    ep = _episode()
    seg = ep.segments.first()
    client.force_login(plain_user)
    assert client.get(_url("segment_suggestions", seg.pk)).status_code == 403
    assert client.post(_url("segment_take", seg.pk), {"unit": 1, "version": 1}).status_code == 403


def test_review_page_queries_do_not_grow_with_the_memory(
    client, reviewer_user, django_assert_max_num_queries
):
    ep = _episode(100)
    MemoryUnit.objects.bulk_create(
        MemoryUnit(
            source_text=f"これは{i}番目の文です。",
            source_norm=tm.normalize(f"これは{i}番目の文です。"),
            source_hash=tm.source_hash(tm.normalize(f"これは{i}番目の文です。")),
            norm_len=12,
            target_text=f"Sentence {i}.",
            approved_at=timezone.now(),
        )
        for i in range(300)
    )
    refresh_qa_flags(episode_id=ep.pk)  # stored, as an import stores them
    client.force_login(reviewer_user)
    with django_assert_max_num_queries(12):
        html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert html.count('class="seg-tm"') == 100  # each row has its (lazy) suggestion box


def test_only_reviewers_import_tmx_from_the_web(client, translator_user, reviewer_user):
    upload = SimpleUploadedFile("vendor.tmx", TMX, content_type="application/xml")
    client.force_login(translator_user)
    assert client.post(_url("memory_import"), {"file": upload}).status_code == 403
    assert not MemoryUnit.objects.exists()
    client.force_login(reviewer_user)
    upload = SimpleUploadedFile("vendor.tmx", TMX, content_type="application/xml")
    r = client.post(_url("memory_import"), {"file": upload}, follow=True)
    assert "Imported 1 units" in r.content.decode()
    unit = MemoryUnit.objects.get()
    assert unit.origin == "import" and unit.origin_note == "vendor.tmx"
    page = client.get(_url("memory")).content.decode()
    assert "I like cats." in page and "Import TMX" in page
    client.force_login(translator_user)
    page = client.get(_url("memory")).content.decode()
    assert "I like cats." in page and "Import TMX" not in page


def test_bad_tmx_from_the_web_is_one_line(client, reviewer_user):
    client.force_login(reviewer_user)
    bad = TMX.replace(b'xml:lang="en-US"', b'xml:lang="de"')
    upload = SimpleUploadedFile("bad.tmx", bad, content_type="application/xml")
    html = client.post(_url("memory_import"), {"file": upload}, follow=True).content.decode()
    assert "no English (en) text" in html and "Nothing was imported." in html
    assert not MemoryUnit.objects.exists()


def test_tmx_download_round_trips(client, translator_user):
    _unit("猫が好きです。", "I like cats.")
    client.force_login(translator_user)
    r = client.get(_url("memory_export"))
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.tmx"')
    store = tmxfile.parsestring(r.content)
    assert [(u.source, u.gettarget("en-US")) for u in store.units] == [
        ("猫が好きです。", "I like cats.")
    ]


def test_project_glossary_from_the_web(client, translator_user, plain_user):
    client.force_login(translator_user)
    client.post(_url("project_term_add"), {"source": "永野", "target": "Nagano"})
    assert GlossaryTerm.objects.get(episode__isnull=True).target == "Nagano"
    csv_data = client.get(_url("glossary_export") + "?format=csv").content
    assert csv_data.decode().splitlines() == ["source,target,note", "永野,Nagano,"]
    tbx = client.get(_url("glossary_export") + "?format=tbx").content
    GlossaryTerm.objects.all().delete()
    upload = SimpleUploadedFile("terms.tbx", tbx, content_type="application/xml")
    r = client.post(_url("glossary_import"), {"file": upload}, follow=True)
    assert "1 terms added" in r.content.decode()
    assert GlossaryTerm.objects.get(episode__isnull=True).source == "永野"
    client.force_login(plain_user)
    assert client.post(_url("project_term_add"), {"source": "a", "target": "b"}).status_code == 403


def test_episode_glossary_import_and_export_from_its_panel(client, translator_user):
    ep = _episode()
    client.force_login(translator_user)
    html = client.get(_url("episode_detail", ep.pk)).content.decode()
    assert f"?episode={ep.pk}&amp;format=tbx" in html and "project glossary" in html
    upload = SimpleUploadedFile("terms.csv", "字幕,captions\n".encode(), content_type="text/csv")
    r = client.post(_url("glossary_import"), {"glossary_file": upload, "episode": ep.pk})
    assert r.status_code == 302 and r["Location"].endswith(f"/episodes/{ep.pk}/")
    assert ep.glossary.get().target == "captions"
    assert not GlossaryTerm.objects.filter(episode__isnull=True).exists()
    csv_data = client.get(_url("glossary_export"), {"episode": ep.pk}).content.decode()
    assert csv_data.splitlines() == ["source,target,note", "字幕,captions,"]


def test_suggestion_text_is_escaped(client, translator_user):
    ep = _episode()
    seg = ep.segments.get(order=1)
    _unit("これは1番目の文でした。", '<img src=x onerror="alert(1)">')
    client.force_login(translator_user)
    html = client.get(_url("segment_suggestions", seg.pk), **HTMX).content.decode()
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
