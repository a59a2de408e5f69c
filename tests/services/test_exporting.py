"""translator/services/exporting.py: an episode as core data, and one export file from it."""

from __future__ import annotations

import pytest

from translator.core.requests import ExportRequest
from translator.core.types import speaker_display_name
from translator.models import Segment
from translator.services import exporting
from translator.services.exporting import ExportError

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(sample_episode):
    speaker = sample_episode.speakers.get(label="佐藤")
    speaker.display_name = "Sato"
    speaker.save()
    for seg in sample_episode.segments.all():
        Segment.objects.filter(pk=seg.pk).update(
            text=f"English {seg.order}.", status=Segment.Status.EDITED
        )
    return sample_episode


def test_episode_data_holds_every_segment_in_order_with_names(episode):
    data = exporting.export_episode_data(episode)
    assert [s.index for s in data.segments] == list(
        episode.segments.order_by("order").values_list("order", flat=True)
    )
    sato = [s for s in data.segments if s.speaker_label == "佐藤"]
    assert sato and {s.speaker for s in sato} == {"Sato"}
    assert "Sato" in data.protected_names
    transcript = [s for s in data.segments if s.kind == "transcript"]
    assert all(s.cues for s in transcript)
    assert data.episode_id == episode.pk and data.media_url is None


def test_joint_speaker_labels_get_each_name():
    assert speaker_display_name("友野・澤", {"友野": "Tomono", "澤": "Sawa"}) == "Tomono & Sawa"
    assert speaker_display_name("", {}) is None


def test_subtitle_file_with_report_and_name(episode):
    exported = exporting.export_file(
        episode=episode, request=ExportRequest(format="srt", layout="en")
    )
    assert exported.content.startswith("1\n00:00:00,000 --> ")
    assert exported.filename.endswith(".srt")
    assert exported.content_type == "application/x-subrip; charset=utf-8"
    assert exported.report is not None and exported.report.events > 0


def test_transcript_file_names_the_speakers(episode):
    exported = exporting.export_file(episode=episode, request=ExportRequest(format="md"))
    assert "Sato" in exported.content and "English" in exported.content
    assert exported.filename.endswith(".md") and exported.report is None


def test_unknown_format_or_layout_is_an_export_error(episode):
    with pytest.raises(ExportError):
        exporting.export_file(episode=episode, request=ExportRequest(format="docx"))
    with pytest.raises(ExportError):
        exporting.export_file(
            episode=episode, request=ExportRequest(format="srt", layout="sideways")
        )
