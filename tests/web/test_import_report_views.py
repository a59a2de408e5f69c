"""The import report in the web UI and on the command line: preview, track picker,
English track import, episode page, ``segment`` and ``import_transcript``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from translator.models import Episode, Segment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "subtitles"
pytestmark = pytest.mark.django_db


def _preview(client, name: str):  # noqa: ANN001, ANN202
    upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    return client.post(
        reverse("translator:episode_import"),
        {
            "file": upload,
            "format": "auto",
            "encoding": "auto",
            "target_language": "EN-US",
            "preview": "1",
        },
    )


def test_preview_shows_the_report_and_tracks(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "radio_bilingual_jp_cn.ass")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Import report" in html
    assert "Chinese" in html and "Japanese" in html and "大家晚上好" in html  # the track sample
    assert 'name="retrack"' in html
    assert "大家晚上好" not in html.split("Import report")[0]  # not imported as text


def test_track_picker_previews_the_other_track_and_imports_it(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "radio_bilingual_jp_cn.ass")
    token = response.context["token"]
    response = client.post(
        reverse("translator:episode_import"), {"token": token, "track": "zh", "retrack": "1"}
    )
    assert response.status_code == 200
    assert response.context["doc"].report.chosen_track == "zh"
    token = response.context["token"]
    response = client.post(reverse("translator:episode_import"), {"token": token, "confirm": "1"})
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert episode.segments.first().source_text.startswith("大家晚上好")


def test_english_track_picked_in_the_preview(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "bilingual_top_bottom_en.ass")
    assert 'name="english_track"' in response.content.decode()
    token = response.context["token"]
    client.post(
        reverse("translator:episode_import"),
        {"token": token, "confirm": "1", "english_track": "en"},
    )
    seg = Episode.objects.get().segments.order_by("order").first()
    assert (seg.text, seg.status) == (
        "Is this your first time in this town?",
        Segment.Status.EDITED,
    )


def test_episode_page_shows_the_stored_report(client, translator_user):
    client.force_login(translator_user)
    response = _preview(client, "damaged.srt")
    client.post(
        reverse("translator:episode_import"), {"token": response.context["token"], "confirm": "1"}
    )
    episode = Episode.objects.get()
    html = client.get(reverse("translator:episode_detail", args=[episode.pk])).content.decode()
    assert "Import report" in html
    assert "cues with a garbled timing line left out" in html and "line 10" in html


def test_segment_command_prints_the_report():
    out = StringIO()
    call_command("segment", str(FIXTURES / "fansub_karaoke_fonts.ass"), stdout=out)
    text = out.getvalue()
    assert "Import report:" in text
    assert "vector drawings (\\p1) left out (1)" in text
    assert "Comment events left out (2)" in text


def test_import_transcript_prints_the_report_and_imports_english():
    err, out = StringIO(), StringIO()
    call_command(
        "import_transcript",
        str(FIXTURES / "bilingual_top_bottom_en.ass"),
        "--english-track",
        "en",
        stdout=out,
        stderr=err,
    )
    assert "track en (English): 3 events" in err.getvalue()
    episode = Episode.objects.get(pk=int(out.getvalue().strip()))
    assert episode.segments.filter(status=Segment.Status.EDITED).count() == 3


def test_second_english_file_uploaded_with_the_japanese(client, translator_user):
    client.force_login(translator_user)
    ja = "1\n00:00:01,000 --> 00:00:03,000\nおはようございます\n"
    en = "1\n00:00:01,000 --> 00:00:03,000\nGood morning.\n"
    response = client.post(
        reverse("translator:episode_import"),
        {
            "file": SimpleUploadedFile("ja.srt", ja.encode()),
            "english_file": SimpleUploadedFile("en.srt", en.encode()),
            "format": "auto",
            "encoding": "auto",
            "target_language": "EN-US",
            "preview": "1",
        },
    )
    assert "English from en.srt" in response.content.decode()
    client.post(
        reverse("translator:episode_import"), {"token": response.context["token"], "confirm": "1"}
    )
    seg = Episode.objects.get().segments.get()
    assert (seg.text, seg.status) == ("Good morning.", Segment.Status.EDITED)
