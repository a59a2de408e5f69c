"""Import is linear in its input and MeCab sees bounded text.

Growth is measured by operation counts (Python function calls under cProfile, characters handed
to MeCab), never by wall time.
"""

from __future__ import annotations

import cProfile
import pstats
import sys

import pytest

from translator.core import morph
from translator.core.pipeline import segment_document
from translator.core.sentences import UNPUNCTUATED_MAX_CHARS, bound_sentence, split_sentences

# Unpunctuated speech as ASR gives it: clauses joined by て/けど/から without 。 or 、.
CLAUSE = (
    "今日は朝から雨が降っていたので傘を持って駅まで歩いたんですけどそのあと電車が遅れてしまって"
)


def _calls(fn, *args) -> int:
    prof = cProfile.Profile()
    prof.enable()
    fn(*args)
    prof.disable()
    return sum(stat[1] for stat in pstats.Stats(prof).stats.values())


@pytest.fixture
def mecab_calls(monkeypatch):
    seen: list[int] = []
    real = morph.tagger()

    class Spy:
        def __call__(self, text):
            seen.append(len(text))
            return real(text)

    monkeypatch.setattr(morph, "_TAGGER", Spy())
    return seen


def test_mecab_is_handed_bounded_text(mecab_calls):
    """A single 60,000-character line used to reach MeCab whole (4 MB lines crashed it)."""
    text = CLAUSE * (60_000 // len(CLAUSE))
    sentences = split_sentences(text)
    assert mecab_calls and max(mecab_calls) <= morph.MAX_CHARS_PER_CALL
    assert "".join(sentences) == text


def test_tokenize_windows_cover_the_text():
    text = ("あいうえお" * 1000) + "。" + ("漢字かな" * 1000)
    tokens = morph.tokenize(text)
    assert tokens[0].start == 0 and tokens[-1].end == len(text)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:], strict=False))
    for a, b in morph.chunk_bounds(text):
        assert b - a <= morph.MAX_CHARS_PER_CALL


@pytest.mark.parametrize(
    "unit", [CLAUSE, "はい。そうですね。今日は雨ですね。", "ですかそうですね" + CLAUSE + "ますよね"]
)
def test_sentence_splitting_grows_linearly(unit):
    """The boundary rules scanned every earlier cut for every token: 25/50/100 KB took
    0.5/1.1/4.2 s. Calls at 8x the input must stay near 8x."""
    small = unit * 40
    big = unit * 320
    ratio = _calls(split_sentences, big) / _calls(split_sentences, small)
    assert ratio < 8 * 1.3, ratio


def test_text_import_grows_linearly():
    small = "題\n\n" + (CLAUSE + "。はい。") * 30
    big = "題\n\n" + (CLAUSE + "。はい。") * 240
    ratio = _calls(segment_document, big) / _calls(segment_document, small)
    assert ratio < 8 * 1.3, ratio


def test_unpunctuated_turn_is_cut_at_clause_boundaries():
    """A 162,000-character turn without punctuation was one sentence (no engine takes it)."""
    text = CLAUSE * (162_000 // len(CLAUSE))
    sentences = split_sentences(text)
    assert "".join(sentences) == text
    assert max(len(s) for s in sentences) <= UNPUNCTUATED_MAX_CHARS
    assert len(sentences) >= len(text) // UNPUNCTUATED_MAX_CHARS
    # Cuts fall at clause ends, never inside a word.
    assert all(s.endswith(("て", "ど", "で", "たので", "って", "から")) for s in sentences[:-1])


def test_bound_sentence_prefers_conjunctive_particles_and_commas():
    text = (
        "そのときはまだ何も知らなかったので友達に聞いてみたんですけど" * 3 + "結局自分で調べました"
    )
    pieces = bound_sentence(text, 60)
    assert "".join(pieces) == text
    assert all(len(p) <= 60 for p in pieces)
    assert all(p.endswith(("ので", "けど", "て")) for p in pieces[:-1]), pieces


def test_bound_sentence_keeps_brackets_and_latin_words_whole():
    text = (
        "「これは引用なので切らないでください」と言われて" + "git push heroku master を実行して"
    ) * 4
    pieces = bound_sentence(text, 50)
    assert "".join(pieces) == text
    for p in pieces:
        assert p.count("「") == p.count("」")
        assert not p.startswith(("ush", "eroku", "aster"))


def test_punctuated_long_sentences_are_kept_up_to_the_hard_bound():
    sentence = "、".join(["サポートの方たちと一緒になってトラブルを解決していく"] * 6) + "。"
    assert 120 < len(sentence) < 480
    assert split_sentences(sentence) == [sentence]


def test_timestamped_turns_grow_linearly():
    """The anchor map scanned every anchor for every cue: quadratic with a time on each turn."""

    def doc(n: int) -> str:
        return "".join(
            f"[{k // 60:02d}:{k % 60:02d}] {'AB'[k % 2]}: はい、そうですね。\n" for k in range(n)
        )

    from translator.core import pipeline, structure, timing

    def lines_in_timing(text: str) -> int:
        """Executed lines of timing.py while estimating (Python loops are not calls)."""
        doc = structure.parse_text_transcript(text)
        pipeline._segment_text(doc, ())
        count = 0

        def local(frame, event, arg):
            nonlocal count
            if event == "line":
                count += 1
            return local

        def tracer(frame, event, arg):
            return local if frame.f_code.co_filename == timing.__file__ else None

        sys.settrace(tracer)
        try:
            timing.estimate_timing(doc.paragraphs)
        finally:
            sys.settrace(None)
        return count

    ratio = lines_in_timing(doc(2400)) / lines_in_timing(doc(300))
    assert ratio < 8 * 1.3, ratio


def test_untimed_text_over_the_character_limit_is_refused_in_one_line(monkeypatch):
    from translator.core import formats
    from translator.core.errors import InputTooLargeError

    monkeypatch.setattr(formats, "MAX_TEXT_CHARS", 1_000)
    with pytest.raises(InputTooLargeError) as info:
        segment_document("題\n\n" + CLAUSE * 40)
    assert "over the limit of 1,000" in str(info.value) and "\n" not in str(info.value)
