"""Sentence ends between timed cues: one rule per test (translator/core/cue_sentences.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.core.subtitle_input import parse_timed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "subtitles"


def _srt(*cues: tuple[int, int, str]) -> str:
    def t(ms: int) -> str:
        return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "\n".join(f"{k}\n{t(a)} --> {t(b)}\n{text}\n" for k, (a, b, text) in enumerate(cues, 1))


def _sentences(*cues: tuple[int, int, str]) -> list[str]:
    doc = parse_timed(_srt(*cues), "srt")
    return [s.text for p in doc.paragraphs for s in p.sentences]


def test_bilingual_fixture_a_cue_ending_in_a_formal_noun_ends_the_sentence():
    doc = parse_timed((FIXTURES / "bilingual_jp_cn.srt").read_text("utf-8"), "srt")
    assert [s.text for p in doc.paragraphs for s in p.sentences] == [
        "今日はどこに行くの？",
        "図書館で勉強するつもり",
        "一緒に行ってもいい？",
        "もちろん",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("駅前の本屋さん", "新しい漫画が出るの"),  # a noun
        ("それなら私でもできそう", "メールをくれた方もぜひ"),  # そう (na-adjective stem)
        ("歩いちゃうタイプ", "そうそう"),
        ("それではまた来週", "おやすみなさい"),
    ],
)
def test_a_cue_ending_in_a_noun_ends_the_sentence(first, second):
    assert _sentences((1000, 3000, first), (3100, 5000, second)) == [first, second]


@pytest.mark.parametrize(
    ("first", "second"),
    [("彼が犯人", "だったなんて"), ("トマトとナスの", "パスタで"), ("あの人は", "先生")],
)
def test_a_noun_continued_by_a_particle_or_an_auxiliary_is_one_sentence(first, second):
    assert _sentences((1000, 3000, first), (3050, 5000, second)) == [first + second]


@pytest.mark.parametrize(
    ("first", "second", "gap"),
    [
        ("なかなか踏み出せないんです", "でも一人だと楽だよ", 250),  # でも: で + も for MeCab
        ("かわいい", "では二通目です", 800),  # では: で + は
        ("もう準備はできたよ", "だから早く行こう", 100),  # だから: だ + から
        ("夏は好き", "ところで　宿題やった？", 100),  # ところ: a formal noun
        ("本当に行きましょう", "というわけで　今日はここまで", 700),  # と: quotative
    ],
)
def test_a_cue_opening_with_a_conjunction_starts_a_sentence(first, second, gap):
    assert _sentences((1000, 3000, first), (3000 + gap, 5000 + gap, second)) == [first, second]


def test_an_interjection_answers_even_after_a_conjunctive_form():
    assert _sentences(
        (1000, 3000, "代わりにやろうかなと思って"), (3150, 5000, "いや　もう治りましたけど")
    ) == ["代わりにやろうかなと思って", "いや　もう治りましたけど"]


def test_a_short_echo_question_is_a_sentence_of_its_own():
    assert _sentences((1000, 3000, "石みたいに固くなっちゃって"), (3200, 4000, "石？")) == [
        "石みたいに固くなっちゃって",
        "石？",
    ]


def test_yoroshiku_closes_unless_onegai_follows():
    assert _sentences((1000, 3000, "遥です　よろしく"), (3150, 5000, "珍しいですね")) == [
        "遥です",
        "よろしく",
        "珍しいですね",
    ]
    assert _sentences((1000, 2000, "よろしく"), (2050, 4000, "お願いします")) == [
        "よろしくお願いします"
    ]


def test_an_inverted_noun_phrase_closes_the_sentence_before_it():
    assert _sentences((1000, 3000, "珍しいですね　遥さんが司会")) == ["珍しいですね　遥さんが司会"]


def test_a_doubled_answer_word_opens_the_sentence():
    assert _sentences((1000, 3000, "そうそう　すごく甘くなる")) == ["そうそう　すごく甘くなる"]


def test_a_long_pause_ends_a_sentence_even_after_a_conjunctive_form():
    cues = ((1000, 3000, "京都に行ったんだけど"), (5500, 7000, "次の日は雨だった"))
    assert _sentences(*cues) == ["京都に行ったんだけど", "次の日は雨だった"]
    short = ((1000, 3000, "京都に行ったんだけど"), (3800, 5000, "次の日は雨だった"))
    assert _sentences(*short) == ["京都に行ったんだけど次の日は雨だった"]


def test_the_formula_after_a_read_out_quote_is_its_own_sentence():
    assert _sentences(
        (1000, 3000, "「簡単に作れるものを　教えてください」"), (3060, 4000, "ということです")
    ) == ["「簡単に作れるものを　教えてください」", "ということです"]
    assert _sentences((1000, 3000, "「ありがとう」って"), (3060, 4000, "言われた")) == [
        "「ありがとう」って言われた"
    ]
