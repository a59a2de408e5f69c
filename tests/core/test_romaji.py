import pytest

from translator.core.romaji import kana_to_hepburn, suggest_english_name


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("永野", "Nagano"),
        ("友野", "Tomono"),
        ("澤", "Sawa"),
        ("佐藤", "Sato"),
        ("山口", "Yamaguchi"),
        ("友野・澤", "Tomono & Sawa"),
        ("John Smith", "John Smith"),
        ("DJ", "DJ"),
    ],
)
def test_suggest_english_name(label, name):
    assert suggest_english_name(label) == name


def test_kana_to_hepburn():
    assert kana_to_hepburn("キョウコ") == "kyoko"
    assert kana_to_hepburn("ハットリ") == "hattori"
    assert kana_to_hepburn("マッチャ") == "matcha"
    assert kana_to_hepburn("しんじ") == "shinji"
