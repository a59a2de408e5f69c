import html.parser

import pytest

from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment, TranscriptOptions
from translator.core.transcript import format_timestamp, render_transcript

EVIL = '<script>alert("x")</script> \'q\' & "dq"'


def s(index, turn, speaker, label, ja, en, start=None, kind="transcript", status="approved"):
    cues = (
        [ExportCue(start, None if start is None else start + 1000, ja)] if start is not None else []
    )
    return ExportSegment(index, kind, turn, speaker, label, ja, en, status, cues)


def episode():
    return ExportEpisode(
        title="Heroku support <b>live</b>",
        segments=[
            s(0, 0, None, None, "Heroku 歴", "Years at Heroku", kind="show_note"),
            s(1, 0, None, None, "志望動機", "", kind="show_note", status="untranslated"),
            s(2, 1, "Nagano", "永野", "はい皆さんこんにちは。", "Hello, everyone.", 0),
            s(3, 1, "Nagano", "永野", "ようこそ。", "Welcome.", 1500),
            s(4, 2, "Tomono", "友野", "友野です。", "I'm Tomono.", 65_000),
            s(5, 3, "Nagano", "永野", "ありがとう。", "", 70_000, status="untranslated"),
        ],
        media_url="javascript:alert(1)",
    )


def test_markdown_structure():
    md = render_transcript(episode(), fmt="md")
    assert md.startswith("# Heroku support \\<b\\>live\\</b\\>\n")
    assert "## Show notes\n\n- Years at Heroku\n- \\[untranslated\\] 志望動機" in md
    assert "**Nagano:** Hello, everyone. Welcome.\n" in md  # one paragraph per turn
    assert "**Tomono:** I'm Tomono." in md
    assert "\\[untranslated\\] ありがとう。" in md


def test_timestamps_and_parallel_txt():
    txt = render_transcript(
        episode(), fmt="txt", options=TranscriptOptions(timestamps=True, parallel=True)
    )
    assert (
        "[00:00] Nagano: Hello, everyone. Welcome.\n永野: はい皆さんこんにちは。ようこそ。" in txt
    )
    assert "[01:05] Tomono: I'm Tomono." in txt
    assert format_timestamp(3_725_000) == "1:02:05"
    assert format_timestamp(65_000, hours=True) == "0:01:05"


def test_omit_untranslated():
    txt = render_transcript(episode(), fmt="txt", options=TranscriptOptions(untranslated="omit"))
    assert "ありがとう" not in txt and "志望動機" not in txt
    assert "[untranslated]" not in txt


def test_empty_english_does_not_crash():
    ep = ExportEpisode("t", [s(0, 0, None, None, "", "", 0)])
    for fmt in ("md", "html", "txt"):
        assert render_transcript(ep, fmt=fmt)


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.hrefs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("parallel", [False, True])
def test_html_escapes_everything(parallel):
    ep = ExportEpisode(
        title=EVIL,
        segments=[
            s(0, 0, None, None, EVIL, EVIL, kind="show_note"),
            s(1, 1, EVIL, EVIL, EVIL, EVIL, 0),
            s(2, 2, "B", "ビ", EVIL, "", 1000, status="untranslated"),
        ],
        media_url="javascript:alert(1)",
    )
    out = render_transcript(
        ep, fmt="html", options=TranscriptOptions(parallel=parallel, timestamps=True)
    )
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    parser = _Collector()
    parser.feed(out)
    assert "script" not in parser.tags
    assert not any("javascript:" in h for h in parser.hrefs)
    assert any('<script>alert("x")</script>' in t for t in parser.text)  # shown as text
    md = render_transcript(ep, fmt="md")
    assert "<script>" not in md


def test_html_is_standalone_with_lang():
    out = render_transcript(
        ExportEpisode(**{**episode().__dict__, "media_url": "https://example.com/ep.mp3"}),
        fmt="html",
        options=TranscriptOptions(parallel=True, timestamps=True),
    )
    assert out.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in out and 'lang="ja"' in out
    assert "<style>" in out and "<link" not in out and "src=" not in out
    assert 'href="https://example.com/ep.mp3"' in out
    assert 'data-start-ms="65000"' in out
    assert 'class="parallel"' in out


def test_unknown_format():
    with pytest.raises(ValueError):
        render_transcript(episode(), fmt="docx")
