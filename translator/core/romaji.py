"""Suggest an English display name for a Japanese speaker label (永野 → Nagano).

The reading comes from unidic (katakana), converted to Hepburn as used for names in English
text: long vowels are not marked (サトウ → Sato, オオノ → Ono), ン is always "n". Latin labels are
kept as written. A joint label (友野・澤) becomes "Tomono & Sawa".
"""

from __future__ import annotations

import re

from translator.core.morph import tokenize
from translator.core.types import split_speaker_label

_DIGRAPHS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ティ": "ti", "ディ": "di",
    "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "シェ": "she", "ジェ": "je", "チェ": "che",
}  # fmt: skip
_MONO = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョ",
        [
            "a",
            "i",
            "u",
            "e",
            "o",
            "ka",
            "ki",
            "ku",
            "ke",
            "ko",
            "sa",
            "shi",
            "su",
            "se",
            "so",
            "ta",
            "chi",
            "tsu",
            "te",
            "to",
            "na",
            "ni",
            "nu",
            "ne",
            "no",
            "ha",
            "hi",
            "fu",
            "he",
            "ho",
            "ma",
            "mi",
            "mu",
            "me",
            "mo",
            "ya",
            "yu",
            "yo",
            "ra",
            "ri",
            "ru",
            "re",
            "ro",
            "wa",
            "i",
            "e",
            "o",
            "n",
            "ga",
            "gi",
            "gu",
            "ge",
            "go",
            "za",
            "ji",
            "zu",
            "ze",
            "zo",
            "da",
            "ji",
            "zu",
            "de",
            "do",
            "ba",
            "bi",
            "bu",
            "be",
            "bo",
            "pa",
            "pi",
            "pu",
            "pe",
            "po",
            "vu",
            "a",
            "i",
            "u",
            "e",
            "o",
            "ya",
            "yu",
            "yo",
        ],  # noqa: SIM905
        strict=True,
    )
)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々]")


def kana_to_hepburn(kana: str) -> str:
    """Katakana/hiragana → lower-case Hepburn without long-vowel marks."""
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    out: list[str] = []
    i = 0
    double_next = False
    while i < len(kana):
        pair, ch = kana[i : i + 2], kana[i]
        if pair in _DIGRAPHS:
            syl, i = _DIGRAPHS[pair], i + 2
        elif ch == "ッ":
            double_next, i = True, i + 1
            continue
        elif ch == "ー":
            i += 1
            continue
        elif ch in _MONO:
            syl, i = _MONO[ch], i + 1
        else:
            syl, i = ch, i + 1
        if double_next and syl and syl[0] not in "aeioun":
            syl = ("t" if syl.startswith("ch") else syl[0]) + syl
        double_next = False
        out.append(syl)
    text = "".join(out)
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text


def _romanise_part(label: str) -> str:
    if not _JAPANESE.search(label):
        return label
    words: list[str] = []
    for tok in tokenize(label):
        if tok.pos1 in ("補助記号", "空白"):
            continue
        reading = tok.kana or (tok.surface if re.fullmatch(r"[ぁ-ゖァ-ヺー]+", tok.surface) else "")
        roman = kana_to_hepburn(reading) if reading else tok.surface
        if tok.pos1 == "接尾辞" and words:
            words[-1] += "-" + roman  # 佐藤さん → Sato-san
        else:
            words.append(roman)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def suggest_english_name(label: str) -> str:
    """Romanised, title-cased display name for a speaker label; Latin labels unchanged."""
    label = label.strip()
    if not label:
        return ""
    parts = split_speaker_label(label) if "・" in label else [label]
    return " & ".join(_romanise_part(p) for p in parts)
