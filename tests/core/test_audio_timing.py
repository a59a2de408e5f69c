"""Timing from the episode's own audio: decode, speech detection and the fit.

The spoken episode is real synthetic speech (espeak-ng's Japanese voice from kana readings,
a voice per speaker, varied pauses, noise, a music bed under the intro) with known cue times:
tests/support/audio_episode.py.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.audio_episode import (
    build_episode,
    damaged_captions_srt,
    sample_transcript,
    write_music_only,
    write_silence,
)
from translator.core.align import AlignCue, align_cues
from translator.core.audio import AudioError, SpeechRegions
from translator.core.audio.decode import decode_audio
from translator.core.audio.fit import FitCue, fit_transcript, kana_morae, reading_morae
from translator.core.audio.vad import analyse_file
from translator.core.subtitle_input import read_caption_lines
from translator.core.types import ParagraphKind


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    path = tmp_path_factory.mktemp("audio") / "episode.wav"
    return build_episode(sample_transcript(14), path, seed=3)


@pytest.fixture(scope="module")
def speech(spoken):
    return analyse_file(spoken.path)


def _fit_cues(doc, hints=None):
    cues = []
    for pi, p in enumerate(doc.paragraphs):
        for si, s in enumerate(p.sentences):
            for ci, c in enumerate(s.cues):
                key = (pi, si, ci)
                cues.append(
                    FitCue(
                        key=key,
                        text=s.text[c.source_start : c.source_end],
                        sentence=(pi, si),
                        speaker=p.speaker or "",
                        turn=pi,
                        timed=p.kind == ParagraphKind.TRANSCRIPT,
                        hint_ms=(hints or {}).get(key),
                    )
                )
    return cues


def _share_within(times, truth, limit_ms=300) -> float:
    return sum(abs(times[k][0] - v[0]) <= limit_ms for k, v in truth.items()) / len(truth)


def test_short_episode_timed_from_audio_alone_meets_the_300ms_share(spoken, speech):
    result = fit_transcript(_fit_cues(spoken.document), speech)
    truth = spoken.truth()
    assert len(truth) >= 40
    assert set(truth) <= set(result.times)
    assert _share_within(result.times, truth) >= 0.90
    # The speech-rate estimate the importer gives the same transcript is far off.
    estimated = {
        (pi, si, ci): (c.start_ms, c.end_ms)
        for pi, p in enumerate(spoken.document.paragraphs)
        for si, s in enumerate(p.sentences)
        for ci, c in enumerate(s.cues)
        if c.start_ms is not None
    }
    assert _share_within(estimated, truth) < 0.5
    report = result.report
    assert report.cues == len(truth)
    assert report.boundaries_at_pause >= 0.9
    assert set(report.morae_per_s) == {"佐藤", "田中", "山口"}
    assert all(5.0 <= v <= 10.0 for v in report.morae_per_s.values()), report.morae_per_s
    assert not report.warnings


def test_text_is_never_spread_over_the_music_intro(spoken, speech):
    result = fit_transcript(_fit_cues(spoken.document), speech)
    first = min(start for start, _end in result.times.values())
    intro_ms = spoken.cues[0].start_ms
    assert intro_ms > 5000
    assert abs(first - intro_ms) <= 300


def test_audio_plus_damaged_captions(spoken, speech):
    lines = read_caption_lines(damaged_captions_srt(spoken, seed=5).decode("utf-8"), "srt")
    cues = _fit_cues(spoken.document)
    aligned = align_cues([AlignCue(c.key, c.text, c.timed) for c in cues], lines)
    hints = {k: v for k, v in aligned.times.items() if aligned.method[k] == "aligned"}
    result = fit_transcript(_fit_cues(spoken.document, hints), speech)
    truth = spoken.truth()
    assert result.report.caption_hints == len(hints) > 0.8 * len(truth)
    assert _share_within(result.times, truth) >= 0.97
    assert _share_within(result.times, truth) >= _share_within(aligned.times, truth)


def test_sentences_start_at_pauses_and_no_text_over_silence():
    # Three sentences; speech regions with two long pauses and one short one inside the
    # second sentence's speech.
    regions = [(1000, 2500), (3500, 4600), (4700, 6000), (7200, 8400)]
    speech = SpeechRegions(duration_ms=9000, regions=regions)
    cues = [
        FitCue("a", "こんにちは、たなかです。", "s1", "A", 0),
        FitCue("b", "きょうは、いいてんきですね", "s2", "A", 0),
        FitCue("c", "そうですね。", "s3", "B", 1),
    ]
    times = fit_transcript(cues, speech).times
    assert times["a"][0] == 1000
    assert times["b"][0] == 3500
    assert times["c"][0] == 7200
    for start, _end in times.values():
        assert any(a <= start < b for a, b in regions)


def test_cues_of_one_sentence_share_its_speech_by_reading_length():
    speech = SpeechRegions(duration_ms=6000, regions=[(1000, 5000)])
    cues = [
        FitCue(1, "あいうえおかきくけこ", "s", "A", 0),  # 10 morae
        FitCue(2, "さしすせそたちつてと", "s", "A", 0),  # 10 morae
    ]
    times = fit_transcript(cues, speech).times
    assert times[1][0] == 1000
    assert abs(times[2][0] - 3000) <= 40


def test_reading_length_in_morae():
    assert kana_morae("キョウ") == 2  # small kana merges
    assert kana_morae("ガッコウ") == 4
    assert reading_morae("今日は") == 3  # キョウハ
    assert reading_morae("。、") == pytest.approx(0.5)  # clause lengthening, no speech
    assert reading_morae("SNS") == 6


def test_fit_refuses_a_recording_without_speech():
    with pytest.raises(AudioError, match="no speech"):
        fit_transcript([FitCue(1, "はい", "s")], SpeechRegions(5000, []))


@pytest.mark.parametrize(
    "maker",
    [
        lambda p: write_silence(p, seconds=8),
        lambda p: write_silence(p, seconds=8, noise_level=0.01),
        lambda p: write_music_only(p, seconds=15),
    ],
    ids=["silence", "noise", "music"],
)
def test_silence_noise_or_music_only_is_refused_in_one_line(tmp_path, maker):
    path = maker(tmp_path / "x.wav")
    with pytest.raises(AudioError) as exc:
        analyse_file(path)
    message = str(exc.value)
    assert "no speech found" in message
    assert "\n" not in message


def test_truncated_wav_is_refused(tmp_path, spoken):
    data = spoken.path.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated: it declares"):
        analyse_file(cut)


def test_truncated_mp3_is_refused(tmp_path, spoken):
    import av
    import numpy as np

    samples = decode_audio(spoken.path)[: 16000 * 20]
    mp3 = tmp_path / "ep.mp3"
    with av.open(str(mp3), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=16000)
        stream.layout = "mono"
        pcm = (samples * 32767).astype(np.int16)
        for i in range(0, len(pcm), 16000):
            frame = av.AudioFrame.from_ndarray(
                pcm[None, i : i + 16000], format="s16", layout="mono"
            )
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    whole = analyse_file(mp3)
    assert abs(whole.duration_ms - 20000) < 200 and whole.speech_ms > 5000
    data = mp3.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioError, match="truncated"):
        analyse_file(cut)


@pytest.mark.parametrize(
    "content",
    [
        b"1\n00:00:01,000 --> 00:00:02,000\n\xe3\x81\xaf\xe3\x81\x84\n",
        b"\x00" * 4096,
        b"ID3" + b"x" * 999,
    ],
    ids=["srt-named-mp3", "zeros", "fake-id3"],
)
def test_a_file_that_is_not_audio_is_refused_in_one_line(tmp_path, content):
    path = tmp_path / "episode.mp3"
    path.write_bytes(content)
    with pytest.raises(AudioError) as exc:
        analyse_file(path)
    assert "\n" not in str(exc.value)
    assert "not audio or video" in str(exc.value)


def test_a_video_without_sound_is_refused(tmp_path):
    import av
    import numpy as np

    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(AudioError, match="no audio track"):
        analyse_file(path)


def test_decoded_audio_is_16k_mono(spoken):
    samples = decode_audio(spoken.path)
    with wave.open(str(spoken.path)) as w:
        frames = w.getnframes()
    assert abs(len(samples) - frames) <= 512
    assert samples.dtype.name == "float32"


def test_the_detector_model_ships_in_the_package():
    from translator.core.audio.vad import model_path

    path, kind = model_path()
    assert Path(path).is_file() and "silero_vad" in str(path)
    assert kind in ("sequence", "stream")


def test_syllable_peaks_count_the_bursts_of_speech():
    import numpy as np

    from translator.core.audio.vad import syllable_peaks

    # 10 ms loudness frames: 6 syllable-like bursts, 180 ms apart, inside one speech region.
    level = np.full(300, -60.0)
    for k in range(6):
        centre = 50 + 18 * k
        level[centre - 6 : centre + 7] = -20 - np.abs(np.arange(-6, 7)) * 2.0
    peaks = syllable_peaks(level, [(400, 1600)])
    assert len(peaks) == 6
    assert all(abs(p - (500 + 180 * k)) <= 20 for k, p in enumerate(peaks))
    assert syllable_peaks(level, [(400, 800)]) == peaks[:2]  # outside speech: not counted


def test_a_run_on_cue_boundary_follows_the_syllables():
    # One 4 s sentence of two cues with the same reading length, no pause between them; the
    # first half is spoken slowly (4 nuclei in 2.6 s), the rest fast (10 nuclei in 1.4 s).
    slow = [1000 + 650 * k + 300 for k in range(4)]
    fast = [3600 + 140 * k + 70 for k in range(10)]
    speech = SpeechRegions(duration_ms=6000, regions=[(1000, 5000)], syllables=slow + fast)
    cues = [
        FitCue(1, "あいうえおかき", "s", "A", 0),  # 7 morae
        FitCue(2, "さしすせそたち", "s", "A", 0),  # 7 morae
    ]
    plain = fit_transcript(cues, SpeechRegions(duration_ms=6000, regions=[(1000, 5000)]))
    assert abs(plain.times[2][0] - 3000) <= 40  # by reading length alone: the middle
    paced = fit_transcript(cues, speech)
    # 7 of 14 nuclei: the boundary is between the 7th and 8th, early in the fast part.
    assert fast[2] < paced.times[2][0] < fast[3]


_KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねの"


@settings(max_examples=60)
@given(
    regions=st.lists(
        st.tuples(st.integers(50, 3000), st.integers(80, 6000)), min_size=1, max_size=25
    ),
    sentences=st.lists(
        st.lists(st.text(_KANA + "、", min_size=1, max_size=30), min_size=1, max_size=3),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
def test_fit_always_gives_ordered_times_inside_the_audio(regions, sentences, data):
    spans, t = [], 0
    for gap, length in regions:
        spans.append((t + gap, t + gap + length))
        t += gap + length
    duration = t + 500
    speech = SpeechRegions(duration_ms=duration, regions=spans)
    cues = []
    for si, texts in enumerate(sentences):
        speaker = data.draw(st.sampled_from("AB"))
        for text in texts:
            cues.append(FitCue(len(cues), text, si, speaker, si // 2, timed=True))
    try:
        result = fit_transcript(cues, speech)
    except AudioError as exc:  # the transcript cannot be placed: said in one line
        assert "\n" not in str(exc)
        return
    times = [result.times[c.key] for c in cues]
    assert len(times) == len(cues)
    for (s0, e0), (s1, _e1) in zip(times, times[1:], strict=False):
        assert s0 <= e0 <= s1
    assert times[0][0] >= spans[0][0] - 1
    assert times[-1][1] <= duration + 7000


def test_audio_of_another_episode_is_flagged(speech):
    from translator.core.pipeline import segment_document

    other = segment_document(sample_transcript())  # four times the text of the recording
    try:
        result = fit_transcript(_fit_cues(other), speech)
    except AudioError as exc:
        assert "does not fit" in str(exc)
    else:
        assert any(
            "speaking rate" in w or "not in the transcript" in w for w in result.report.warnings
        )


def test_speech_missing_from_the_transcript_is_left_out_not_absorbed(spoken, speech):
    """Two turns are spoken (an ad, a passage cut from the transcript) but not transcribed: the
    fit leaves their speech out between two sentences instead of stretching the rest over it."""
    turns = [
        pi for pi, p in enumerate(spoken.document.paragraphs) if p.kind == ParagraphKind.TRANSCRIPT
    ]
    dropped = set(turns[5:7])
    cues = [c for c in _fit_cues(spoken.document) if c.key[0] not in dropped]
    result = fit_transcript(cues, speech)
    truth = {k: v for k, v in spoken.truth().items() if k[0] not in dropped}
    left_out = sum(e - s for k, (s, e) in spoken.truth().items() if k[0] in dropped)
    assert left_out > 8000
    # espeak-ng's output is not bit-identical from run to run (the WAV differs between test
    # processes), and with two turns missing the share measured 0.875-0.975 over repeated
    # runs; the whole-episode tests keep the 0.90 goal.
    assert _share_within(result.times, truth) >= 0.85
    assert result.report.skipped_inside_ms > 0.7 * left_out
