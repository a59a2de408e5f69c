"""Timed subtitle import benchmarks.

(a) Import time and peak memory (tracemalloc, a separate run) of ``segment_document`` at 1×, 4×
and 16× for two hostile shapes — many tiny cues of one speaker (an SRT of one-word cues, like the
8.3 MB / 200k-cue file) and nested/unbalanced ASS override braces — each set against the linear
fit from 1× (the 1× figure times the size factor): a ratio near 1 is linear, a quadratic stage
would show 4 and 16.

(b) Import time per 1,000 events of a real-sized bilingual ASS (2,000 events: 1,000 Japanese
and their 1,000 Chinese twins, three speakers, override tags, full-width spaces between phrases)
against ``pysubs2.load`` of the same file in the same run (pysubs2 only parses; the import also
tells tracks apart, merges, reads labels, builds sentences with MeCab and cues), and the per-event
cost at 20,000 events against 2,000 (goal: about 1, linear).

Times are CPU time of this process with the start-up heap frozen and the cycle collector
paused per step (``bench.common.cpu_timed``): under load, or with the collector walking the
harness's heap more often for a larger input, wall time grew 1.6x at 20,000 events while the
import itself is linear (0.99x measured this way).
"""

from __future__ import annotations

import os
import tempfile
import tracemalloc

import pysubs2

from bench.common import Figure, frozen_heap, median_cpu_time
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest

SECTION = "Subtitle import"


def _srt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _ass_time(ms: int) -> str:
    cs = ms // 10
    return f"{cs // 360_000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def tiny_cues(n: int) -> str:
    words = ["あ", "はい", "うん", "そう", "ね", "えっ"]
    return "".join(
        f"{k + 1}\n{_srt_time(k * 40)} --> {_srt_time(k * 40 + 39)}\n{words[k % 6]}\n\n"
        for k in range(n)
    )


_HEAD = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 1920\nPlayResY: 1080\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    "Style: 日文,Arial,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,"
    "1,2,10,10,60,1\n"
    "Style: 中文,Arial,50,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,"
    "1,2,10,10,10,1\n\n[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def nested_tags(n: int) -> str:
    line = "{{{\\i1}字幕{{{{\\b1}の{" + "{" * 20 + "テスト}}{}\\N{\\pos(10,20)}{{二行目"
    return _HEAD + "".join(
        f"Dialogue: 0,{_ass_time(k * 500)},{_ass_time(k * 500 + 450)},日文,,0,0,0,,{line}\n"
        for k in range(n)
    )


_JA = [
    ("美咲", "皆さんこんばんは　今週も始まりました", "大家晚上好　本周也开始了"),
    ("千尋", "始まりましたね", "开始了呢"),
    ("美咲", "先週の放送のあと　お便りがたくさん届いて", "上周播出以后　收到了很多来信"),
    ("美咲", "全部読みました", "全部都读了"),
    ("千尋", "{\\i1}えー{\\i0}　ありがとうございます", "诶　谢谢大家"),
    ("遥", "私も読みましたよ", "我也读了"),
    ("遥", "一番多かったのは　夏の旅行の話で", "最多的是　夏天旅行的话题"),
    ("美咲", "海に行った人が多かったですね", "去海边的人很多呢"),
]


def bilingual_ass(events: int) -> str:
    rows = []
    for k in range(events // 2):
        name, ja, zh = _JA[k % len(_JA)]
        start, end = k * 2300, k * 2300 + 2100
        rows.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},日文,{name},0,0,0,,{ja}\n")
        rows.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},中文,{name},0,0,0,,{zh}\n")
    return _HEAD + "".join(rows)


def _peak_bytes(text: str, fmt: str) -> int:
    tracemalloc.start()
    segment_document(text, ImportRequest(format=fmt), max_bytes=1 << 30)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _growth(name: str, build, unit: int, fmt: str, factors=(1, 4, 16)) -> list[Figure]:  # noqa: ANN001
    figures: list[Figure] = []
    base_time = base_peak = None
    for factor in factors:
        text = build(unit * factor)
        seconds = median_cpu_time(
            lambda text=text: segment_document(text, ImportRequest(format=fmt), max_bytes=1 << 30),
            repeat=3 if factor < 16 else 1,
            warmup=0 if factor == 16 else 1,
        )
        peak = _peak_bytes(text, fmt) / 1e6
        if base_time is None:
            base_time, base_peak = seconds, peak
        size = f"{unit * factor:,} × ({len(text.encode()) / 1e6:.2f} MB)"
        figures.append(
            Figure(
                section=SECTION,
                name=f"{name} {factor}×: import time, {size}",
                value=seconds,
                baseline_name=f"linear fit from 1× ({factor} × {base_time:.3f} s)",
                baseline_value=base_time * factor,
                goal="≈ 1.0 (linear)",
            )
        )
        figures.append(
            Figure(
                section=SECTION,
                name=f"{name} {factor}×: peak memory (tracemalloc), {size}",
                value=peak,
                unit="MB",
                baseline_name=f"linear fit from 1× ({factor} × {base_peak:.1f} MB)",
                baseline_value=base_peak * factor,
                goal="≤ 1.0 (linear)",
            )
        )
    return figures


def _pysubs2_load(text: str) -> None:
    # pysubs2.load reads a path: the same file, from disk, in the same run.
    fd, path = tempfile.mkstemp(suffix=".ass")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        median = median_cpu_time(lambda: pysubs2.load(path), repeat=3)
    finally:
        os.unlink(path)
    return median


def run() -> list[Figure]:
    # CPU time with the start-up heap frozen and the cycle collector paused per step (see
    # bench.common.cpu_timed): the growth figures measure the import, not the collector's
    # passes over the harness.
    segment_document(tiny_cues(50), ImportRequest(format="srt"))  # warm-up: MeCab
    with frozen_heap():
        return _run()


def _run() -> list[Figure]:
    figures = _growth("many tiny cues (SRT, one word each)", tiny_cues, 2_000, "srt")
    figures += _growth("nested/unbalanced override braces (ASS)", nested_tags, 1_000, "ass")

    per_k: dict[int, float] = {}
    for events in (2_000, 20_000):
        text = bilingual_ass(events)
        ours = median_cpu_time(
            lambda text=text: segment_document(
                text, ImportRequest(format="ass"), max_bytes=1 << 30
            ),
            repeat=3 if events == 2_000 else 1,
            warmup=1 if events == 2_000 else 0,
        )
        per_k[events] = ours * 1000 / events
        if events == 2_000:
            theirs = _pysubs2_load(text)
            figures.append(
                Figure(
                    section=SECTION,
                    name="bilingual ASS, 2,000 events (2 tracks): import time per 1,000 events",
                    value=per_k[events],
                    baseline_name="pysubs2.load of the same file, per 1,000 events",
                    baseline_value=theirs * 1000 / events,
                    note="pysubs2 parses only; the import also picks the track, merges, reads "
                    "labels, builds sentences (MeCab) and cues",
                )
            )
    figures.append(
        Figure(
            section=SECTION,
            name="bilingual ASS, 20,000 events: import time per 1,000 events",
            value=per_k[20_000],
            baseline_name="the same at 2,000 events",
            baseline_value=per_k[2_000],
            goal="≈ 1.0 (linear)",
        )
    )
    return figures
