"""Sound cues: subtitled in SDH style, left out of transcripts."""

from __future__ import annotations

import pytest

from translator.core.export_types import (
    ExportCue,
    ExportEpisode,
    ExportSegment,
    SubtitleLayout,
    SubtitleOptions,
    TranscriptOptions,
    sdh_label,
)
from translator.core.subtitles import build_subtitles
from translator.core.transcript import render_transcript


def seg(index, kind, ja, en, start):  # noqa: ANN001, ANN201
    return ExportSegment(
        index, kind, index, None, None, ja, en, "approved", [ExportCue(start, start + 2000, ja)]
    )


def episode() -> ExportEpisode:
    return ExportEpisode(
        title="t",
        segments=[
            seg(0, "transcript", "待って！", "Wait!", 0),
            seg(1, "sound", "（泣き声）", "(Crying)", 3000),
            seg(2, "sound", "♪～", "", 6000),
            seg(3, "transcript", "ありがとう", "Thank you.", 9000),
        ],
    )


@pytest.mark.parametrize(
    ("en", "ja", "out"),
    [
        ("(Crying)", "（泣き声）", "[crying]"),
        ("Footsteps", "（足音）", "[footsteps]"),
        ("[applause]", "≪（拍手）", "[applause]"),
        ("（Door opens）", "（ドアの開く音）", "[door opens]"),
        ("", "♪～", "♪"),
        ("♪ ~", "♬～", "♪"),
        ("", "（ため息）", ""),
        ("TV noise", "（テレビの音）", "[TV noise]"),
    ],
)
def test_sdh_label(en, ja, out):
    assert sdh_label(en, ja) == out


def test_sound_cues_are_in_the_subtitles():
    build = build_subtitles(episode(), SubtitleOptions(layout=SubtitleLayout.EN))
    lines = [line for ev in build.events for line in ev.en_lines]
    assert "[crying]" in lines and "♪" in lines
    assert "Wait!" in lines


def test_sound_cues_are_not_in_the_transcript():
    for fmt in ("md", "txt", "html"):
        out = render_transcript(episode(), fmt=fmt, options=TranscriptOptions())
        assert "Crying" not in out and "crying" not in out and "泣き声" not in out
        assert "Wait" in out and "Thank you." in out
