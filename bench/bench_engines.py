"""Engines: Argos engine vs raw CTranslate2 vs argostranslate per sentence; DeepL request count.

All Argos figures use the same tiny copy model (tests/support/argos_model.py) and beam size, in
one run. DeepL figures run the real ``deepl`` library against the test server on 127.0.0.1.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    CountingTranslator,
    Figure,
    argostranslate_per_sentence,
    median_time,
    raw_translate_batch,
)

SECTION = "Machine translation"
BEAM_SIZE = 2
SENTENCES = 400
SLOW_PATH_SENTENCES = 60


def _sentences(count: int) -> list[str]:
    from tests.support.argos_model import SAMPLE_LINES

    japanese = [line for line in SAMPLE_LINES if not line.isascii()]
    out = []
    for i in range(count):
        a, b = japanese[i % len(japanese)], japanese[(i * 7 + 3) % len(japanese)]
        out.append(f"{a[:-1]}、{b}"[: 12 + i % 30])
    return out


def _interleaved_medians(a, b, *, repeat: int) -> tuple[float, float]:
    """Median CPU times of ``a`` and ``b`` run alternately (one CTranslate2 thread: on a busy
    2-core machine, wall time would mostly measure the neighbours)."""
    a()
    b()
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
    return statistics.median(times_a), statistics.median(times_b)


def _argos_figures(tmp: Path) -> list[Figure]:
    from tests.support.argos_model import build_argosmodel
    from translator.engines.argos import ArgosEngine
    from translator.engines.argos_packages import install_from_file
    from translator.engines.base import TranslationRequest

    packages = tmp / "packages"
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)  # before argostranslate is imported
    model = build_argosmodel(tmp / "copy.argosmodel")
    install_from_file(model, packages)
    engine = ArgosEngine(packages, beam_size=BEAM_SIZE, batch_texts=SENTENCES)
    loaded = engine.load()
    texts = _sentences(SENTENCES)
    # Unique sentences so de-duplication does not flatter the engine.
    texts = [f"{t}{i}" for i, t in enumerate(texts)]
    items = [TranslationRequest(t) for t in texts]
    tokens = [loaded.tokenizer.encode(t, out_type=str) for t in texts]

    def raw() -> None:  # the same CTranslate2 calls the engine makes, nothing around them
        raw_translate_batch(loaded.translator, tokens, engine=engine)

    def ours() -> None:
        engine.translate(items)

    raw_s, ours_s = _interleaved_medians(raw, ours, repeat=9)
    # What the engine costs beyond CTranslate2, counted directly (load does not blur it).
    counting = CountingTranslator(loaded.translator)
    engine._loaded = type(loaded)(loaded.package, loaded.signature, counting, loaded.tokenizer)
    start = time.process_time()
    ours()
    engine_cpu = time.process_time() - start
    outside_ms = (engine_cpu - counting.inside) * 1000
    engine._loaded = loaded
    figures = [
        Figure(
            SECTION,
            f"Argos engine, {SENTENCES} sentences (beam {BEAM_SIZE})",
            SENTENCES / ours_s,
            unit="sentences/s",
            baseline_name="raw ctranslate2 translate_batch on the same tokens, same chunks",
            baseline_value=SENTENCES / raw_s,
            goal=">= 0.91x baseline (time <= 1.10x raw)",
            note=f"engine/raw CPU time = {ours_s / raw_s:.3f}x, median of 9 interleaved pairs; "
            f"the engine's own work outside CTranslate2 (tokenising, de-dup, glossary pass, "
            f"detokenising): {outside_ms:.1f} ms of {engine_cpu * 1000:.0f} ms "
            f"({outside_ms / 10 / engine_cpu:.1f} %)",
        )
    ]

    # The per-sentence argostranslate path (importing it is fine here, not in the web app).
    note = ""
    try:
        translate_one = argostranslate_per_sentence(packages, beam_size=BEAM_SIZE)
        slow_texts = texts[:SLOW_PATH_SENTENCES]

        def per_sentence() -> None:
            for text in slow_texts:
                translate_one(text)

        slow_s = median_time(per_sentence, repeat=3) / len(slow_texts) * SENTENCES
        ours_wall = median_time(ours, repeat=3)  # wall time, as argostranslate's is
        note = (
            f"argostranslate.translate.translate per sentence (timed on {len(slow_texts)}, "
            "scaled); its MiniSBD sentence splitter downloads a model, so it was replaced by a "
            "no-op splitter: the real path is slower still"
        )
        figures.append(
            Figure(
                SECTION,
                f"Argos engine vs argostranslate per sentence ({SENTENCES} sentences)",
                SENTENCES / ours_wall,
                unit="sentences/s",
                baseline_name="argostranslate.translate.translate, one call per sentence",
                baseline_value=SENTENCES / slow_s,
                goal=">= 8x baseline",
                note=note,
            )
        )
    except Exception as exc:  # report, never fake
        figures.append(
            Figure(
                SECTION,
                "argostranslate per-sentence path",
                float("nan"),
                unit="x",
                goal=">= 8x",
                note=f"could not run offline: {type(exc).__name__}: {exc}"[:300],
            )
        )
    return figures


def _deepl_figures() -> list[Figure]:
    import deepl

    from tests.support.deepl_server import FakeDeepLServer
    from translator.engines.base import TranslationRequest
    from translator.engines.deepl import DeepLEngine

    deepl.http_client.max_network_retries = 1
    count, per_turn = 1000, 4
    sentences = [f"{i:04d}" + "今日はいい天気ですね、本当に。"[: 8 + i % 20] for i in range(count)]
    items = []
    for i, text in enumerate(sentences):
        turn = sentences[i // per_turn * per_turn : (i // per_turn + 1) * per_turn]
        items.append(TranslationRequest(text, tuple(s for s in turn if s != text)))
    with FakeDeepLServer() as server:
        engine = DeepLEngine(server.auth_key, server.url)
        engine.translate(items)
        requests = server.translate_requests()
        sent = len(requests)
        max_body = max(len(r.body) for r in requests)
        with_context = sum(1 for r in requests if r.params.get("context"))
    state = engine._plan_state(glossary={})
    capacity = engine.max_batch_bytes - engine._batch_overhead_bytes(state)
    text_bytes = sum(engine._text_cost_bytes(s) for s in sentences)
    minimum = max(math.ceil(count / engine.max_batch_texts), math.ceil(text_bytes / capacity))
    turns = math.ceil(count / per_turn)
    return [
        Figure(
            SECTION,
            f"DeepL requests for a {count}-sentence episode",
            sent,
            unit="requests",
            baseline_name="minimum from the 50-text / 128 KiB limits",
            baseline_value=minimum,
            goal="= minimum",
            note=f"largest body {max_body} bytes; {with_context}/{sent} requests carry context; "
            f"one request per turn (turn as context) would need {turns}",
        )
    ]


def run() -> list[Figure]:
    names = ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "ARGOS_PACKAGES_DIR")
    saved = {name: os.environ.get(name) for name in names}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for name in names[:3]:  # argostranslate writes there when first imported
                os.environ[name] = str(root / name.lower())
            figures = _argos_figures(root)
            figures += _deepl_figures()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return figures


if __name__ == "__main__":
    for figure in run():
        ratio = f" ratio {figure.ratio:.2f}" if figure.ratio is not None else ""
        print(
            f"{figure.name}: {figure.value:.1f} {figure.unit} (baseline {figure.baseline_name}: "
            f"{figure.baseline_value}){ratio} goal {figure.goal} {figure.note}"
        )
