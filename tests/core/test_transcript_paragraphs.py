"""Transcript paragraphs from timed input: an SRT without speaker labels
used to become one paragraph with one 00:00 timestamp in the exports and the public page."""

from __future__ import annotations

from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment, TranscriptOptions
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.transcript import PARAGRAPH_MAX_CHARS, build_model, render_transcript

LINES = [
    "今日は駅前の商店街を歩いてみます。",
    "このあたりは古い建物が多く残っています。",
    "右手に見えるのは明治時代からある和菓子屋さんです。",
    "店の前にはいつも行列ができています。",
    "少し先に進むと小さな公園があります。",
    "公園では子どもたちが元気に遊んでいます。",
    "ここで少し休憩しましょう。",
    "では、次は川沿いの道に向かいます。",
]


def _srt(gaps_ms: list[int], repeat: int = 1) -> str:
    out, t, n = [], 1_000, 1
    for _ in range(repeat):
        for line, gap in zip(LINES, gaps_ms, strict=True):
            start, end = t, t + 2_500
            out.append(f"{n}\n{_ts(start)} --> {_ts(end)}\n{line}\n")
            t, n = end + gap, n + 1
    return "\n".join(out)


def _ts(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def _episode(srt: str) -> ExportEpisode:
    doc = segment_document(srt.encode(), ImportRequest(filename="walk.srt"))
    segments = [
        ExportSegment(
            index=i,
            kind=p.kind.value,
            turn=turn,
            speaker=None,
            speaker_label=p.speaker,
            source_text=s.text,
            text=f"English {i}.",
            status="approved",
            cues=[ExportCue(c.start_ms, c.end_ms, s.text) for c in s.cues],
        )
        for turn, p in enumerate(doc.paragraphs)
        for i, s in enumerate(p.sentences)
    ]
    for i, seg in enumerate(segments):
        seg.index = i
        seg.text = f"English {i}."
    return ExportEpisode("walk", segments)


def test_long_pauses_start_paragraphs_with_their_own_timestamps():
    episode = _episode(_srt([100, 100, 100, 3_000, 100, 100, 100, 100]))
    model = build_model(episode, TranscriptOptions(timestamps=True))
    assert [t.start_ms for t in model.turns] == [1_000, 14_300]
    md = render_transcript(episode, fmt="md", options=TranscriptOptions(timestamps=True))
    assert "`[00:01]` English 0." in md and "`[00:14]` English 4." in md


def test_unlabelled_continuous_speech_is_broken_at_a_readable_length():
    episode = _episode(_srt([100] * 8, repeat=4))
    model = build_model(episode, TranscriptOptions(timestamps=True))
    assert len(model.turns) > 1
    starts = [t.start_ms for t in model.turns]
    assert starts[0] == 1_000 and starts == sorted(set(starts))
    for t in model.turns:
        assert sum(len(p.ja) for p in t.pieces[:-1]) < PARAGRAPH_MAX_CHARS
    txt = render_transcript(episode, fmt="txt", options=TranscriptOptions(timestamps=True))
    assert txt.count("[0") == len(model.turns)


def test_labelled_turns_are_not_cut_by_length():
    segs = [
        ExportSegment(i, "transcript", 0, "Sato", "佐藤", "あ" * 60 + "。", f"E{i}.", "approved")
        for i in range(10)
    ]
    model = build_model(ExportEpisode("t", segs), TranscriptOptions())
    assert len(model.turns) == 1


def test_a_pause_inside_one_turn_starts_a_paragraph_of_the_same_speaker():
    def seg(i: int, start: int) -> ExportSegment:
        cue = ExportCue(start, start + 2_000, "はい。")
        return ExportSegment(
            i, "transcript", 0, "Sato", "佐藤", "はい。", f"E{i}.", "approved", [cue]
        )

    episode = ExportEpisode("t", [seg(0, 0), seg(1, 2_100), seg(2, 9_000)])
    model = build_model(episode, TranscriptOptions(timestamps=True))
    assert [(t.start_ms, t.continued) for t in model.turns] == [(0, False), (9_000, True)]
    md = render_transcript(episode, fmt="md", options=TranscriptOptions(timestamps=True))
    assert md.count("**Sato:**") == 1 and "`[00:09]` E2." in md
