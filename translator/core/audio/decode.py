"""Decode any audio or video file to 16 kHz mono samples with PyAV (FFmpeg in its wheel).

Bad input raises :class:`~translator.core.audio.AudioError` with a one-line message: not a
media file, no audio track, damaged data, or a file cut short (it declares a longer duration
than can be decoded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from translator.core.audio import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000
# A file that decodes to less than this share of its declared duration is truncated.
_TRUNCATED_SHARE = 0.98
_TRUNCATED_SLACK_MS = 1500
# Samples handed to the caller at once (about 30 s).
CHUNK_SAMPLES = SAMPLE_RATE * 30


def _fmt(ms: float) -> str:
    s = int(ms // 1000)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _riff_declared_ms(path: str | Path) -> int:
    """Duration a WAV file's header declares (0 when it is not a WAV or does not say).
    FFmpeg computes a WAV's duration from the file size, so a cut file looks whole to it."""
    import struct

    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return 0
            byte_rate = 0
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return 0
                kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if kind == b"fmt ":
                    fmt = fh.read(min(size, 64))
                    if len(fmt) >= 12:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                    fh.seek(size - len(fmt) + (size & 1), 1)
                elif kind == b"data":
                    if not byte_rate or size in (0, 0xFFFFFFFF):
                        return 0
                    return int(size * 1000 // byte_rate)
                else:
                    fh.seek(size + (size & 1), 1)
    except OSError:
        return 0


def iter_audio(
    path: str | Path, *, on_progress: Callable[[int, int], None] | None = None
) -> Iterator[np.ndarray]:
    """Yield float32 mono 16 kHz chunks of the file's first audio track, in order.

    ``on_progress(decoded_ms, declared_ms)`` is called after each chunk (``declared_ms`` 0 when
    the container does not say). Raises :class:`AudioError` for unusable input."""
    import av
    import numpy as np

    try:
        container = av.open(str(path), mode="r")
    except FileNotFoundError as exc:
        raise AudioError(f"the file {Path(path).name} does not exist") from exc
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(
            "cannot read the file: it is not audio or video, or it is damaged or incomplete"
        ) from exc
    with container:
        if not container.streams.audio:
            if container.streams.subtitles and not container.streams.video:
                raise AudioError("this is a subtitle file, not audio or video")
            raise AudioError("the file has no audio track")
        stream = container.streams.audio[0]
        declared_ms = _riff_declared_ms(path)
        if declared_ms:
            pass
        elif stream.duration is not None and stream.time_base is not None:
            declared_ms = int(stream.duration * stream.time_base * 1000)
        elif container.duration is not None:
            declared_ms = int(container.duration / 1000)  # microseconds (av.time_base)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        pending: list[np.ndarray] = []
        pending_len = 0
        decoded = 0

        def take(frames: list) -> None:
            nonlocal pending_len
            for frame in frames:
                arr = frame.to_ndarray().reshape(-1)
                pending.append(arr)
                pending_len += arr.shape[0]

        try:
            for frame in container.decode(stream):
                take(resampler.resample(frame))
                if pending_len >= CHUNK_SAMPLES:
                    chunk = np.concatenate(pending).astype(np.float32) / 32768.0
                    pending.clear()
                    pending_len = 0
                    decoded += chunk.shape[0]
                    if on_progress:
                        on_progress(decoded * 1000 // SAMPLE_RATE, declared_ms)
                    yield chunk
            take(resampler.resample(None))
        except av.error.FFmpegError as exc:
            raise AudioError(
                f"the audio is damaged or cut short (decoding stopped at "
                f"{_fmt((decoded + pending_len) * 1000 / SAMPLE_RATE)})"
            ) from exc
        if pending:
            chunk = np.concatenate(pending).astype(np.float32) / 32768.0
            decoded += chunk.shape[0]
            yield chunk
        decoded_ms = decoded * 1000 // SAMPLE_RATE
        if on_progress:
            on_progress(decoded_ms, declared_ms)
        if decoded == 0:
            raise AudioError("the file holds no decodable audio")
        if declared_ms and decoded_ms < declared_ms * _TRUNCATED_SHARE - _TRUNCATED_SLACK_MS:
            raise AudioError(
                f"the audio file is truncated: it declares {_fmt(declared_ms)} but only "
                f"{_fmt(decoded_ms)} could be decoded"
            )


def decode_audio(path: str | Path) -> np.ndarray:
    """The whole file as one float32 mono 16 kHz array (see :func:`iter_audio`)."""
    import numpy as np

    return np.concatenate(list(iter_audio(path)))
