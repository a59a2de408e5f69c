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
  ``from exc``, with a one-line message an editor can act on;
* capabilities: an engine without ``supports_context`` never sees the neighbouring sentences,
  and one without ``supports_glossary`` (no glossary of its own) never sees the glossary: the
  base protects the terms instead (:class:`GlossaryProtector`: the required English goes into
  the source before translation and is checked, and repaired, in the output).

Engines never import Django.
"""

from __future__ import annotations

import re
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
    sent: str = ""  # what the engine is sent: the text, with glossary terms protected
    protected: _Protected | None = None


# --------------------------------------------------------------------------- term protection


@dataclass(frozen=True)
class _Protected:
    text: str
    terms: tuple[tuple[str, str, int], ...]  # (source term, English, occurrences)


class GlossaryProtector:
    """Glossary terms for an engine with no glossary of its own.

    Each source term is replaced by its required English before translation, so the engine only
    has to copy a Latin-script word instead of translating the term (and mangling a name);
    afterwards the English must be in the output. If the engine dropped it but left the source
    term, the term is swapped for the English; if it is missing altogether the result carries a
    warning naming the term.
    """

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self.terms = {k.strip(): v.strip() for k, v in glossary.items() if k.strip() and v.strip()}
        ordered = sorted(self.terms, key=len, reverse=True)  # longest match first
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def protect(self, text: str) -> _Protected:
        if self.pattern is None:
            return _Protected(text, ())
        counts: dict[str, int] = {}

        def swap(match: re.Match[str]) -> str:
            term = match.group(0)
            counts[term] = counts.get(term, 0) + 1
            english = self.terms[term]
            before = match.string[match.start() - 1] if match.start() > 0 else " "
            after = match.string[match.end()] if match.end() < len(match.string) else " "
            # Space the English off from Latin neighbours so it stays one word.
            left = " " if before.isascii() and before.isalnum() else ""
            right = " " if after.isascii() and after.isalnum() else ""
            return f"{left}{english}{right}"

        protected = self.pattern.sub(swap, text)
        terms = tuple((t, self.terms[t], n) for t, n in counts.items())
        return _Protected(protected, terms)

    def restore(self, prepared: _Protected, output: str) -> tuple[str, tuple[str, ...]]:
        warnings = []
        for term, english, count in prepared.terms:
            # Right words in the wrong case ("nagano") get the glossary's spelling back.
            output = re.sub(
                re.escape(english), lambda _m, e=english: e, output, flags=re.IGNORECASE
            )
            found = output.count(english)
            if found < count and term in output:
                output = output.replace(term, english)
                found = output.count(english)
            if found < count:
                warnings.append(f"Glossary term {term} → {english} is missing from the translation")
        return output, tuple(warnings)


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
    * ``supports_glossary`` -- the engine has a glossary of its own (DeepL): ``glossary`` is
      handed to its hooks and :meth:`sync_glossary` keeps it current between jobs. Without it
      the base protects the terms (:class:`GlossaryProtector`) and the hooks see ``{}``.
    * ``supports_context`` -- ``TranslationRequest.context`` is used; without it the hooks get
      empty contexts (and callers need not build them).
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
        terms = dict(glossary or {})
        native = terms if self.supports_glossary else {}
        self._check_pair(source_lang, target_lang)
        protector = self._protector(terms)
        order, empties = self._uniques(items, protector)
        state = None
        if order:
            with self._mapped_errors():
                state = self._begin(
                    source_lang=source_lang, target_lang=target_lang, glossary=native
                )
        version = self._safe_version()  # after _begin: an engine may have (re)loaded its model
        results: list[TranslationResult | None] = [None] * len(items)
        pending: list[tuple[int, TranslationResult]] = []
        for index in empties:
            results[index] = TranslationResult(items[index].text, self.name, version)
            pending.append((index, results[index]))
        done = len(empties)
        for batch in self._plan_batches(order, state) if order else []:
            chunk = [order[i] for i in batch]
            with self._mapped_errors():
                outputs = self._translate_batch(
                    [u.sent for u in chunk],
                    contexts=[u.context for u in chunk],
                    glossary=native,
                    source_lang=source_lang,
                    target_lang=target_lang,
                    state=state,
                )
            if len(outputs) != len(chunk):
                raise EngineError(
                    f"{self.label} returned {len(outputs)} translations for {len(chunk)} sentences",
                    engine=self.name,
                )
            for unique, output in zip(chunk, outputs, strict=True):
                result = self._result(unique, output, version, protector)
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

    def sync_glossary(
        self, glossary: Mapping[str, str], *, saved: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Make the engine's own glossary hold ``glossary`` (``supports_glossary`` engines).

        ``saved`` is what this method returned the last time for the same episode (``{}`` the
        first time); the caller stores the returned ``dict`` (JSON) and hands it back next time,
        without reading it. The base has no glossary of its own: nothing to keep.
        """
        return {}

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
        terms = dict(glossary or {})
        order, _ = self._uniques(items, self._protector(terms))
        state = self._plan_state(glossary=terms if self.supports_glossary else {})
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

    def _protector(self, terms: Mapping[str, str]) -> GlossaryProtector | None:
        """Term protection, for an engine with no glossary of its own."""
        return None if self.supports_glossary or not terms else GlossaryProtector(terms)

    def _uniques(
        self, items: Sequence[TranslationRequest], protector: GlossaryProtector | None
    ) -> tuple[list[_Unique], list[int]]:
        """The distinct non-empty texts in order (with what is sent for each: the context only
        if the engine uses it, glossary terms protected if it has no glossary of its own), and
        the indices of the empty items."""
        uniques: dict[str, _Unique] = {}
        empties: list[int] = []
        for index, item in enumerate(items):
            if not item.text.strip():
                empties.append(index)
                continue
            unique = uniques.get(item.text)
            if unique is None:
                context = tuple(item.context) if self.supports_context else ()
                unique = uniques[item.text] = _Unique(item.text, context, sent=item.text)
                if protector is not None:
                    unique.protected = protector.protect(item.text)
                    unique.sent = unique.protected.text
            unique.indices.append(index)
        return list(uniques.values()), empties

    def _result(
        self,
        unique: _Unique,
        output: str | BatchOutput,
        version: str,
        protector: GlossaryProtector | None,
    ) -> TranslationResult:
        out = output if isinstance(output, BatchOutput) else BatchOutput(output)
        text, warnings = out.text, out.warnings
        if unique.protected is not None and protector is not None:
            text, missing = protector.restore(unique.protected, text)
            warnings = warnings + missing
        return TranslationResult(text, self.name, version, warnings)

    def _plan_batches(self, order: list[_Unique], state: Any) -> list[range]:
        capacity = None
        if self.max_batch_bytes is not None:
            capacity = self.max_batch_bytes - self._batch_overhead_bytes(state)
        costs = [self._text_cost_bytes(u.sent) for u in order]
        try:
            return pack_greedy(costs, max_texts=self.max_batch_texts, capacity_bytes=capacity)
        except ValueError:
            longest = max(order, key=lambda u: self._text_cost_bytes(u.sent))
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
