r"""Language tracks of a timed subtitle file (Japanese, Chinese, English…), told apart by script.

Per display line: kana present → Japanese; Han with a simplified-only or traditional-only
character, or with two or more Chinese function characters and no kana → Chinese; mostly Latin
letters → English; Han-only lines with none of those signs are *ambiguous* (``本当``, ``大丈夫``)
and follow their style (ASS) or their neighbours; lines with no letters at all (``♪～``, ``…``)
follow the line they stand with. A style whose decided lines are mostly one language makes all
its lines that language; style names (``日文-…``/``JP``, ``中文-…``/``CN``/``chs``, ``EN``)
break ties. Linear in the text.

*Romaji* (Japanese written in Latin letters: the romaji lines of an OP/ED karaoke,
``{\k20}ki{\k30}mi {\k25}no``) is a kind of its own, neither the Japanese source nor English:
a Latin line whose words are nearly all Hepburn (or Kunrei) syllables, fewer words needed when
the event carries karaoke tags, or any line of a style named ``Romaji``/``OP-Romaji``/``ED Rom``.
"""

from __future__ import annotations

import re
from collections import Counter

JA, ZH, EN, ROMAJI = "ja", "zh", "en", "romaji"
LANGUAGE_NAMES = {
    JA: "Japanese",
    ZH: "Chinese",
    EN: "English",
    ROMAJI: "Romaji (Japanese in Latin letters)",
    "other": "Other",
}
# The languages a line can be decided as (``"han"`` and ``None`` are undecided).
DECIDED = (JA, ZH, EN, ROMAJI, "other")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30fa\u30fc\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Common simplified forms that Japanese never writes (its forms differ: 这/這/これ, 们, 说/説…).
_SIMPLIFIED_ONLY = frozenset(
    "这们说话吗么过还没对让认识见觉开关门问题东车长发现实经头从给听边动欢爱难谢请应该进场业书"
    "买卖钱饭马鸟鱼龙岁两张儿处够脸乐气钟阳阴师带网页论设计语词读爷妈怎样为呢吧啊哪刚种别离远"
    "运连选递丢亲侧债倾优伤劳势华协单卫厅历压吓呜咱响哟啥喽团园围图圣坏块坚坛垄备复夹夺奋妇姗"
    "娇娱孙宁宠审宪宫宽宾导尔尘层岛岭币帐帮庆库废异弃归彻忆忧怀态总恳恶惊惯愿戏战户扑执扩扫扬"
    "扰抚抢护报挂挡挤挥损换掷搁摆摇撑撵击虽钥锁闭闯闲间闷闹阅队阶际陆陈险随隐雾顶项顺须领颜风"
    "飞饥饮饱饿馆驰驱验骂骗鸡鸣齐龄龟"
)
_TRADITIONAL_ONLY = frozenset("這們說嗎麼還沒對讓覺關發實經點從聽邊歡應妳")
_ZH_FUNCTION = frozenset("的了是你我他她不在吗呢吧啊也都就很没这那么")
_HINTS = (
    (ROMAJI, re.compile(r"roma(?:n)?ji|(?:^|[\W_])rom(?:$|[\W_])", re.I)),
    (JA, re.compile(r"日|jp|jap|japanese|ja\b", re.I)),
    (ZH, re.compile(r"中|简|繁|cn|chs|cht|sc\b|tc\b|zh|chinese", re.I)),
    (EN, re.compile(r"en\b|eng|english|英", re.I)),
)


# One Hepburn/Kunrei syllable: an optional consonant (with y), a vowel (long vowels with a
# macron or circumflex), the syllabic n, or the first of a doubled consonant (っ: kk, tt, tch).
_SYLLABLE = (
    r"(?:(?:[kgsztdnhbpmr]y?|sh|ch|j|ts|f|w|y|v)?[aiueoāīūēōâîûêô]"
    r"|n'?|[kgsztdbpfjc](?=[kgsztdbpfjc])|m(?=[bmp]))"
)
_ROMAJI_WORD = re.compile(rf"(?:{_SYLLABLE})+")
_WORD = re.compile(r"[A-Za-zāīūēōâîûêôĀĪŪĒŌ'-]+")
# English words that happen to be syllable strings but are rare in romaji: a line where a
# third of the words are these ("take me home") is English.
_ENGLISH_SYLLABLE_WORDS = frozenset(
    str.split(
        "home take make time some one see we he be you sea tea gone done hope mine nine fine "
        "wine "
        "name same game came fade wide side ride tide more sure pure cure rose nose tune dune "
        "bone tone zone gate hate date fate bite kite site note vote wore"
    )
)
_KARAOKE = re.compile(r"\\[kK][fo]?\d")


def has_karaoke(raw_text: str) -> bool:
    r"""Whether an ASS event's raw text carries karaoke timing tags (``{\k20}``, ``\kf``)."""
    return bool(_KARAOKE.search(raw_text))


def is_romaji(text: str, *, karaoke: bool = False) -> bool:
    """Whether a Latin line reads as Japanese in romaji: ≥ 85 % of its words (at least 3, or 1
    in a karaoke event, where ≥ 70 % do) are made of Hepburn/Kunrei syllables. English rarely
    passes: ``the``, ``and``, ``of``, ``going`` are not syllable strings."""
    words = [w.strip("'-").lower() for w in _WORD.findall(text)]
    words = [w for w in words if w]
    if not words or _KANA.search(text) or _HAN.search(text):
        return False
    ok = sum(1 for w in words for parts in [w.split("-")] if all(_romaji_word(p) for p in parts))
    if 3 * sum(1 for w in words if w in _ENGLISH_SYLLABLE_WORDS) >= len(words):
        return False
    if karaoke:
        return ok >= 0.7 * len(words)
    return len(words) >= 3 and ok >= 0.85 * len(words) and sum(map(len, words)) >= 8


def _romaji_word(word: str) -> bool:
    return bool(word) and _ROMAJI_WORD.fullmatch(word) is not None


def line_language(text: str, *, karaoke: bool = False) -> str | None:
    """``ja``/``zh``/``en``/``romaji``/``other``; ``"han"`` when Han-only and undecided;
    ``None`` when the line has no letters at all. ``karaoke``: the event carries karaoke tags
    (a Latin karaoke line is romaji unless its words are not Japanese syllables)."""
    if _KANA.search(text):
        return JA
    han = _HAN.findall(text)
    if han:
        if any(c in _SIMPLIFIED_ONLY or c in _TRADITIONAL_ONLY for c in han):
            return ZH
        if sum(1 for c in han if c in _ZH_FUNCTION) >= 2 and len(han) >= 4:
            return ZH
        latin = len(_LATIN.findall(text))
        if latin > 2 * len(han):
            return EN
        return "han"
    if _LATIN.search(text):
        return ROMAJI if is_romaji(text, karaoke=karaoke) else EN
    if any(c.isalpha() for c in text):
        return "other"
    return None


def style_hint(name: str) -> str | None:
    for lang, pattern in _HINTS:
        if pattern.search(name or ""):
            return lang
    return None


def style_languages(per_style: dict[str, Counter[str]]) -> dict[str, str]:
    """The language of each style from its decided lines (and its name when undecided)."""
    out: dict[str, str] = {}
    for style, counts in per_style.items():
        decided = {k: v for k, v in counts.items() if k in DECIDED}
        hint = style_hint(style)
        if hint == ROMAJI and decided.keys() <= {EN, ROMAJI}:
            out[style] = ROMAJI  # a romaji style's lines are romaji even when short (sou ka)
            continue
        if decided:
            best = max(decided.values())
            tops = [k for k, v in decided.items() if v == best]
            out[style] = hint if hint in tops else tops[0]
            # A style dominated by one language (≥ 80 %) is a track of that language.
            if best < 0.8 * sum(decided.values()):
                out[style] = ""  # mixed: decide line by line
        elif hint:
            out[style] = hint
    return out
