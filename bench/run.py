"""Run every benchmark module (bench/bench_*.py) and write BENCHMARKS.md.

Usage: ``make bench`` (or ``.venv/bin/python -m bench.run [names…]``). Each module exposes
``run() -> list[Figure]``; every figure is a median of several runs set against a baseline
measured in the same run, so the ratios hold on any machine.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Figure  # noqa: E402


def _machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.1f} µs"
        if value < 1:
            return f"{value * 1e3:.2f} ms"
        return f"{value:.2f} s"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip()


def main(argv: list[str]) -> int:
    os.environ.setdefault("JIMAKU_DATA_DIR", tempfile.mkdtemp(prefix="jimaku-bench-"))
    wanted = set(argv)
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(ROOT / "bench")]) if m.name.startswith("bench_")
    )
    sections: dict[str, list[Figure]] = {}
    failures: list[str] = []
    for name in names:
        short = name.removeprefix("bench_")
        if wanted and short not in wanted and name not in wanted:
            continue
        print(f"==> {name}", flush=True)
        try:
            figures = importlib.import_module(f"bench.{name}").run()
        except Exception:
            failures.append(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}")
            traceback.print_exc()
            continue
        for fig in figures:
            sections.setdefault(fig.section, []).append(fig)
            ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
            print(f"    {fig.name}: {_fmt(fig.value, fig.unit)} {ratio} {fig.goal}", flush=True)

    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        "",
        "Each figure is the median of several runs; **ratio** is the figure divided by the",
        "baseline measured in the same run (lower is better for times, higher for throughput",
        "where the goal says so). Regenerate with `make bench`.",
        "",
    ]
    for section, figures in sections.items():
        lines += [
            f"## {section}",
            "",
            "| measurement | value | baseline | ratio | goal | note |",
            "|---|---|---|---|---|---|",
        ]
        for f in figures:
            base = f"{f.baseline_name}: {_fmt(f.baseline_value, f.unit)}" if f.baseline_name else ""
            ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
            lines.append(
                f"| {f.name} | {_fmt(f.value, f.unit)} | {base} | {ratio} | {f.goal} | {f.note} |"
            )
        lines.append("")
    if failures:
        lines += ["## Failed benchmark modules", ""] + [f"- {f}" for f in failures] + [""]
    out = ROOT / "BENCHMARKS.md"
    if wanted and out.exists():
        out = ROOT / "BENCHMARKS.partial.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
