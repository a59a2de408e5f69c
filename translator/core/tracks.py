"""Language tracks of a timed subtitle file (Japanese, Chinese, English…), told apart by script.

Per display line: kana present → Japanese; Han with a simplified-only or traditional-only
character, or with two or more Chinese function characters and no kana → Chinese; mostly Latin
letters → English; Han-only lines with none of those signs are *ambiguous* (``本当``, ``大丈夫``)
and follow their style (ASS) or their neighbours; lines with no letters at all (``♪～``, ``…``)
follow the line they stand with. A style whose decided lines are mostly one language makes all
its lines that language; style names (``日文-…``/``JP``, ``中文-…``/``CN``/``chs``, ``EN``)
break ties. Linear in the text.
"""

from __future__ import annotations

import re
from collections import Counter

JA, ZH, EN = "ja", "zh", "en"
LANGUAGE_NAMES = {JA: "Japanese", ZH: "Chinese", EN: "English", "other": "Other"}
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
    (JA, re.compile(r"日|jp|jap|japanese|ja\b", re.I)),
    (ZH, re.compile(r"中|简|繁|cn|chs|cht|sc\b|tc\b|zh|chinese", re.I)),
    (EN, re.compile(r"en\b|eng|english|英", re.I)),
)


def line_language(text: str) -> str | None:
    """``ja``/``zh``/``en``/``other``; ``"han"`` when Han-only and undecided; ``None``
    when the line has no letters at all."""
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
        return EN
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
        decided = {k: v for k, v in counts.items() if k in (JA, ZH, EN, "other")}
        hint = style_hint(style)
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
