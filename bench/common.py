"""Shared helpers for the benchmark script: time a callable, report ratios to a baseline.

Every figure is the median of several runs, set against a baseline measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Figure:
    section: str  # e.g. "Segmentation"
    name: str  # what was measured
    value: float  # the measurement (seconds unless ``unit`` says otherwise)
    unit: str = "s"
    baseline_name: str = ""
    baseline_value: float | None = None
    goal: str = ""  # e.g. "<= 1.10x"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value


def median_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def raw_translate_batch(
    translator: Any,
    tokens: Sequence[Sequence[str]],
    *,
    engine: Any,
    chunked: bool = True,
    beam_size: int | None = None,
    max_batch_size: int | None = None,
    batch_type: str = "examples",
    max_decoding_length: int | None = None,
) -> list[Any]:
    """Raw CTranslate2 ``translate_batch`` on pre-tokenised sentences: the baseline the Argos
    engine (``translator.engines.argos.ArgosEngine``) is measured against.

    ``chunked``: exactly the calls the engine makes -- one per chunk of
    ``engine.plan_chunks(tokens)`` (length-sorted), each capped at ``engine.decoding_cap`` of
    its longest sentence -- without any of the engine's Python around them (tokenising,
    de-duplication, glossary, detokenising). Otherwise one call over all sentences, batched by
    CTranslate2 itself (``max_batch_size``/``batch_type``, default the engine's) with one
    ``max_decoding_length`` (default: the cap of the longest sentence). Returns the results."""
    beam = engine.beam_size if beam_size is None else beam_size
    if not chunked:
        longest = max(map(len, tokens))
        return translator.translate_batch(
            list(tokens),
            beam_size=beam,
            max_batch_size=engine.max_batch_size if max_batch_size is None else max_batch_size,
            batch_type=batch_type,
            max_decoding_length=max_decoding_length or engine.decoding_cap(longest),
            replace_unknowns=engine.replace_unknowns,
        )
    results: list[Any] = []
    for chunk in engine.plan_chunks(tokens):
        results += translator.translate_batch(
            [tokens[i] for i in chunk],
            beam_size=beam,
            max_decoding_length=engine.decoding_cap(max(len(tokens[i]) for i in chunk)),
            replace_unknowns=engine.replace_unknowns,
        )
    return results


def argostranslate_per_sentence(packages: Any, *, beam_size: int) -> Callable[[str], str]:
    """argostranslate's own path, ``argostranslate.translate.translate(text, "ja", "en")``,
    over the package installed in ``packages``: the slow baseline the Argos engine is held
    to. Its MiniSBD sentence splitter would download a model, so it is replaced by a no-op
    splitter (the real path is slower still). Importing it loads torch: benchmarks only."""
    import argostranslate.translate as argos_translate
    from argostranslate import settings as argos_settings

    argos_settings.package_dirs = [packages]
    argos_settings.beam_size = beam_size
    argos_translate.get_installed_languages.cache_clear()
    argos_translate.installed_translates.clear()
    translation = argos_translate.get_translation_from_codes("ja", "en")
    underlying = getattr(translation, "underlying", translation)

    class _WholeText:  # keep it offline
        def split_sentences(self, text: str) -> list[str]:
            return [text]

    underlying.sentencizer = _WholeText()
    return lambda text: argos_translate.translate(text, "ja", "en")


class CountingTranslator:
    """A ``ctranslate2.Translator`` stand-in that forwards every call and adds up the CPU time
    spent inside ``translate_batch``: what the engine costs beyond CTranslate2 is the rest."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.inside = 0.0

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return self.inner.translate_batch(*args, **kwargs)
        finally:
            self.inside += time.process_time() - start
