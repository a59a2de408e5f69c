"""The alignment's inputs and results, and the tuning constants its steps share."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from typing import Literal

Method = Literal["aligned", "interpolated"]

# A cue is "aligned" when at least this share of its normalised characters matched.
MIN_ALIGNED_SHARE = 0.5
# Anchor lengths tried in each range, longest first.
_ANCHOR_LENGTHS = (6, 4, 3, 2)
# Gaps with len(a) * len(b) up to this are filled with difflib directly.
_SMALL_GAP = 4096
# Gaps without anchors are still tried with difflib up to this size; beyond, left unmatched.
_LARGE_GAP = 40_000
# Rolling-caption detection: overlap length that counts, and share of events that must have it.
_ROLLING_MIN_OVERLAP = 4
_ROLLING_MIN_SHARE = 0.3
# Only the last this-many normalised characters are searched for a rolling overlap.
_ROLLING_TAIL_CHARS = 200
_EXCERPT_CHARS = 60
# Silence assumed before a character when spreading a caption line's span over its
# characters: after a sentence end in the transcript (_SENTENCE), at a cue boundary or clause
# mark, or where the recogniser put a space or punctuation (_CLAUSE).
# The weights are estimated from the captions themselves (:func:`_estimate_pause_units`);
# these are the fallbacks, in character units.
_SENTENCE_PAUSE = 4.0
_CLAUSE_PAUSE = 1.0
_ASR_PAUSE = 0.5
_NO_PAUSE, _CLAUSE, _SENTENCE, _ASR_MARK = 0, 1, 2, 3
# Longest time one character (or pause unit) may take when spreading a span over characters.
_MAX_UNIT_MS = 400.0
# Timing model inside a caption segment (_model_times). Spreads, as a share of the typical value:
# speaking rate between breath groups, one pause's length, one character's speaking time.
# Generic guesses, not fitted: results change by under a point between half and double.
_RATE_CV = 0.15
_PAUSE_CV = 0.5
_UNIT_CV = 0.3
_EDGE_SD_MS = 30.0  # uncertainty of a segment's own start / end time
_SWEEPS = 4  # coordinate-descent sweeps over the breath-group rates
_CONTIGUOUS_MS = 40  # segments closer than this continue the same breath group
# A transcript stretch missing from the captions up to this long was spoken (its time is in the
# caption line); a longer one is more likely absent from the audio.
_MAX_DROPPED_CHARS = 4
# Duration given to a transcript character the recogniser dropped, next to a pause.
_TYPICAL_CHAR_MS = 150.0
# Fillers as normalised (ー dropped, katakana folded): えー, あの, まあ, えっと, うーん, ...
_FILLERS = ("え", "ええ", "あ", "あの", "その", "まあ", "えと", "えっと", "うん", "ん", "なんか")
_LONG_VOWEL_MARKS = frozenset("ーｰ〜～")
_SMALL_KANA = frozenset("ぁぃぅぇぉゃゅょゎ")
_SENTENCE_END = frozenset("。．？！?!")
_CLAUSE_MARKS = frozenset("、，,；;：:…‥—―　")


@dataclass(frozen=True)
class AlignCue:
    """One transcript cue's Japanese text, in transcript order. ``key`` identifies it to the
    caller (a cue id). ``timed=False`` marks text absent from the audio (show notes)."""

    key: Hashable
    text: str
    timed: bool = True


@dataclass
class AlignmentReport:
    """What the alignment achieved, for the editor and for the episode's record."""

    coverage: float  # share of transcript characters (normalised) matched, 0..1
    cues_aligned: int
    cues_interpolated: int
    largest_unmatched_chars: int  # longest run of unmatched transcript characters
    largest_unmatched_excerpt: str  # its text as written in the transcript (shortened)
    caption_chars: int  # normalised caption characters after de-duplication
    transcript_chars: int  # normalised characters of the timed cues
    rolling_captions: bool = False  # repeated prefixes were removed
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (for storing on the episode)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for the editor."""
        text = (
            f"{self.coverage:.0%} of the transcript matched the captions; "
            f"{self.cues_aligned} cues aligned, {self.cues_interpolated} interpolated"
        )
        if self.largest_unmatched_chars:
            text += f"; largest unmatched stretch {self.largest_unmatched_chars} characters"
        return text + "."


@dataclass
class AlignmentResult:
    times: dict[Hashable, tuple[int, int]]  # key -> (start_ms, end_ms), timed cues only
    method: dict[Hashable, Method]  # key -> "aligned" | "interpolated"
    report: AlignmentReport
