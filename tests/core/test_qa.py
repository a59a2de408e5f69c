import pytest

from translator.core.qa import QA_LABELS, QAFlag, check_segment, numbers_missing


def test_clean_segment_has_no_flags():
    assert check_segment("はい皆さんこんにちは。", "Hello, everyone.", [(0, 1500)]) == []


def test_empty_translation():
    assert check_segment("はい。", "  ", [(0, 1000)]) == [QAFlag.EMPTY_TRANSLATION]


def test_japanese_left():
    flags = check_segment("ようこそ", "Welcome ようこそ", [(0, 3000)])
    assert QAFlag.JAPANESE_LEFT in flags


def test_glossary_case_insensitive():
    gl = {"永野": "Nagano"}
    assert QAFlag.GLOSSARY_NOT_FOLLOWED in check_segment("永野です", "I am Nagato.", glossary=gl)
    assert check_segment("永野です", "I am NAGANO.", glossary=gl) == []
    assert check_segment("澤です", "I am Sawa.", glossary=gl) == []


@pytest.mark.parametrize(
    "term, english, followed",
    [
        ("subtitles", "I'm Sato from Subtitle Lab.", True),  # singular of the term
        ("subtitle", "Two subtitles on screen.", True),  # plural
        ("Heroku", "Heroku's dashboard", True),  # possessive
        ("box", "three boxes", True),
        ("boxes", "a box", True),
        ("free tier", "the Free-tier plan", True),  # hyphenated
        ("Code[ish]", "Welcome to Code[ish].", True),
        ("case", "a briefcase", False),  # inside another word
        ("subtitles", "subtitling is hard", False),
        ("free tier", "tier free", False),
    ],
)
def test_glossary_accepts_plural_singular_possessive(term, english, followed):
    flags = check_segment("用語です", english, glossary={"用語": term})
    assert (QAFlag.GLOSSARY_NOT_FOLLOWED not in flags) is followed


def test_numbers():
    assert numbers_missing("2名をゲストに", "two guests") == []
    assert numbers_missing("２，０００円", "2000 yen") == []
    assert numbers_missing("2,000円", "2,000 yen") == []
    assert numbers_missing("2015年の1月", "January 2015") == []
    assert numbers_missing("3万人", "30,000 people") == []
    assert numbers_missing("3万人", "30 thousand people") == []
    assert numbers_missing("2014年の夏", "the summer of 2015") == [2014.0]
    flags = check_segment("3人です", "There are people.")
    assert flags == [QAFlag.NUMBER_MISSING]


def test_reading_speed_and_duration():
    flags = check_segment(
        "長い文", "This is a rather long English sentence for such a short cue.", [(0, 500)]
    )
    assert QAFlag.READING_SPEED in flags
    assert QAFlag.CUE_TOO_SHORT in flags
    # silence after the sentence lets the cue grow
    flags = check_segment("はい", "Yes.", [(0, 500)], next_start_ms=5000)
    assert QAFlag.CUE_TOO_SHORT not in flags
    assert QAFlag.CUE_TOO_LONG in check_segment("長い", "Long.", [(0, 9000)])


def test_line_flags_follow_the_export_split():
    """A cue whose English needs three lines is exported as two cues in turn when its time
    allows; QA judges those two, as the viewer sees them."""
    text = (
        "Half-width letters and numbers count as half a character, and that is why we "
        "write product names in full-width."
    )
    assert QAFlag.TOO_MANY_LINES not in check_segment("長い", text, [(0, 6000)])
    assert QAFlag.TOO_MANY_LINES in check_segment("長い", text, [(0, 1500)])


def test_line_flags():
    text = " ".join(["word"] * 60)
    flags = check_segment("長い", text, [(0, 7000)])
    assert QAFlag.TOO_MANY_LINES in flags
    flags = check_segment("長い", "x" * 50, [(0, 7000)])
    assert QAFlag.LINE_TOO_LONG in flags
    assert check_segment("長い", text, None) == []  # untimed: no line/timing flags


def test_labels_cover_all_flags():
    assert set(QA_LABELS) == set(QAFlag)
    assert QAFlag.READING_SPEED.label
