"""Transfer the timing of rough timed captions onto a clean transcript.

Pure Python, no Django. The caller hands in the transcript's cues (text in transcript order) and
the caption file's events as :class:`~translator.core.types.TimedLine`; :func:`align_cues` gives
back a time span per cue, how each span was found, and a coverage report.

The steps, each in its own module (the design is explained in ``docs/alignment.md``):
:mod:`.normalise` (both sides for matching; the captions as one character stream),
:mod:`.match` (patience-diff alignment of the two strings), :mod:`.rates` (the rate model that
times every caption character), :mod:`.project` (caption times onto the transcript's cues).
"""

from translator.core.align.data import (
    MIN_ALIGNED_SHARE,
    AlignCue,
    AlignmentReport,
    AlignmentResult,
    Method,
)
from translator.core.align.project import align_cues

__all__ = [
    "MIN_ALIGNED_SHARE",
    "AlignCue",
    "AlignmentReport",
    "AlignmentResult",
    "Method",
    "align_cues",
]
