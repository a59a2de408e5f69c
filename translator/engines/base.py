"""Machine-translation engine interface (layer 2 of DESIGN.md; Weblate ``machinery/base.py`` style).

An engine subclass declares its capability flags and implements ONE method,
:meth:`Engine._translate_batch`, which talks to its library. The base class owns everything else:

* de-duplication: a sentence repeated within one call is translated once;
* batching: greedy packing of the unique texts, in order, under the engine's count and byte
  limits. Greedy packing is optimal among order-preserving batchings (each greedy batch ends at
  least as far right as the matching batch of any other valid batching), so the number of
  requests is the minimum those limits allow for the given order;
* progress: ``on_batch(done_count, pairs)`` after every finished batch, so a caller can commit
  per batch; an exception raised by ``on_batch`` (e.g. a cancelled job) stops the run as is;
* error mapping: any library exception becomes one of the :class:`EngineError` family, raised
  ``from exc``, with a one-line message an editor can act on.

Engines never import Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

# --------------------------------------------------------------------------- errors


class EngineError(Exception):
    """A translation engine failed. ``str(exc)`` is one line an editor can act on."""

    def __init__(self, message: str, *, engine: str = "") -> None:
        self.engine = engine
        self.reason = message
        super().__init__(message)


class EngineAuthError(EngineError):
    """The engine rejected the credentials (DeepL 403)."""


class EngineQuotaError(EngineError):
    """The account's quota for this period is used up (DeepL 456)."""


class EngineRateLimitError(EngineError):
    """Too many requests, still refused after the library's own retries (DeepL 429)."""


class EngineUnavailableError(EngineError):
    """The service cannot be reached or keeps failing (5xx, network, timeout)."""


class UnsupportedLanguagePairError(EngineError):
    """The engine cannot translate between the requested languages."""


class EngineNotInstalledError(EngineError):
    """The engine's library or model is not installed on this machine."""


class EngineConfigError(EngineError):
    """The engine is not configured (unknown name, missing key or option)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class TranslationRequest:
    """One sentence to translate; ``context`` = neighbouring sentences of the same turn."""

    text: str
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranslationResult:
    """One machine translation with its provenance and any engine warnings."""

    text: str
    engine: str
    engine_version: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchOutput:
    """What ``_translate_batch`` may return per text instead of a plain ``str``."""

    text: str
    warnings: tuple[str, ...] = ()


OnBatch = Callable[[int, list[tuple[int, TranslationResult]]], None]


@dataclass
class _Unique:
    text: str
    context: tuple[str, ...]
    indices: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- batching


def pack_greedy(
    costs_bytes: Sequence[int], *, max_texts: int, capacity_bytes: int | None
) -> list[range]:
    """Split items ``0..n-1`` into consecutive batches, greedily.

    A batch holds at most ``max_texts`` items and the sum of their ``costs_bytes`` is at most
    ``capacity_bytes`` (``None``: no byte limit). Returns the batches as index ranges. Greedy is
    optimal among order-preserving batchings: by induction its k-th batch ends at or after the
    k-th batch of any valid batching, because a suffix of a valid batch is itself valid.
    An item over the capacity on its own raises ``ValueError``.
    """
    if max_texts < 1:
        raise ValueError("max_texts must be at least 1")
    batches: list[range] = []
    start = 0
    used = 0
    for i, cost in enumerate(costs_bytes):
        if capacity_bytes is not None and cost > capacity_bytes:
            raise ValueError(f"item {i} needs {cost} bytes, over the {capacity_bytes}-byte limit")
        full = i - start >= max_texts or (
            capacity_bytes is not None and used + cost > capacity_bytes
        )
        if i > start and full:
            batches.append(range(start, i))
            start, used = i, 0
        used += cost
    if start < len(costs_bytes):
        batches.append(range(start, len(costs_bytes)))
    return batches


# --------------------------------------------------------------------------- engine


class Engine:
    """Base class of every machine-translation engine.

    Capability flags (class attributes):

    * ``name`` -- registry key and provenance label, e.g. ``"deepl"``.
    * ``supports_glossary`` -- ``glossary`` terms are enforced (natively or by protection).
    * ``supports_context`` -- ``TranslationRequest.context`` is used.
    * ``max_batch_texts`` -- most texts in one ``_translate_batch`` call.
    * ``max_batch_bytes`` -- most bytes of one request (``None``: no limit), measured with
      :meth:`_text_cost_bytes` plus :meth:`_batch_overhead_bytes`.
    """

    name: ClassVar[str] = "engine"
    label: ClassVar[str] = "Engine"
    supports_glossary: ClassVar[bool] = False
    supports_context: ClassVar[bool] = False
    max_batch_texts: ClassVar[int] = 50
    max_batch_bytes: ClassVar[int | None] = None

    # ---- public API

    def translate(
        self,
        items: Sequence[TranslationRequest],
        *,
        source_lang: str = "ja",
        target_lang: str = "EN-US",
        glossary: Mapping[str, str] | None = None,
        on_batch: OnBatch | None = None,
    ) -> list[TranslationResult]:
        """Translate ``items`` in order; one result per item.

        ``glossary`` maps source terms to required English (include speaker names).
        ``on_batch(done_count, pairs)`` runs after each finished batch: ``done_count`` is the
        number of items finished so far, ``pairs`` the ``(index into items, result)`` pairs
        finished by this batch (every duplicate of a translated sentence included).
        Raises an :class:`EngineError` subclass on failure; results delivered through
        ``on_batch`` before the failure stay valid.
        """
        glossary = dict(glossary or {})
        self._check_pair(source_lang, target_lang)
        results: list[TranslationResult | None] = [None] * len(items)
        uniques: dict[str, _Unique] = {}
        empties: list[int] = []
        for index, item in enumerate(items):
            if not item.text.strip():
                empties.append(index)
                continue
            unique = uniques.get(item.text)
            if unique is None:
                unique = uniques[item.text] = _Unique(item.text, tuple(item.context))
            unique.indices.append(index)

        order = list(uniques.values())
        state = None
        if order:
            with self._mapped_errors():
                state = self._begin(
                    source_lang=source_lang, target_lang=target_lang, glossary=glossary
                )
        version = self._safe_version()  # after _begin: an engine may have (re)loaded its model
        done = 0
        pending: list[tuple[int, TranslationResult]] = []
        for index in empties:
            empty = TranslationResult(items[index].text, self.name, version)
            results[index] = empty
            pending.append((index, empty))
        done += len(empties)

        if order:
            for batch in self._plan_batches(order, state):
                chunk = [order[i] for i in batch]
                with self._mapped_errors():
                    outputs = self._translate_batch(
                        [u.text for u in chunk],
                        contexts=[u.context for u in chunk],
                        glossary=glossary,
                        source_lang=source_lang,
                        target_lang=target_lang,
                        state=state,
                    )
                if len(outputs) != len(chunk):
                    raise EngineError(
                        f"{self.label} returned {len(outputs)} translations for {len(chunk)} "
                        "sentences",
                        engine=self.name,
                    )
                for unique, output in zip(chunk, outputs, strict=True):
                    out = output if isinstance(output, BatchOutput) else BatchOutput(output)
                    result = TranslationResult(out.text, self.name, version, out.warnings)
                    for index in unique.indices:
                        results[index] = result
                        pending.append((index, result))
                    done += len(unique.indices)
                if on_batch is not None:
                    on_batch(done, pending)
                pending = []
        if pending and on_batch is not None:
            on_batch(done, pending)
        return [r for r in results if r is not None]

    def version(self) -> str:
        """Library / model version string recorded as provenance."""
        return ""

    def status(self) -> dict[str, Any]:
        """Facts for the engine settings page (usage, installed models...). Never raises."""
        return {"name": self.name, "label": self.label, "version": self._safe_version()}

    def plan_requests(
        self, items: Sequence[TranslationRequest], *, glossary: Mapping[str, str] | None = None
    ) -> list[list[str]]:
        """The batches ``translate`` would send for ``items`` (unique texts), without sending."""
        uniques: dict[str, _Unique] = {}
        for item in items:
            if item.text.strip() and item.text not in uniques:
                uniques[item.text] = _Unique(item.text, tuple(item.context))
        order = list(uniques.values())
        state = self._plan_state(glossary=dict(glossary or {}))
        return [[order[i].text for i in b] for b in self._plan_batches(order, state)]

    # ---- hooks for subclasses

    def _translate_batch(
        self,
        texts: list[str],
        *,
        contexts: list[tuple[str, ...]],
        glossary: Mapping[str, str],
        source_lang: str,
        target_lang: str,
        state: Any,
    ) -> Sequence[str | BatchOutput]:
        """Translate ``texts`` (unique, non-empty, within the batch limits); same length out."""
        raise NotImplementedError

    def _check_pair(self, source_lang: str, target_lang: str) -> None:
        """Raise :class:`UnsupportedLanguagePairError` if the pair is not supported."""
        if source_lang.split("-")[0].lower() != "ja" or target_lang.split("-")[0].lower() != "en":
            raise UnsupportedLanguagePairError(
                f"{self.label} translates Japanese to English only, not {source_lang} to "
                f"{target_lang}",
                engine=self.name,
            )

    def _begin(self, *, source_lang: str, target_lang: str, glossary: Mapping[str, str]) -> Any:
        """Per-call preparation (load model, sync glossary); result is passed as ``state``."""
        return None

    def _plan_state(self, *, glossary: Mapping[str, str]) -> Any:
        """A ``state`` good enough for sizing batches without side effects."""
        return None

    def _text_cost_bytes(self, text: str) -> int:
        """Bytes one text adds to a request."""
        return len(text.encode("utf-8"))

    def _batch_overhead_bytes(self, state: Any) -> int:
        """Bytes of a request with no texts."""
        return 0

    def _map_error(self, exc: Exception) -> EngineError:
        """Turn a library exception into the :class:`EngineError` family."""
        return EngineError(f"{self.label} failed: {_one_line(exc)}", engine=self.name)

    # ---- internals

    def _plan_batches(self, order: list[_Unique], state: Any) -> list[range]:
        capacity = None
        if self.max_batch_bytes is not None:
            capacity = self.max_batch_bytes - self._batch_overhead_bytes(state)
        costs = [self._text_cost_bytes(u.text) for u in order]
        try:
            return pack_greedy(costs, max_texts=self.max_batch_texts, capacity_bytes=capacity)
        except ValueError:
            longest = max(order, key=lambda u: self._text_cost_bytes(u.text))
            raise EngineError(
                f"A sentence is too long for {self.label} ({len(longest.text)} characters: "
                f"{longest.text[:20]}...); split it first",
                engine=self.name,
            ) from None

    def _safe_version(self) -> str:
        try:
            return self.version()
        except Exception:
            return ""

    def _mapped_errors(self) -> _ErrorMapper:
        return _ErrorMapper(self)


class _ErrorMapper:
    """Context manager: library exceptions -> EngineError family, raised ``from exc``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, EngineError) or not isinstance(exc, Exception):
            return False
        mapped = self.engine._map_error(exc)
        if not mapped.engine:
            mapped.engine = self.engine.name
        raise mapped from exc


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
