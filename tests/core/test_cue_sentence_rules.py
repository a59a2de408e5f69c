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


def test_a_particle_after_a_case_particle_is_a_pause_not_an_end():
    assert _sentences((1000, 3000, "それがさ　聞いてよ")) == ["それがさ　聞いてよ"]
    assert _sentences((1000, 3000, "いいよね　聞いてよ")) == ["いいよね", "聞いてよ"]


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("当日になって　来られないって", "うそ", False),  # a reported sentence ends
        ("バイトが入ったからって", "それは仕方ないけど", False),
        ("来られないって", "言ってた", True),  # …って / a verb of saying
        ("タクミくんって", "優しいよね", True),  # topic って after a noun
        ("今から行ったって", "間に合わないよ", True),  # concessive たって
    ],
)
def test_quotative_tte_at_a_cue_end(first, second, joined):
    expected = [first + second] if joined else [first, second]
    assert _sentences((1000, 3000, first), (3100, 5000, second)) == expected


def test_kamo_ends_unless_shirenai_follows():
    cues = ((1000, 3000, "明日は雨かも"), (3100, 5000, "傘持っていこう"))
    assert _sentences(*cues) == ["明日は雨かも", "傘持っていこう"]
    assert _sentences((1000, 3000, "明日は雨かも"), (3100, 5000, "しれない")) == [
        "明日は雨かもしれない"
    ]


def test_a_judgment_word_alone_before_a_space_is_a_sentence():
    assert _sentences((1000, 3000, "大丈夫　私も今来たとこ")) == ["大丈夫", "私も今来たとこ"]
    assert _sentences((1000, 3000, "そっか　まあいいや")) == ["そっか", "まあいいや"]
    # A name before a space calls someone: the same sentence.
    assert _sentences((1000, 3000, "カナ　お弁当忘れてる")) == ["カナ　お弁当忘れてる"]


def test_a_greeting_closes():
    assert _sentences((1000, 2000, "お待たせ"), (2100, 4000, "ごめん　電車が遅れてて")) == [
        "お待たせ",
        "ごめん　電車が遅れてて",
    ]
    assert _sentences((1000, 2000, "お待たせ"), (2100, 4000, "しました")) == ["お待たせしました"]


def test_a_conjunction_after_a_particle_ending_opens_a_sentence():
    assert _sentences(
        (1000, 3000, "そうだよね　せめて前の日には"), (3400, 5000, "で　結局　一人で見に行った")
    ) == ["そうだよね", "せめて前の日には", "で　結局　一人で見に行った"]


def test_an_inverted_adverbial_phrase_closes_the_sentence_before_it():
    assert _sentences((1000, 3000, "泣かないよ　そんなことで"), (3200, 5000, "あっ　来た")) == [
        "泣かないよ　そんなことで",
        "あっ　来た",
    ]


def test_a_cue_opening_with_a_judgment_word_answers():
    cues = ((1000, 3000, "ごめん　電車が遅れてて"), (3200, 5000, "大丈夫　私も今来たとこ"))
    assert _sentences(*cues) == ["ごめん　電車が遅れてて", "大丈夫", "私も今来たとこ"]
