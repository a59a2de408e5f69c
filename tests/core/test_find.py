"""Find and replace matching (translator.core.find): plain text and regular expressions, case,
whole words in English and in Japanese (morpheme boundaries), and the limits that keep one
search bounded."""

from __future__ import annotations

import time

import pytest

from translator.core import find
from translator.core.find import Budget, FindError, FindQuery, compile_query, pieces


def _spans(pattern: str, text: str, **kw) -> list[str]:
    finder = compile_query(FindQuery(pattern, **kw))
    return [text[s:e] for s, e in finder.spans(text)]


def test_plain_text_is_literal_and_case_insensitive_by_default():
    assert _spans("a.c", "abc a.c A.C") == ["a.c", "A.C"]
    assert _spans("(1)", "see (1) and (2)") == ["(1)"]


def test_match_case():
    assert _spans("Tokyo", "Tokyo tokyo TOKYO", match_case=True) == ["Tokyo"]
    assert len(_spans("Tokyo", "Tokyo tokyo TOKYO")) == 3


def test_whole_word_in_english():
    text = "cat concatenate Cat cat_ cats (cat) cat."
    assert _spans("cat", text, whole_word=True) == ["cat", "Cat", "cat", "cat"]
    # A rejected occurrence does not hide a later one that overlaps it.
    assert _spans("ab", "abab ab", whole_word=True) == ["ab"]


def test_whole_word_in_japanese_follows_morpheme_boundaries():
    # 東京|都|に…: 東京 is a word of 東京都; 京 is no word in 東京 (nor in 京都's 京…都).
    assert _spans("東京", "東京都に住む。", whole_word=True) == ["東京"]
    assert _spans("京", "東京都に住む。", whole_word=True) == []
    assert _spans("字幕", "字幕を作る字幕作成", whole_word=True) == ["字幕", "字幕"]
    assert _spans("京都", "今日は京都", whole_word=True) == ["京都"]
    # Without whole word, any occurrence.
    assert _spans("京", "東京都", whole_word=False) == ["京"]


def test_whole_word_at_a_change_of_script():
    assert _spans("東京", "東京2020", whole_word=True) == ["東京"]
    assert _spans("A", "Aさん", whole_word=True, match_case=True) == ["A"]


def test_whole_word_segments_only_texts_that_need_it():
    calls = []
    finder = compile_query(FindQuery("東京", whole_word=True))
    finder.cuts_of = lambda text: calls.append(text) or find.morpheme_cuts(text)
    assert finder.spans("Tokyo, 東京.") == [(7, 9)]  # Japanese next to non-Japanese only
    assert finder.spans("東京都") == [(0, 2)]
    assert calls == ["東京都"]


def test_regex_with_groups_in_the_replacement():
    finder = compile_query(FindQuery(r"(\w+) (\w+)", regex=True), replacement=r"\2 \1")
    done = finder.replace("hello world foo", r"\2 \1")
    assert done.text == "world hello foo"
    assert done.before == ((0, 11),)
    assert done.after == ((0, 11),)


def test_regex_script_classes_work_for_japanese():
    assert _spans(r"\p{Han}+", "今日は京都", regex=True) == ["今日", "京都"]


def test_replace_reports_spans_in_both_texts():
    finder = compile_query(FindQuery("colour"), replacement="color")
    done = finder.replace("Colour and colour.", "color")
    assert done.text == "color and color."
    assert done.before == ((0, 6), (11, 17))
    assert done.after == ((0, 5), (10, 15))
    assert finder.replace("nothing", "color").before == ()


def test_plain_replacement_is_literal():
    finder = compile_query(FindQuery("a"), replacement=r"\1")
    assert finder.replace("a", r"\1").text == r"\1"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(", "Not a valid regular expression"),
        (r"(a+)+b", "A repeat inside a repeat"),
        (r"(?:x*)*y", "A repeat inside a repeat"),
        (r"(?:ab|c+)+", "A repeat inside a repeat"),
        ("a*", "matches empty text"),
        ("x" * 201, "longer than 200"),
    ],
)
def test_bad_or_catastrophic_patterns_are_refused_in_one_line(pattern, message):
    with pytest.raises(FindError) as err:
        compile_query(FindQuery(pattern, regex=True))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_harmless_repeats_are_accepted():
    for pattern in (r"\w+\s\w+", r"(?:foo|bar)+", r"a{2,5}", r"colou?r"):
        compile_query(FindQuery(pattern, regex=True))


def test_empty_search_and_bad_replacement_are_refused():
    with pytest.raises(FindError, match="Type something"):
        compile_query(FindQuery(""))
    with pytest.raises(FindError, match="group 3"):
        compile_query(FindQuery("(a)", regex=True), replacement=r"\3")
    with pytest.raises(FindError, match="group <x>"):
        compile_query(FindQuery("(a)", regex=True), replacement=r"\g<x>")
    with pytest.raises(FindError, match="longer than 500"):
        compile_query(FindQuery("a"), replacement="b" * 501)


def test_a_backtracking_regex_is_stopped_by_the_time_budget():
    # Not a nested repeat (the shape check lets it through), yet exponential on this text.
    finder = compile_query(FindQuery(r"(a|aa)+$", regex=True), budget=Budget(0.2))
    with pytest.raises(FindError, match="took longer than 0.2 s"):
        finder.spans("a" * 40 + "!")


def test_the_budget_is_shared_by_every_text_of_a_search():
    finder = compile_query(FindQuery("x"), budget=Budget(0.0))
    with pytest.raises(FindError, match="took longer"):
        finder.spans("x")
    budget = Budget(1.0)
    finder = compile_query(FindQuery("x"), budget=budget)
    finder.spans("x" * 10)
    assert 0 < budget.used < 1.0


def test_the_budget_counts_matching_time_only():
    # A replace saves each row between its searches: that time is not the pattern's. (The
    # first version measured wall time since compiling, and a long apply was refused.)
    finder = compile_query(FindQuery("x"), budget=Budget(0.05))
    finder.spans("x")
    time.sleep(0.1)
    assert finder.replace("x y x", "z").text == "z y z"


def test_matches_are_capped():
    finder = compile_query(FindQuery("a"))
    assert len(finder.spans("a" * 50, limit=10)) == 10
    assert len(finder.spans("a" * (find.MAX_MATCHES + 5))) == find.MAX_MATCHES


def test_pieces_mark_matches_and_cut_long_context():
    assert pieces("one two three", [(4, 7)]) == [("one ", False), ("two", True), (" three", False)]
    text = "a" * 100 + "X" + "b" * 100 + "Y" + "c" * 100
    out = pieces(text, [(100, 101), (201, 202)], context=5)
    assert out == [
        ("…aaaaa", False),
        ("X", True),
        ("bbbbb…bbbbb", False),
        ("Y", True),
        ("ccccc…", False),
    ]
