import codecs

import pytest

from translator.core.encoding import decode_bytes, normalize_for_matching
from translator.core.errors import DecodingError, EmptyInputError, InputTooLargeError

TEXT = "永野: はい皆さんこんにちは。Herokuへようこそ！\n友野: どうもｱﾘｶﾞﾄｳ、よろしくお願いします。\n"


def test_utf8_plain_and_bom():
    assert decode_bytes(TEXT.encode("utf-8")) == (TEXT, "utf-8")
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == (TEXT, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(codec):
    data = TEXT.encode(codec) if codec == "utf-16" else codecs.BOM_UTF16_BE + TEXT.encode(codec)
    text, name = decode_bytes(data)
    assert text == TEXT
    assert name.startswith("utf-16")


@pytest.mark.parametrize("codec", ["cp932", "shift_jis", "euc_jp"])
def test_japanese_legacy_codecs_detected(codec):
    text, name = decode_bytes(TEXT.encode(codec))
    assert text == TEXT
    assert name == ("euc_jp" if codec == "euc_jp" else "cp932")


def test_short_legacy_text_detected():
    assert decode_bytes("こんにちは".encode("euc_jp"))[0] == "こんにちは"
    assert decode_bytes("こんにちは".encode("cp932"))[0] == "こんにちは"


def test_newlines_normalised():
    assert decode_bytes("一行目\r\n二行目\r三行目".encode())[0] == "一行目\n二行目\n三行目"


def test_override_and_wrong_override():
    assert decode_bytes(TEXT.encode("cp932"), encoding="cp932")[0] == TEXT
    with pytest.raises(DecodingError, match="euc_jp|EUC"):
        decode_bytes(TEXT.encode("cp932"), encoding="euc_jp")
    with pytest.raises(DecodingError, match="unknown encoding"):
        decode_bytes(b"abc", encoding="klingon-8")


def test_binary_empty_and_too_large():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    with pytest.raises(DecodingError, match="binary"):
        decode_bytes(png)
    with pytest.raises(EmptyInputError):
        decode_bytes(b"")
    with pytest.raises(EmptyInputError):
        decode_bytes(b" \n\t ")
    with pytest.raises(InputTooLargeError, match="over the limit"):
        decode_bytes(b"x" * 101, max_bytes=100)


def test_messages_are_one_line():
    for data, kwargs in [(b"\x00\x01\x02" * 50, {}), (b"\xff\xfe\xfa" * 50, {"encoding": "ascii"})]:
        with pytest.raises(DecodingError) as info:
            decode_bytes(data, **kwargs)
        assert "\n" not in str(info.value)


def test_normalize_for_matching_folds_width_only_for_matching():
    assert normalize_for_matching("ｱﾘｶﾞﾄｳ Ｈｅｒｏｋｕ１２３") == "アリガトウ Heroku123"
    text, _ = decode_bytes("ｱﾘｶﾞﾄｳございます".encode("cp932"))
    assert text == "ｱﾘｶﾞﾄｳございます"  # editor-visible text stays faithful
