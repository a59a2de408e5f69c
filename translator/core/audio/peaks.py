"""Waveform peaks of an audio or video file, for drawing a waveform strip without the browser
downloading and decoding the media. Pure Python, no Django import.

The file is decoded once (:func:`translator.core.audio.decode.iter_audio`: 16 kHz mono) and cut
into buckets of ``samples_per_peak`` samples (160: 100 peaks a second, enough to zoom to a
single cue); each bucket keeps its lowest and highest sample. The values are scaled so the
loudest peak of the file reaches full scale (never more than :data:`MAX_GAIN` times louder than
recorded, so a near-silent file stays flat) and stored as signed 8-bit pairs.

The bytes are BBC audiowaveform's binary format, version 2 (the one peaks.js reads too): a
24-byte little-endian header — version 2, flags (1 = 8-bit), sample rate, samples per peak,
length (number of pairs), channels (1) — then ``min, max`` int8 per bucket. An hour is 720 kB,
which gzip shrinks further (see ``bench/bench_waveform.py``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from translator.core.audio import AudioError

if TYPE_CHECKING:
    import numpy as np

PEAKS_PER_SECOND = 100
MAX_GAIN = 20.0
_HEADER = struct.Struct("<iIiiIi")
_FLAG_8BIT = 1


@dataclass(frozen=True)
class Peaks:
    """Min/max pairs: ``data`` holds ``2 * length`` signed bytes, min then max per bucket."""

    sample_rate: int
    samples_per_peak: int
    data: bytes

    @property
    def length(self) -> int:
        return len(self.data) // 2

    @property
    def peaks_per_second(self) -> float:
        return self.sample_rate / self.samples_per_peak

    @property
    def duration_ms(self) -> int:
        return self.length * self.samples_per_peak * 1000 // self.sample_rate

    def pairs(self) -> list[tuple[int, int]]:
        """The (min, max) pairs as Python ints (for tests and tools; the browser reads bytes)."""
        values = struct.unpack(f"<{len(self.data)}b", self.data)
        return list(zip(values[0::2], values[1::2], strict=True))

    def to_dat(self) -> bytes:
        """The audiowaveform v2 binary file (header + pairs)."""
        header = _HEADER.pack(
            2, _FLAG_8BIT, self.sample_rate, self.samples_per_peak, self.length, 1
        )
        return header + self.data

    @classmethod
    def from_dat(cls, blob: bytes) -> Peaks:
        if len(blob) < _HEADER.size:
            raise AudioError("the waveform data is damaged (too short)")
        version, flags, rate, per_peak, length, channels = _HEADER.unpack_from(blob)
        data = blob[_HEADER.size :]
        if version != 2 or flags != _FLAG_8BIT or channels != 1 or len(data) != 2 * length:
            raise AudioError("the waveform data is damaged or not 8-bit mono audiowaveform v2")
        if rate <= 0 or per_peak <= 0:
            raise AudioError("the waveform data is damaged (bad rate)")
        return cls(rate, per_peak, data)


def peaks_of_samples(
    chunks: Iterable[np.ndarray], *, sample_rate: int, samples_per_peak: int
) -> Peaks:
    """Min/max per bucket of consecutive float samples (-1..1) given in chunks of any size.
    The last bucket may be shorter; ``length`` is ``ceil(samples / samples_per_peak)``."""
    import numpy as np

    if samples_per_peak <= 0:
        raise ValueError("samples_per_peak must be positive")
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    for chunk in chunks:
        x = np.concatenate((carry, np.asarray(chunk, np.float32).reshape(-1)))
        whole = x.shape[0] // samples_per_peak * samples_per_peak
        if whole:
            block = x[:whole].reshape(-1, samples_per_peak)
            lows.append(block.min(axis=1))
            highs.append(block.max(axis=1))
        carry = x[whole:]
    if carry.size:
        lows.append(carry.min(keepdims=True))
        highs.append(carry.max(keepdims=True))
    if not lows:
        return Peaks(sample_rate, samples_per_peak, b"")
    low, high = np.concatenate(lows), np.concatenate(highs)
    loudest = float(max(-low.min(), high.max(), 0.0))
    gain = min(MAX_GAIN, 1.0 / loudest) if loudest > 0 else 1.0
    pairs = np.empty((low.shape[0], 2), np.float32)
    pairs[:, 0] = low * gain * 127.0
    pairs[:, 1] = high * gain * 127.0
    quantised = np.clip(np.rint(pairs), -128, 127).astype(np.int8)
    return Peaks(sample_rate, samples_per_peak, quantised.tobytes())


def compute_peaks(
    path: str | Path,
    *,
    peaks_per_second: int = PEAKS_PER_SECOND,
    on_progress: Callable[[int, int], None] | None = None,
) -> Peaks:
    """Decode ``path`` and compute its peaks. Raises :class:`AudioError` (one line) for a file
    that is not audio, has no sound track, or is damaged or cut short."""
    from translator.core.audio.decode import SAMPLE_RATE, iter_audio

    if peaks_per_second <= 0 or SAMPLE_RATE % peaks_per_second:
        raise ValueError(f"peaks_per_second must divide {SAMPLE_RATE}")
    return peaks_of_samples(
        iter_audio(path, on_progress=on_progress),
        sample_rate=SAMPLE_RATE,
        samples_per_peak=SAMPLE_RATE // peaks_per_second,
    )
