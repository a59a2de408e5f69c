from hypothesis import given, settings
from hypothesis import strategies as st

from translator.core.cues import display_units, split_cues

LONG = (
    "それで何か、「Hello World」でも何でもいいんですけども、アプリを公開できる環境ってのを"
    "いろいろ見てると、すぐ「git push heroku master」で上げる環境だなっていうのは、"
    "2015年の第一印象でそのときから知っている感じです。"
)


def _check_cover(sentence, cues):
    assert cues[0].source_start == 0 and cues[-1].source_end == len(sentence)
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.source_end == b.source_start
    for c in cues:
        assert "".join("".join(c.lines).split()) == "".join(
            sentence[c.source_start : c.source_end].split()
        )


def test_limits_and_cover():
    cues = split_cues(LONG)
    _check_cover(LONG, cues)
    assert len(cues) > 3
    for c in cues:
        assert 1 <= len(c.lines) <= 2
        assert all(display_units(line) <= 13 for line in c.lines if "git push" not in line)


def test_never_breaks_latin_runs_numbers_or_protected_terms():
    lines = [line for c in split_cues(LONG, protected=["第一印象"]) for line in c.lines]
    assert any("git push heroku master" in line for line in lines)
    assert any("2015年" in line for line in lines)
    assert any("第一印象" in line for line in lines)
    assert any("Hello World" in line for line in lines)


def test_no_line_starts_with_a_particle_or_punctuation():
    for c in split_cues(LONG):
        for line in c.lines:
            assert line[0] not in "をにがはでともの、。」ってか"


def test_short_sentence_single_line_and_overlong_token_allowed():
    assert [c.lines for c in split_cues("はい。")] == [["はい。"]]
    token = "https://example.com/a/very/long/path/that/cannot/break"
    cues = split_cues(f"詳しくは{token}を見てください。")
    assert any(token in line for c in cues for line in c.lines)


def test_half_width_counts_half():
    assert display_units("abcd") == 2
    assert display_units("日本") == 2
    assert [c.lines for c in split_cues("Herokuとgitで26文字の英字")] == [
        ["Herokuとgitで26文字の英字"]
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="あいうえおかきくけこ、。漢字話者 ABC 123「」", min_size=1, max_size=90))
def test_cues_always_cover_the_sentence(sentence):
    cues = split_cues(sentence)
    if sentence:
        _check_cover(sentence, cues)


def test_never_breaks_inside_a_compound_with_a_one_character_noun():
    cues = split_cues("字幕制作の会社で、主に映画と配信ドラマの日本語字幕を担当しています。")
    lines = [line for cue in cues for line in cue.lines]
    assert not any(line.endswith("日本") for line in lines), lines
    assert any("日本語" in line for line in lines)


def test_no_stub_second_line():
    """A two-line cue whose second line is a lone 時間を reads like a mistake."""
    cues = split_cues(
        "いえ、最初の2年間はスポッティングといって、台詞の始まりと終わりに時間をつける作業ばかりでした。"
    )
    for cue in cues:
        if len(cue.lines) == 2:
            assert min(len(line) for line in cue.lines) >= 4, cue.lines


def test_cue_boundaries_and_lines_chosen_together():
    cues = split_cues("今日はですね、字幕と翻訳ツールの話をじっくりしていきたいと思います。")
    assert len(cues) == 2
    assert cues[0].lines[0] == "今日はですね、"


def test_verbal_noun_stays_with_suru():
    cues = split_cues("サポートチームに所属している日本人の方2名をゲストにお迎えしております。")
    lines = [line for cue in cues for line in cue.lines]
    assert not any(line.endswith("所属") for line in lines), lines
