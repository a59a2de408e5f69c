"""Synthetic spoken episodes with known timing, for the audio-timing tests and benchmark.

Real speech, not a stand-in: every transcript cue is spoken by espeak-ng's Japanese voice
(Debian package ``espeak-ng``) from its kana reading (fugashi + unidic-lite, as Jimaku reads
it), one utterance per cue, with a voice per speaker (variant, rate and pitch of its own, and a
little variation from cue to cue). The utterances are trimmed of their own silence and laid
end to end with pauses of realistic, varied length between the cues of one sentence (60-300 ms where
the cue ends at a comma, else mostly none: the speaker runs on),
250-1100 ms between sentences, 350-1600 ms at a change of speaker, now and then a 2-4 s
pause. Under it runs a low noise floor, and a music bed (chords and a beat) plays alone for
the intro and then under the first sentences, fading out. Each cue keeps its true spoken
start and end. Deterministic for a given seed.

The transcript goes through Jimaku's own importer (:func:`segment_document`), so the cues
spoken are exactly the cues the alignment will see.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from translator.core.morph import tokenize
from translator.core.pipeline import segment_document
from translator.core.types import ParagraphKind, ParsedDocument

RATE = 16_000
_VARIANTS = ("m1", "f2", "m3", "f4", "m2", "f1")


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


@dataclass
class SpokenCue:
    paragraph: int
    sentence: int
    cue: int
    text: str
    speaker: str
    start_ms: int
    end_ms: int


@dataclass
class SynthEpisode:
    path: Path
    document: ParsedDocument
    cues: list[SpokenCue]  # every transcript cue, in order, with its true times
    duration_ms: int
    music_until_ms: int
    voices: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # variant, wpm, pitch

    def truth(self) -> dict[tuple[int, int, int], tuple[int, int]]:
        return {(c.paragraph, c.sentence, c.cue): (c.start_ms, c.end_ms) for c in self.cues}


_DIGITS = ["", "イチ", "ニ", "サン", "ヨン", "ゴ", "ロク", "ナナ", "ハチ", "キュウ"]
_UNITS = ["", "ジュウ", "ヒャク", "セン"]


def number_kana(digits: str) -> str:
    """A number as a Japanese speaker says it (27: ニジュウナナ). espeak-ng's own reading of
    digits clips ジュウ to one short mora, which no speaker does."""
    n = int(digits)
    if n == 0 or len(digits) > 8:
        return "".join(_DIGITS[int(d)] or "ゼロ" for d in digits)
    out = []
    for group, suffix in ((n // 10000, "マン"), (n % 10000, "")):
        if not group:
            continue
        for pos in range(3, -1, -1):
            d = group // 10**pos % 10
            if d:
                out.append(("" if d == 1 and pos else _DIGITS[d]) + _UNITS[pos])
        out.append(suffix)
    return "".join(out)


def kana_reading(text: str) -> str:
    """What espeak-ng is given: each morpheme's kana reading; punctuation kept (it pauses at
    、 and 。), numbers read out in kana, Latin words the dictionary has no reading for kept as
    written."""
    out = []
    for token in tokenize(text):
        if token.kana:
            out.append(token.kana)
        elif token.surface.isascii() and token.surface.isdigit():
            out.append(number_kana(token.surface))
        else:
            out.append(token.surface)
    return " ".join(out)


def _speak(reading: str, variant: str, wpm: int, pitch: int) -> np.ndarray:
    proc = subprocess.run(
        ["espeak-ng", "-v", f"ja+{variant}", "-s", str(wpm), "-p", str(pitch), "--stdout"],
        input=reading.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    data = proc.stdout
    # espeak writes a streaming WAV header (sizes unset): read the format, take the rest.
    with wave.open(io.BytesIO(data[:44] + b"\0" * 4)) as w:
        rate = w.getframerate()
    pcm = np.frombuffer(data[44 : 44 + (len(data) - 44) // 2 * 2], dtype="<i2").astype(np.float32)
    pcm /= 32768.0
    n_out = int(len(pcm) * RATE / rate)
    if n_out <= 0:
        return np.zeros(0, np.float32)
    x = np.interp(np.arange(n_out) * (rate / RATE), np.arange(len(pcm)), pcm).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > 0.02)
    if loud.size == 0:
        return np.zeros(0, np.float32)
    return x[loud[0] : loud[-1] + 1]


def _music(n: int, rng: random.Random) -> np.ndarray:
    """A simple music bed: a chord progression of harmonic tones and a kick/hat beat."""
    t = np.arange(n) / RATE
    out = np.zeros(n, np.float32)
    beat = 0.5  # 120 bpm
    chords = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6)]
    bar = 4 * beat
    for k in range(int(n / RATE / bar) + 1):
        lo, hi = int(k * bar * RATE), min(n, int((k + 1) * bar * RATE))
        if lo >= n:
            break
        tt = t[lo:hi] - k * bar
        env = np.minimum(1.0, tt * 20) * np.exp(-tt * 0.6)
        for f in chords[k % len(chords)]:
            for h, amp in ((1, 1.0), (2, 0.4), (3, 0.2)):
                out[lo:hi] += (0.05 * amp * env * np.sin(2 * np.pi * f * h * tt)).astype(np.float32)
    nrng = np.random.default_rng(rng.randrange(2**31))
    for b in range(int(n / RATE / beat)):
        lo = int(b * beat * RATE)
        m = min(n - lo, int(0.12 * RATE))
        tt = np.arange(m) / RATE
        out[lo : lo + m] += (0.25 * np.sin(2 * np.pi * 60 * tt) * np.exp(-tt * 30)).astype(
            np.float32
        )
        h = lo + int(beat / 2 * RATE)
        if h + 800 < n:
            out[h : h + 800] += (
                0.04 * nrng.standard_normal(800) * np.exp(-np.arange(800) / 150)
            ).astype(np.float32)
    return out


def build_episode(
    transcript: str,
    out_path: Path,
    *,
    seed: int = 0,
    intro_music_ms: int = 6000,
    music_under_ms: int = 8000,
    noise_level: float = 0.004,
) -> SynthEpisode:
    """Speak ``transcript`` (Jimaku's text transcript format) to a 16 kHz WAV at ``out_path``."""
    rng = random.Random(seed)
    doc = segment_document(transcript)
    speakers = sorted({p.speaker or "" for p in doc.paragraphs})
    voices = {}
    for i, sp in enumerate(speakers):
        voices[sp] = (_VARIANTS[i % len(_VARIANTS)], rng.randint(150, 200), rng.randint(30, 75))
    pieces: list[tuple[int, np.ndarray]] = []
    cues: list[SpokenCue] = []
    t = intro_music_ms + rng.randint(300, 900)
    prev_para = None
    for pi, para in enumerate(doc.paragraphs):
        if para.kind != ParagraphKind.TRANSCRIPT:
            continue
        variant, wpm, pitch = voices[para.speaker or ""]
        if prev_para is not None:
            t += rng.randint(350, 1600)
            if rng.random() < 0.06:
                t += rng.randint(1500, 3000)
        prev_para = pi
        for si, sentence in enumerate(para.sentences):
            if si:
                t += rng.randint(250, 1100)
            for ci, cue in enumerate(sentence.cues):
                text = sentence.text[cue.source_start : cue.source_end]
                if ci:
                    previous = sentence.text[: cue.source_start].rstrip()
                    if previous.endswith(("、", "，", ",")):
                        t += rng.randint(60, 300)  # a breath at a comma
                    else:
                        t += rng.choice((0, 0, rng.randint(20, 120)))  # mid-phrase: run on
                audio = _speak(
                    kana_reading(text),
                    variant,
                    max(120, wpm + rng.randint(-12, 12)),
                    max(0, min(99, pitch + rng.randint(-6, 6))),
                )
                if audio.size == 0:
                    continue
                start = t
                end = t + len(audio) * 1000 // RATE
                pieces.append((start, audio))
                cues.append(SpokenCue(pi, si, ci, text, para.speaker or "", start, end))
                t = end
    duration_ms = t + rng.randint(1500, 3000)
    n = duration_ms * RATE // 1000
    nrng = np.random.default_rng(seed)
    signal = np.zeros(n, np.float32)
    for start, audio in pieces:
        lo = start * RATE // 1000
        signal[lo : lo + len(audio)] += audio[: n - lo]
    # Noise floor (slightly low-passed white noise).
    noise = nrng.standard_normal(n).astype(np.float32)
    noise = np.convolve(noise, np.ones(4, np.float32) / 4, mode="same")
    signal += noise_level * noise / (noise.std() + 1e-9)
    # Music: alone for the intro, then under the first sentences, fading out.
    music_until_ms = intro_music_ms + music_under_ms
    m = min(n, music_until_ms * RATE // 1000)
    bed = _music(m, rng)
    fade = np.ones(m, np.float32)
    under = intro_music_ms * RATE // 1000
    fade[under:] = np.linspace(0.5, 0.0, m - under, dtype=np.float32)
    fade[: min(under, m)] = 1.0
    signal[:m] += bed * fade
    peak = float(np.abs(signal).max()) or 1.0
    pcm = (np.clip(signal / peak * 0.9, -1, 1) * 32767).astype("<i2")
    out_path = Path(out_path)
    with wave.open(str(out_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return SynthEpisode(out_path, doc, cues, duration_ms, music_until_ms, voices)


def write_music_only(out_path: Path, *, seconds: int = 20, seed: int = 0) -> Path:
    n = seconds * RATE
    bed = _music(n, random.Random(seed))
    pcm = (np.clip(bed / (np.abs(bed).max() or 1) * 0.9, -1, 1) * 32767).astype("<i2")
    _write_wav(out_path, pcm)
    return out_path


def write_silence(out_path: Path, *, seconds: int = 10, noise_level: float = 0.0) -> Path:
    n = seconds * RATE
    x = np.random.default_rng(0).standard_normal(n) * noise_level
    _write_wav(out_path, (np.clip(x, -1, 1) * 32767).astype("<i2"))
    return out_path


def _write_wav(out_path: Path, pcm: np.ndarray) -> None:
    with wave.open(str(out_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def sample_transcript(turns: int | None = None) -> str:
    """The project's sample episode, cut to its first ``turns`` transcript turns."""
    from importlib import resources

    text = resources.files("translator.samples").joinpath("sample_episode.txt").read_text("utf-8")
    if turns is None:
        return text
    lines = text.splitlines()
    out, seen = [], 0
    in_turns = False
    for line in lines:
        if ": " in line and not line.startswith(("  ", "ホスト")):
            in_turns = True
            seen += 1
            if seen > turns:
                break
        elif in_turns and line.strip() and ": " not in line:
            break
        out.append(line)
    return "\n".join(out) + "\n"


def truth_cues(episode: SynthEpisode):
    """The spoken cues as :class:`tests.core.asr_synth.TruthCue` (characters spread evenly over
    each cue's speech), to make rough captions of the same recording from."""
    from tests.core.asr_synth import TruthCue, _is_spoken

    out = []
    for c in episode.cues:
        spoken = [ch for ch in c.text if _is_spoken(ch)] or ["x"]
        step = (c.end_ms - c.start_ms) / len(spoken)
        chars = [(c.start_ms + k * step, c.start_ms + (k + 1) * step) for k in range(len(spoken))]
        out.append(TruthCue(c.text, c.start_ms, c.end_ms, chars))
    return out


def damaged_captions_srt(episode: SynthEpisode, *, seed: int = 0) -> bytes:
    """Rough ASR-like SRT captions of the episode (recognition errors, re-split lines)."""
    import pysubs2

    from tests.core.asr_synth import Damage, synthesise_captions

    subs = pysubs2.SSAFile()
    for line in synthesise_captions(truth_cues(episode), Damage(), seed=seed):
        subs.append(pysubs2.SSAEvent(start=line.start_ms, end=line.end_ms, text=line.text))
    return subs.to_string("srt").encode("utf-8")
