from __future__ import annotations

import math
import socket

import pytest

from tests.support.deepl_server import FakeDeepLServer
from translator.engines.base import (
    EngineAuthError,
    EngineConfigError,
    EngineQuotaError,
    EngineRateLimitError,
    EngineUnavailableError,
    TranslationRequest,
    UnsupportedLanguagePairError,
)
from translator.engines.deepl import DeepLEngine, glossary_hash

LIMIT = 128 * 1024


def _episode(count: int, *, chars: int = 20, per_turn: int = 4) -> list[TranslationRequest]:
    """``count`` distinct sentences in turns of ``per_turn``; context = the turn's other lines."""
    sentences = [f"{i:05d}" + "あ" * (chars - 5) for i in range(count)]
    items = []
    for i, text in enumerate(sentences):
        turn = i // per_turn
        others = [s for s in sentences[turn * per_turn : (turn + 1) * per_turn] if s != text]
        items.append(TranslationRequest(text, tuple(others)))
    return items


def test_translates_through_the_real_library(deepl_engine, deepl_server):
    results = deepl_engine.translate([TranslationRequest("こんにちは。")], target_lang="EN-GB")
    assert results[0].text == "EN(こんにちは。)"
    assert results[0].engine == "deepl"
    assert results[0].engine_version.startswith("deepl-python/")
    [request] = deepl_server.translate_requests()
    assert request.params["target_lang"] == "EN-GB"
    assert request.params["source_lang"] == "JA"
    assert request.headers["Authorization"] == f"DeepL-Auth-Key {deepl_server.auth_key}"
    assert " jimaku/" in request.headers["User-Agent"]


def test_count_limit_gives_the_minimum_number_of_requests(deepl_engine, deepl_server):
    items = _episode(1000)
    deepl_engine.translate(items)
    requests = deepl_server.translate_requests()
    assert len(requests) == math.ceil(1000 / 50)
    assert all(len(r.texts) <= 50 for r in requests)
    assert [t for r in requests for t in r.texts] == [i.text for i in items]


def test_byte_limit_measured_at_the_server(deepl_engine, deepl_server):
    # 2,000-character sentences: 12,000 bytes each once JSON-escaped, so bytes bind, not count.
    items = _episode(60, chars=2000)
    results = deepl_engine.translate(items)
    assert len(results) == 60
    requests = deepl_server.translate_requests()
    sizes = [len(r.body) for r in requests]
    assert max(sizes) <= LIMIT
    text_bytes = sum(len(i.text) * 6 + 4 for i in items)
    overhead = len(requests[0].body) - sum(len(t) * 6 + 4 for t in requests[0].texts)
    assert len(requests) == math.ceil(text_bytes / (LIMIT - overhead))  # = the lower bound
    state = deepl_engine._plan_state(glossary={})
    for request in requests:  # the engine's size model is exact
        context = request.params.get("context")
        assert deepl_engine.request_body_bytes(request.texts, context, state) == len(request.body)


def test_context_is_the_turn_neighbours_and_fills_only_spare_bytes(deepl_engine, deepl_server):
    items = _episode(8, chars=10, per_turn=4)
    deepl_engine.translate(items)
    [request] = deepl_server.translate_requests()
    context = request.params["context"].split("\n")
    assert context == [i.text for i in items]  # every neighbour, in episode order, once

    deepl_server.requests.clear()
    big = _episode(60, chars=2000)
    deepl_engine.translate(big)
    for request in deepl_server.translate_requests():
        assert len(request.body) <= LIMIT


def test_short_replies_get_context_first_when_bytes_are_tight(deepl_engine, deepl_server):
    long_text = "長" * 21_000  # 126,000 bytes escaped: little room left
    items = [
        TranslationRequest(long_text, ("前の長い話。" * 200,)),
        TranslationRequest("はい。", ("それでいいですか？",)),
    ]
    deepl_engine.translate(items)
    [request] = deepl_server.translate_requests()
    assert request.params["context"] == "それでいいですか？"
    assert len(request.body) <= LIMIT


def test_duplicates_sent_once(deepl_engine, deepl_server):
    items = [TranslationRequest(t) for t in ["はい。", "そうですね。", "はい。", "はい。"]]
    results = deepl_engine.translate(items)
    assert [r.text for r in results] == [
        "EN(はい。)",
        "EN(そうですね。)",
        "EN(はい。)",
        "EN(はい。)",
    ]
    [request] = deepl_server.translate_requests()
    assert request.texts == ["はい。", "そうですね。"]


def test_glossary_created_once_reused_then_replaced(deepl_engine, deepl_server):
    terms = {"永野": "Nagano", "澤": "Sawa"}
    gid, digest = deepl_engine.ensure_glossary(terms, known_id=None, known_hash=None)
    assert digest == glossary_hash(terms)
    creates = [r for r in deepl_server.glossary_requests() if r.method == "POST"]
    assert len(creates) == 1 and creates[0].path == "/v3/glossaries"
    assert deepl_server.glossaries[gid]["entries"] == terms

    # Unchanged terms: only a GET to check the glossary still exists (it may have been
    # deleted in the account), no write.
    before = len(deepl_server.requests)
    assert deepl_engine.ensure_glossary(terms, known_id=gid, known_hash=digest) == (gid, digest)
    checks = deepl_server.requests[before:]
    assert [(r.method, r.path) for r in checks] == [("GET", f"/v3/glossaries/{gid}")]

    # translate() uses it without touching the glossary endpoints again.
    results = deepl_engine.translate([TranslationRequest("永野さんと澤さん")], glossary=terms)
    assert results[0].text == "EN(NaganoさんとSawaさん)"
    [request] = deepl_server.translate_requests()
    assert request.params["glossary_id"] == gid
    assert [r.method for r in deepl_server.glossary_requests()] == ["POST", "GET"]

    # Changed terms: the same glossary's dictionary is replaced in place.
    changed = {"永野": "Nagano", "澤": "Sawa", "友野": "Tomono"}
    gid2, digest2 = deepl_engine.ensure_glossary(changed, known_id=gid, known_hash=digest)
    assert gid2 == gid and digest2 != digest
    puts = [r for r in deepl_server.glossary_requests() if r.method == "PUT"]
    assert [p.path for p in puts] == [f"/v3/glossaries/{gid}/dictionaries"]
    assert deepl_server.glossaries[gid]["entries"] == changed


def test_glossary_recreated_when_known_id_was_deleted(deepl_engine, deepl_server):
    gid, digest = deepl_engine.ensure_glossary({"永野": "Nagano"})
    deepl_server.glossaries.clear()
    new_id, _ = deepl_engine.ensure_glossary({"永野": "Nagano", "澤": "Sawa"}, known_id=gid)
    assert new_id != gid and new_id in deepl_server.glossaries


def test_glossary_created_on_first_translate_and_reused(deepl_engine, deepl_server):
    terms = {"永野": "Nagano"}
    deepl_engine.translate([TranslationRequest("永野です。")], glossary=terms)
    deepl_engine.translate([TranslationRequest("永野でした。")], glossary=terms)
    creates = [r for r in deepl_server.glossary_requests() if r.method == "POST"]
    assert len(creates) == 1


def test_status_reports_usage(deepl_engine, deepl_server):
    deepl_engine.translate([TranslationRequest("あいう")])
    status = deepl_engine.status()
    assert status["character_count"] == 3
    assert status["character_limit"] == deepl_server.character_limit
    assert status["error"] is None


def test_status_never_raises(deepl_server, fast_deepl_retries):
    status = DeepLEngine("wrong-key", deepl_server.url).status()
    assert status["error"].startswith("DeepL key rejected")


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (403, EngineAuthError, "DeepL key rejected"),
        (456, EngineQuotaError, "DeepL quota exhausted"),
        (429, EngineRateLimitError, "DeepL rate limit"),
        (500, EngineUnavailableError, "DeepL unavailable (HTTP 500)"),
        (503, EngineUnavailableError, "DeepL unavailable (HTTP 503)"),
    ],
)
def test_error_paths_map_to_engine_errors(deepl_engine, deepl_server, status, error, message):
    deepl_server.fail(status)
    with pytest.raises(error) as info:
        deepl_engine.translate([TranslationRequest("こんにちは")])
    assert str(info.value).startswith(message)
    assert info.value.__cause__ is not None
    attempts = len(deepl_server.translate_requests())
    assert attempts == (1 if status in (403, 456) else 3)  # retried only 429/5xx (2 retries)


def test_wrong_key_is_rejected(deepl_server, fast_deepl_retries):
    engine = DeepLEngine("not-the-key", deepl_server.url)
    with pytest.raises(EngineAuthError, match="DeepL key rejected"):
        engine.translate([TranslationRequest("こんにちは")])


def test_quota_exhausted_mid_episode_keeps_earlier_batches(deepl_engine, deepl_server):
    deepl_server.character_limit = 60 * 20  # room for one 50-text batch of 20-char sentences
    done = []
    with pytest.raises(EngineQuotaError):
        deepl_engine.translate(_episode(120), on_batch=lambda n, pairs: done.extend(pairs))
    assert len(done) == 50


def test_transient_failures_are_retried_by_the_library(deepl_engine, deepl_server):
    deepl_server.fail(503, times=2)
    [result] = deepl_engine.translate([TranslationRequest("はい")])
    assert result.text == "EN(はい)"
    assert len(deepl_server.translate_requests()) == 3


def test_dropped_connections_become_unavailable(deepl_engine, deepl_server):
    deepl_server.drop_connections()
    with pytest.raises(EngineUnavailableError, match="DeepL unreachable"):
        deepl_engine.translate([TranslationRequest("はい")])


def test_timeouts_become_unavailable(deepl_server, fast_deepl_retries, monkeypatch):
    engine = DeepLEngine(deepl_server.auth_key, deepl_server.url, timeout_s=0.2)
    deepl_server.delay_s = 0.5  # answered after the client gave up: it must not wait for it
    with pytest.raises(EngineUnavailableError, match="DeepL unreachable"):
        engine.translate([TranslationRequest("はい")])


def test_connection_refused_becomes_unavailable(fast_deepl_retries):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = DeepLEngine("key", f"http://127.0.0.1:{port}")
    with pytest.raises(EngineUnavailableError, match="connection refused"):
        engine.translate([TranslationRequest("はい")])


def test_language_pair_and_config_errors(deepl_engine):
    with pytest.raises(UnsupportedLanguagePairError, match="EN-US or EN-GB"):
        deepl_engine.translate([TranslationRequest("はい")], target_lang="EN")
    with pytest.raises(EngineConfigError, match="DEEPL_AUTH_KEY"):
        DeepLEngine("")


def test_form_encoded_bodies_are_understood():
    import requests

    with FakeDeepLServer() as server:
        response = requests.post(
            f"{server.url}/v2/translate",
            data={"text": ["一", "二"], "target_lang": "EN-US"},
            headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"},
            timeout=5,
        )
    assert [t["text"] for t in response.json()["translations"]] == ["EN(一)", "EN(二)"]
