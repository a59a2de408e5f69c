"""Timed import is linear in its input (subtitle side).

Growth is measured by operation counts, never wall time: Python function calls (cProfile, which
also counts calls into C such as ``str.find`` and regex searches), the characters the bracket
scanner walks forward (:class:`translator.core.subtitle_markup._NextFinder`), the characters
handed to MeCab, and the peak memory (tracemalloc), each at 1× and 4× the input. Linear work
grows ×4; the ratio bound here is ×5 (quadratic would be ×16).
"""

from __future__ import annotations

import cProfile
import pstats
import tracemalloc
from collections.abc import Callable

import pytest

from translator.core import cue_sentences, subtitle_markup
from translator.core.subtitle_input import parse_timed

BOUND = 5.0


def _srt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def tiny_cues(n: int) -> str:
    """Many tiny cues of one speaker with no pause: one long paragraph."""
    words = ["あ", "はい", "うん", "そう", "ね"]
    return "".join(
        f"{k + 1}\n{_srt_time(k * 40)} --> {_srt_time(k * 40 + 39)}\n{words[k % 5]}\n\n"
        for k in range(n)
    )


def nested_braces_ass(n: int) -> str:
    head = (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    line = "{{{\\i1}字幕{{{{\\b1}の{" + "{" * 20 + "テスト}}{}"
    body = "".join(
        f"Dialogue: 0,0:{k // 6000 % 60:02d}:{k // 100 % 60:02d}.{k % 100:02d},"
        f"0:{k // 6000 % 60:02d}:{k // 100 % 60:02d}.{k % 100:02d},Default,,0,0,0,,{line}\n"
        for k in range(n)
    )
    # and one event of unbalanced braces as long as the rest of the file
    return (
        head
        + body
        + "Dialogue: 0,1:00:00.00,1:00:05.00,Default,,0,0,0,,"
        + "{" * (n * 10)
        + "終わり\n"
    )


def angle_line(n: int) -> str:
    return f"1\n00:00:01,000 --> 00:00:05,000\n{'<' * n}あ\n"


def _measure(build: Callable[[int], str], n: int) -> dict[str, float]:
    counts = {"scanned": 0, "mecab": 0}
    original_init = subtitle_markup._NextFinder.__init__
    original_tagger = cue_sentences.tagger

    class Counted(str):
        def find(self, ch, start=0, *args):  # noqa: ANN001, ANN202
            found = str.find(self, ch, start, *args)
            counts["scanned"] += (found if found >= 0 else len(self)) - start
            return found

    def init(self, s, ch):  # noqa: ANN001, ANN202
        original_init(self, Counted(s), ch)

    def tagger():  # noqa: ANN202
        real = original_tagger()

        def call(text: str):  # noqa: ANN202
            counts["mecab"] += len(text)
            return real(text)

        return call

    text = build(n)
    subtitle_markup._NextFinder.__init__ = init
    cue_sentences.tagger = tagger
    try:
        profile = cProfile.Profile()
        tracemalloc.start()
        profile.enable()
        doc = parse_timed(text, "ass" if text.startswith("[Script") else "srt")
        profile.disable()
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        subtitle_markup._NextFinder.__init__ = original_init
        cue_sentences.tagger = original_tagger
    assert doc.paragraphs
    calls = pstats.Stats(profile).total_calls
    return {"calls": calls, "peak": peak, **counts, "chars": len(text)}


@pytest.mark.parametrize(
    ("build", "n"),
    [(tiny_cues, 500), (nested_braces_ass, 300), (angle_line, 5_000)],
    ids=["tiny-cues", "nested-braces", "angle-line"],
)
def test_timed_import_grows_linearly(build, n):
    small = _measure(build, n)
    large = _measure(build, 4 * n)
    size_ratio = large["chars"] / small["chars"]
    assert 3.5 < size_ratio < 4.5
    for key in ("calls", "scanned", "mecab", "peak"):
        if small[key] == 0:
            assert large[key] == 0, key
            continue
        ratio = large[key] / small[key]
        assert ratio <= BOUND * size_ratio / 4, (key, small[key], large[key], ratio)


def test_bracket_scanner_walks_each_character_once():
    """Without the cached search every unbalanced ``{`` would scan to the end of the line."""
    walked = 0

    class Counted(str):
        def find(self, ch, start=0, *args):  # noqa: ANN001, ANN202
            nonlocal walked
            found = str.find(self, ch, start, *args)
            walked += (found if found >= 0 else len(self)) - start
            return found

    raw = Counted("{" * 4000 + "}")
    finder = subtitle_markup._NextFinder(raw, "}")
    for i in range(len(raw)):
        finder.find(i)
    assert walked <= len(raw)


def test_long_lines_are_cut_to_the_sentence_bound():
    doc = parse_timed(angle_line(20_000), "srt")
    sentences = [s for p in doc.paragraphs for s in p.sentences]
    assert "".join(s.text for s in sentences) == "<" * 20_000 + "あ"
    assert max(len(s.text) for s in sentences) <= 120
