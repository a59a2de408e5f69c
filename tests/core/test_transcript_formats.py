"""Transcripts as people publish them: label formats, page layouts, left-out lines.

Fixtures in tests/fixtures/transcripts/ are written for these tests, modelled on the structure
of real exports (AssemblyAI/Descript Markdown, Otter text, fan transcripts, podcast pages).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.structure import _BARE_TS, _match_turn, parse_timestamp_ms
from translator.core.types import ParagraphKind, ParsedDocument

FIXTURES = Path(__file__).parents[1] / "fixtures" / "transcripts"
SHARED_SAMPLE = Path("/work/shared/samples/000_9769d1043bfd31c3.txt")


def load(name: str) -> ParsedDocument:
    return segment_document((FIXTURES / name).read_bytes(), ImportRequest(filename=name))


def turns(doc: ParsedDocument) -> list[tuple[str | None, int | None, list[str]]]:
    return [
        (p.speaker, p.start_ms, [s.text for s in p.sentences])
        for p in doc.paragraphs
        if p.kind == ParagraphKind.TRANSCRIPT
    ]


def left_out(doc: ParsedDocument) -> list[tuple[int | None, str]]:
    return [(p.line_no, p.raw_text) for p in doc.left_out]


def first_cue_ms(doc: ParsedDocument) -> list[int | None]:
    return [
        p.sentences[0].cues[0].start_ms
        for p in doc.paragraphs
        if p.kind == ParagraphKind.TRANSCRIPT
    ]


def test_asr_markdown_labels_headings_and_timestamps():
    """`**A** [00:00]` label lines used to become segments of their own, `## Speakers` was
    translated, and the times were ignored."""
    doc = load("asr_markdown.md")
    assert doc.speakers == ["A", "B", "C"]
    got = turns(doc)
    assert [(s, t) for s, t, _ in got] == [
        ("A", 0),
        ("B", 9_000),
        ("C", 15_000),
        ("A", 19_000),
        ("B", 25_000),
        ("C", 41_000),
        ("A", 62_000),
    ]
    assert got[1][2] == ["どうも、よろしくお願いします。", "呼んでいただいてうれしいです。"]
    every = [s for p in doc.paragraphs for s in p.sentences]
    assert not any("**" in s.text or "Speakers" in s.text or "[00:" in s.text for s in every)
    assert left_out(doc) == [
        (1, "# Transcript"),
        (3, "## Speakers"),
        (5, "- A"),
        (6, "- B"),
        (7, "- C"),
    ]
    assert {e.code for e in doc.report.left_out} == {"heading", "speaker_list"}
    assert doc.title == "asr markdown"  # no title in the file: the file name


def test_asr_markdown_turns_start_at_their_timestamps():
    """Every turn's first cue starts within 1 s of the timestamp written in the transcript
    (the estimate used to ignore them: [50:17] started at 01:06:05)."""
    doc = load("asr_markdown.md")
    stamps = [t for _, t, _ in turns(doc)]
    for stamp, start in zip(stamps, first_cue_ms(doc), strict=True):
        assert abs(start - stamp) <= 1000, (stamp, start)
    ends = [c.end_ms for p in doc.paragraphs for s in p.sentences for c in s.cues]
    starts = [c.start_ms for p in doc.paragraphs for s in p.sentences for c in s.cues]
    assert all(a < b for a, b in zip(starts, ends, strict=True))
    assert all(b <= a for a, b in zip(starts[1:], ends, strict=False))  # no overlap


def test_anchors_hold_when_the_turns_are_long():
    """Turns with more speech than their interval: each still starts at its timestamp."""
    body = "今日はとても長い話をしますので最後までお付き合いください。" * 6
    text = "".join(
        f"**{'AB'[k % 2]}** [{k * 20 // 60:02d}:{k * 20 % 60:02d}]\n{body}\n\n" for k in range(8)
    )
    doc = segment_document(text)
    for stamp, start in zip([t for _, t, _ in turns(doc)], first_cue_ms(doc), strict=True):
        assert abs(start - stamp) <= 1000


def test_descript_and_otter_label_lines():
    doc = load("descript_markdown.md")
    assert doc.title == "第8回 引っ越しの話"
    assert [(s, t) for s, t, _ in turns(doc)] == [
        ("Speaker 1", 0),
        ("Speaker 2", 7_000),
        ("Speaker 1", 15_000),
        ("Speaker 2", 20_000),
    ]
    assert turns(doc)[2][2] == ["段ボールは何箱くらいになりました？"]
    doc = load("otter.txt")
    assert [(s, t) for s, t, _ in turns(doc)] == [
        ("Speaker 1", 3_000),
        ("Speaker 2", 11_000),
        ("Speaker 1", 20_000),
        ("Speaker 2", 26_000),
    ]
    assert turns(doc)[3][2] == ["いまのところ四十人くらいです。"]
    assert first_cue_ms(doc)[0] == 3_000


@pytest.mark.parametrize(
    ("name", "stamps"),
    [
        ("timestamp_first.txt", [5_000, 12_000, 20_000, 31_000]),
        ("timestamp_space.txt", [3_000, 10_000, 18_000, 29_000]),
    ],
)
def test_timestamp_first_lines(name, stamps):
    doc = load(name)
    assert [(s, t) for s, t, _ in turns(doc)] == list(
        zip(["木村", "林", "木村", "林"], stamps, strict=True)
    )
    assert turns(doc)[1][2] == ["こんばんは。", "今日も眠いですね。"]
    assert first_cue_ms(doc) == stamps


def test_slash_labels_of_a_fan_transcript():
    """`よう/ 発言`: both speakers used to merge into one unlabelled text."""
    doc = load("slash_labels.txt")
    assert doc.title == "ゲーム実況 文字起こし（非公式）"
    assert turns(doc) == [
        ("よう", None, ["はいどうも、ようです。", "今日は新しいステージに挑戦します。"]),
        ("みか", None, ["みかです。", "よろしくお願いします。"]),
        ("よう", None, ["いきなり敵が多いな。"]),
        ("みか", None, ["右から来てるよ、気をつけて。"]),
        ("よう", None, ["危なかった。", "ありがとう。"]),
    ]
    assert doc.left_out == []


def test_lenticular_and_quoted_labels():
    doc = load("lenticular.txt")
    assert [s for s, _, _ in turns(doc)] == ["山本", "佐々木", "山本", "佐々木"]
    assert turns(doc)[2][2] == ["まず、前回の振り返りから始めます。"]
    doc = load("quoted.txt")
    assert doc.title == "ドラマCD「春の駅」台本より"
    assert turns(doc) == [
        ("春香", None, ["ねえ、まだ電車来ないの？"]),
        ("駅員", None, ["あと五分ほどでまいります"]),
        ("春香", None, ["そっか。", "じゃあ待ってる"]),
        ("駅員", None, ["寒いので、待合室をお使いください"]),
    ]


def test_quoted_speech_in_prose_is_not_a_label():
    doc = segment_document("彼は「行くよ」\n\n私は「待って」\n\n彼は「もう遅い」\n")
    assert all(p.speaker is None for p in doc.paragraphs)


def test_podcast_page_description_notes_chrome_and_footer():
    doc = load("podcast_page.txt")
    assert doc.title == "第21回 メッセージアプリの歴史"
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds[:4] == [ParagraphKind.DESCRIPTION] + [ParagraphKind.SHOW_NOTE] * 3
    description = [s.text for s in doc.paragraphs[0].sentences]
    assert description == [
        "今回はメッセージアプリの移り変わりがテーマです。",
        "ゲストに通信業界に詳しい森さんをお迎えしました。",
        "アプリの裏側の話もたっぷり伺います。",
    ]
    assert doc.paragraphs[2].raw_text == "WhatsApp: The inside story"  # a note, not a speaker
    assert doc.speakers == ["大野", "森"]
    assert left_out(doc) == [
        (1, "テック雑談ラジオ"),
        (2, "ホーム | エピソード一覧 | お問い合わせ"),
        (9, "ショー・ノート"),
        (15, "トランスクリプト"),
        (27, "このポッドキャストについて"),
        (28, "毎週金曜日に配信しています。"),
        (29, "© 2024 テック雑談ラジオ"),
    ]
    assert {e.code: e.count for e in doc.report.left_out} == {
        "page_chrome": 2,
        "heading": 2,
        "footer": 3,
    }


def test_tokenised_asr_spaces_and_periods():
    doc = load("asr_tokenised.md")
    assert turns(doc) == [
        ("A", 0, ["はい始めていきましょう.", "今日は天気の話です"]),
        ("B", 6_000, ["よろしくお願いします.", "Python の話もありますね"]),
        ("A", 12_000, ["そうですね。", "最近は雨が多いです"]),
    ]
    assert doc.report.entry("asr_spaces").count == 3


def test_written_japanese_keeps_its_spaces():
    doc = segment_document(
        "山田: 楽しいかなと思います。 次の話です。\n\n田中: Node.js と Ruby の話。\n\n山田: はい。\n"
    )
    assert doc.report.entry("asr_spaces") is None
    assert [s.text for s in doc.paragraphs[1].sentences] == ["Node.js と Ruby の話。"]


def test_preview_kind_choices_apply():
    """The preview lets the user change any paragraph's kind, and keep a left-out line."""
    data = (FIXTURES / "podcast_page.txt").read_bytes()
    doc = segment_document(
        data, ImportRequest(kinds={6: "left_out", 28: "description", 11: "transcript"})
    )
    kinds = {p.line_no: p.kind for p in doc.paragraphs}
    assert 6 not in kinds  # the description's first line, left out by the user
    assert kinds[28] == ParagraphKind.DESCRIPTION
    assert kinds[11] == ParagraphKind.TRANSCRIPT
    assert any(p.line_no == 6 for p in doc.left_out)
    assert doc.report.entry("by_user").count == 1
    assert [p.line_no for p in doc.paragraphs] == sorted(p.line_no for p in doc.paragraphs)


# --- the shared sample page and the bundled sample ------------------------------------------


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared sample not on this machine")
def test_shared_sample_introduction_is_a_description_segment():
    doc = segment_document(SHARED_SAMPLE.read_bytes())
    description = [p for p in doc.paragraphs if p.kind == ParagraphKind.DESCRIPTION]
    assert len(description) == 1
    assert description[0].sentences[0].text.startswith("このエピソードは、Dev Life、がテーマと")
    assert description[0].sentences[-1].text.endswith("お迎えいたします。")
    assert all(c.start_ms is None for s in description[0].sentences for c in s.cues)
    assert [text for _, text in left_out(doc)] == [
        "Code[ish] JP logo",
        "関連ポッドキャスト",
        "他のポッドキャストをお探しですか? Salesforce Developer podcast (英語) で開発者による"
        "開発者のための短いストーリーをお楽しみください。",
        ".",
        "ショー・ノート",
        "トランスクリプト",
        "Code[ish] JP とは",
        "ゲストを迎えてコーディング・技術・ツール・開発者の日常を探る Heroku の Podcast です。",
        "ホスト",
        "Code[ish] JP の他のエピソード",
    ]
    assert_every_line_accounted_for(SHARED_SAMPLE.read_text("utf-8"), doc)


def test_bundled_sample_introduction(sample_text):
    doc = segment_document(sample_text)
    assert doc.paragraphs[0].kind == ParagraphKind.DESCRIPTION
    assert doc.paragraphs[0].raw_text.startswith("今回は、動画の字幕づくりと")
    assert [text for _, text in left_out(doc)][-4:] == [
        "字幕ラボについて",
        "字幕と翻訳の現場を訪ねるポッドキャストです。",
        "ホスト: 佐藤",
        "字幕ラボの他のエピソード",
    ]
    assert_every_line_accounted_for(sample_text, doc)


# --- property: nothing is dropped silently ---------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_every_line_accounted_for(text: str, doc: ParsedDocument) -> None:
    """Every non-blank input line is in a segment (its text, without label or timestamp), is
    the title, is a speaker-label line, or is in the preview's left-out list."""
    segments = _squash("".join(s.text for p in doc.paragraphs for s in p.sentences))
    left = {p.line_no for p in doc.left_out}
    speakers = set(doc.speakers) | {p.speaker for p in doc.paragraphs if p.speaker}
    starts = {p.start_ms for p in doc.paragraphs}
    for i, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or i in left or line.strip().lstrip("#").strip() == doc.title:
            continue
        body = line.strip()
        stamp = _BARE_TS.match(line)
        if stamp and parse_timestamp_ms(stamp.group("ts")) in starts:
            continue  # a timestamp line before a turn: that turn's time
        turn = _match_turn(line)
        if turn is not None and turn.label in speakers:
            body = turn.text
        body = re.sub(r"^[•・\-*●]\s*", "", body.strip())
        if body.strip("*_ ") in speakers:
            continue
        assert _squash(body) in segments, (i, line)


LINES = st.sampled_from(
    [
        "ホーム | 一覧",
        "番組ロゴ logo",
        ".",
        "# Transcript",
        "## Speakers",
        "- A",
        "ショー・ノート",
        "  • 今日の話題について",
        "  • WhatsApp: The inside story",
        "トランスクリプト",
        "A: こんにちは、今日はよろしくお願いします。",
        "B：どうも。",
        "**A** [00:10]",
        "**B** (00:01:02)",
        "[00:12:34] A: 時間のある発言です。",
        "A/ スラッシュの発言です。",
        "00:00:30",
        "[01:20]",
        "00:01:05 B: 時間が先の発言です。",
        "【B】括弧の発言です。",
        "そのまま続く本文の行です。",
        "ゲストを迎えてお送りする番組です。",
        "今回は特別編です。",
        "",
        "",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=25))
def test_every_nonblank_line_is_in_a_segment_or_left_out(lines):
    text = "\n".join(lines) + "\n"
    if not text.strip():
        return
    from translator.core.errors import InputError

    try:
        doc = segment_document(text)
    except InputError:  # nothing importable: refused with one line, nothing to account for
        return
    assert_every_line_accounted_for(text, doc)


def test_bare_timestamp_then_colon_label_and_timestamp_lines_before_turns():
    doc = load("timestamp_lines.txt")
    assert turns(doc) == [
        ("木村", 4_000, ["おはようございます。", "朝の番組です。"]),
        ("林", 11_000, ["おはようございます。", "今朝は寒いですね。"]),
        ("木村", 19_000, ["雪が降るかもしれません。"]),
    ]
    assert doc.left_out == [] and first_cue_ms(doc) == [4_000, 11_000, 19_000]


def test_anonymous_slash_labels_and_a_slash_inside_a_word():
    doc = segment_document(
        "A/ はじめまして。\nB/ よろしくお願いします。\nA/ A/Bテストの話です。\nB/ なるほど。\n"
    )
    assert [(s, t) for s, _, t in turns(doc)] == [
        ("A", ["はじめまして。"]),
        ("B", ["よろしくお願いします。"]),
        ("A", ["A/Bテストの話です。"]),
        ("B", ["なるほど。"]),
    ]
