"""Encodings chosen by meaning; text that is not Japanese is refused in one line.

Fixtures in tests/fixtures/transcripts/encodings/ are written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.core.encoding import decode_bytes, not_japanese_reason, reading
from translator.core.errors import NotJapaneseError
from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest

ENC = Path(__file__).parents[1] / "fixtures" / "transcripts" / "encodings"


def data(name: str) -> bytes:
    return (ENC / name).read_bytes()


def test_gb2312_chinese_is_not_decoded_as_euc_jp_mojibake():
    """These GB2312 bytes are valid EUC-JP too: they were decoded as 寄社挫 散哭辺心…"""
    raw = data("chinese_gb2312_no_commas.srt")
    raw.decode("euc_jp")  # the trap: it decodes
    text, name = decode_bytes(raw)
    assert name == "gb18030" and "大家好 欢迎收看我们的节目" in text


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("chinese_gb2312.srt", "Chinese (GB2312)"),
        ("chinese_gb2312_no_commas.srt", "Chinese (GB2312)"),
        ("chinese_big5.txt", "Chinese (Big5)"),
        ("english.srt", "English"),
        ("korean_euckr.txt", "Korean"),
    ],
)
def test_text_that_is_not_japanese_is_refused_in_one_line(name, looks_like):
    with pytest.raises(NotJapaneseError) as info:
        segment_document(data(name), ImportRequest(filename=name))
    message = str(info.value)
    assert message.startswith(f"this looks like {looks_like}, not Japanese")
    assert "\n" not in message


def test_override_imports_it_anyway():
    doc = segment_document(
        data("chinese_gb2312.srt"), ImportRequest(filename="x.srt", check_language=False)
    )
    assert doc.paragraphs[0].raw_text.startswith("大家好，欢迎收看我们的节目。")
    doc = segment_document(data("english.srt"), ImportRequest(filename="x.srt", encoding="utf-8"))
    assert doc.paragraphs[0].raw_text.startswith("Good evening")
    doc = segment_document(data("korean_euckr.txt"), ImportRequest(encoding="euc-kr"))
    assert "안녕하세요" in doc.paragraphs[0].raw_text


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("japanese_eucjp.srt", "euc_jp"),
        ("japanese_cp932.srt", "cp932"),
        ("japanese_eucjp.txt", "euc_jp"),
    ],
)
def test_japanese_legacy_encodings_still_import(name, codec):
    doc = segment_document(data(name), ImportRequest(filename=name))
    assert doc.encoding == codec
    assert "ラジオ" in "".join(p.raw_text for p in doc.paragraphs) or doc.speakers == [
        "山田",
        "鈴木",
    ]


def test_reading_counts():
    ja = reading("皆さん、こんばんは。番組へようこそ。Heroku の話です。")
    assert ja.is_japanese and ja.kanji_outside_jis == 0
    zh = reading("今天我们来聊一聊怎么学习外语，每天坚持听二十分钟广播。")
    assert not zh.is_japanese and zh.kana == 0 and zh.kanji_outside_jis > 0
    assert reading("はい").is_japanese  # too little to tell: not refused
    # Japanese with plenty of English product names is still Japanese.
    assert (
        not_japanese_reason(
            "Herokuのサポートチームに所属する友野さんと、Private SpaceやKafkaのAdd-onの話をしました。",
            "utf-8",
        )
        is None
    )


def test_pasted_english_is_refused_too():
    with pytest.raises(NotJapaneseError):
        segment_document(
            "Host: Welcome to the show, and thank you for listening tonight.\n\n"
            "Guest: Thanks for having me, it is great to be here with you.\n"
        )


def test_japanese_full_of_markup_and_english_is_not_refused():
    text = (
        "XSSラボ <script>alert('script')</script>\n\nトランスクリプト\n\n"
        "佐藤: こんにちは<script>alert('x')</script>です。<svg onload=alert('svg')>ですね。\n\n"
        "田中: はい\"'><img src=x onerror=alert('attr')>。</textarea><script>alert(1)</script>\n"
    )
    doc = segment_document(text.encode())
    assert doc.speakers == ["佐藤", "田中"]


def test_iso_2022_jp_is_decoded_not_taken_for_ascii():
    """7-bit JIS mail-style text is valid ASCII/UTF-8: it used to import as escape codes."""
    text = "山田: 今日は漢字の話です。\n\n鈴木: 毎日書くのがいいですね。\n\n山田: そうですね。\n\n鈴木: はい。\n"
    doc = segment_document(text.encode("iso2022_jp"))
    assert doc.encoding == "iso2022_jp" and doc.speakers == ["山田", "鈴木"]
