"""Segmentation benchmarks.

Time per 10,000 characters of ``segment_document`` (structure + sentences + cues + timing) on the
sample episode, on the shared reference page when it exists on this machine, and on a 100x
synthetic transcript (the sample's turns repeated with renumbered speakers), each against a naive
``re.split(r"(?<=[。！？])", text)`` measured in the same run. The 100x/1x per-character cost ratio
shows whether cost grows linearly (goal: about 1).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from bench.common import Figure, median_time
from translator.core.pipeline import segment_document

SECTION = "Segmentation"
SHARED_SAMPLE = Path("/work/shared/samples/000_9769d1043bfd31c3.txt")
_NAIVE = re.compile(r"(?<=[。！？])")


def _sample() -> str:
    return resources.files("translator.samples").joinpath("sample_episode.txt").read_text("utf-8")


def synthetic(text: str, copies: int) -> str:
    """The transcript turns repeated ``copies`` times, speakers renumbered per copy."""
    head, sep, turns = text.partition("トランスクリプト\n")
    turns = turns.split("\n\n字幕ラボについて")[0] if "字幕ラボについて" in turns else turns
    body = [
        re.sub(r"^(\S+?)([:：])", lambda m, k=k: f"{m.group(1)}{k}{m.group(2)}", turns, flags=re.M)
        for k in range(copies)
    ]
    return head + sep + "\n\n".join(body)


def _per_10k(seconds: float, text: str) -> float:
    return seconds * 10_000 / len(text)


def _measure(name: str, text: str, repeat: int) -> tuple[Figure, float]:
    ours = _per_10k(median_time(lambda: segment_document(text), repeat=repeat), text)
    naive = _per_10k(
        median_time(lambda: [s for s in _NAIVE.split(text) if s.strip()], repeat=repeat), text
    )
    figure = Figure(
        section=SECTION,
        name=f"segment_document per 10,000 chars: {name} ({len(text):,} chars)",
        value=ours,
        baseline_name="naive re.split on 。！？",
        baseline_value=naive,
        goal="shared sample (38 KB) well under 1 s total",
        note="structure + sentences + cues + timing vs sentence split only",
    )
    return figure, ours


def run() -> list[Figure]:
    sample = _sample()
    figures: list[Figure] = []
    one, per_char_1x = _measure("sample episode", sample, repeat=7)
    figures.append(one)
    if SHARED_SAMPLE.exists():
        shared = SHARED_SAMPLE.read_text("utf-8")
        fig, _ = _measure("shared sample 000_9769d1043bfd31c3", shared, repeat=7)
        total = median_time(lambda: segment_document(shared), repeat=5)
        fig.note += f"; whole page {total * 1000:.0f} ms"
        figures.append(fig)
    big = synthetic(sample, 100)
    hundred, per_char_100x = _measure("100x synthetic transcript", big, repeat=3)
    figures.append(hundred)
    figures.append(
        Figure(
            section=SECTION,
            name="per-character cost, 100x synthetic / 1x sample",
            value=per_char_100x / per_char_1x,
            unit="x",
            baseline_name="linear growth",
            baseline_value=1.0,
            goal="~1.0 (linear)",
        )
    )
    return figures


if __name__ == "__main__":
    for f in run():
        ratio = f"{f.ratio:.1f}x baseline" if f.ratio is not None else ""
        print(f"{f.name}: {f.value:.4f} {f.unit} {ratio} {f.note}")
