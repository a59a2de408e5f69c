from __future__ import annotations

import math
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.engines.base import (
    BatchOutput,
    Engine,
    EngineError,
    EngineUnavailableError,
    GlossaryProtector,
    TranslationRequest,
    UnsupportedLanguagePairError,
    pack_greedy,
)


class FakeEngine(Engine):
    name = "fake"
    label = "Fake"
    max_batch_texts = 3
    max_batch_bytes = 40

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def version(self) -> str:
        return "fake-1"

    def _translate_batch(self, texts, *, contexts, glossary, source_lang, target_lang, state):
        self.calls.append(list(texts))
        if self.fail_on in texts:
            raise ConnectionError("socket closed")
        return [BatchOutput(t.upper(), ("w",)) if t == "warn" else t.upper() for t in texts]


def _requests(*texts: str) -> list[TranslationRequest]:
    return [TranslationRequest(t) for t in texts]


def _min_contiguous_batches(costs: list[int], max_texts: int, capacity: int) -> int:
    """Exhaustive DP: fewest consecutive batches within both limits."""

    @cache
    def best(start: int) -> int:
        if start == len(costs):
            return 0
        answer = math.inf
        used = 0
        for end in range(start, min(len(costs), start + max_texts)):
            used += costs[end]
            if used > capacity:
                break
            answer = min(answer, 1 + best(end + 1))
        return answer

    return best(0)


@settings(max_examples=300, deadline=None)
@given(
    costs=st.lists(st.integers(min_value=1, max_value=60), max_size=40),
    max_texts=st.integers(min_value=1, max_value=8),
    capacity=st.integers(min_value=60, max_value=200),
)
def test_greedy_packing_is_minimal_and_within_limits(costs, max_texts, capacity):
    batches = pack_greedy(costs, max_texts=max_texts, capacity_bytes=capacity)
    assert [i for b in batches for i in b] == list(range(len(costs)))  # order kept, all items
    for batch in batches:
        assert 1 <= len(batch) <= max_texts
        assert sum(costs[i] for i in batch) <= capacity
    assert len(batches) == _min_contiguous_batches(costs, max_texts, capacity)
    # ...and never below the limits' lower bound.
    lower = max(math.ceil(len(costs) / max_texts), math.ceil(sum(costs) / capacity))
    assert len(batches) >= lower


def test_packing_hits_count_bound_when_bytes_are_loose():
    batches = pack_greedy([10] * 1000, max_texts=50, capacity_bytes=128 * 1024)
    assert len(batches) == 20


def test_packing_rejects_an_item_over_capacity():
    with pytest.raises(ValueError, match="over the 10-byte limit"):
        pack_greedy([5, 11], max_texts=5, capacity_bytes=10)


def test_duplicates_are_translated_once_and_results_keep_order():
    engine = FakeEngine()
    items = _requests("a", "b", "a", "", "c", "b", "a")
    results = engine.translate(items)
    assert [r.text for r in results] == ["A", "B", "A", "", "C", "B", "A"]
    assert engine.calls == [["a", "b", "c"]]
    assert {r.engine for r in results} == {"fake"}
    assert {r.engine_version for r in results} == {"fake-1"}


def test_batches_follow_count_and_byte_limits():
    engine = FakeEngine()
    items = _requests(*(f"{i:02d}" * 5 for i in range(7)))  # 10 bytes each, 40-byte limit
    engine.translate(items)
    assert [len(c) for c in engine.calls] == [3, 3, 1]


def test_on_batch_reports_progress_with_indices_of_every_duplicate():
    engine = FakeEngine()
    seen = []
    items = _requests("a", "b", "c", "d", "a", "", "d")
    engine.translate(items, on_batch=lambda done, pairs: seen.append((done, pairs)))
    assert [done for done, _ in seen] == [5, 7]
    first = dict(seen[0][1])
    assert set(first) == {0, 1, 2, 4, 5}  # a, b, c, the duplicate a, the empty text
    assert first[4].text == "A"
    assert {i for i, _ in seen[1][1]} == {3, 6}


def test_on_batch_exception_stops_the_run_unmapped():
    class Cancelled(Exception):
        pass

    engine = FakeEngine()

    def cancel(done, pairs):
        raise Cancelled

    with pytest.raises(Cancelled):
        engine.translate(_requests("a", "b", "c", "d"), on_batch=cancel)
    assert len(engine.calls) == 1


def test_library_errors_are_mapped_and_chained():
    engine = FakeEngine(fail_on="d")
    done = []
    with pytest.raises(EngineError) as info:
        engine.translate(
            _requests("a", "b", "c", "d"), on_batch=lambda n, pairs: done.extend(pairs)
        )
    assert type(info.value) is EngineError
    assert str(info.value) == "Fake failed: socket closed"
    assert isinstance(info.value.__cause__, ConnectionError)
    assert info.value.engine == "fake"
    assert len(done) == 3  # the first batch was delivered before the failure


def test_engine_errors_pass_through_unchanged():
    class Down(FakeEngine):
        def _translate_batch(self, texts, **kwargs):
            raise EngineUnavailableError("down for maintenance")

    with pytest.raises(EngineUnavailableError, match="down for maintenance"):
        Down().translate(_requests("a"))


def test_warnings_from_the_engine_reach_the_result():
    [result] = FakeEngine().translate(_requests("warn"))
    assert result.warnings == ("w",)


def test_unsupported_pair():
    with pytest.raises(UnsupportedLanguagePairError, match="Japanese to English only"):
        FakeEngine().translate(_requests("a"), source_lang="de")


def test_too_long_sentence_is_refused_with_a_clear_message():
    with pytest.raises(EngineError, match="too long for Fake"):
        FakeEngine().translate(_requests("x" * 41))


def test_plan_requests_matches_what_translate_sends():
    engine = FakeEngine()
    items = _requests(*(f"{i:02d}" * 5 for i in range(7)), "0000000000")
    plan = engine.plan_requests(items)
    engine.translate(items)
    assert plan == engine.calls


def test_wrong_number_of_outputs_is_an_engine_error():
    class Short(FakeEngine):
        def _translate_batch(self, texts, **kwargs):
            return texts[:-1]

    with pytest.raises(EngineError, match="returned 1 translations for 2"):
        Short().translate(_requests("a", "b"))


class RecordingEngine(FakeEngine):
    """Records what the base hands to ``_translate_batch``; translates by echoing the text."""

    max_batch_bytes = None

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[list[str], list[tuple[str, ...]], dict[str, str]]] = []

    def _translate_batch(self, texts, *, contexts, glossary, source_lang, target_lang, state):
        self.seen.append((list(texts), list(contexts), dict(glossary)))
        return list(texts)


class NativeEngine(RecordingEngine):
    supports_glossary = True
    supports_context = True


def test_context_reaches_only_an_engine_that_supports_it():
    items = [TranslationRequest("b", context=("a", "c"))]
    plain, native = RecordingEngine(), NativeEngine()
    plain.translate(items)
    native.translate(items)
    assert plain.seen[0][1] == [()]
    assert native.seen[0][1] == [("a", "c")]


def test_native_glossary_engine_gets_the_glossary_and_the_text_as_is():
    engine = NativeEngine()
    [result] = engine.translate([TranslationRequest("永野です")], glossary={"永野": "Nagano"})
    assert engine.seen == [(["永野です"], [()], {"永野": "Nagano"})]
    assert result.text == "永野です"  # no protection, no repair: the engine's glossary does it
    assert result.warnings == ()


def test_other_engines_get_terms_protected_and_checked_by_the_base():
    engine = RecordingEngine()
    [kept, dropped] = engine.translate(
        _requests("永野です", "猫と永野"), glossary={"永野": "Nagano", "猫": "cat"}
    )
    assert engine.seen == [(["Naganoです", "catとNagano"], [(), ()], {})]
    assert (kept.text, kept.warnings) == ("Naganoです", ())

    class Dropping(RecordingEngine):
        def _translate_batch(self, texts, **kwargs):
            return [t.replace("Nagano", "Eternal field") for t in texts]

    [result] = Dropping().translate(_requests("永野です"), glossary={"永野": "Nagano"})
    assert result.warnings == ("Glossary term 永野 → Nagano is missing from the translation",)
    assert dropped.text == "catとNagano"


def test_protected_texts_are_what_the_batches_are_sized_on():
    class Tight(RecordingEngine):
        max_batch_texts = 10
        max_batch_bytes = 12

    engine = Tight()
    # 永野 is 6 bytes, "Ryo Nagano" 10: after protection the two texts no longer share a batch.
    engine.translate(_requests("永野", "永野"[:1]), glossary={"永野": "Ryo Nagano"})
    assert [texts for texts, _, _ in engine.seen] == [["Ryo Nagano"], ["永"]]


def test_base_engine_has_no_glossary_state_to_keep():
    assert FakeEngine().sync_glossary({"永野": "Nagano"}, saved={}) == {}


def test_glossary_failure_is_flagged():
    protector = GlossaryProtector({"永野": "Nagano", "猫": "cat"})
    prepared = protector.protect("永野さんの猫")
    assert prepared.text == "Naganoさんのcat"
    text, warnings = protector.restore(prepared, "Mr. Eternal field's cat")
    assert text == "Mr. Eternal field's cat"
    assert warnings == ("Glossary term 永野 → Nagano is missing from the translation",)
    # A model that left the Japanese term in place gets it swapped; wrong case is fixed.
    text, warnings = protector.restore(prepared, "永野's CAT")
    assert (text, warnings) == ("Nagano's cat", ())


def test_glossary_english_is_spaced_from_latin_neighbours():
    prepared = GlossaryProtector({"永野": "Nagano"}).protect("Mr永野san")
    assert prepared.text == "Mr Nagano san"
