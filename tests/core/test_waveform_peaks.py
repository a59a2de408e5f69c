"""Waveform peaks (translator.core.audio.peaks): min/max per bucket of the decoded audio, in
BBC audiowaveform's 8-bit binary format. Audio is made in the test: tones and silences."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from translator.core.audio import AudioError
from translator.core.audio.peaks import (
    MAX_GAIN,
    PEAKS_PER_SECOND,
    Peaks,
    compute_peaks,
    peaks_of_samples,
)


def write_wav(path: Path, signal: np.ndarray, *, rate: int, channels: int = 1) -> Path:
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def tone(seconds: float, rate: int, *, amp: float = 0.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_peaks_where_the_sound_is_and_flat_in_the_silence(tmp_path):
    rate = 44_100  # resampled to 16 kHz by the decoder; stereo mixed to mono
    signal = np.concatenate(
        [tone(1.0, rate), np.zeros(rate * 2, np.float32), tone(0.5, rate, amp=0.25)]
    )
    peaks = compute_peaks(write_wav(tmp_path / "t.wav", signal, rate=rate, channels=2))
    assert peaks.peaks_per_second == PEAKS_PER_SECOND
    assert abs(peaks.length - 3.5 * PEAKS_PER_SECOND) <= 1  # duration x rate
    assert abs(peaks.duration_ms - 3500) <= 10
    pairs = peaks.pairs()
    sound = pairs[5:95]
    silence = pairs[110:290]
    quiet = pairs[305:345]
    # The loudest part reaches full scale (auto gain); each 10 ms bucket of a 440 Hz tone holds
    # both its trough and its crest.
    assert all(lo <= -120 and hi >= 120 for lo, hi in sound)
    assert all(abs(lo) <= 1 and abs(hi) <= 1 for lo, hi in silence)
    # Half as loud stays half as high: the scale is one for the whole file.
    assert all(-70 <= lo <= -58 and 58 <= hi <= 70 for lo, hi in quiet)


def test_length_is_duration_times_rate_for_a_partial_last_bucket():
    rate = 16_000
    chunks = [np.full(1000, 0.5, np.float32), np.full(333, -0.25, np.float32)]
    peaks = peaks_of_samples(chunks, sample_rate=rate, samples_per_peak=160)
    assert peaks.length == -(-1333 // 160) == 9
    pairs = peaks.pairs()
    assert pairs[0] == (127, 127)  # min and max of a constant: the value, scaled to full
    assert pairs[-1] == (-64, -64)


def test_chunk_boundaries_do_not_change_the_peaks():
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(16_000 * 3) * 0.2).astype(np.float32)
    whole = peaks_of_samples([x], sample_rate=16_000, samples_per_peak=160)
    cuts = [0, 7, 999, 17_171, 30_000, len(x)]
    pieces = [x[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    assert peaks_of_samples(pieces, sample_rate=16_000, samples_per_peak=160) == whole


def test_a_near_silent_file_is_not_blown_up_to_full_scale():
    x = np.full(16_000, 0.001, np.float32)
    peaks = peaks_of_samples([x], sample_rate=16_000, samples_per_peak=160)
    assert max(hi for _lo, hi in peaks.pairs()) == round(0.001 * MAX_GAIN * 127)


def test_dat_round_trip_and_header(tmp_path):
    peaks = peaks_of_samples([tone(0.3, 16_000)], sample_rate=16_000, samples_per_peak=160)
    blob = peaks.to_dat()
    assert struct.unpack_from("<iIiiIi", blob) == (2, 1, 16_000, 160, peaks.length, 1)
    assert len(blob) == 24 + 2 * peaks.length
    assert Peaks.from_dat(blob) == peaks
    with pytest.raises(AudioError):
        Peaks.from_dat(blob[:-1])
    with pytest.raises(AudioError):
        Peaks.from_dat(b"RIFF")


@pytest.mark.parametrize("content", [b"", b"not audio at all\n" * 50, b"\x00" * 4096])
def test_a_file_that_is_not_audio_is_refused_in_one_line(tmp_path, content):
    path = tmp_path / "x.mp3"
    path.write_bytes(content)
    with pytest.raises(AudioError) as info:
        compute_peaks(path)
    assert "\n" not in str(info.value) and str(info.value)


def test_peaks_per_second_must_divide_the_decoder_rate(tmp_path):
    path = write_wav(tmp_path / "t.wav", tone(0.2, 16_000), rate=16_000)
    assert compute_peaks(path, peaks_per_second=50).samples_per_peak == 320
    with pytest.raises(ValueError):
        compute_peaks(path, peaks_per_second=7)
