from translator.core.transcript import format_timestamp as format_ms
from translator.core.types import speaker_display_name
from translator.selectors.review import page_links, word_diff


def display_speaker(label, names):
    return speaker_display_name(label, names) or ""


def test_display_speaker_joint_label():
    names = {"友野": "Tomono", "澤": "Sawa"}
    assert display_speaker("友野・澤", names) == "Tomono & Sawa"
    assert display_speaker("永野", names) == "永野"
    assert display_speaker("", names) == ""


def test_format_ms():
    assert (
        format_ms(None) == "" and format_ms(61_999) == "01:01" and format_ms(3_725_000) == "1:02:05"
    )


def test_word_diff_round_trips():
    old, new = "The cat sat on the mat.", "The big cat sat on a mat."
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "delete") == new
    assert "".join(t for op, t in pieces if op != "insert") == old
    assert ("insert", " big") in pieces and ("delete", "the") in pieces


def test_page_links():
    links = [link.number for link in page_links(6, 50)]
    assert links == [1, None, 4, 5, 6, 7, 8, None, 50]
    assert [link.number for link in page_links(1, 1)] == [1]
