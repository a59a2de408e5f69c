from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from translator.engines.argos import NOT_INSTALLED, ArgosEngine
from translator.engines.argos_packages import install_from_file
from translator.engines.base import (
    EngineNotInstalledError,
    TranslationRequest,
    UnsupportedLanguagePairError,
)


def _texts(*texts: str) -> list[TranslationRequest]:
    return [TranslationRequest(t) for t in texts]


def test_copy_model_translates_through_the_engine(installed_argos):
    results = installed_argos.translate(
        _texts("今日はいい天気ですね。", "はい。", "", "今日はいい天気ですね。")
    )
    assert [r.text for r in results] == [
        "今日はいい天気ですね。",
        "はい。",
        "",
        "今日はいい天気ですね。",
    ]
    assert {r.engine for r in results} == {"argos"}
    assert results[0].engine_version == "translate-ja_en-test 1.0"
    assert results[0].warnings == ()


def test_unknown_characters_are_copied_through(installed_argos):
    [result] = installed_argos.translate(_texts("永野さん、ZQX社です。"))
    assert result.text == "永野さん、ZQX社です。"


def test_batches_and_progress(argos_models, packages_dir):
    install_from_file(argos_models.copy, packages_dir)
    engine = ArgosEngine(packages_dir, beam_size=1, batch_texts=2, max_batch_size=4)
    seen = []
    items = _texts("はい。", "猫が好きです。", "そうですね。", "はい。", "なるほど。")
    results = engine.translate(items, on_batch=lambda done, pairs: seen.append(done))
    assert [r.text for r in results] == [i.text for i in items]
    assert seen == [3, 5]  # two unique sentences per batch; the duplicate rides along


def test_glossary_terms_and_speaker_names_are_protected(installed_argos):
    glossary = {"永野": "Nagano", "澤": "Sawa", "永野亮": "Ryo Nagano"}
    [first, second] = installed_argos.translate(
        _texts("永野亮さん、こんにちは。", "澤さんと永野さん"), glossary=glossary
    )
    assert first.text == "Ryo Naganoさん、こんにちは。"
    assert second.text == "SawaさんとNaganoさん"
    assert first.warnings == second.warnings == ()


def test_argos_is_sent_neither_glossary_nor_context(installed_argos, monkeypatch):
    """Argos has no glossary or context of its own: the base protects the terms and drops the
    neighbouring sentences before the model sees anything."""
    seen = []
    real = ArgosEngine._translate_batch

    def record(self, texts, **kwargs):
        seen.append((list(texts), kwargs["contexts"], dict(kwargs["glossary"])))
        return real(self, texts, **kwargs)

    monkeypatch.setattr(ArgosEngine, "_translate_batch", record)
    [result] = installed_argos.translate(
        [TranslationRequest("永野さんです。", context=("こんにちは。",))],
        glossary={"永野": "Nagano"},
    )
    assert result.text == "Naganoさんです。"
    assert seen == [(["Naganoさんです。"], [()], {})]


def test_missing_package_is_a_clear_error(tmp_path):
    engine = ArgosEngine(tmp_path / "empty")
    with pytest.raises(EngineNotInstalledError) as info:
        engine.translate(_texts("はい"))
    assert str(info.value) == NOT_INSTALLED
    assert engine.status()["error"] == NOT_INSTALLED


def test_wrong_pair(installed_argos):
    with pytest.raises(UnsupportedLanguagePairError):
        installed_argos.translate(_texts("Hallo"), source_lang="de")


def test_reinstall_takes_effect_without_stale_translations(argos_models, packages_dir):
    install_from_file(argos_models.copy, packages_dir)
    engine = ArgosEngine(packages_dir)
    assert engine.translate(_texts("猫が好きです。"))[0].text == "猫が好きです。"
    install_from_file(argos_models.cat, packages_dir)  # same pair, different behaviour
    [result] = engine.translate(_texts("猫が好きです。"))
    assert result.text == "catが好きです。"
    assert result.engine_version == "translate-ja_en-test 2.0"


def test_model_loads_once_per_engine(installed_argos):
    installed_argos.translate(_texts("はい。"))
    loaded = installed_argos.load()
    installed_argos.translate(_texts("そうですね。"))
    assert installed_argos.load() is loaded


def test_status_lists_installed_packages(installed_argos):
    status = installed_argos.status()
    assert status["installed"] == [
        {"name": "translate-ja_en-test", "pair": "ja→en", "version": "1.0"}
    ]
    assert status["error"] is None
    assert status["version"] == "translate-ja_en-test 1.0"


def test_argos_loggers_are_silenced(installed_argos):
    installed_argos.translate(_texts("はい。"))
    assert not logging.getLogger("argostranslate.utils").isEnabledFor(logging.INFO)
    assert not logging.getLogger("argostranslate").isEnabledFor(logging.INFO)


def test_engine_never_imports_argostranslate_translate(argos_models, tmp_path):
    packages = tmp_path / "pk"
    code = (
        "import sys\n"
        "from translator.engines.argos_packages import install_from_file\n"
        "from translator.engines.argos import ArgosEngine\n"
        "from translator.engines.base import TranslationRequest\n"
        f"install_from_file({str(argos_models.copy)!r}, {str(packages)!r})\n"
        f"r = ArgosEngine({str(packages)!r}).translate([TranslationRequest('はい。')])\n"
        "assert r[0].text == 'はい。', r\n"
        "bad = [m for m in ('argostranslate.translate', 'torch', 'stanza') if m in sys.modules]\n"
        "print('LOADED', bad)\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=".", timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout


def test_decoding_is_capped_relative_to_each_sentences_length(argos_models, packages_dir):
    """The cap is ratio x source tokens + extra, per length-sorted chunk: a short sentence
    next to a long one is capped by its own chunk, and no sentence is cut under the cap."""
    install_from_file(argos_models.copy, packages_dir)
    long = "ポッドキャストを始めたのは去年の春でした。" * 3
    short = "はい。"
    capped = ArgosEngine(
        packages_dir, beam_size=1, max_decoding_ratio=0.5, max_decoding_extra=0, max_batch_size=1
    )
    loaded = capped.load()
    n_long = len(loaded.tokenizer.encode(long, out_type=str))
    [cut] = capped.translate(_texts(long))
    assert long.startswith(cut.text)
    assert 0 < len(loaded.tokenizer.encode(cut.text, out_type=str)) <= (n_long + 1) // 2
    # Ratio 1, no extra: a copy needs exactly its source's tokens, so nothing is cut, also
    # when the long sentence and the short ones share a call.
    exact = ArgosEngine(
        packages_dir, beam_size=2, max_decoding_ratio=1.0, max_decoding_extra=0, max_batch_size=2
    )
    texts = [short, long, "猫が好きです。", "今日はいい天気ですね。"]
    assert [r.text for r in exact.translate(_texts(*texts))] == texts
    assert exact.decoding_cap(n_long) == n_long
    assert exact.decoding_cap(10_000) == exact.max_decoding_length == 256


def test_chunks_are_length_sorted_and_bounded_by_tokens():
    engine = ArgosEngine("/nonexistent", max_batch_size=10, batch_type="tokens")
    tokens = [["a"] * n for n in (7, 1, 3, 12, 2, 5)]
    chunks = engine.plan_chunks(tokens)
    flat = [i for chunk in chunks for i in chunk]
    assert sorted(flat) == list(range(len(tokens)))
    assert [len(tokens[i]) for i in flat] == sorted(len(t) for t in tokens)
    for chunk in chunks:  # within the token budget, except a sentence longer than it alone
        assert sum(len(tokens[i]) for i in chunk) <= 10 or len(chunk) == 1
    by_count = ArgosEngine("/nonexistent", max_batch_size=4).plan_chunks(tokens)
    assert [len(c) for c in by_count] == [4, 2]


def test_two_model_replicas_translate_the_same(argos_models, packages_dir):
    install_from_file(argos_models.copy, packages_dir)
    texts = ["はい。", "猫が好きです。", "なるほど、面白いですね。", "そうですね。"] * 3
    texts = [f"{t}{i}" for i, t in enumerate(texts)]
    engine = ArgosEngine(packages_dir, beam_size=1, inter_threads=2, max_batch_size=2)
    assert [r.text for r in engine.translate(_texts(*texts))] == texts
