"""Benchmark: timing a one-hour episode from its own audio.

The episode is real synthetic speech built on the fly (tests/support/audio_episode.py): a
generated three-speaker transcript of about an hour (tests/core/asr_synth.generate_chunks),
each cue spoken by espeak-ng's Japanese voice from its kana reading, a voice, rate and pitch
per speaker, varied pauses (between cues, sentences, turns, now and then a long one), a noise
floor and a music bed under the intro; every cue keeps its true spoken start. The recording is
encoded to MP3 (as a podcast is) and analysed from that file.

Accuracy: share of cue starts within 300 ms of the truth, all measured in the same run, for
- the speech-rate estimate the importer gives an untimed transcript (told the true duration);
- rough recogniser captions alone (tests/core/asr_synth.synthesise_captions: recognition
  errors, re-split lines; translator.core.align.align_cues);
- the audio alone (translator.core.audio: speech regions + fit);
- the audio plus those captions.
Speed: decode + speech detection of the hour (MP3), the fit, and how analysis time grows from
15 to 30 to 60 minutes of audio (WAV prefixes).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure  # noqa: E402
from tests.core.asr_synth import Damage, generate_chunks, synthesise_captions  # noqa: E402
from tests.support.audio_episode import build_episode, truth_cues  # noqa: E402
from translator.core.align import AlignCue, align_cues  # noqa: E402
from translator.core.audio.fit import FitCue, fit_transcript  # noqa: E402
from translator.core.audio.vad import analyse_file  # noqa: E402
from translator.core.pipeline import segment_document  # noqa: E402
from translator.core.requests import ImportRequest  # noqa: E402
from translator.core.types import ParagraphKind  # noqa: E402

SECTION = "Timing from audio"
TARGET_MS = 60 * 60 * 1000
SPEAKERS = ("佐藤", "田中", "山口")


def _transcript(n_chars: int, seed: int) -> str:
    rng = random.Random(seed)
    chunks = generate_chunks(n_chars, seed=seed)
    sentences, cur = [], ""
    for chunk in chunks:
        cur += chunk
        if cur.endswith("。"):
            sentences.append(cur)
            cur = ""
    if cur:
        sentences.append(cur + "。")
    turns, i, who = [], 0, 0
    while i < len(sentences):
        n = rng.choice((1, 1, 2, 2, 3, 4, 6))
        turns.append(f"{SPEAKERS[who]}: " + "".join(sentences[i : i + n]))
        i += n
        who = (who + rng.choice((1, 2))) % len(SPEAKERS)
    return "合成ポッドキャスト\n第1回\n\nトランスクリプト\n\n" + "\n\n".join(turns) + "\n"


def _keys(doc):
    for pi, p in enumerate(doc.paragraphs):
        for si, s in enumerate(p.sentences):
            for ci, c in enumerate(s.cues):
                yield (pi, si, ci), p, s, c


def _fit_cues(doc, hints=None) -> list[FitCue]:
    return [
        FitCue(
            key=key,
            text=s.text[c.source_start : c.source_end],
            sentence=key[:2],
            speaker=p.speaker or "",
            turn=key[0],
            timed=p.kind == ParagraphKind.TRANSCRIPT,
            hint_ms=(hints or {}).get(key),
        )
        for key, p, s, c in _keys(doc)
    ]


def _share(times, truth, limit=300) -> float:
    return sum(abs(times[k][0] - v[0]) <= limit for k, v in truth.items()) / len(truth)


def _encode_mp3(wav_path: Path, mp3_path: Path) -> None:
    import av
    import numpy as np

    with wave.open(str(wav_path)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    with av.open(str(mp3_path), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate)
        stream.layout = "mono"
        stream.bit_rate = 64000
        step = rate * 10
        for i in range(0, len(pcm), step):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + step], format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _prefix_wav(src: Path, dst: Path, ms: int) -> None:
    with wave.open(str(src)) as w:
        params = w.getparams()
        frames = w.readframes(ms * w.getframerate() // 1000)
    with wave.open(str(dst), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)


def run() -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="jimaku-bench-audio-"))
    t0 = time.perf_counter()
    text = _transcript(17_800, seed=19)
    ep = build_episode(text, work / "episode.wav", seed=19, intro_music_ms=12_000)
    build_s = time.perf_counter() - t0
    truth = ep.truth()
    _encode_mp3(ep.path, work / "episode.mp3")

    # Speed: decode + detect, the hour as MP3 (median of 3).
    analyse_times = []
    for _ in range(3):
        t = time.perf_counter()
        speech = analyse_file(work / "episode.mp3")
        analyse_times.append(time.perf_counter() - t)
    analyse_s = statistics.median(analyse_times)
    fit_times = []
    for _ in range(2):
        t = time.perf_counter()
        audio_only = fit_transcript(_fit_cues(ep.document), speech)
        fit_times.append(time.perf_counter() - t)
    fit_s = min(fit_times)

    # Growth: 15, 30, 60 minutes of the same recording (WAV, detection only).
    growth = {}
    for minutes in (15, 30, 60):
        path = work / f"prefix{minutes}.wav"
        _prefix_wav(ep.path, path, minutes * 60_000)
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            analyse_file(path)
            runs.append(time.perf_counter() - t)
        growth[minutes] = statistics.median(runs)

    # Accuracy, all in this run.
    estimated_doc = segment_document(text, ImportRequest(duration_ms=ep.duration_ms))
    estimated = {k: (c.start_ms, c.end_ms) for k, _p, _s, c in _keys(estimated_doc) if k in truth}
    captions = synthesise_captions(truth_cues(ep), Damage(), seed=19)
    cues = _fit_cues(ep.document)
    aligned = align_cues([AlignCue(c.key, c.text, c.timed) for c in cues], captions)
    hints = {k: v for k, v in aligned.times.items() if aligned.method[k] == "aligned"}
    combined = fit_transcript(_fit_cues(ep.document, hints), speech)

    hours = ep.duration_ms / 3_600_000
    n = len(truth)
    note = (
        f"{n} cues, {ep.duration_ms / 60000:.1f} min, {sum(1 for v in ep.voices if v)} speakers "
        f"(espeak-ng ja, {speech.speech_ms / 60000:.1f} min speech found); same run"
    )
    share_est = _share(estimated, truth)
    share_cap = _share(aligned.times, truth)
    share_audio = _share(audio_only.times, truth)
    share_both = _share(combined.times, truth)
    figures = [
        Figure(
            SECTION,
            "cue starts within 300 ms, audio alone",
            share_audio * 100,
            unit="%",
            baseline_name="speech-rate estimate alone",
            baseline_value=share_est * 100,
            goal=">= 90 %",
            note=note,
        ),
        Figure(
            SECTION,
            "cue starts within 300 ms, audio + damaged captions",
            share_both * 100,
            unit="%",
            baseline_name="captions alone",
            baseline_value=share_cap * 100,
            goal=">= 97 %",
            note=f"captions: {len(captions)} recogniser lines, coverage "
            f"{aligned.report.coverage:.0%}",
        ),
        Figure(
            SECTION,
            "analyse one hour of audio (MP3 decode + speech detection)",
            analyse_s / hours,
            unit="s",
            baseline_name="real time (one hour)",
            baseline_value=3600.0,
            goal="<= 120 s",
            note=f"{ep.duration_ms / 60000:.1f} min MP3, median of 3; Silero VAD (ONNX, 1 thread)",
        ),
        Figure(
            SECTION,
            "fit the one-hour transcript to its speech (3 DP passes, best of 2)",
            fit_s,
            unit="s",
            baseline_name="analysis of the hour",
            baseline_value=analyse_s,
            note=f"{audio_only.report.sentences} sentences, {audio_only.report.regions} speech "
            "regions",
        ),
        Figure(
            SECTION,
            "analysis time growth 30 -> 60 min",
            growth[60] / growth[30],
            unit="x",
            baseline_name="growth 15 -> 30 min",
            baseline_value=growth[30] / growth[15],
            goal="~2x (linear)",
            note=f"WAV, median of 3: 15 min {growth[15]:.1f} s, 30 min {growth[30]:.1f} s, "
            f"60 min {growth[60]:.1f} s (2 cores shared with other jobs: wall times vary)",
        ),
    ]
    print(
        f"    (built the spoken episode in {build_s:.0f} s; estimate {share_est:.1%}, captions "
        f"{share_cap:.1%}, audio {share_audio:.1%}, both {share_both:.1%})",
        flush=True,
    )
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return figures


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name}: {fig.value:.3f} {fig.unit} vs {fig.baseline_name} {fig.baseline_value}")
        if fig.note:
            print(f"    {fig.note}")
