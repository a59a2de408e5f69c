from translator.core.structure import parse_text_transcript
from translator.core.types import ParagraphKind

PAGE = """Show logo
番組の名前

第3回 テストの話

今回はテストについて話します。注意: これは説明文です。

ショー・ノート

  • 一つ目の話題
  ・二つ目の話題
  - 三つ目
  1. 四つ目

トランスクリプト

佐藤: こんにちは。今日は12:30から収録しています。
続きの行です。

田中：どうも。

[00:01:05] 佐藤: 時間つきの発言です。

田中 (01:10): 後ろに時間があります。

佐藤:
ラベルだけの行のあとに本文。

佐藤・田中: ありがとうございました。

番組について

ホスト: 佐藤
他のエピソード
"""


def test_page_parts():
    doc = parse_text_transcript(PAGE)
    assert doc.title == "第3回 テストの話"
    assert doc.description.startswith("今回はテスト")
    notes = [p for p in doc.paragraphs if p.kind == ParagraphKind.SHOW_NOTE]
    assert [n.raw_text for n in notes] == ["一つ目の話題", "二つ目の話題", "三つ目", "四つ目"]
    assert all(n.speaker is None for n in notes)
    turns = [p for p in doc.paragraphs if p.kind == ParagraphKind.TRANSCRIPT]
    assert [t.speaker for t in turns] == ["佐藤", "田中", "佐藤", "田中", "佐藤", "佐藤・田中"]
    assert turns[0].raw_text == "こんにちは。今日は12:30から収録しています。\n続きの行です。"
    assert turns[0].line_no == 17
    assert turns[2].start_ms == 65_000 and turns[2].raw_text == "時間つきの発言です。"
    assert turns[3].start_ms == 70_000
    assert turns[4].raw_text == "ラベルだけの行のあとに本文。"
    assert doc.speakers == ["佐藤", "田中"]
    assert all("ホスト" not in t.raw_text and "エピソード" not in t.raw_text for t in turns)


def test_colon_in_ordinary_text_is_not_a_speaker():
    doc = parse_text_transcript(
        "メモ\n\n注意: これは長い文章の中のコロンです。\n\n会議は12:30に始まります。\n"
    )
    assert all(p.speaker is None for p in doc.paragraphs)
    assert [p.raw_text for p in doc.paragraphs][-2:] == [
        "注意: これは長い文章の中のコロンです。",
        "会議は12:30に始まります。",
    ]


def test_unlabelled_text_becomes_blocks():
    doc = parse_text_transcript("一段落目の文です。\n続きです。\n\n二段落目です。\n")
    assert [(p.raw_text, p.line_no) for p in doc.paragraphs] == [
        ("一段落目の文です。\n続きです。", 1),
        ("二段落目です。", 4),
    ]


def test_bare_labels_on_their_own_line():
    text = "トランスクリプト\n\n山田\nこんにちは。\n\n鈴木\nどうも。\n\n山田\nでは始めます。\n"
    doc = parse_text_transcript(text)
    assert [(p.speaker, p.raw_text) for p in doc.paragraphs] == [
        ("山田", "こんにちは。"),
        ("鈴木", "どうも。"),
        ("山田", "では始めます。"),
    ]


def test_sample_episode(sample_text):
    doc = parse_text_transcript(sample_text)
    turns = [p for p in doc.paragraphs if p.kind == ParagraphKind.TRANSCRIPT]
    assert len(turns) >= 40
    assert doc.speakers == ["佐藤", "田中", "山口"]
    assert sum(p.kind == ParagraphKind.SHOW_NOTE for p in doc.paragraphs) >= 5
    assert turns[-1].raw_text == "字幕ラボ、次回もお楽しみに。"
