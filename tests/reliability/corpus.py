"""A corpus of hostile and broken import files, generated in code (no binary fixtures).

Each :class:`Case` is a file name, its bytes, and what must happen: ``"ok"`` (imports, with a
``check`` on the parsed document) or ``"refused"`` (an ``InputError`` with a one-line message,
optionally containing ``message``). Used by ``test_bad_input.py`` through the service, the web
form and the CLI, and counted in ``docs/reliability.md``.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from translator.core.types import ParsedDocument, Timing

# Small enough to keep the web/CLI runs quick; the size-limit case is built around it.
TEST_MAX_BYTES = 48 * 1024

JA_LINES = [
    "皆さんこんにちは、字幕ラボの佐藤です。",
    "今日は字幕と翻訳ツールの話をじっくりしていきたいと思います。",
    "ゲストは田中さんと山口さんのお二人です。",
]


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    data: bytes
    expect: str  # "ok" | "refused"
    message: str = ""  # refused: a fragment of the one-line message (lower-case match)
    check: Callable[[ParsedDocument], None] | None = field(default=None, compare=False)
    note: str = ""  # what the outcome is, for the report


def _all_text(doc: ParsedDocument) -> str:
    return "".join(s.text for p in doc.paragraphs for s in p.sentences)


def _cues(doc: ParsedDocument):
    return [c for p in doc.paragraphs for s in p.sentences for c in s.cues]


def _png() -> bytes:
    """A real 1x1 PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _srt(entries: list[tuple[str, str, str]]) -> str:
    return "\n".join(
        f"{i}\n{start} --> {end}\n{text}\n" for i, (start, end, text) in enumerate(entries, 1)
    )


GOOD_SRT = _srt(
    [
        ("00:00:01,000", "00:00:03,000", JA_LINES[0]),
        ("00:00:03,500", "00:00:06,000", JA_LINES[1]),
        ("00:00:06,500", "00:00:08,000", JA_LINES[2]),
    ]
)

TRANSCRIPT = (
    "字幕ラボ ポッドキャスト\n第1回 字幕の話\n\n今回のテーマは字幕づくりです。\n\nトランスクリプト\n\n"
    "佐藤: " + "".join(JA_LINES) + "\n\n田中: はい、田中です。\n\n"
)


def _expect_text(*fragments: str) -> Callable[[ParsedDocument], None]:
    def check(doc: ParsedDocument) -> None:
        text = _all_text(doc)
        for fragment in fragments:
            assert fragment in text, (fragment, text[:200])

    return check


def _check_srt_times(doc: ParsedDocument) -> None:
    cues = _cues(doc)
    assert cues and all(c.timing == Timing.IMPORTED for c in cues)
    assert cues[0].start_ms == 1000
    assert all(c.start_ms is not None and c.end_ms > c.start_ms for c in cues)


def _check_vtt(doc: ParsedDocument) -> None:
    text = _all_text(doc)
    assert JA_LINES[0] in text and JA_LINES[1] in text
    for leaked in ("NOTE", "STYLE", "::cue", "align:", "position:", "color"):
        assert leaked not in text, leaked
    assert _cues(doc)[0].start_ms == 1000


def _check_ass(doc: ParsedDocument) -> None:
    text = _all_text(doc)
    assert JA_LINES[0] in text and JA_LINES[2] in text
    assert "\\i1" not in text and "{" not in text and "Fonts" not in text
    assert "Comment" not in text and "コメント行" not in text


def _expect_report(code: str, *texts: str) -> Callable[[ParsedDocument], None]:
    def check(doc: ParsedDocument) -> None:
        text = _all_text(doc)
        for t in texts:
            assert t in text, t
        entry = doc.report.entry(code)
        assert entry is not None and entry.count >= 1, doc.report.to_dict()
        assert all(e.line_no for e in entry.examples)
        assert "-->" not in text

    return check


def _check_huge_paragraph(doc: ParsedDocument) -> None:
    sentences = [s for p in doc.paragraphs for s in p.sentences]
    cues = _cues(doc)
    assert "".join(s.text for s in sentences).replace("\n", "") == HUGE_PARAGRAPH
    # Cut into subtitle-sized pieces even without punctuation: no cue over 2 lines of 13.
    assert len(cues) > 20
    assert all(len(c.lines) <= 2 for c in cues)
    assert all(c.start_ms is not None and c.end_ms > c.start_ms for c in cues)


def _check_long_lines(doc: ParsedDocument) -> None:
    text = _all_text(doc)
    assert text.count("あ") == 10_000 and text.count("x") == 10_000


def _check_mixed_newlines(doc: ParsedDocument) -> None:
    text = _all_text(doc)
    assert "\r" not in text
    for line in JA_LINES:
        assert line in text


HUGE_PARAGRAPH = "きょうはとてもいいてんきですねそうですねさんぽにいきましょう" * 120  # 3,600 chars

ASS_UNUSUAL = (
    "[Script Info]\n"
    "; a comment line\n"
    "Title: 奇妙なファイル\n"
    "ScriptType: v4.00+\n"
    "WrapStyle: 0\n"
    "\n"
    "[Aegisub Project Garbage]\n"
    "Scroll Position: 30\n"
    "Active Line: 5\n"
    "\n"
    "[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,"
    "0,0,1,2,2,2,10,10,10,1\n"
    "\n"
    "[Fonts]\n"
    "fontname: x.ttf\n"
    "M3<1!5P\n"
    "\n"
    "[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    f"Dialogue: 0,0:00:01.00,0:00:03.00,Default,佐藤,0,0,0,,{{\\i1}}{JA_LINES[0]}{{\\i0}}\n"
    "Comment: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,コメント行\n"
    f"Dialogue: 0,0:00:04.00,0:00:06.00,Default,佐藤,0,0,0,,{JA_LINES[1]}\\N改行\n"
    f"Dialogue: 0,0:00:06.50,0:00:08.00,Default,田中,0,0,0,,{JA_LINES[2]}\n"
    "\n"
    "[Custom Section]\n"
    "Anything: goes here\n"
)

VTT_BLOCKS = (
    "WEBVTT - with a header\n"
    "Kind: captions\n"
    "\n"
    "STYLE\n"
    "::cue { color: yellow; }\n"
    "\n"
    "NOTE this is a comment\n"
    "that spans two lines\n"
    "\n"
    "REGION\n"
    "id:fred width:40%\n"
    "\n"
    "intro\n"
    f"00:01.000 --> 00:03.000 align:start position:10% line:0\n<v 佐藤>{JA_LINES[0]}\n"
    "\n"
    f"00:00:03.500 --> 00:00:06.000 size:50%\n<c.yellow>{JA_LINES[1]}</c>\n"
    "\n"
    "NOTE another note\n"
    "\n"
    f"00:00:06.500 --> 00:00:08.000\n<i>{JA_LINES[2]}</i>\n"
)


def _exactly(data: bytes, size: int) -> bytes:
    """``data`` cut to ``size`` bytes at a character boundary, padded with spaces."""
    cut = data[:size].decode("utf-8", errors="ignore").encode()
    return cut.ljust(size, b" ")


def build_corpus(max_bytes: int = TEST_MAX_BYTES) -> list[Case]:
    """All cases; ``max_bytes`` is the import limit the tests set (the over-limit case uses it)."""
    rng = random.Random(7)  # noqa: S311 - deterministic test data
    random_bytes = bytes(rng.getrandbits(8) for _ in range(4096))
    transcript = TRANSCRIPT
    cases = [
        Case("empty", "empty.txt", b"", "refused", "empty"),
        Case(
            "whitespace only",
            "blank.txt",
            b" \n\t\r\n  \n" + "\u3000\n".encode(),
            "refused",
            "no text",
        ),
        Case("random bytes", "random.srt", random_bytes, "refused"),
        Case(
            "NUL-laced text",
            "nul.txt",
            "字幕".encode() + b"\x00" * 64 + b"abc",
            "refused",
            "binary",
        ),
        Case("PNG renamed .srt", "picture.srt", _png(), "refused"),
        Case(
            "truncated SRT (cut in the timing line)",
            "cut.srt",
            (GOOD_SRT + "4\n00:00:09,000 --> 00:0").encode(),
            "ok",
            check=_expect_report("bad_timing", JA_LINES[0]),
            note="the damaged last cue is left out and listed with its line",
        ),
        Case(
            "truncated SRT (cut after the timing line)",
            "cut2.srt",
            (GOOD_SRT + "4\n00:00:09,000 --> 00:00:10,000\n").encode(),
            "ok",
            check=_expect_report("no_text", JA_LINES[0]),
            note="the empty last cue is left out and listed",
        ),
        Case(
            "truncated VTT",
            "cut.vtt",
            f"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n{JA_LINES[0]}\n\n00:00:04.0".encode(),
            "ok",
            check=_expect_report("no_timing", JA_LINES[0]),
            note="the cut-off last cue is left out and listed",
        ),
        Case(
            "truncated ASS (no events)",
            "cut.ass",
            ASS_UNUSUAL.split("[Events]")[0].encode(),
            "refused",
        ),
        Case(
            "truncated ASS (cut mid-dialogue)",
            "cut2.ass",
            ASS_UNUSUAL.split("Comment:")[0].encode()[:-40],
            "ok",
            check=_expect_text("皆さん"),
            note="the complete events before the cut are imported",
        ),
        Case(
            "SRT with a missing timestamp",
            "notime.srt",
            _srt([("00:00:01,000", "00:00:03,000", JA_LINES[0])]).encode()
            + f"\n2\n{JA_LINES[1]}\n".encode(),
            "ok",
            check=_expect_report("no_timing", JA_LINES[0]),
            note="the cue without a timing line is left out and listed",
        ),
        Case(
            "SRT with reversed timestamps",
            "reversed.srt",
            _srt(
                [
                    ("00:00:01,000", "00:00:03,000", JA_LINES[0]),
                    ("00:00:06,000", "00:00:04,000", JA_LINES[1]),
                ]
            ).encode(),
            "ok",
            check=_expect_report("end_before_start", JA_LINES[0], JA_LINES[1]),
            note="the reversed cue gets the minimum duration and is listed",
        ),
        Case(
            "SRT with malformed timestamp",
            "bad.srt",
            _srt([("00:00:01,000", "00:00:0x,000", JA_LINES[0])]).encode(),
            "refused",
            "line",
            note="nothing else to read: refused, naming the line",
        ),
        Case("SRT well-formed", "good.srt", GOOD_SRT.encode(), "ok", check=_check_srt_times),
        Case(
            "VTT with NOTE/STYLE/REGION blocks and cue settings",
            "blocks.vtt",
            VTT_BLOCKS.encode(),
            "ok",
            check=_check_vtt,
        ),
        Case("ASS with unusual sections", "odd.ass", ASS_UNUSUAL.encode(), "ok", check=_check_ass),
        Case(
            "Shift_JIS / CP932 transcript (with ① and ～)",
            "sjis.txt",
            (transcript + "佐藤: ①番目の話～です。\n").encode("cp932"),
            "ok",
            check=_expect_text(JA_LINES[0], "①番目の話～です。"),
        ),
        Case(
            "Shift_JIS SRT",
            "sjis.srt",
            GOOD_SRT.encode("cp932"),
            "ok",
            check=_check_srt_times,
        ),
        Case(
            "EUC-JP transcript",
            "eucjp.txt",
            transcript.encode("euc_jp"),
            "ok",
            check=_expect_text(JA_LINES[1]),
        ),
        Case(
            "UTF-16 LE with BOM",
            "utf16le.srt",
            GOOD_SRT.encode("utf-16"),
            "ok",
            check=_check_srt_times,
        ),
        Case(
            "UTF-16 BE with BOM",
            "utf16be.txt",
            b"\xfe\xff" + transcript.encode("utf-16-be"),
            "ok",
            check=_expect_text(JA_LINES[2]),
        ),
        Case(
            "UTF-8 with BOM",
            "bom.vtt",
            b"\xef\xbb\xbf" + VTT_BLOCKS.encode(),
            "ok",
            check=_check_vtt,
        ),
        Case(
            "GB2312 Chinese",
            "chinese.txt",
            (
                "主持人: 大家好，欢迎收听我们的节目。今天我们来谈谈字幕翻译工具的使用方法。\n\n"
                "嘉宾: 谢谢邀请，很高兴来到这里。\n"
            ).encode("gb2312"),
            "refused",
            "chinese (gb2312)",
            note="refused in one line: this looks like Chinese (GB2312), not Japanese",
        ),
        Case(
            "English SRT",
            "english.srt",
            _srt(
                [
                    ("00:00:01,000", "00:00:03,000", "Good evening and welcome to the show."),
                    ("00:00:04,000", "00:00:06,000", "Tonight we talk about the weather."),
                    ("00:00:07,000", "00:00:09,000", "Thank you for listening to us."),
                ]
            ).encode(),
            "refused",
            "looks like english",
            note="refused in one line: this looks like English, not Japanese",
        ),
        Case(
            "mixed line endings",
            "mixed.txt",
            (
                "佐藤: " + JA_LINES[0] + "\r\n" + JA_LINES[1] + "\r" + JA_LINES[2] + "\n\r\n"
                "田中: はい。\r"
            ).encode(),
            "ok",
            check=_check_mixed_newlines,
        ),
        Case(
            "mixed line endings SRT",
            "mixed.srt",
            GOOD_SRT.replace("\n", "\r\n", 5).encode(),
            "ok",
            check=_check_srt_times,
        ),
        Case(
            "10,000-character lines",
            "long.txt",
            ("佐藤: " + "あ" * 10_000 + "\n\n田中: " + "x" * 10_000 + "\n").encode(),
            "ok",
            check=_check_long_lines,
        ),
        Case(
            "one huge paragraph without punctuation",
            "huge.txt",
            HUGE_PARAGRAPH.encode(),
            "ok",
            check=_check_huge_paragraph,
        ),
        Case(
            "just over the size limit",
            "big.txt",
            ("あ" * (max_bytes // 3) + "い。\n")
            .encode()[: max_bytes + 1]
            .ljust(max_bytes + 1, b"."),
            "refused",
            "limit",
        ),
        Case(
            "exactly at the size limit",
            "limit.txt",
            _exactly(("佐藤: " + "".join(JA_LINES) * 3 + "\n").encode(), max_bytes),
            "ok",
            check=_expect_text(JA_LINES[2]),
            note="the limit itself is accepted",
        ),
        Case(
            "explicit wrong encoding (EUC-JP bytes, declared UTF-8)",
            "wrong.txt",
            transcript.encode("euc_jp"),
            "refused",
            "utf-8",
        ),
        Case(
            "control characters",
            "ctrl.txt",
            ("字幕" + "\x01\x02\x03\x04\x05" * 20).encode(),
            "refused",
            "binary",
        ),
        Case(
            "HTML/script in a transcript",
            "script.txt",
            "佐藤: <script>alert(1)</script>こんにちは。\n".encode(),
            "ok",
            check=_expect_text("<script>alert(1)</script>"),
            note="kept as text (escaped when rendered)",
        ),
    ]
    return cases


# Encodings forced on the form/CLI for a case (default: auto).
FORCED_ENCODING = {"explicit wrong encoding (EUC-JP bytes, declared UTF-8)": "utf-8"}
