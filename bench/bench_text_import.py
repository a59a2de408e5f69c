"""Untimed text import on a long unpunctuated line: time and peak memory at 1x, 4x and 16x
against a linear fit, and the worst case at the 20 MB upload limit.

Times are CPU seconds of the import (``time.process_time``: the machine is shared, wall time
is not steady). Each size runs ``segment_document`` in a fresh interpreter, so the peak resident memory
(``ru_maxrss``, MeCab's own allocations included) is that of one import; the interpreter's
resting size with the tagger loaded is measured the same way and subtracted. Before the fix a
15 MB line crashed MeCab (SIGSEGV, 1.7 GB) and 25/50/100 KB lines took 0.5/1.1/4.2 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import Figure

SECTION = "Text import (long unpunctuated line)"
ROOT = Path(__file__).resolve().parent.parent
# ASR-style speech: clauses joined by て/けど/から, no 。 or 、 anywhere.
CLAUSE = (
    "今日は朝から雨が降っていたので傘を持って駅まで歩いたんですけどそのあと電車が遅れてしまって"
)
BASE_CHARS = 15_000
LIMIT_BYTES = 20 * 1024 * 1024

_CHILD = r"""
import json, resource, sys, time
from translator.core.pipeline import segment_document
from translator.core.errors import InputError
from translator.core.morph import tokenize
tokenize("準備")  # the tagger loaded: part of the resting size
chars, unit = int(sys.argv[1]), sys.argv[2]
text = "題\n\n" + (unit * (chars // len(unit) + 1))[:chars]
data = text.encode("utf-8")[: int(sys.argv[3])] if int(sys.argv[3]) else None
if data is not None:
    data = data.decode("utf-8", "ignore").encode("utf-8")
rest = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.process_time()
outcome = "ok"
try:
    doc = segment_document(data if data is not None else text)
    n = sum(len(p.sentences) for p in doc.paragraphs)
except InputError as exc:
    outcome, n = str(exc), 0
seconds = time.process_time() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": seconds, "peak_kb": peak, "rest_kb": rest, "sentences": n, "outcome": outcome}))
"""


def _child(chars: int, *, limit_bytes: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(chars), CLAUSE, str(limit_bytes)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[Figure]:
    figures: list[Figure] = []
    results = {
        k: min((_child(BASE_CHARS * k) for _ in range(2 if k < 16 else 1)), key=lambda r: r["s"])
        for k in (1, 4, 16)
    }
    t1 = results[1]["s"]
    m1 = max(1, results[1]["peak_kb"] - results[1]["rest_kb"])
    for k, r in results.items():
        extra_mb = (r["peak_kb"] - r["rest_kb"]) / 1024
        figures.append(
            Figure(
                section=SECTION,
                name=f"{k}x: {BASE_CHARS * k:,} characters, one line, no punctuation",
                value=r["s"],
                baseline_name=f"linear fit from 1x ({t1:.2f} s x {k})",
                baseline_value=t1 * k,
                goal="<= 1.3x the linear fit",
                note=f"{r['sentences']:,} sentences; peak memory +{extra_mb:.0f} MB over the "
                f"resting interpreter (1x: +{m1 / 1024:.0f} MB; bounded, not growing with k)",
            )
        )
    worst = _child(LIMIT_BYTES // 3 + 10, limit_bytes=LIMIT_BYTES)
    refused = worst["outcome"] != "ok"
    figures.append(
        Figure(
            section=SECTION,
            name="worst case: a 20 MB single line (the upload limit)",
            value=worst["s"],
            goal="bounded: refused in one line",
            note=(
                f"{'refused: ' + worst['outcome'] if refused else 'imported'}; peak memory "
                f"+{(worst['peak_kb'] - worst['rest_kb']) / 1024:.0f} MB (was: MeCab SIGSEGV, 1.7 GB)"
            ),
        )
    )
    # The largest line imported rather than refused (just under the character limit).
    from translator.core.pipeline import MAX_TEXT_CHARS

    big = _child(MAX_TEXT_CHARS - 10)
    figures.append(
        Figure(
            section=SECTION,
            name=f"largest accepted: {MAX_TEXT_CHARS - 10:,} characters on one line",
            value=big["s"],
            baseline_name="linear fit from 1x",
            baseline_value=t1 * (MAX_TEXT_CHARS - 10) / BASE_CHARS,
            goal="<= 1.3x the linear fit",
            note=f"{big['sentences']:,} sentences; peak memory "
            f"+{(big['peak_kb'] - big['rest_kb']) / 1024:.0f} MB",
        )
    )
    return figures


if __name__ == "__main__":
    for f in run():
        ratio = f"{f.ratio:.2f}x baseline" if f.ratio is not None else ""
        print(f"{f.name}: {f.value:.3f} {f.unit} {ratio} {f.note}")
