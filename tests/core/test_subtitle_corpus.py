"""Real-world subtitle patterns: one fixture (or more) per pattern and format, under
``tests/fixtures/subtitles/``. The files are written for this project, modelled on the structure
of real files (broadcast captions in ASS/VTT, fansub ASS with karaoke, fonts and drawings,
bilingual radio ASS, ruby SRT with renderer directives, YouTube auto-captions, SSA v4, the
parser test files of pysubs2/libass/webvtt-py/pysrt). Each test reads what the import produced:
text, speakers, kinds, cue times and the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.core.pipeline import segment_document
from translator.core.requests import ImportRequest
from translator.core.types import ParagraphKind, ParsedDocument

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "subtitles"
SOUND, TALK = ParagraphKind.SOUND, ParagraphKind.TRANSCRIPT


def load(name: str, **kwargs) -> ParsedDocument:
    return segment_document((FIXTURES / name).read_bytes(), ImportRequest(filename=name, **kwargs))


def turns(doc: ParsedDocument) -> list[tuple[str, str | None, list[str]]]:
    return [(str(p.kind), p.speaker, [s.text for s in p.sentences]) for p in doc.paragraphs]


def cues(doc: ParsedDocument) -> list[tuple[int, int, list[str]]]:
    return [
        (c.start_ms, c.end_ms, c.lines) for p in doc.paragraphs for s in p.sentences for c in s.cues
    ]


def codes(doc: ParsedDocument) -> dict[str, int]:
    return {e.code: e.count for e in doc.report.entries}


def all_text(doc: ParsedDocument) -> str:
    return "".join(s.text for p in doc.paragraphs for s in p.sentences)


def test_corpus_has_twenty_files_or_more():
    assert (
        len([p for p in FIXTURES.iterdir() if p.suffix in (".srt", ".vtt", ".ass", ".ssa")]) >= 20
    )


# 1. Simultaneous events are one cue, lines ordered as on screen.


def test_tv_caption_events_at_identical_times_are_one_cue_ordered_by_pos():
    doc = load("tv_captions_pos.ass")
    assert turns(doc) == [
        ("transcript", "悟", ["今からでも駅まで走れば間に合うかもしれない"]),
        ("sound", None, ["（足音）"]),
        ("transcript", "れんげ", ["待って！", "傘を忘れてるよ"]),
        ("transcript", "悟", ["ありがとう", "助かった"]),
    ]
    # The upper line (\pos y=880) comes first although the file writes it second.
    assert cues(doc)[0] == (1200, 4500, ["今からでも", "駅まで走れば"])
    # \an8 (top) before the bottom line, times within one frame joined.
    assert [c[2] for c in cues(doc)[3:5]] == [["待って！"], ["傘を忘れてるよ"]]
    assert cues(doc)[3][0] == 9300 and cues(doc)[4][1] == 12010
    assert codes(doc)["simultaneous"] == 3
    assert all(end - start >= 900 for start, end, _ in cues(doc))


def test_srt_simultaneous_with_an8_and_a_hidden_cue():
    doc = load("simultaneous_an8.srt")
    assert turns(doc) == [
        ("transcript", "奏", ["ねえ\u3000聞こえる？", "窓の外から音がするの"]),
        ("transcript", None, ["うん\u3000雨かな", "たぶんそうだね"]),
    ]
    assert codes(doc) == {"simultaneous": 1, "zero_length": 1}
    assert doc.report.entry("zero_length").examples[0].line_no == 14
    assert "隠し" not in all_text(doc)


def test_vtt_simultaneous_ordered_by_line_setting():
    doc = load("simultaneous_line.vtt")
    assert cues(doc)[0] == (1000, 3000, ["ここから先は", "明日の天気です"])
    assert turns(doc)[0][2] == ["ここから先は明日の天気です", "関東は晴れるでしょう"]


# 2. Language tracks are never mixed.


def test_bilingual_radio_ass_imports_the_japanese_track_only():
    doc = load("radio_bilingual_jp_cn.ass")
    text = all_text(doc)
    assert "大家" not in text and "谢谢" not in text and "真的" not in text
    assert turns(doc) == [
        ("transcript", "美咲", ["皆さんこんばんは", "今週も始まりました"]),
        ("transcript", "千尋", ["始まりましたね", "本当"]),
        ("transcript", "美咲", ["先週の放送のあと\u3000お便りがたくさん届いて全部読みました"]),
        ("transcript", "千尋", ["えー\u3000ありがとうございます"]),
    ]
    tracks = {t["name"]: t for t in doc.report.tracks}
    assert doc.report.chosen_track == "ja"
    assert tracks["ja"]["events"] == tracks["zh"]["events"] == 7
    assert tracks["zh"]["styles"] == ["中文-美咲", "中文-千尋"]
    assert "大家晚上好" in tracks["zh"]["sample"]
    assert [line.text for line in doc.other_tracks["zh"]][:2] == ["大家晚上好", "本周也开始了"]


def test_bilingual_radio_ass_the_user_can_pick_the_other_track():
    doc = load("radio_bilingual_jp_cn.ass", track="zh")
    assert doc.report.chosen_track == "zh"
    assert "大家晚上好" in all_text(doc) and "皆さん" not in all_text(doc)


def test_bilingual_srt_lines_split_by_script_and_position():
    doc = load("bilingual_jp_cn.srt")
    text = all_text(doc)
    assert "今天" not in text and "图书馆" not in text and "当然" not in text
    assert text.endswith("もちろん")
    assert [line.text for line in doc.other_tracks["zh"]] == [
        "今天去哪里？",
        "打算在图书馆学习",
        "我可以一起去吗？",
        "当然",
    ]


def test_top_bottom_styles_give_an_english_track():
    doc = load("bilingual_top_bottom_en.ass")
    assert "Is this" not in all_text(doc)
    assert [line.text for line in doc.other_tracks["en"]][
        0
    ] == "Is this your first time in this town?"
    assert {t["name"] for t in doc.report.tracks} == {"ja", "en"}


def test_a_few_latin_words_stay_in_the_japanese_track():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nsudo apt install\nで入れます。\n"
    doc = segment_document(text, ImportRequest(format="vtt"))
    assert all_text(doc) == "sudo apt installで入れます。"
    assert not doc.other_tracks and not doc.report.tracks


# 3. Half-width forms are normalised.


def test_half_width_forms_become_full_width_and_a_lone_maru_joins_its_cue():
    doc = load("halfwidth_broadcast.vtt")
    assert turns(doc)[0][2] == [
        "今日のテーマは「防災」です。",
        "気温はマイナス２度、風も強いでしょう。",
        "ガス・水道の確認を。",
    ]
    assert cues(doc)[-1] == (6200, 9500, ["ガス・水道の確認を。"])
    assert codes(doc) == {"half_width": 4, "orphan_punctuation": 1}
    assert not any(c[2] == ["。"] for c in cues(doc))


def test_half_width_srt():
    doc = load("halfwidth.srt")
    assert turns(doc)[0][2] == ["パソコンを開いて。", "「スタート」を押します。"]
    assert "ﾊﾟ" in doc.report.entry("half_width").examples[0].text


# 4. Markup that is not text is not text.


def test_ruby_keeps_its_base_and_directives_are_left_out():
    doc = load("ruby_directives.srt")
    assert turns(doc) == [
        ("transcript", "宮内一穂", ["おはよう"]),
        ("transcript", None, ["鳥のさえずりが聞こえるね", "小鞠ちゃんも起きた？"]),
    ]
    first = doc.paragraphs[1].sentences[0].cues[0]
    assert first.ruby == [("鳥", "とり")]
    assert "とり" not in all_text(doc) and "かずほ" not in all_text(doc)
    assert codes(doc) == {"directive": 3, "ruby": 3}
    assert [e.line_no for e in doc.report.entry("directive").examples] == [1, 2, 14]


def test_vtt_ruby_tags():
    doc = load("ruby_tags.vtt")
    assert turns(doc) == [
        ("transcript", None, ["紅葉がきれいだね"]),
        ("transcript", "湊", ["明日も来よう"]),
    ]
    assert doc.paragraphs[1].sentences[0].cues[0].ruby == [("明日", "あした")]


def test_fansub_karaoke_drawings_comments_and_attachments():
    doc = load("fansub_karaoke_fonts.ass")
    assert turns(doc) == [
        ("transcript", None, ["空を見上げて風の歌を聞く"]),
        ("transcript", "ミナ", ["今日は早く帰るね"]),
        ("transcript", "ソラ", ["えっ", "どうして？"]),
        ("transcript", "ミナ", ["母が待ってるから夕飯の支度をするの"]),
    ]
    text = all_text(doc)
    for leaked in ("m 0 0", "TL注", "没にした", "空の行", "begin 644", "\\k"):
        assert leaked not in text
    assert codes(doc) == {"attachments": 2, "comment": 2, "drawing": 1, "zero_length": 1}
    assert cues(doc)[0] == (500, 5000, ["空を見上げて"])


def test_ssa_v4_with_marked_events_imports():
    doc = load("ssa_v4_marked.ssa")
    assert turns(doc) == [
        ("transcript", "健", ["昔の形式でも読めるはずです", "上に出る字幕です"]),
        ("transcript", "美香", ["そうなんだ"]),
    ]
    assert cues(doc)[1] == (4500, 7250, ["上に出る字幕です"])


# 5. Speaker and sound conventions.


def test_speaker_and_sound_labels_srt():
    doc = load("speakers_sound.srt")
    assert turns(doc) == [
        ("transcript", "悟", ["おい\u3000待てよ"]),
        ("transcript", "れんげ", ["やだ"]),
        ("transcript", "悟", ["なんでだよ"]),
        ("sound", None, ["（泣き声）"]),
        ("sound", None, ["（拍手）"]),
        ("sound", None, ["♪～"]),
        ("transcript", "ひとり", ["もう帰ろうかな"]),
        ("transcript", "奏", ["うん\u3000帰ろう"]),
        ("sound", None, ["（足音）"]),
        ("sound", None, ["♬～"]),
    ]
    assert set(doc.speakers) == {"悟", "れんげ", "ひとり", "奏"}
    assert codes(doc)["sound"] == 5
    # A second label inside one cue starts a new turn, the cue's time shared between them.
    assert cues(doc)[1][0] == 3200 and cues(doc)[2][1] == 5000
    assert cues(doc)[1][1] == cues(doc)[2][0]


def test_speaker_and_sound_labels_ass():
    doc = load("speakers_sound.ass")
    assert turns(doc) == [
        ("transcript", "夏海", ["姉ちゃん\u3000遅い"]),
        ("transcript", "小鞠", ["ごめん"]),
        ("transcript", "夏海", ["早く"]),
        ("sound", None, ["（ドアの開く音）"]),
        ("sound", None, ["♪（音楽）"]),
        ("sound", None, ["（ため息）"]),
        ("transcript", None, ["もういいよ"]),
    ]


# 6. Rolling auto-captions.


def test_rolling_auto_captions_are_deduplicated():
    doc = load("rolling_autocaptions.vtt")
    assert (
        all_text(doc)
        == "今日はみんなでカレーを作ります材料はじゃがいもと玉ねぎですまず皮をむきましょう"
    )
    assert cues(doc)[0] == (0, 2500, ["今日はみんなでカレーを"])
    assert codes(doc) == {"rolling": 6}


# 7. Duplicates and overlaps.


def test_exact_duplicates_are_dropped_overlaps_keep_their_times():
    doc = load("duplicates_overlap.srt")
    assert all_text(doc).count("ギリギリ") == 1 and all_text(doc).count("怒られる") == 1
    assert cues(doc) == [
        (1000, 3000, ["ああ\u3000今日もギリギリだね"]),
        (2800, 5000, ["急がないと遅刻しちゃう"]),
        (5200, 7000, ["先生に怒られるよ"]),
    ]
    assert codes(doc) == {"duplicate": 2}
    assert [e.line_no for e in doc.report.entry("duplicate").examples] == [6, 18]


def test_ass_layered_duplicate():
    doc = load("duplicates.ass")
    assert turns(doc) == [
        ("transcript", "蛍", ["駄菓子屋に行きませんか"]),
        ("transcript", "れんげ", ["行くのん"]),
    ]
    assert codes(doc) == {"duplicate": 1}


# 9. One damaged event does not sink the file.


def test_damaged_srt():
    doc = load("damaged.srt")
    assert (
        all_text(doc) == "最初の字幕です終わりが先に来ています途中にBOMがあります最後まで読めました"
    )
    assert cues(doc)[1] == (4000, 4833, ["終わりが先に来ています"])
    assert codes(doc) == {
        "stray_bom": 1,
        "bad_timing": 1,
        "no_timing": 1,
        "no_text": 1,
        "end_before_start": 1,
    }
    lines = {e.code: e.examples[0].line_no for e in doc.report.entries if e.examples}
    assert lines == {"bad_timing": 10, "no_timing": 13, "no_text": 17, "end_before_start": 6}


def test_damaged_ass():
    doc = load("damaged.ass")
    assert all_text(doc) == "一行目は無事です時間が逆です最後の行です"
    assert codes(doc) == {"bad_timing": 2, "no_text": 1, "end_before_start": 1}
    assert [e.line_no for e in doc.report.entry("bad_timing").examples] == [12, 13]


def test_damaged_vtt():
    doc = load("damaged.vtt")
    assert turns(doc)[0][2] == ["はじめまして", "逆向きの時刻"]
    assert codes(doc) == {"no_timing": 1, "end_before_start": 1}


# 8. Sentences from timed cues.


def test_unpunctuated_lecture_gets_sentences_within_the_bound():
    doc = load("lecture_unpunctuated.srt")
    sentences = [s for p in doc.paragraphs for s in p.sentences]
    assert len(sentences) >= 25
    assert max(len(s.text) for s in sentences) <= 120
    for s in sentences:
        assert s.cues[-1].end_ms - s.cues[0].start_ms <= 15_000
    assert sentences[0].text == "今日は字幕の作り方についてお話ししたいと思います"


def test_the_report_travels_as_a_dict():
    doc = load("damaged.srt")
    data = doc.report.to_dict()
    assert {e["code"] for e in data["entries"]} >= {"bad_timing", "no_timing"}
    assert any("line 10" in line for line in doc.report.lines())


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_fixture_imports_with_monotone_cover(name):
    doc = load(name)
    for p in doc.paragraphs:
        for s in p.sentences:
            assert s.cues and s.cues[0].source_start == 0 and s.cues[-1].source_end == len(s.text)
            for a, b in zip(s.cues, s.cues[1:], strict=False):
                assert a.source_end == b.source_start
            for c in s.cues:
                assert c.start_ms is not None and c.end_ms > c.start_ms


def test_rolling_captions_repeating_part_of_a_line():
    doc = load("rolling_partial_lines.vtt")
    assert all_text(doc) == "今日はみんなでカレーを作ります材料はじゃがいもと玉ねぎです"
    assert cues(doc)[-1] == (6000, 8000, ["と玉ねぎです"])
    assert codes(doc) == {"rolling": 3}


def test_sentence_time_bound_cuts_at_the_best_boundary():
    """No sentence over 15 s even when nothing ends one; cut after a conjunctive form."""
    phrases = ["駅前の本屋で", "雑誌を買ってから", "友達と待ち合わせて"]
    srt = "".join(
        f"{k + 1}\n00:00:{2 * k:02d},000 --> 00:00:{2 * k + 2:02d},000\n{phrases[k % 3]}\n\n"
        for k in range(24)
    )
    doc = segment_document(srt, ImportRequest(format="srt"))
    sentences = [s for p in doc.paragraphs for s in p.sentences]
    assert "".join(s.text for s in sentences) == "".join(phrases[k % 3] for k in range(24))
    for s in sentences:
        assert s.cues[-1].end_ms - s.cues[0].start_ms <= 15_000
        assert len(s.text) <= 120
        assert s.text.endswith(("から", "て", "で"))  # cut at a clause boundary


def test_furigana_karaoke_keeps_the_base_text():
    doc = load("karaoke_furigana.ass")
    assert all_text(doc) == "夜空を見る星が光る"
    first = doc.paragraphs[0].sentences[0].cues[0]
    assert first.ruby == [("夜", "よ"), ("空", "ぞら"), ("見", "み")]
    assert codes(doc) == {"comment": 1, "ruby": 5}
