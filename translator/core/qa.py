"""QA flags for one segment, computed in core: cheap enough for every row of a
5,000-row page (regexes compiled once, no morphological analysis).

Line and timing flags use the same distribution of the English over the Japanese cues as the
subtitle export (:func:`translator.core.subtitles.distribute_english`), so a flag here means the
exported cue would break that rule too (except that, without neighbour information, no silence
after the sentence is assumed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from translator.core.export_types import SubtitleOptions
from translator.core.subtitles import distribute_english, fit_on_screen
from translator.core.timing_rules import MAX_DURATION_MS, MIN_DURATION_MS
from translator.core.tm import same_english


class QAFlag(StrEnum):
    LINE_TOO_LONG = "line_too_long"
    TOO_MANY_LINES = "too_many_lines"
    READING_SPEED = "reading_speed"
    CUE_TOO_SHORT = "cue_too_short"
    CUE_TOO_LONG = "cue_too_long"
    GLOSSARY_NOT_FOLLOWED = "glossary_not_followed"
    NUMBER_MISSING = "number_missing"
    JAPANESE_LEFT = "japanese_left"
    EMPTY_TRANSLATION = "empty_translation"
    # Consistency: the same source translated differently within the episode, or
    # differently from the translation memory's approved English; a speaker's name not in the
    # English as the speaker list has it.
    INCONSISTENT = "inconsistent"
    DIFFERS_FROM_MEMORY = "differs_from_memory"
    SPEAKER_NAME = "speaker_name"
    # The Japanese was edited after this English was written (machine or human): until it is
    # re-translated, or its English is edited or approved.
    SOURCE_CHANGED = "source_changed"

    @property
    def label(self) -> str:
        return QA_LABELS[self]


QA_LABELS: dict[QAFlag, str] = {
    QAFlag.LINE_TOO_LONG: "English line too long",
    QAFlag.TOO_MANY_LINES: "Too many lines in a cue",
    QAFlag.READING_SPEED: "Reading speed too high",
    QAFlag.CUE_TOO_SHORT: "Cue shorter than 5/6 s",
    QAFlag.CUE_TOO_LONG: "Cue longer than 7 s",
    QAFlag.GLOSSARY_NOT_FOLLOWED: "Glossary term not followed",
    QAFlag.NUMBER_MISSING: "Number missing from the English",
    QAFlag.JAPANESE_LEFT: "Japanese left in the English",
    QAFlag.EMPTY_TRANSLATION: "Empty translation",
    QAFlag.INCONSISTENT: "Same Japanese translated differently in this episode",
    QAFlag.DIFFERS_FROM_MEMORY: "Differs from the translation memory's approved English",
    QAFlag.SPEAKER_NAME: "Speaker's English name not used",
    QAFlag.SOURCE_CHANGED: "Japanese changed since the translation",
}

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SRC_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|億|千|百)?(月)?")
_EN_NUMBER = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|hundred)|k\b|m\b)?", re.IGNORECASE
)
_EN_WORD = re.compile(r"[a-z]+")
_JA_MULTIPLIERS = {"百": 100, "千": 1000, "万": 10_000, "億": 100_000_000}
_EN_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 10**9}
_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "once": 1,
    "single": 1,
    "first": 1,
    "two": 2,
    "twice": 2,
    "both": 2,
    "second": 2,
    "couple": 2,
    "three": 3,
    "third": 3,
    "four": 4,
    "fourth": 4,
    "five": 5,
    "fifth": 5,
    "six": 6,
    "sixth": 6,
    "seven": 7,
    "seventh": 7,
    "eight": 8,
    "eighth": 8,
    "nine": 9,
    "ninth": 9,
    "ten": 10,
    "tenth": 10,
    "eleven": 11,
    "twelve": 12,
    "half": 0.5,
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}


def _source_numbers(source_text: str) -> list[tuple[float, bool]]:
    """Numbers written in digits in the source: (value, is a month)."""
    text = _THOUSANDS.sub("", source_text.translate(_FULLWIDTH_DIGITS))
    out = []
    for m in _SRC_NUMBER.finditer(text):
        value = float(m.group(1))
        if m.group(2):
            value *= _JA_MULTIPLIERS[m.group(2)]
        out.append((value, bool(m.group(3))))
    return out


def _english_numbers(text: str) -> tuple[set[float], set[int]]:
    """Values found in the English (digits, digit+multiplier, number words) and months."""
    plain = _THOUSANDS.sub("", text.translate(_FULLWIDTH_DIGITS))
    values: set[float] = set()
    for m in _EN_NUMBER.finditer(plain):
        value = float(m.group(1))
        values.add(value)
        unit = (m.group(2) or "").lower()
        if unit:
            values.add(value * _EN_MULTIPLIERS[unit])
        elif m.group(0)[-1:].lower() == "k":
            values.add(value * 1000)
        elif m.group(0)[-1:].lower() == "m":
            values.add(value * 1_000_000)
    months: set[int] = set()
    for w in _EN_WORD.findall(plain.lower()):
        n = _NUMBER_WORDS.get(w)
        if n is not None:
            values.add(float(n))
            continue
        mon = _MONTHS.get(w)
        if mon is not None:
            months.add(mon)
        mult = _EN_MULTIPLIERS.get(w)
        if mult is not None:
            values.add(float(mult))
    return values, months


def numbers_missing(source_text: str, text: str) -> list[float]:
    """Numbers written in digits in ``source_text`` (full-width too, ``2,000`` = ``2000``,
    ``3万`` = 30000) that the English lacks, as digits or as words (one..twelve, "a" for 1,
    month names for ``n月``). Kanji numerals are not checked."""
    if not any(ch.isdigit() for ch in source_text):
        return []
    found, months = _english_numbers(text)
    missing = []
    for value, is_month in _source_numbers(source_text):
        if value in found:
            continue
        if is_month and value in months:
            continue
        missing.append(value)
    return missing


_ALNUM = r"[^\W_]"


def _same_english(a: str, b: str) -> bool:
    return same_english(a, b)


@functools.lru_cache(maxsize=1024)
def _inflected(term: str) -> re.Pattern[str]:
    """``term`` as a whole phrase, each word also in its plural or singular form or with a
    possessive, words joined by spaces or hyphens: "subtitles" finds "subtitle" and "Subtitle's",
    "dyno" finds "dynos", "free tier" finds "free-tier"."""
    parts = []
    for word in term.split():
        if not word[-1:].isalpha():
            parts.append(re.escape(word))
            continue
        stems = {word}  # "subtitles": subtitles, subtitle, subtitl; then an optional ending
        for suffix in ("s", "es"):
            if len(word) > len(suffix) + 2 and word.lower().endswith(suffix):
                stems.add(word[: -len(suffix)])
        alternatives = "|".join(re.escape(x) for x in sorted(stems, key=len, reverse=True))
        parts.append(rf"(?:{alternatives})(?:s|es|'s|’s)?")
    joined = r"[\s\-‐]+".join(parts)
    return re.compile(rf"(?<!{_ALNUM}){joined}(?!{_ALNUM})", re.IGNORECASE)


def glossary_missing(
    source_text: str, text: str, glossary: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Glossary terms present in the source whose required English is absent: as a whole
    phrase (not inside another word), in any case, a plural, singular or possessive counting."""
    return [
        (src, en)
        for src, en in (glossary or {}).items()
        if src and en and src in source_text and not _inflected(en).search(text)
    ]


def speaker_names_missing(
    source_text: str, text: str, speakers: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Speakers named in the source (their label, e.g. 永野) whose English name (Nagano) the
    English lacks. One-letter Latin labels (A, B) are too ambiguous to check."""
    return [
        (label, name)
        for label, name in (speakers or {}).items()
        if label
        and name
        and name != label
        and not (len(label) < 2 and label.isascii())
        and label in source_text
        and not _inflected(name).search(text)
    ]


# The flags that depend on cue times (the English spread over the cues, as the export does):
# the only ones :func:`english_cue_checks` raises, and the only ones a retime can change
# (``translator.services.qa_flags`` recomputes just these after a timing-only edit).
TIMING_FLAGS: frozenset[QAFlag] = frozenset(
    {
        QAFlag.LINE_TOO_LONG,
        QAFlag.TOO_MANY_LINES,
        QAFlag.READING_SPEED,
        QAFlag.CUE_TOO_SHORT,
        QAFlag.CUE_TOO_LONG,
    }
)


@dataclass(frozen=True)
class CueCheck:
    """One English cue of a segment as the export shows it, with its figures and the line
    and timing flags it raises (the live feedback under the editor shows these)."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    flags: frozenset[QAFlag]

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def chars(self) -> int:
        """Characters on screen, a line break counting as one (the export's count)."""
        return len(" ".join(self.lines))

    @property
    def cps(self) -> float:
        """Reading speed in characters per second over the cue's time."""
        return self.chars * 1000 / max(self.duration_ms, 1)


def english_cue_checks(
    english: str,
    spans: Sequence[tuple[int, int]],
    *,
    options: SubtitleOptions | None = None,
    next_start_ms: int | None = None,
    protected: Sequence[str] = (),
) -> list[CueCheck]:
    """The cues ``english`` occupies over a segment's timed cue ``spans``: spread by
    :func:`distribute_english` and broken by :func:`fit_on_screen` as the export does (a part
    too long for two lines is two cues in turn), each with its line and timing flags."""
    options = options or SubtitleOptions()
    max_cps = options.max_cps_en
    parts = distribute_english(
        english.strip(), spans, next_start_ms=next_start_ms, options=options, protected=protected
    )
    out: list[CueCheck] = []
    for part in parts:
        for start_ms, end_ms, lines in fit_on_screen(part, options, protected):
            flags: set[QAFlag] = set()
            if len(lines) > options.max_lines:
                flags.add(QAFlag.TOO_MANY_LINES)
            if any(len(x) > options.max_chars_per_line for x in lines):
                flags.add(QAFlag.LINE_TOO_LONG)
            dur = end_ms - start_ms
            if dur < options.min_duration_ms:
                flags.add(QAFlag.CUE_TOO_SHORT)
            if dur > options.max_duration_ms:
                flags.add(QAFlag.CUE_TOO_LONG)
            effective = min(max(dur, 1), options.max_duration_ms)
            if len(" ".join(lines)) * 1000 > (max_cps + 0.05) * effective:
                flags.add(QAFlag.READING_SPEED)
            out.append(CueCheck(start_ms, end_ms, tuple(lines), frozenset(flags)))
    return out


def check_segment(
    source_text: str,
    text: str,
    cue_spans: Sequence[tuple[int | None, int | None]] | None = None,
    *,
    glossary: Mapping[str, str] | None = None,
    speakers: Mapping[str, str] | None = None,
    inconsistent: bool = False,
    memory_english: Sequence[str] | None = None,
    max_cps: float = 20.0,
    max_chars_per_line: int = 42,
    max_lines: int = 2,
    min_duration_ms: int = MIN_DURATION_MS,
    max_duration_ms: int = MAX_DURATION_MS,
    next_start_ms: int | None = None,
    protected: Sequence[str] = (),
    source_changed: bool = False,
) -> list[QAFlag]:
    """QA flags of one segment, in :class:`QAFlag` order.

    ``cue_spans`` are the Japanese cues' (start_ms, end_ms); ``None`` (or any untimed span)
    skips the line and timing flags (untimed text is not subtitled).
    ``next_start_ms`` (the next segment's first cue) lets the English use the silence after.
    ``speakers``: {label: English name}; ``inconsistent``: the caller found the same source
    with other English in the episode; ``memory_english``: the memory's approved English for
    this source (the English should be one of them); ``source_changed``: the Japanese was
    edited after the English was written."""
    english = text.strip()
    if not english:
        return [QAFlag.EMPTY_TRANSLATION] if source_text.strip() else []
    flags = timing_flags(
        english,
        cue_spans,
        max_cps=max_cps,
        max_chars_per_line=max_chars_per_line,
        max_lines=max_lines,
        min_duration_ms=min_duration_ms,
        max_duration_ms=max_duration_ms,
        next_start_ms=next_start_ms,
        protected=protected,
    )
    if source_changed:
        flags.add(QAFlag.SOURCE_CHANGED)
    if _JAPANESE.search(english):
        flags.add(QAFlag.JAPANESE_LEFT)
    if glossary and glossary_missing(source_text, english, glossary):
        flags.add(QAFlag.GLOSSARY_NOT_FOLLOWED)
    if numbers_missing(source_text, english):
        flags.add(QAFlag.NUMBER_MISSING)
    if speakers and speaker_names_missing(source_text, english, speakers):
        flags.add(QAFlag.SPEAKER_NAME)
    if inconsistent:
        flags.add(QAFlag.INCONSISTENT)
    if memory_english and not any(_same_english(english, m) for m in memory_english):
        flags.add(QAFlag.DIFFERS_FROM_MEMORY)
    return [f for f in QAFlag if f in flags]


def timing_flags(
    text: str,
    cue_spans: Sequence[tuple[int | None, int | None]] | None,
    *,
    max_cps: float = 20.0,
    max_chars_per_line: int = 42,
    max_lines: int = 2,
    min_duration_ms: int = MIN_DURATION_MS,
    max_duration_ms: int = MAX_DURATION_MS,
    next_start_ms: int | None = None,
    protected: Sequence[str] = (),
) -> set[QAFlag]:
    """The :data:`TIMING_FLAGS` part of :func:`check_segment` (same arguments): the line and
    timing flags of the English spread over the timed cues (none for empty English or when a
    span is untimed). ``check_segment`` is these and the text flags, whatever the times."""
    english = text.strip()
    if not english or not cue_spans:
        return set()
    spans: list[tuple[int, int]] = []
    for s, e in cue_spans:
        if s is None or e is None:
            return set()
        spans.append((int(s), int(max(s, e))))
    options = SubtitleOptions(
        max_cps_en=max_cps,
        max_chars_per_line=max_chars_per_line,
        max_lines=max_lines,
        min_duration_ms=min_duration_ms,
        max_duration_ms=max_duration_ms,
    )
    flags: set[QAFlag] = set()
    for cue in english_cue_checks(
        english, spans, options=options, next_start_ms=next_start_ms, protected=protected
    ):
        flags |= cue.flags
    return flags
