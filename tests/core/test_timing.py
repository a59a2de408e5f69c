import pytest

from translator.core.errors import InputError
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.timing import estimate_timing, parse_duration
from translator.core.timing_rules import MAX_DURATION_MS, MIN_DURATION_MS
from translator.core.types import CueDraft, Paragraph, ParagraphKind, SentenceDraft, Timing


def _para(text, kind=ParagraphKind.TRANSCRIPT, start_ms=None):
    sentence = SentenceDraft(text, [CueDraft(0, len(text), [text])])
    return Paragraph(kind, text, speaker="A", start_ms=start_ms, sentences=[sentence])


def _cues(paragraphs):
    return [c for p in paragraphs for s in p.sentences for c in s.cues]


def test_speech_rate_and_turn_pause():
    paras = [_para("あ" * 14), _para("い" * 7)]
    estimate_timing(paras, chars_per_second=7.0, turn_pause_ms=400)
    first, second = _cues(paras)
    assert (first.start_ms, first.end_ms) == (0, 2000)
    assert second.start_ms == 2400
    assert second.timing == Timing.ESTIMATED


def test_show_notes_untimed_and_min_max_durations():
    paras = [_para("メモ", ParagraphKind.SHOW_NOTE), _para("あ"), _para("い" * 200)]
    estimate_timing(paras)
    note, short, long = _cues(paras)
    assert note.start_ms is None and note.end_ms is None
    assert short.end_ms - short.start_ms >= MIN_DURATION_MS
    assert long.end_ms - long.start_ms <= MAX_DURATION_MS


def test_anchors_and_duration_scaling():
    paras = [_para("あ" * 14), _para("い" * 14, start_ms=60_000), _para("う" * 14)]
    estimate_timing(paras, duration_ms=120_000)
    a, b, c = _cues(paras)
    assert b.start_ms == 60_000
    assert 90_000 < c.start_ms < c.end_ms <= 120_000  # stretched after the last anchor
    assert a.end_ms <= b.start_ms


def test_scaled_to_episode_duration_without_anchors():
    doc = segment_document(
        "A: はい。\n\nB: そうですね。\n\nA: ありがとうございました。",
        ImportRequest(duration_ms=60_000),
    )
    cues = _cues(doc.paragraphs)
    assert 30_000 < cues[-1].start_ms < cues[-1].end_ms <= 60_000
    assert all(c.start_ms < c.end_ms for c in cues)


@pytest.mark.parametrize(
    ("value", "ms"), [("01:02:03", 3_723_000), ("12:34", 754_000), ("754", 754_000), (1.5, 1500)]
)
def test_parse_duration(value, ms):
    assert parse_duration(value) == ms


@pytest.mark.parametrize("value", ["", "abc", "12:99", "-5", "1:2:3:4", "0"])
def test_parse_duration_garbage(value):
    with pytest.raises(InputError):
        parse_duration(value)


def test_short_cues_in_one_sentence_keep_the_minimum_duration():
    from translator.core.cues import split_cues
    from translator.core.types import Paragraph, ParagraphKind, SentenceDraft

    text = "この仕事は2016年からなので、もう8年くらいになりますね。"
    sentence = SentenceDraft(text, split_cues(text))
    para = Paragraph(ParagraphKind.TRANSCRIPT, text, sentences=[sentence])
    estimate_timing([para])
    assert len(sentence.cues) >= 2
    for cue in sentence.cues:
        assert cue.end_ms - cue.start_ms >= 833
