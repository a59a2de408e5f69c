"""Benchmark: aligning a transcript to rough timed captions.

A one-hour episode is about 20,000 Japanese characters. The transcript is generated
(tests/core/asr_synth.generate_chunks: pseudo-natural text without long repeats), timed with a
speech-rate model and turned into damaged recogniser captions of similar size. Baseline: a plain
``difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` over the same
normalised strings, measured in the same run (one run per size: it is quadratic).
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, median_time  # noqa: E402
from tests.core.asr_synth import Damage, generate_chunks, synthesise_captions, timed_truth  # noqa: E402
from translator.core.align import AlignCue, align_cues  # noqa: E402
from translator.core.align.normalise import _caption_stream, _normalize  # noqa: E402

SECTION = "Timing alignment"
DIFFLIB_BUDGET_S = 60.0  # do not start a difflib run predicted to take longer than this


def _case(n_chars: int) -> tuple[list[AlignCue], list, str, str]:
    chunks = generate_chunks(n_chars, seed=1)
    truth = timed_truth(chunks, seed=1)
    captions = synthesise_captions(truth, Damage(), seed=1)
    cues = [AlignCue(i, text) for i, text in enumerate(chunks)]
    a = "".join(_normalize(text)[0] for text in chunks)
    b = _caption_stream(captions).text
    return cues, captions, a, b


def _difflib_s(a: str, b: str) -> float:
    t0 = time.perf_counter()
    difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return time.perf_counter() - t0


def run() -> list[Figure]:
    figures: list[Figure] = []
    ours: dict[int, float] = {}
    base: dict[int, float] = {}
    sizes: dict[int, tuple[int, int]] = {}
    for n in (10_000, 20_000, 40_000):
        cues, captions, a, b = _case(n)
        sizes[n] = (len(a), len(b))
        ours[n] = median_time(lambda c=cues, cap=captions: align_cues(c, cap), repeat=5)
        if n <= 20_000:
            predicted = base[n // 2] * 4.5 if n // 2 in base else 0.0
            if predicted <= DIFFLIB_BUDGET_S:
                base[n] = _difflib_s(a, b)

    for n in (10_000, 20_000, 40_000):
        a_len, b_len = sizes[n]
        note = f"{a_len} transcript vs {b_len} caption chars after normalisation"
        if n == 20_000:
            note += "; one-hour episode"
        if n not in base:
            note += "; difflib not run at this size (quadratic, over the time budget)"
        figures.append(
            Figure(
                section=SECTION,
                name=f"align_cues, {n // 1000}k characters",
                value=ours[n],
                baseline_name=f"difflib SequenceMatcher, {n // 1000}k (1 run)",
                baseline_value=base.get(n),
                goal="< 3 s at 20k; far below difflib" if n == 20_000 else "",
                note=note,
            )
        )
    figures.append(
        Figure(
            section=SECTION,
            name="align_cues time growth per doubling, 20k -> 40k",
            value=ours[40_000] / ours[20_000],
            unit="x",
            baseline_name="difflib growth 10k -> 20k",
            baseline_value=(base[20_000] / base[10_000]) if 20_000 in base else None,
            goal="~2x (near-linear)",
            note=f"align_cues 10k -> 20k: {ours[20_000] / ours[10_000]:.2f}x",
        )
    )
    return figures


if __name__ == "__main__":
    for fig in run():
        ratio = f" ({fig.ratio:.3f} of baseline)" if fig.ratio is not None else ""
        base_txt = f"{fig.baseline_value:.3f}" if fig.baseline_value is not None else "-"
        print(f"{fig.name}: {fig.value:.3f} {fig.unit} vs {fig.baseline_name} {base_txt}{ratio}")
        if fig.note:
            print(f"    {fig.note}")
