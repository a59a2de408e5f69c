"""DeepL engine on the official ``deepl`` library (``DeepLClient``).

Batching. DeepL takes at most 50 texts and 128 KiB of JSON body per request. The library sends
``requests``' ``json=`` encoding (``ensure_ascii``: a Japanese character costs 6 bytes, one
outside the BMP 12), so the body size is computed with the same encoder, exactly. Requests are
packed greedily over the unique sentences in episode order using the texts alone, which gives
the minimum number of requests the limits allow for that order.

Context. DeepL takes ONE ``context`` per request, but each sentence has its own (the
neighbouring sentences of its turn). A request's context is the ordered union of the
neighbouring sentences of every sentence in it, so each sentence sees its own turn's neighbours
(plus the adjacent turns packed with it: the surrounding dialogue). The context only uses the
bytes the texts leave free, so it never adds a request; when the byte limit binds (very long
sentences), the shortest sentences' neighbours are kept first. The alternative, one request per
turn with that turn as context, costs about one request per turn (about 13x the minimum for a
1,000-sentence episode with 4 sentences per turn; see ``bench/bench_engines.py``).

Glossary. The terms are synced to a DeepL multilingual (v3, editable) glossary with one JA→EN
dictionary: :meth:`DeepLEngine.ensure_glossary` creates it, or replaces its dictionary in place
when the terms' hash changed, and does nothing when it did not. :meth:`DeepLEngine.sync_glossary`
is the base class's hook around it: it returns ``{"glossary_id", "glossary_hash"}``, which the
caller keeps per episode (``EngineState``) and hands back before the next job. The engine also
remembers hash → id for its process, which ``translate`` uses.

Retries. The library retries 429, 5xx and connection errors itself (``max_network_retries``,
default 5, exponential backoff from 1 s, factor 1.6, and a per-request timeout of
``min_connection_timeout`` = 10 s). ``max_retries``/``timeout_s`` override those module-level
(process-wide) settings.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from requests.compat import json as requests_json

from translator.engines.base import (
    BatchOutput,
    Engine,
    EngineAuthError,
    EngineConfigError,
    EngineError,
    EngineNotInstalledError,
    EngineQuotaError,
    EngineRateLimitError,
    EngineUnavailableError,
    UnsupportedLanguagePairError,
    _one_line,
)

try:
    import deepl as _deepl
except ImportError:  # pragma: no cover - deepl is a hard dependency
    _deepl = None

DEEPL_TARGETS = ("EN-US", "EN-GB")
_PLAN_GLOSSARY_ID = "00000000-0000-0000-0000-000000000000"  # same length as a real id
_CONTEXT_KEY_BYTES = len(', "context": ')


@dataclass(frozen=True)
class _CallState:
    target_lang: str
    glossary_id: str | None


def glossary_hash(terms: Mapping[str, str]) -> str:
    """Stable hash of glossary terms (order-insensitive, whitespace-trimmed)."""
    lines = sorted(f"{k.strip()}\t{v.strip()}" for k, v in terms.items() if k.strip())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _app_version() -> str:
    try:
        return importlib.metadata.version("jimaku")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


def _escaped_len(text: str) -> int:
    """Bytes ``text`` takes inside a JSON string as ``requests`` encodes it (without quotes)."""
    return len(requests_json.dumps(text)) - 2


class DeepLEngine(Engine):
    """DeepL API (Free or Pro, or any compatible server at ``server_url``)."""

    name: ClassVar[str] = "deepl"
    label: ClassVar[str] = "DeepL"
    supports_glossary: ClassVar[bool] = True
    supports_context: ClassVar[bool] = True
    max_batch_texts: ClassVar[int] = 50
    max_batch_bytes: ClassVar[int | None] = 128 * 1024

    def __init__(
        self,
        auth_key: str,
        server_url: str | None = None,
        *,
        max_retries: int | None = None,
        timeout_s: float | None = None,
        glossary_name: str = "Jimaku",
    ) -> None:
        if _deepl is None:  # pragma: no cover
            raise EngineNotInstalledError("The deepl library is not installed", engine=self.name)
        if not auth_key:
            raise EngineConfigError(
                "DeepL is not configured: set DEEPL_AUTH_KEY to your DeepL API key",
                engine=self.name,
            )
        if max_retries is not None:
            _deepl.http_client.max_network_retries = int(max_retries)
        if timeout_s is not None:
            _deepl.http_client.min_connection_timeout = float(timeout_s)
        self.server_url = server_url or None
        self.glossary_name = glossary_name
        self._client = _deepl.DeepLClient(auth_key, server_url=self.server_url)
        self._client.set_app_info("jimaku", _app_version())
        self._glossary_ids: dict[str, str] = {}  # terms hash -> glossary id (this process)

    # ---- public

    def version(self) -> str:
        return f"deepl-python/{_deepl.__version__}"

    def status(self) -> dict[str, Any]:
        info = super().status()
        info["server_url"] = self._client.server_url
        try:
            usage = self._client.get_usage()
        except Exception as exc:
            info["error"] = str(self._map_error(exc))
            return info
        info.update(
            character_count=usage.character.count,
            character_limit=usage.character.limit,
            limit_reached=usage.any_limit_reached,
            error=None,
        )
        return info

    def ensure_glossary(
        self,
        terms: Mapping[str, str],
        *,
        known_id: str | None = None,
        known_hash: str | None = None,
    ) -> tuple[str | None, str]:
        """Make a DeepL JA→EN glossary hold ``terms``; return ``(glossary_id, hash)``.

        No request when ``known_hash`` matches; the dictionary of ``known_id`` is replaced in
        place when the terms changed; a new glossary is created when there is no usable
        ``known_id``. Empty ``terms`` → ``(None, hash)`` (translate without a glossary).
        """
        entries = {k.strip(): v.strip() for k, v in terms.items() if k.strip() and v.strip()}
        digest = glossary_hash(entries)
        if not entries:
            return None, digest
        if known_id and known_hash == digest and self._glossary_exists(known_id):
            self._glossary_ids[digest] = known_id
            return known_id, digest
        if known_id and known_hash == digest:
            # Deleted on the server (or another account): forget it and make it again.
            if self._glossary_ids.get(digest) == known_id:
                del self._glossary_ids[digest]
            known_id = None
        if not known_id and digest in self._glossary_ids:
            return self._glossary_ids[digest], digest
        dictionary = _deepl.api_data.MultilingualGlossaryDictionaryEntries("JA", "EN", entries)
        with self._mapped_errors():
            glossary_id = None
            if known_id:
                try:
                    self._client.replace_multilingual_glossary_dictionary(known_id, dictionary)
                    glossary_id = known_id
                except _deepl.GlossaryNotFoundException:
                    glossary_id = None
            if glossary_id is None:
                info = self._client.create_multilingual_glossary(
                    f"{self.glossary_name} {digest[:12]}", [dictionary]
                )
                glossary_id = info.glossary_id
        for h, gid in list(self._glossary_ids.items()):
            if gid == glossary_id:
                del self._glossary_ids[h]
        self._glossary_ids[digest] = glossary_id
        return glossary_id, digest

    def sync_glossary(
        self, glossary: Mapping[str, str], *, saved: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Keep one DeepL glossary per episode: ``saved`` holds its id and terms hash."""
        glossary_id, digest = self.ensure_glossary(
            glossary,
            known_id=saved.get("glossary_id") or None,
            known_hash=saved.get("glossary_hash") or None,
        )
        return {"glossary_id": glossary_id or "", "glossary_hash": digest}

    def _glossary_exists(self, glossary_id: str) -> bool:
        """Is a stored glossary id still known to the server? (one GET, once per job)"""
        with self._mapped_errors():
            try:
                self._client.get_multilingual_glossary(glossary_id)
            except _deepl.GlossaryNotFoundException:
                return False
        return True

    # ---- engine hooks

    def _check_pair(self, source_lang: str, target_lang: str) -> None:
        if source_lang.split("-")[0].lower() != "ja" or target_lang.upper() not in DEEPL_TARGETS:
            raise UnsupportedLanguagePairError(
                f"DeepL: translate from ja to EN-US or EN-GB (got {source_lang} → {target_lang})",
                engine=self.name,
            )

    def _begin(self, *, source_lang: str, target_lang: str, glossary: Mapping[str, str]) -> Any:
        glossary_id = None
        if glossary:
            digest = glossary_hash(glossary)
            glossary_id = self._glossary_ids.get(digest)
            if glossary_id is None:
                glossary_id, _ = self.ensure_glossary(glossary)
        return _CallState(target_lang.upper(), glossary_id)

    def _plan_state(self, *, glossary: Mapping[str, str]) -> Any:
        return _CallState("EN-US", _PLAN_GLOSSARY_ID if glossary else None)

    def _request_fields(self, state: _CallState) -> dict[str, Any]:
        # Same keys and values as deepl 1.32 Translator.translate_text sends.
        fields: dict[str, Any] = {"target_lang": state.target_lang, "source_lang": "JA"}
        if state.glossary_id:
            fields["glossary_id"] = state.glossary_id
        fields["text"] = []
        fields["show_billed_characters"] = True
        return fields

    def _text_cost_bytes(self, text: str) -> int:
        return _escaped_len(text) + 2 + 2  # quotes + ", " separator

    def _batch_overhead_bytes(self, state: Any) -> int:
        return len(requests_json.dumps(self._request_fields(state))) - 2

    def request_body_bytes(
        self, texts: Sequence[str], context: str | None, state: _CallState
    ) -> int:
        """Exact size of the JSON body the library sends for one request."""
        fields = self._request_fields(state)
        fields["text"] = list(texts)
        if context:
            fields["context"] = context
        return len(requests_json.dumps(fields).encode("utf-8"))

    def build_context(
        self, texts: Sequence[str], contexts: Sequence[Sequence[str]], budget_bytes: int
    ) -> str | None:
        """One request's context within ``budget_bytes`` (see the module docstring)."""
        budget = budget_bytes - _CONTEXT_KEY_BYTES - 2
        chosen: set[str] = set()
        used = 0
        by_length = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        for i in by_length:
            for sentence in contexts[i]:
                if not sentence.strip() or sentence in chosen:
                    continue
                cost = _escaped_len(sentence) + (2 if chosen else 0)  # "\n" separator
                if used + cost > budget:
                    break
                used += cost
                chosen.add(sentence)
        if not chosen:
            return None
        return "\n".join(sorted(chosen, key=_context_order(texts, contexts).__getitem__))

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
        budget = self.max_batch_bytes - self.request_body_bytes(texts, None, state)
        context = self.build_context(texts, contexts, budget)
        results = self._client.translate_text(
            texts,
            source_lang="JA",
            target_lang=state.target_lang,
            context=context,
            glossary=state.glossary_id,
        )
        return [r.text for r in results]

    def _map_error(self, exc: Exception) -> EngineError:
        retries = _deepl.http_client.max_network_retries
        if isinstance(exc, _deepl.AuthorizationException):
            return EngineAuthError(
                "DeepL key rejected (HTTP 403): check DEEPL_AUTH_KEY", engine=self.name
            )
        if isinstance(exc, _deepl.QuotaExceededException):
            return EngineQuotaError(
                "DeepL quota exhausted (HTTP 456): the character limit of this billing period "
                "is used up",
                engine=self.name,
            )
        if isinstance(exc, _deepl.TooManyRequestsException):
            return EngineRateLimitError(
                f"DeepL rate limit: still refused (HTTP 429) after {retries} retries; "
                "try again in a few minutes",
                engine=self.name,
            )
        if isinstance(exc, _deepl.ConnectionException):
            return EngineUnavailableError(
                f"DeepL unreachable at {self._client.server_url} after {retries} retries: "
                f"{_short_reason(exc)}",
                engine=self.name,
            )
        if isinstance(exc, _deepl.DeepLException):
            status = exc.http_status_code
            if status is not None and status >= 500:
                return EngineUnavailableError(
                    f"DeepL unavailable (HTTP {status}) after {retries} retries; try again later",
                    engine=self.name,
                )
            if status == 413:
                return EngineError(
                    "DeepL refused the request as too large (HTTP 413)", engine=self.name
                )
            code = f"HTTP {status}" if status else "error"
            return EngineError(f"DeepL rejected the request ({code}): {_one_line(exc)}")
        if isinstance(exc, ValueError):
            return EngineError(f"DeepL: {_one_line(exc)}", engine=self.name)
        return super()._map_error(exc)


def _context_order(texts: Sequence[str], contexts: Sequence[Sequence[str]]) -> dict[str, float]:
    """Episode-order sort keys for context sentences.

    A context sentence that is also a text of the request sits at that text's position; the
    others sit next to the nearest such anchor in their own context tuple (tuple order kept).
    """
    anchors = {text: float(i) for i, text in enumerate(texts)}
    keys: dict[str, float] = dict(anchors)
    for i, context in enumerate(contexts):
        known = [(j, anchors[s]) for j, s in enumerate(context) if s in anchors]
        for j, sentence in enumerate(context):
            if sentence in keys:
                continue
            before = [a for k, a in known if k < j]
            after = [a for k, a in known if k > j]
            if before:
                keys[sentence] = max(before) + 0.001 * (j + 1)
            elif after:
                keys[sentence] = min(after) - 0.5 + 0.001 * j
            else:
                keys[sentence] = i - 0.5 + 0.001 * j
    return keys


def _short_reason(exc: Exception) -> str:
    text = _one_line(exc)
    for marker in ("Connection refused", "timed out", "Read timed out", "RemoteDisconnected"):
        if marker.lower() in text.lower():
            return marker.lower()
    return text[:120]


__all__ = ["DEEPL_TARGETS", "DeepLEngine", "glossary_hash"]
