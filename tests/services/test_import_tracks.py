"""Import service: track choice, English track / second English file as existing English,
the import report stored on the episode."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.core.errors import InputError
from translator.core.requests import ExportRequest, ImportRequest
from translator.models import Segment
from translator.services.importing import IMPORTED_ENGINE, import_episode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "subtitles"
pytestmark = pytest.mark.django_db


def test_english_track_imported_as_edited_english():
    data = (FIXTURES / "bilingual_top_bottom_en.ass").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="x.ass", english_track="en"))
    segments = list(episode.segments.order_by("order"))
    assert [s.source_text for s in segments] == [
        "この町は初めてですか？",
        "はい\u3000先週引っ越してきました",
        "駅前の喫茶店がおすすめです",
    ]
    assert [s.text for s in segments] == [
        "Is this your first time in this town?",
        "Yes, I moved here last week.",
        "I recommend the café by the station.",
    ]
    assert {s.status for s in segments} == {Segment.Status.EDITED}
    assert {s.machine_engine for s in segments} == {IMPORTED_ENGINE}
    assert all(s.revisions.count() == 1 for s in segments)
    assert episode.import_report["chosen_track"] == "ja"
    assert {t["name"] for t in episode.import_report["tracks"]} == {"ja", "en"}


def test_second_english_file_with_the_same_timing():
    ja = (
        "1\n00:00:01,000 --> 00:00:03,000\nおはようございます\n\n"
        "2\n00:00:03,500 --> 00:00:06,000\n今日は\n\n"
        "3\n00:00:06,000 --> 00:00:08,000\nいい天気ですね\n"
    )
    en = (
        "1\n00:00:01,000 --> 00:00:03,000\nGood morning.\n\n"
        "2\n00:00:03,500 --> 00:00:06,000\n<i>It's a nice day</i>\n\n"
        "3\n00:00:06,000 --> 00:00:08,000\ntoday.\n"
    )
    episode = import_episode(
        data=ja.encode(), request=ImportRequest(filename="ja.srt", english_file=en.encode())
    )
    segments = list(episode.segments.order_by("order"))
    assert [(s.source_text, s.text) for s in segments] == [
        ("おはようございます", "Good morning."),
        ("今日はいい天気ですね", "It's a nice day today."),
    ]


def test_missing_english_track_is_a_clear_error():
    data = (FIXTURES / "speakers_sound.srt").read_bytes()
    with pytest.raises(InputError, match="no 'en' track"):
        import_episode(data=data, request=ImportRequest(filename="x.srt", english_track="en"))


def test_chosen_track_and_report_are_stored():
    data = (FIXTURES / "radio_bilingual_jp_cn.ass").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="x.ass", track="zh"))
    assert episode.import_report["chosen_track"] == "zh"
    assert "大家晚上好" in episode.segments.first().source_text


def test_sound_segments_are_stored_with_their_kind():
    data = (FIXTURES / "speakers_sound.srt").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="x.srt"))
    kinds = list(episode.segments.order_by("order").values_list("kind", "source_text"))
    assert ("sound", "（泣き声）") in kinds and ("sound", "♪～") in kinds
    assert episode.import_report["entries"][0]["code"] == "sound"


def test_tv_captions_export_no_flash_cues():
    """Simultaneous caption events are one cue, so the export has no 1 ms
    cues (before, each half of a two-line caption was its own event at the same time)."""
    import pysubs2

    from translator.services.exporting import export_file

    data = (FIXTURES / "tv_captions_pos.ass").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="tv.ass"))
    exported = export_file(episode=episode, request=ExportRequest(format="srt", layout="ja"))
    subs = pysubs2.SSAFile.from_string(exported.content, format_="srt")
    assert len(subs) >= 5
    assert min(ev.end - ev.start for ev in subs) >= 833
    assert all(a.end <= b.start for a, b in zip(subs, subs[1:], strict=False))


def test_ruby_readings_travel_to_the_webvtt_export_never_to_the_text():
    from translator.services.exporting import export_file

    data = (FIXTURES / "ruby_directives.srt").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="ruby.srt"))
    texts = list(episode.segments.values_list("source_text", flat=True))
    assert "鳥のさえずりが聞こえるね" in texts
    assert not any("とり" in t or "|" in t for t in texts)  # what an engine is sent
    cue = episode.segments.get(source_text="鳥のさえずりが聞こえるね").cues.get()
    assert cue.ruby == [["鳥", "とり"]]
    vtt = export_file(episode=episode, request=ExportRequest(format="vtt", layout="ja")).content
    assert "<ruby>鳥<rt>とり</rt></ruby>のさえずり" in vtt
    assert "<ruby>小鞠<rt>こまり</rt></ruby>ちゃん" in vtt
    srt = export_file(episode=episode, request=ExportRequest(format="srt", layout="ja")).content
    assert "とり" not in srt and "鳥のさえずり" in srt


def test_ruby_readings_survive_a_project_backup():
    from translator.services import backup

    data = (FIXTURES / "ruby_directives.srt").read_bytes()
    episode = import_episode(data=data, request=ImportRequest(filename="ruby.srt"))
    copy = backup.import_project(data=backup.dumps_project(episode_id=episode.pk).encode())
    cue = copy.segments.get(source_text="鳥のさえずりが聞こえるね").cues.get()
    assert cue.ruby == [["鳥", "とり"]]
