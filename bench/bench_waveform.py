"""Benchmark: the waveform of a one-hour episode (translator.core.audio.peaks).

The hour is made cheaply from the same parts as bench_audio_timing.py: a few minutes of real
synthetic speech (its generated three-speaker transcript, spoken by espeak-ng through
tests/support/audio_episode.build_episode), repeated to an hour (every repeat a little louder
or softer, so no two stretches are the same bytes) and encoded to a 64 kbit/s MP3 with its
``_encode_mp3``, as a podcast is.

- Time: computing the peaks (decode + min/max per 10 ms + quantising) against decoding alone,
  both of the same MP3 in the same run (the decode is the floor), and the min/max part alone
  on the decoded samples. Times are this process's CPU time (``time.process_time``): the machine's
  two cores are shared, and wall time there measures the neighbours.
- Bytes: what the browser downloads to draw the hour — the peaks as served (audiowaveform 8-bit
  min/max pairs, gzip-encoded) and raw — against the media file, which a waveform without
  server peaks downloads whole and decodes in the browser before it can draw.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_audio_timing import _encode_mp3, _transcript  # noqa: E402
from bench.common import Figure  # noqa: E402
from tests.support.audio_episode import RATE, build_episode  # noqa: E402
from translator.core.audio.decode import iter_audio  # noqa: E402
from translator.core.audio.peaks import (  # noqa: E402
    PEAKS_PER_SECOND,
    compute_peaks,
    peaks_of_samples,
)

SECTION = "Waveform peaks"
HOUR_S = 3600
PIECE_CHARS = 1_200  # about four minutes of speech (longer than gzip's 32 KiB window of peaks)


def _hour_wav(work: Path) -> Path:
    import numpy as np

    piece = build_episode(_transcript(PIECE_CHARS, seed=23), work / "piece.wav", seed=23)
    with wave.open(str(piece.path)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
    repeats = -(-HOUR_S * RATE // len(pcm))
    gains = np.linspace(0.6, 1.0, repeats, dtype=np.float32)[
        np.random.default_rng(1).permutation(repeats)
    ]
    hour = np.concatenate([pcm * g for g in gains])[: HOUR_S * RATE]
    out = work / "hour.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(hour, -32768, 32767).astype("<i2").tobytes())
    return out


def _decode_only(path: Path) -> int:
    return sum(chunk.shape[0] for chunk in iter_audio(path))


def run() -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="jimaku-bench-waveform-"))
    t0 = time.perf_counter()
    mp3 = work / "hour.mp3"
    _encode_mp3(_hour_wav(work), mp3)
    build_s = time.perf_counter() - t0
    media_bytes = mp3.stat().st_size

    decode_times, math_times = [], []
    chunks: list = []
    for _ in range(3):
        t = time.process_time()
        chunks = list(iter_audio(mp3))
        decode_times.append(time.process_time() - t)
    samples = sum(chunk.shape[0] for chunk in chunks)
    for _ in range(3):
        t = time.process_time()
        peaks_of_samples(chunks, sample_rate=RATE, samples_per_peak=RATE // PEAKS_PER_SECOND)
        math_times.append(time.process_time() - t)
    del chunks
    t, wall = time.process_time(), time.perf_counter()
    peaks = compute_peaks(mp3)  # what the worker runs, end to end
    peaks_s, wall_s = time.process_time() - t, time.perf_counter() - wall
    decode_s, math_s = statistics.median(decode_times), statistics.median(math_times)
    dat = peaks.to_dat()
    served = gzip.compress(dat, compresslevel=9, mtime=0)  # as the worker stores and serves it
    hours = samples / RATE / 3600

    figures = [
        Figure(
            SECTION,
            "compute the peaks of one hour (MP3 decode + min/max + quantise)",
            peaks_s / hours,
            unit="s",
            baseline_name="decoding the hour alone",
            baseline_value=decode_s / hours,
            goal="~1x decode, << 60 s",
            note=f"{samples / RATE / 60:.1f} min 64 kbit/s MP3, one run (decode: median of 3); "
            f"{PEAKS_PER_SECOND} peaks/s, {peaks.length:,} pairs; CPU time of this process "
            f"(2 cores shared with other jobs; wall time in this run {wall_s:.1f} s)",
        ),
        Figure(
            SECTION,
            "peaks of one hour from decoded samples (min/max + quantise only)",
            math_s / hours,
            unit="s",
            baseline_name="decoding the hour alone",
            baseline_value=decode_s / hours,
            note="median of 3: what the peaks add to the decode the worker does anyway",
        ),
        Figure(
            SECTION,
            "bytes sent to draw one hour: peaks, gzip as served",
            len(served) / hours,
            unit="B",
            baseline_name="the media file (downloaded and decoded without server peaks)",
            baseline_value=media_bytes / hours,
            goal="<< 5 % of the media",
            note=f"raw {len(dat):,} B (audiowaveform v2, 8-bit min/max pairs); gzip "
            f"{len(served):,} B = {len(served) / len(dat):.0%} of raw; MP3 {media_bytes:,} B",
        ),
        Figure(
            SECTION,
            "bytes sent to draw one hour: peaks, raw (a client without gzip)",
            len(dat) / hours,
            unit="B",
            baseline_name="the media file",
            baseline_value=media_bytes / hours,
        ),
    ]
    print(f"    (made the hour of audio in {build_s:.0f} s)", flush=True)
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return figures


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name}: {fig.value:.3f} {fig.unit} vs {fig.baseline_name} {fig.baseline_value}")
        if fig.note:
            print(f"    {fig.note}")
