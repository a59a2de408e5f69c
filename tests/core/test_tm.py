"""Translation-memory matching in core (no Django): normalisation, the length window that
bounds fuzzy candidates, the source difference, consistency, TMX/TBX/CSV through
translate-toolkit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from translate.storage.tbx import tbxfile
from translate.storage.tmx import tmxfile

from translator.core import tm
from translator.core.tm_formats import (
    ExchangeError,
    Term,
    TMXUnit,
    read_glossary_csv,
    read_tbx,
    read_tmx,
    write_glossary_csv,
    write_tbx,
    write_tmx,
)

KANA = st.text(alphabet="あいうえおかきくけこさしすせそ字幕翻訳。、", min_size=1, max_size=40)


@given(KANA, KANA)
def test_length_window_never_drops_a_match(a, b):
    """Units outside the window are skipped before scoring: none of them can reach 75 %."""
    na, nb = tm.normalize(a), tm.normalize(b)
    if na and nb and tm.similarity(na, nb) >= tm.FUZZY_THRESHOLD:
        low, high = tm.length_window(len(na))
        assert low <= len(nb) <= high


def test_source_diff_rebuilds_both_sides():
    diff = tm.source_diff("今日は字幕の話です。", "今日は翻訳の話でした。")
    assert "".join(t for op, t in diff if op != "insert") == "今日は字幕の話です。"
    assert "".join(t for op, t in diff if op != "delete") == "今日は翻訳の話でした。"


def test_inconsistent_sources_ignores_case_punctuation_and_empty():
    rows = [(1, "はい", "Yes."), (2, "はい", "yes"), (3, "はい", ""), (4, "いいえ", "No.")]
    assert tm.inconsistent_sources(rows) == set()
    assert tm.inconsistent_sources([*rows, (5, "はい", "Sure.")]) == {1, 2, 5}


def test_best_matches_threshold_and_order():
    found = tm.best_matches(
        "字幕の話です", [(1, "字幕の話でした"), (2, "全然違う"), (3, "字幕の話です")]
    )
    assert [m.key for m in found] == [3, 1]


def test_tmx_write_read_is_lossless_and_readable_by_translate_toolkit():
    units = [
        TMXUnit("「はい」、そうです。", 'Yes, "that\'s" it & more <b>.', "en-GB", speaker="永野"),
        TMXUnit("改行\nあり", "Two\nlines", "en-US"),
    ]
    data = write_tmx(units)
    store = tmxfile.parsestring(data)
    assert [u.source for u in store.units] == [u.source for u in units]
    back = read_tmx(data)
    assert [(u.source, u.target, u.target_language, u.speaker) for u in back] == [
        (u.source, u.target, u.target_language, u.speaker) for u in units
    ]


def test_tbx_and_csv_round_trips():
    terms = [Term("永野", "Nagano", "host"), Term("字幕, 翻訳", 'sub "titles"')]
    assert read_tbx(write_tbx(terms)) == terms
    assert [(u.source, u.target) for u in tbxfile.parsestring(write_tbx(terms)).units] == [
        ("永野", "Nagano"),
        ("字幕, 翻訳", 'sub "titles"'),
    ]
    assert read_glossary_csv(write_glossary_csv(terms)) == terms
    assert read_glossary_csv("\ufeff永野;Nagano\n字幕;subtitles\n".encode()) == [
        Term("永野", "Nagano"),
        Term("字幕", "subtitles"),
    ]


@pytest.mark.parametrize(
    "data",
    [b"not xml", b"<martif><text><body/></text></martif>", "永野\n".encode(), b"\xff\xfe"],
)
def test_bad_glossary_files_are_one_line(data):
    with pytest.raises(ExchangeError) as excinfo:
        read_tbx(data) if data.startswith((b"<", b"not")) else read_glossary_csv(data)
    assert "\n" not in str(excinfo.value)


def test_duplicate_terms_are_refused():
    with pytest.raises(ExchangeError, match="twice"):
        read_glossary_csv("永野,Nagano\n永野,Nagano-san\n".encode())


def test_tbx_as_terminology_tools_write_it():
    """TBX-Basic style: regional language codes, ntig/termGrp, concept-level descrip."""
    data = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc>
</fileDesc></martifHeader><text><body>
<termEntry id="c1"><descrip type="subjectField">podcast</descrip>
<langSet xml:lang="en-US"><ntig><termGrp><term>subtitle</term>
<termNote type="partOfSpeech">noun</termNote></termGrp></ntig></langSet>
<langSet xml:lang="ja-JP"><tig><term>字幕</term></tig></langSet></termEntry>
</body></text></martif>""".encode()
    assert read_tbx(data) == [Term("字幕", "subtitle")]
    v3 = data.replace(b"martif", b"tbx")
    with pytest.raises(ExchangeError, match="TBX v3"):
        read_tbx(v3)
