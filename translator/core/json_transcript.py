"""JSON transcripts from speech recognition: speakers, text and times come from the fields.

Shapes read (studied on real output; fixtures in ``tests/fixtures/transcripts/``):

- Whisper ``--output_format json``: ``{"text", "segments": [{"id", "start", "end", "text",
  "tokens", ...}], "language"}`` with times in **seconds**;
- WhisperX / pyannote diarization: the same ``segments`` with a ``"speaker"``
  (``"SPEAKER_00"``) on each, and ``words``;
- AssemblyAI: ``{"text", "utterances": [{"speaker": "A", "start", "end", "text", ...}]}``
  with times in **milliseconds**;
- a bare list of ``{"start", "end", "text"[, "speaker"]}`` chunks (seconds).

Consecutive segments of one speaker form a paragraph (a pause of ``PARAGRAPH_GAP_MS`` starts a
new one). Its text is split into sentences and display cues as for any transcript; each cue's
time is interpolated from the segment times over the characters it covers (``Timing.IMPORTED``).
Pure Python, no Django; bad input raises :class:`FormatError` with a one-line message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from translator.core.cues import split_cues
from translator.core.errors import FormatError, InputTooLargeError
from translator.core.report import ReportCategory
from translator.core.sentences import (
    SENTENCE_END,
    asr_space_count,
    remove_asr_spaces,
    sentence_spans,
)
from translator.core.types import (
    Paragraph,
    ParagraphKind,
    ParsedDocument,
    SentenceDraft,
    TimedLine,
    Timing,
)

PARAGRAPH_GAP_MS = 1500
MAX_TIME_MS = 100 * 3600 * 1000  # 100 hours: anything later is not a recording's time


@dataclass
class _Seg:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None


def looks_like_json(text: str) -> bool:
    head = text.lstrip("\ufeff \t\n")[:1]
    return head in ("{", "[")


def parse_json_transcript(
    text: str, *, protected_terms: Sequence[str] = (), max_chars: int | None = None
) -> ParsedDocument:
    """Read a speech-recognition JSON transcript into timed paragraphs; more than
    ``max_chars`` characters of transcript text is refused before segmentation."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise FormatError("not a transcript: the JSON is nested too deeply") from exc
    if isinstance(data, dict) and data.get("format") == "jimaku-project":
        raise FormatError("this is a Jimaku project file: restore it on the Import page instead")
    segs, source = _segments(data)
    segs = [s for s in segs if s.text.strip()]
    if not segs:
        raise FormatError(f"the {source} JSON has no transcript text")
    total = sum(len(s.text) for s in segs)
    if max_chars is not None and total > max_chars:
        raise InputTooLargeError(
            f"the transcript has {total:,} characters, over the limit of {max_chars:,} "
            "(split it into episodes)"
        )
    segs.sort(key=lambda s: (s.start_ms, s.end_ms))
    doc = ParsedDocument(title="", paragraphs=[], source_format="json")
    spaces = japanese = 0
    for s in segs:
        a, b = asr_space_count(s.text)
        spaces, japanese = spaces + a, japanese + b
    tokenised = spaces >= 3 and spaces * 8 >= japanese
    groups: list[list[_Seg]] = []
    for s in segs:
        if groups:
            last = groups[-1][-1]
            if s.speaker == last.speaker and s.start_ms - last.end_ms < PARAGRAPH_GAP_MS:
                groups[-1].append(s)
                continue
        groups.append([s])
    # Unpunctuated output (Whisper's Japanese often is): a segment end is a sentence end.
    ended = sum(1 for s in segs if s.text.rstrip()[-1:] in SENTENCE_END)
    per_segment = ended * 3 < len(segs)
    for group in groups:
        doc.paragraphs.append(_paragraph(group, tokenised, per_segment, protected_terms, doc))
    doc.duration_ms = max(s.end_ms for s in segs)
    return doc


def _segments(data: Any) -> tuple[list[_Seg], str]:
    if isinstance(data, dict):
        if isinstance(data.get("utterances"), list) and data["utterances"]:
            return [
                _seg(u, k, scale=1, key="utterances") for k, u in enumerate(data["utterances"])
            ], "AssemblyAI"
        if isinstance(data.get("segments"), list):
            source = (
                "WhisperX"
                if any(isinstance(s, dict) and "speaker" in s for s in data["segments"])
                else "Whisper"
            )
            return [
                _seg(s, k, scale=1000, key="segments") for k, s in enumerate(data["segments"])
            ], source
        raise FormatError(
            'not a Jimaku project file, nor a speech-recognition transcript (no "segments" or '
            '"utterances" list)'
        )
    if isinstance(data, list) and all(isinstance(x, dict) for x in data) and data:
        return [_seg(s, k, scale=1000, key="list") for k, s in enumerate(data)], "segment list"
    raise FormatError(
        'not a Jimaku project file, nor a speech-recognition transcript (expected "segments" '
        'or "utterances")'
    )


def _seg(item: Any, k: int, *, scale: int, key: str) -> _Seg:
    where = f"{key}[{k}]"
    if not isinstance(item, dict):
        raise FormatError(f"{where} is not an object")
    text = item.get("text", item.get("transcript"))
    if not isinstance(text, str):
        raise FormatError(f'{where} has no "text"')
    start, end = (_time(item.get(name), f"{where}.{name}", scale) for name in ("start", "end"))
    if end < start:
        raise FormatError(f"{where} ends before it starts")
    speaker = item.get("speaker")
    if speaker is not None and not isinstance(speaker, str | int):
        raise FormatError(f'{where} has an unreadable "speaker"')
    label = str(speaker).strip()[:100] if speaker is not None and str(speaker).strip() else None
    return _Seg(start, end, text.strip(), label)


def _time(value: Any, where: str, scale: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(
            f"{where} is not a number of {'seconds' if scale == 1000 else 'milliseconds'}"
        )
    if not math.isfinite(value) or value < 0 or value * scale > MAX_TIME_MS:
        raise FormatError(f"{where} is not a usable time: {value!r}")
    return int(round(value * scale))


def _paragraph(
    group: list[_Seg],
    tokenised: bool,
    per_segment: bool,
    protected: Sequence[str],
    doc: ParsedDocument,
) -> Paragraph:
    # Join the segments' texts; remember which characters each segment gave (for times).
    text = ""
    spans: list[tuple[int, int, _Seg]] = []
    for s in group:
        piece = remove_asr_spaces(s.text) if tokenised else s.text
        if text and text[-1].isascii() and text[-1].isalnum() and piece[:1].isascii():
            text += " "
        spans.append((len(text), len(text) + len(piece), s))
        text += piece
    if tokenised and any(remove_asr_spaces(s.text) != s.text for s in group):
        doc.report.add(
            ReportCategory.NORMALISED,
            "asr_spaces",
            "spaces between Japanese characters removed (tokenised speech recognition)",
            example=group[0].text[:80],
        )
    paragraph = Paragraph(
        ParagraphKind.TRANSCRIPT,
        text,
        speaker=group[0].speaker,
        start_ms=group[0].start_ms,
        source_events=[TimedLine(s.start_ms, s.end_ms, s.text, s.speaker) for s in group],
    )
    k = 0

    def time_at(offset: int) -> int:
        nonlocal k
        while k + 1 < len(spans) and offset >= spans[k + 1][0]:
            k += 1
        a, b, s = spans[k]
        if offset <= a:
            return s.start_ms
        if offset >= b:
            return s.end_ms
        return s.start_ms + round((s.end_ms - s.start_ms) * (offset - a) / max(1, b - a))

    if per_segment:
        found = [(x + a, y + a) for a, b, _ in spans for x, y in sentence_spans(text[a:b])]
    else:
        found = sentence_spans(text)
    for a, b in found:
        sentence = SentenceDraft(text[a:b])
        for cue in split_cues(sentence.text, protected=protected):
            cue.start_ms = time_at(a + cue.source_start)
            cue.end_ms = max(cue.start_ms + 1, time_at(a + cue.source_end))
            cue.timing = Timing.IMPORTED
            sentence.cues.append(cue)
        paragraph.sentences.append(sentence)
    return paragraph
