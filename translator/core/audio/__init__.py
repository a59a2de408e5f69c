"""Timing from the episode's own audio. Pure Python, no Django import.

- :mod:`.decode` — any audio or video file (PyAV, FFmpeg inside its wheel) to 16 kHz mono;
- :mod:`.vad` — speech regions from Silero VAD's ONNX model, shipped inside the ``silero-vad``
  wheel and run with ``onnxruntime`` (nothing is downloaded at run time);
- :mod:`.fit` — place the transcript's sentences and cues on those speech regions.

Importing this package is cheap: ``av``, ``numpy`` and ``onnxruntime`` are imported by the
functions that need them, so only the worker that analyses audio loads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class AudioError(ValueError):
    """An audio file cannot be used; ``str()`` is a one-line message for the editor."""


@dataclass(frozen=True)
class SpeechRegions:
    """What the detector found in one file: speech as ``[start_ms, end_ms)`` spans, in order,
    not overlapping; ``syllables``: times of the loudness peaks inside speech (syllable
    nuclei, roughly one per mora), which pace the text inside a sentence. Stored on the
    episode's audio analysis so the detector runs once."""

    duration_ms: int
    regions: list[tuple[int, int]]
    detector: str = ""
    syllables: list[int] = field(default_factory=list)

    @property
    def speech_ms(self) -> int:
        return sum(end - start for start, end in self.regions)

    def to_dict(self) -> dict[str, object]:
        return {
            "duration_ms": self.duration_ms,
            "regions": [[s, e] for s, e in self.regions],
            "detector": self.detector,
            "syllables": list(self.syllables),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SpeechRegions:
        return cls(
            duration_ms=int(data["duration_ms"]),
            regions=[(int(s), int(e)) for s, e in data["regions"]],
            detector=str(data.get("detector", "")),
            syllables=[int(t) for t in data.get("syllables", [])],
        )
