"""Speech regions of a recording with Silero VAD (ONNX model inside the ``silero-vad`` wheel).

The model is located on disk without importing the ``silero_vad`` Python package (which would
import torch) and run with ``onnxruntime`` on one thread. It scores 32 ms frames (512 samples
at 16 kHz, with 64 samples of the previous frame as context); the sequence variant of the model
scores thousands of frames per call, so an hour of audio takes a few seconds. Frames become
regions with hysteresis (speech starts above ``onset``, ends below ``offset``); pauses shorter
than ``min_pause_ms`` are bridged and blips shorter than ``min_speech_ms`` dropped. The regions
keep every real pause; which of them are sentence boundaries is decided by :mod:`.fit`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translator.core.audio import AudioError, SpeechRegions
from translator.core.audio.decode import SAMPLE_RATE, iter_audio

if TYPE_CHECKING:
    import numpy as np

FRAME_SAMPLES = 512
CONTEXT_SAMPLES = 64
FRAME_MS = FRAME_SAMPLES * 1000 // SAMPLE_RATE  # 32
_BATCH_FRAMES = 4096  # frames per model call (sequence model)
# Below this much speech (or share of the file) there is nothing to time a transcript to.
MIN_SPEECH_MS = 3000
MIN_SPEECH_SHARE = 0.02
_LOUD_HOP = 160  # 10 ms loudness frames for syllable peaks
_LOUD_HOP_MS = 10
_PEAK_PROMINENCE_DB = 3.0


@dataclass(frozen=True)
class VadSettings:
    onset: float = 0.5
    offset: float = 0.35
    min_pause_ms: int = 64
    min_speech_ms: int = 64


def _model_dir() -> Path:
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise AudioError("the speech detector is not installed (pip install silero-vad)")
    return Path(next(iter(spec.submodule_search_locations)))


def model_path() -> tuple[Path, str]:
    """The ONNX file to use and its kind (``"sequence"`` or ``"stream"``)."""
    base = _model_dir()
    for folder in (base / "data", base):
        if (folder / "silero_vad_16k_sequence.onnx").is_file():
            return folder / "silero_vad_16k_sequence.onnx", "sequence"
        if (folder / "silero_vad.onnx").is_file():
            return folder / "silero_vad.onnx", "stream"
    raise AudioError("the speech detector's model file is missing from the silero-vad package")


def detector_name() -> str:
    try:
        from importlib.metadata import version

        return f"silero-vad {version('silero-vad')}"
    except Exception:  # metadata missing: still usable
        return "silero-vad"


class _Scorer:
    """Speech probability per 32 ms frame, carrying the model state across chunks."""

    def __init__(self) -> None:
        import numpy as np
        import onnxruntime as ort

        path, self.kind = model_path()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.np = np
        self.context = np.zeros(CONTEXT_SAMPLES, np.float32)
        self.rest = np.zeros(0, np.float32)
        if self.kind == "sequence":
            self.h = np.zeros((1, 1, 128), np.float32)
            self.c = np.zeros((1, 1, 128), np.float32)
        else:
            self.state = np.zeros((2, 1, 128), np.float32)
            self.sr = np.array(SAMPLE_RATE, dtype=np.int64)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        np = self.np
        samples = np.concatenate([self.rest, samples]) if self.rest.size else samples
        n = samples.shape[0] // FRAME_SAMPLES
        self.rest = samples[n * FRAME_SAMPLES :].copy()
        if n == 0:
            return np.zeros(0, np.float32)
        frames = samples[: n * FRAME_SAMPLES].reshape(n, FRAME_SAMPLES)
        ctx = np.empty((n, CONTEXT_SAMPLES), np.float32)
        ctx[0] = self.context
        ctx[1:] = frames[:-1, -CONTEXT_SAMPLES:]
        self.context = frames[-1, -CONTEXT_SAMPLES:].copy()
        inputs = np.concatenate([ctx, frames], axis=1)
        out: list[Any] = []
        if self.kind == "sequence":
            for i in range(0, n, _BATCH_FRAMES):
                probs, self.h, self.c = self.session.run(
                    None, {"input": inputs[i : i + _BATCH_FRAMES], "h": self.h, "c": self.c}
                )
                out.append(np.asarray(probs, np.float32).reshape(-1))
        else:
            for row in inputs:
                prob, self.state = self.session.run(
                    None, {"input": row[None, :], "state": self.state, "sr": self.sr}
                )
                out.append(np.asarray(prob, np.float32).reshape(-1))
        return np.concatenate(out)


def regions_from_probabilities(
    probs: np.ndarray, settings: VadSettings | None = None
) -> list[tuple[int, int]]:
    """Speech spans ``(start_ms, end_ms)`` from frame probabilities (hysteresis, then short
    pauses bridged and short blips dropped)."""
    s = settings or VadSettings()
    spans: list[list[int]] = []
    speaking = False
    start = 0
    for i, p in enumerate(probs.tolist()):
        if not speaking and p >= s.onset:
            speaking, start = True, i
        elif speaking and p < s.offset:
            speaking = False
            spans.append([start * FRAME_MS, i * FRAME_MS])
    if speaking:
        spans.append([start * FRAME_MS, len(probs) * FRAME_MS])
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] - merged[-1][1] < s.min_pause_ms:
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    return [(a, b) for a, b in merged if b - a >= s.min_speech_ms]


def syllable_peaks(level_db: np.ndarray, regions: list[tuple[int, int]]) -> list[int]:
    """Times (ms) of syllable nuclei: peaks of the smoothed loudness (10 ms frames) that stand
    out ``_PEAK_PROMINENCE_DB`` above the deeper dip beside them, at least 40 ms apart, inside
    speech regions."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    if level_db.size < 20:
        return []
    kernel = np.hanning(7)
    smooth = np.convolve(level_db, kernel / kernel.sum(), mode="same")
    padded = np.pad(smooth, (8, 8), mode="edge")
    win = sliding_window_view(padded, 17)
    is_max = smooth >= win[:, 4:13].max(axis=1)
    prominence = smooth - np.minimum(win[:, :9].min(axis=1), win[:, 8:].min(axis=1))
    peaks = np.flatnonzero(is_max & (prominence > _PEAK_PROMINENCE_DB)) * _LOUD_HOP_MS
    out: list[int] = []
    k = 0
    for t in peaks.tolist():
        while k < len(regions) and regions[k][1] <= t:
            k += 1
        if k < len(regions) and regions[k][0] <= t and (not out or t - out[-1] >= 40):
            out.append(int(t))
    return out


def analyse_file(
    path: str | Path,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    settings: VadSettings | None = None,
) -> SpeechRegions:
    """Decode ``path`` and find its speech. Raises :class:`AudioError` for a file that cannot
    be decoded, is cut short, or holds no speech (silence, noise or music only)."""
    import numpy as np

    scorer = _Scorer()
    parts = []
    loudness = []
    total = 0
    rest = np.zeros(0, np.float32)
    for chunk in iter_audio(path, on_progress=on_progress):
        total += chunk.shape[0]
        parts.append(scorer.feed(chunk))
        samples = np.concatenate([rest, chunk]) if rest.size else chunk
        n = samples.shape[0] // _LOUD_HOP
        rest = samples[n * _LOUD_HOP :].copy()
        frames = samples[: n * _LOUD_HOP].reshape(n, _LOUD_HOP)
        loudness.append(10 * np.log10((frames.astype(np.float64) ** 2).mean(axis=1) + 1e-10))
    probs = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    duration_ms = total * 1000 // SAMPLE_RATE
    regions = regions_from_probabilities(probs, settings)
    level = np.concatenate(loudness) if loudness else np.zeros(0)
    found = SpeechRegions(
        duration_ms=duration_ms,
        regions=regions,
        detector=detector_name(),
        syllables=syllable_peaks(level, regions),
    )
    check_speech(found)
    return found


def check_speech(found: SpeechRegions) -> None:
    """Refuse a recording with (almost) no speech in it."""
    speech = found.speech_ms
    if speech < MIN_SPEECH_MS or speech < MIN_SPEECH_SHARE * found.duration_ms:
        raise AudioError(
            f"no speech found in the audio ({speech / 1000:.1f} s of speech-like sound in "
            f"{found.duration_ms / 1000:.0f} s): is it only silence, noise or music?"
        )
