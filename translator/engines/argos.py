"""Offline engine: an installed Argos Translate ja→en package, run directly with CTranslate2.

The package's CTranslate2 model and SentencePiece tokenizer load once per process (the engine
instance is cached by the registry) and the already-segmented sentences go through
``ctranslate2.Translator.translate_batch`` in length-sorted chunks (32 sentences by default),
each capped at 2 x its longest source + 10 tokens, so a model stuck in a repetition loop stops
near the sentence's own length instead of at 256 tokens (bench/bench_model_shape.py measures
this with a Transformer-base model: one cap for all costs 1.5x). argostranslate's own translate path
(one sentence per CTranslate2 call, its own sentence splitter that downloads a model, torch and
stanza imports) is never used: this module imports ``argostranslate.package`` only, and never
``argostranslate.translate``.

The engine re-checks the package folder on every ``translate`` call (a few ``stat`` calls) and
reloads when the package was reinstalled or replaced, in this process or another one.

The model has no glossary of its own (``supports_glossary = False``): the base class protects
the glossary's terms and speaker names (:class:`translator.engines.base.GlossaryProtector`), so
this engine only ever sees sentences with the required English already in them.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from translator.engines import argos_packages
from translator.engines.base import (
    BatchOutput,
    Engine,
    EngineError,
    EngineNotInstalledError,
    UnsupportedLanguagePairError,
    _one_line,
)

NOT_INSTALLED = (
    "No Argos ja→en package installed. Install one with: "
    "python manage.py argos_install --from-file PATH.argosmodel"
)


@dataclass
class _Loaded:
    package: argos_packages.InstalledPackage
    signature: tuple[Any, ...]
    translator: Any  # ctranslate2.Translator
    tokenizer: Any  # sentencepiece.SentencePieceProcessor


def _signature(pkg: argos_packages.InstalledPackage) -> tuple[Any, ...]:
    parts: list[Any] = [str(pkg.path)]
    for rel in ("metadata.json", "model/model.bin", "sentencepiece.model"):
        try:
            st = os.stat(pkg.path / rel)
            parts.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            parts.append(None)
    return tuple(parts)


class ArgosEngine(Engine):
    """Argos Translate package (CTranslate2 + SentencePiece), fully offline."""

    name: ClassVar[str] = "argos"
    label: ClassVar[str] = "Argos Translate (offline)"
    supports_glossary: ClassVar[bool] = False  # terms are protected by the base class
    supports_context: ClassVar[bool] = False
    max_batch_texts: ClassVar[int] = 256
    max_batch_bytes: ClassVar[int | None] = None

    def __init__(
        self,
        packages_dir: str | os.PathLike[str],
        beam_size: int = 2,
        *,
        max_batch_size: int = 32,
        batch_type: str = "examples",
        batch_texts: int | None = None,
        max_decoding_length: int = 256,
        max_decoding_ratio: float = 2.0,
        max_decoding_extra: int = 10,
        compute_type: str = "int8",
        intra_threads: int = 1,
        inter_threads: int = 1,
        replace_unknowns: bool = True,
        source_code: str = "ja",
        target_code: str = "en",
    ) -> None:
        self.packages_dir = Path(packages_dir)
        self.beam_size = int(beam_size)
        self.max_batch_size = int(max_batch_size)
        if batch_type not in ("examples", "tokens"):
            raise ValueError("batch_type must be 'examples' or 'tokens'")
        self.batch_type = batch_type
        if batch_texts is not None:
            self.max_batch_texts = int(batch_texts)  # texts per progress step
        self.max_decoding_length = int(max_decoding_length)
        # A sentence's translation may be at most ratio x its source tokens + extra tokens long
        # (fairseq's max_len_a/max_len_b): a model that never ends a sentence (a degenerate
        # repetition loop) stops there instead of at ``max_decoding_length``.
        self.max_decoding_ratio = float(max_decoding_ratio)
        self.max_decoding_extra = int(max_decoding_extra)
        self.compute_type = compute_type
        self.intra_threads = int(intra_threads)
        self.inter_threads = max(1, int(inter_threads))
        self.replace_unknowns = bool(replace_unknowns)
        self.source_code = source_code
        self.target_code = target_code
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._checked: dict[tuple[Any, ...], str | None] = {}  # package signature -> error

    # ---- public

    def version(self) -> str:
        loaded = self._loaded
        if loaded is None:
            pkg = argos_packages.find_package(self.packages_dir, self.source_code, self.target_code)
            return pkg.version_label if pkg else ""
        return loaded.package.version_label

    def status(self) -> dict[str, Any]:
        info = super().status()
        info.update(packages_dir=str(self.packages_dir), beam_size=self.beam_size)
        try:
            installed = argos_packages.list_installed(self.packages_dir)
        except EngineError as exc:
            info["error"] = str(exc)
            return info
        info["installed"] = [
            {
                "name": p.name,
                "pair": f"{p.from_code}→{p.to_code}",
                "version": p.package_version,
            }
            for p in installed
        ]
        info["loaded"] = self._loaded is not None
        has_pair = any(
            (p.from_code, p.to_code) == (self.source_code, self.target_code) for p in installed
        )
        info["error"] = None if has_pair else NOT_INSTALLED
        if has_pair:  # installed is not enough: a corrupt model must show here, not in a job
            info["error"] = self._check_loadable()
        return info

    def _check_loadable(self) -> str | None:
        """Open the package's model once per package version (then forget it: the web process
        must not keep a model in memory). Returns the error message, or None."""
        pkg = argos_packages.find_package(self.packages_dir, self.source_code, self.target_code)
        if pkg is None:
            return NOT_INSTALLED
        signature = _signature(pkg)
        loaded = self._loaded
        if loaded is not None and loaded.signature == signature:
            return None
        if signature not in self._checked:
            try:
                self._open(pkg)
            except EngineError as exc:
                self._checked[signature] = str(exc)
            else:
                self._checked[signature] = None
        return self._checked[signature]

    def load(self) -> _Loaded:
        """Load (or reload after a reinstall) the model and tokenizer; cached per instance."""
        with self._lock:
            loaded = self._loaded
            if loaded is not None and _signature(loaded.package) == loaded.signature:
                return loaded
            pkg = argos_packages.find_package(self.packages_dir, self.source_code, self.target_code)
            if pkg is None:
                self._loaded = None
                raise EngineNotInstalledError(NOT_INSTALLED, engine=self.name)
            signature = _signature(pkg)
            translator, tokenizer = self._open(pkg)
            self._loaded = _Loaded(pkg, signature, translator, tokenizer)
            return self._loaded

    def _open(self, pkg: argos_packages.InstalledPackage) -> tuple[Any, Any]:
        """The package's CTranslate2 translator and SentencePiece tokenizer."""
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise EngineNotInstalledError(
                "ctranslate2 and sentencepiece are needed for Argos", engine=self.name
            ) from exc
        try:
            translator = ctranslate2.Translator(
                str(pkg.path / "model"),
                device="cpu",
                compute_type=self.compute_type,
                intra_threads=self.intra_threads,
                inter_threads=self.inter_threads,
            )
            tokenizer = sentencepiece.SentencePieceProcessor(
                model_file=str(pkg.path / "sentencepiece.model")
            )
        except (RuntimeError, OSError, ValueError) as exc:
            raise EngineNotInstalledError(
                f"The Argos package {pkg.name} cannot be loaded ({_one_line(exc)}); "
                "reinstall it with: python manage.py argos_install --from-file "
                "PATH.argosmodel",
                engine=self.name,
            ) from exc
        return translator, tokenizer

    # ---- engine hooks

    def _check_pair(self, source_lang: str, target_lang: str) -> None:
        source = source_lang.split("-")[0].lower()
        target = target_lang.split("-")[0].lower()
        if (source, target) != (self.source_code, self.target_code):
            raise UnsupportedLanguagePairError(
                f"The Argos engine is set up for {self.source_code}→{self.target_code}, "
                f"not {source_lang}→{target_lang}",
                engine=self.name,
            )

    def _begin(self, *, source_lang: str, target_lang: str, glossary: Mapping[str, str]) -> Any:
        return self.load()

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
        loaded: _Loaded = state
        return self.translate_tokens(
            loaded, [loaded.tokenizer.encode(text, out_type=str) for text in texts]
        )

    def decoding_cap(self, source_tokens: int) -> int:
        """Most target tokens a sentence of ``source_tokens`` tokens may decode to."""
        cap = math.ceil(self.max_decoding_ratio * source_tokens) + self.max_decoding_extra
        return max(1, min(self.max_decoding_length, cap))

    def plan_chunks(self, tokens: Sequence[Sequence[str]]) -> list[list[int]]:
        """Indices of ``tokens`` grouped into CTranslate2 calls: sorted by length, then cut
        every ``max_batch_size`` sentences (``batch_type="examples"``) or source tokens
        (``"tokens"``). Similar lengths share a call, so little padding is computed and each
        call's length cap (from its longest sentence) fits all of its sentences."""
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        chunks: list[list[int]] = []
        current: list[int] = []
        used = 0
        for i in order:
            cost = len(tokens[i]) if self.batch_type == "tokens" else 1
            if current and used + cost > self.max_batch_size:
                chunks.append(current)
                current, used = [], 0
            current.append(i)
            used += cost
        if current:
            chunks.append(current)
        return chunks

    def translate_tokens(self, loaded: _Loaded, tokens: list[list[str]]) -> list[str]:
        """Run CTranslate2 on tokenised sentences and detokenise (no glossary handling)."""
        prefix = loaded.package.target_prefix
        pending = []
        for chunk in self.plan_chunks(tokens):
            longest = max(len(tokens[i]) for i in chunk)
            results = loaded.translator.translate_batch(
                [tokens[i] for i in chunk],
                target_prefix=[[prefix]] * len(chunk) if prefix else None,
                beam_size=self.beam_size,
                max_batch_size=0,
                max_decoding_length=self.decoding_cap(longest) + (1 if prefix else 0),
                replace_unknowns=self.replace_unknowns,
                # Several calls in flight at once when the model has several replicas.
                asynchronous=self.inter_threads > 1,
            )
            pending.append((chunk, results))
        out: list[str] = [""] * len(tokens)
        for chunk, results in pending:
            for i, result in zip(chunk, results, strict=True):
                if self.inter_threads > 1:
                    result = result.result()
                pieces = result.hypotheses[0]
                if prefix and pieces and pieces[0] == prefix:
                    pieces = pieces[1:]
                out[i] = loaded.tokenizer.decode_pieces(pieces).strip()
        return out
