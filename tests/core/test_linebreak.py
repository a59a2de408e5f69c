from hypothesis import given
from hypothesis import strategies as st

from translator.core.linebreak import break_english, break_japanese, japanese_width


def test_short_text_is_one_line():
    assert break_english("Hello, everyone.") == ["Hello, everyone."]
    assert break_english("   ") == []


def test_two_balanced_lines_within_limit():
    text = "I went to the store with my friend and we bought a lot of things there."
    lines = break_english(text)
    assert len(lines) == 2
    assert all(len(x) <= 42 for x in lines)
    assert abs(len(lines[0]) - len(lines[1])) <= 16
    assert " ".join(lines) == text


def test_breaks_after_punctuation():
    lines = break_english("Well, that was a surprise for everyone, so we all went home early.")
    assert lines[0].endswith(",")


def test_never_between_article_and_noun():
    text = "We talked for quite a long time about the application and its many problems."
    for max_chars in (30, 36, 42):
        for line in break_english(text, max_chars_per_line=max_chars)[:-1]:
            assert line.split()[-1].lower() not in {"the", "a", "its", "an"}


def test_never_splits_a_name():
    text = "Today our guest on the show is Daigo Tomono from the Heroku support team."
    for max_chars in (30, 36, 42):
        joined = "\n".join(break_english(text, max_chars_per_line=max_chars))
        assert "Daigo Tomono" in joined


def test_never_splits_protected_phrase():
    text = "People say the free dynos sleep after thirty minutes without any traffic at all."
    lines = break_english(text, max_chars_per_line=26, protected=["free dynos sleep"])
    assert any("free dynos sleep" in line for line in lines)


def test_negation_stays_with_auxiliary():
    text = "To be honest with you I really do not know what happened there yesterday."
    for max_chars in (30, 36, 42):
        for line in break_english(text, max_chars_per_line=max_chars)[:-1]:
            assert line.split()[-1] not in {"do"}


def test_too_long_still_returns_all_text():
    text = " ".join(["word"] * 40)
    lines = break_english(text)
    assert len(lines) > 2  # reported by QA, never truncated
    assert " ".join(lines) == text
    assert all(len(x) <= 42 for x in lines)
    long_word = "x" * 60
    assert break_english(long_word) == [long_word]


def test_japanese_width_and_break():
    assert japanese_width("abc") == 1.5
    assert japanese_width("日本語") == 3
    text = "Herokuには2016年の12月から働いているので、大体今で2年半になります。"
    lines = break_japanese(text)
    assert "".join(lines) == text
    assert "Heroku" in lines[0]  # never inside a Latin word
    assert all(not x.startswith(("、", "。")) for x in lines)
    assert break_japanese("はい。") == ["はい。"]


words = st.lists(
    st.text(alphabet="abcdefghijKLMN,.'", min_size=1, max_size=12), min_size=1, max_size=40
)


@given(words, st.integers(min_value=10, max_value=60))
def test_property_no_text_lost_and_lines_fit(ws, max_chars):
    text = " ".join(ws)
    lines = break_english(text, max_chars_per_line=max_chars)
    assert " ".join(lines) == " ".join(text.split())
    for line in lines:
        assert len(line) <= max_chars or " " not in line
