"""Plain data for exporting an episode (subtitles and transcripts). No Django import.

The service layer fills these from the database; core export code only reads them.
Times are integer milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from translator.core.timing_rules import DEFAULT_FPS, MAX_DURATION_MS, MIN_DURATION_MS, TimingRules
from translator.core.types import ParagraphKind

APPROVED = "approved"
STRICT_MAX_CPS_EN = 17.0  # the stricter English reading speed of the style guide
# Information, not a rule: the speed over which a verbatim Japanese cue counts as fast in the
# export report (speech runs at ~7 chars/s; eye-tracking studies accept up to ~6).
JA_INFO_CPS = 6.0


class SubtitleLayout(StrEnum):
    EN = "en"
    JA = "ja"
    BILINGUAL = "bilingual"  # English over Japanese
    BILINGUAL_JA_FIRST = "bilingual-ja-first"  # Japanese over English

    @property
    def has_en(self) -> bool:
        return self is not SubtitleLayout.JA

    @property
    def has_ja(self) -> bool:
        return self is not SubtitleLayout.EN


@dataclass(frozen=True)
class ExportCue:
    """One Japanese cue: its time span (``None`` when untimed) and its slice of the sentence."""

    start_ms: int | None
    end_ms: int | None
    source_text: str
    # The display lines chosen at import (phrase-aware); empty: break the text when exporting.
    lines: tuple[str, ...] = ()
    # Ruby readings from the imported file, ((base, reading), …): WebVTT exports show them.
    ruby: tuple[tuple[str, str], ...] = ()


@dataclass
class ExportSegment:
    """One sentence (or show-note bullet) with its English and its Japanese cues."""

    index: int
    kind: ParagraphKind | str  # "transcript" | "show_note" | "description" | "sound"
    turn: int  # speaker-turn number; consecutive segments of one turn share it
    speaker: str | None  # English display name, e.g. "Nagano"
    speaker_label: str | None  # Japanese label as in the source, e.g. "永野" or "友野・澤"
    source_text: str
    text: str  # English; may be ""
    status: str  # untranslated | machine | edited | approved
    cues: list[ExportCue] = field(default_factory=list)

    @property
    def is_show_note(self) -> bool:
        return str(self.kind) == ParagraphKind.SHOW_NOTE

    @property
    def is_description(self) -> bool:
        return str(self.kind) == ParagraphKind.DESCRIPTION

    @property
    def is_untimed_text(self) -> bool:
        """Show notes and the description: translated, never subtitled."""
        return self.is_show_note or self.is_description

    @property
    def end_ms(self) -> int | None:
        """End of the last cue, or ``None`` when the segment is untimed."""
        if self.cues and self.cues[-1].end_ms is not None:
            return self.cues[-1].end_ms
        return None

    @property
    def is_sound(self) -> bool:
        """A sound or music cue (``（泣き声）``, ``♪～``): subtitled, never in a transcript."""
        return str(self.kind) == ParagraphKind.SOUND

    @property
    def is_approved(self) -> bool:
        return self.status == APPROVED

    @property
    def start_ms(self) -> int | None:
        """Start of the first cue, or ``None`` when the segment is untimed."""
        if self.cues and self.cues[0].start_ms is not None:
            return self.cues[0].start_ms
        return None


@dataclass
class ExportEpisode:
    title: str
    segments: list[ExportSegment]
    glossary: dict[str, str] = field(default_factory=dict)  # source term -> required English
    protected_names: list[str] = field(default_factory=list)  # English names never split
    media_url: str | None = None
    episode_id: int | None = None  # used for a file name when the title has no ASCII

    @property
    def protected_phrases(self) -> list[str]:
        """English phrases that must never be split across lines or cues."""
        phrases = {p.strip() for p in self.protected_names if p and p.strip()}
        phrases.update(v.strip() for v in self.glossary.values() if v and v.strip())
        return sorted(phrases, key=len, reverse=True)


@dataclass(frozen=True)
class SubtitleOptions:
    layout: SubtitleLayout | str = SubtitleLayout.BILINGUAL
    fps: float = DEFAULT_FPS
    gap_frames: int = 2
    min_duration_ms: int = MIN_DURATION_MS
    max_duration_ms: int = MAX_DURATION_MS
    max_cps_en: float = 20.0  # STRICT_MAX_CPS_EN (17) for the stricter rule
    # The Japanese side is verbatim transcription: its reading speed is information, not a rule.
    # Japanese-only cues are extended into the following silence towards target_cps_ja (the
    # style guide's speed for translated Japanese); the report counts cues over info_cps_ja.
    target_cps_ja: float = 4.0
    info_cps_ja: float = JA_INFO_CPS
    max_chars_per_line: int = 42  # English
    max_lines: int = 2
    max_width_per_line_ja: float = 13.0  # full-width 1, half-width 0.5
    approved_only: bool = False
    voice_tags: bool = False  # WebVTT <v Speaker> (and the ASS Name field, always set)
    title: str = ""  # the ASS header's Title (players show it); other formats have none

    @property
    def layout_enum(self) -> SubtitleLayout:
        return SubtitleLayout(self.layout)

    @property
    def timing_rules(self) -> TimingRules:
        return TimingRules(
            min_duration_ms=self.min_duration_ms,
            max_duration_ms=self.max_duration_ms,
            fps=self.fps,
            gap_frames=self.gap_frames,
        )


@dataclass(frozen=True)
class TranscriptOptions:
    timestamps: bool = False  # [mm:ss] / [h:mm:ss] at the start of each turn
    parallel: bool = False  # Japanese beside/under the English
    approved_only: bool = False
    # Segments with no English: "mark" renders the Japanese with an [untranslated] marker,
    # "omit" leaves them out.
    untranslated: str = "mark"


_SDH_BRACKETS = "()（）[]［］〔〕【】<>＜＞《》≪≫"
_MUSIC = frozenset("♪♫♬♩～〜~ー・… 　")


def sdh_label(text: str, source: str) -> str:
    """The English of a sound cue in SDH style: ``Crying`` / ``(crying)`` → ``[crying]``; a
    music cue (``♪～``) is ``♪`` whatever its English. The engine translates the label (its
    brackets included, as in the Japanese); the export writes the brackets. Empty stays empty."""
    src = source.strip()
    if src and all(c in _MUSIC or c in "♪♫♬♩" for c in src) and any(c in "♪♫♬♩" for c in src):
        return "♪"
    label = text.strip().strip(_SDH_BRACKETS).strip().rstrip(".。")
    if not label:
        return ""
    music = label.startswith("♪")
    label = label.lstrip("♪♫♬ ").strip()
    if label[:1].isupper() and not label[1:2].isupper():
        label = label[0].lower() + label[1:]
    return f"♪ [{label}]" if music and label else (f"[{label}]" if label else "♪")
