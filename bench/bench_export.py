"""Export benchmarks.

1. Export time of a synthetic 2,000-cue episode per format (srt, vtt, ass): our whole path
   (build_subtitles + render_subtitles) and the render step alone, each against pysubs2's own
   serialisation (SSAFile.to_string) of the same already-built events, measured in the same run.
2. Share of cues meeting every style rule on a realistic synthetic episode (Japanese cue spans at
   ~7 chars/s, English ~2.2x the Japanese length), against a naive proportional split of the
   English over the Japanese cues (no rebalancing, merging or extension) measured in the same run.
"""

from __future__ import annotations

import random

from bench.common import Figure, median_time
from tests.support.sample import sample_episode_with_reference
from translator.core.export_types import (
    ExportCue,
    ExportEpisode,
    ExportSegment,
    SubtitleOptions,
)
from translator.core.linebreak import PEN_AFTER_CONJ, break_english, break_japanese, break_penalty
from translator.core.subtitles import SubtitleEvent, build_subtitles, check_events
from translator.core.timing_rules import apply_timing_rules
from translator.core.writers import build_ssafile, render_subtitles

SECTION = "Export"
_WORDS = [
    "the",
    "a",
    "support",
    "team",
    "Heroku",
    "app",
    "dyno",
    "people",
    "really",
    "think",
    "that",
    "and",
    "so",
    "we",
    "were",
    "going",
    "to",
    "use",
    "it",
    "when",
    "customers",
    "ask",
    "about",
    "database",
    "errors",
    "every",
    "day",
    "in",
    "Japan",
    "with",
    "questions",
    "because",
    "I",
    "have",
    "been",
    "working",
    "there",
    "since",
    "January",
    "maybe",
    "about",
    "two",
    "years",
    "now",
]
_JA = "ありがとうございますサポートチームのお仕事ですねそうですね"


def synthetic_episode(n_cues: int = 2000, *, seed: int = 7) -> ExportEpisode:
    """Sentences of 1-4 cues; Japanese cues of 6-26 chars spoken at ~7 chars/s with short
    pauses; English about 2.2x the Japanese character count."""
    rng = random.Random(seed)
    segments = []
    t = 0
    cues_made = 0
    turn = 0
    speakers = ["Nagano", "Tomono", "Sawa"]
    while cues_made < n_cues:
        n = min(rng.choice([1, 1, 2, 2, 3, 4]), n_cues - cues_made)
        cues = []
        ja_total = 0
        for _ in range(n):
            ja_len = rng.randint(6, 26)
            ja = "".join(rng.choice(_JA) for _ in range(ja_len - 1)) + "、"
            dur = int(ja_len / 7.0 * 1000 * rng.uniform(0.85, 1.15))
            # Lines as the import stores them on each cue (export reuses them).
            cues.append(ExportCue(t, t + dur, ja, tuple(break_japanese(ja))))
            t += dur + rng.choice([0, 0, 40, 150, 400, 900])
            ja_total += ja_len
        target = int(ja_total * 2.2)
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < target:
            words.append(rng.choice(_WORDS))
        english = " ".join(words).capitalize() + "."
        if rng.random() < 0.3:
            turn += 1
        segments.append(
            ExportSegment(
                index=len(segments),
                kind="transcript",
                turn=turn,
                speaker=speakers[turn % 3],
                speaker_label=None,
                source_text="".join(c.source_text for c in cues),
                text=english,
                status="approved",
                cues=cues,
            )
        )
        cues_made += n
    return ExportEpisode("Synthetic episode", segments, glossary={"ヘロク": "Heroku"})


def naive_events(episode: ExportEpisode, options: SubtitleOptions) -> list[SubtitleEvent]:
    """Baseline: each Japanese cue gets its duration-proportional share of the words."""
    events = []
    for seg in episode.segments:
        if any(c.start_ms is None for c in seg.cues) or not seg.cues:
            continue  # show notes: untimed, not subtitles
        words = seg.text.split()
        total = sum(c.end_ms - c.start_ms for c in seg.cues) or 1
        acc = 0
        taken = 0
        for c in seg.cues:
            acc += c.end_ms - c.start_ms
            upto = round(len(words) * acc / total)
            chunk = " ".join(words[taken:upto])
            taken = upto
            events.append(
                SubtitleEvent(
                    c.start_ms,
                    c.end_ms,
                    break_english(chunk, max_chars_per_line=options.max_chars_per_line),
                    [],
                    seg.speaker,
                    seg.index,
                )
            )
    spans = apply_timing_rules([(e.start_ms, e.end_ms) for e in events], options.timing_rules)
    for e, (s, t) in zip(events, spans, strict=True):
        e.start_ms, e.end_ms = s, t
    return events


def poor_cue_boundaries(events: list[SubtitleEvent]) -> tuple[int, int]:
    """(poor, all) boundaries between two cues of one sentence: a poor one cuts after a
    conjunction or preposition, between an adjective and its noun, a name, a number and its
    unit… (line-break penalty >= PEN_AFTER_CONJ)."""
    poor = total = 0
    for a, b in zip(events, events[1:], strict=False):
        if a.segment_index != b.segment_index or len(a.segment_indexes) > 1:
            continue
        if len(b.segment_indexes) > 1 or not a.en_lines or not b.en_lines:
            continue
        total += 1
        poor += break_penalty(a.en_lines[-1].split()[-1], b.en_lines[0].split()[0]) >= (
            PEN_AFTER_CONJ
        )
    return poor, total


def run() -> list[Figure]:
    figures: list[Figure] = []
    episode = synthetic_episode(2000)
    options = SubtitleOptions(layout="bilingual")
    built = build_subtitles(episode, options).events
    for fmt in ("srt", "vtt", "ass"):
        ssa = build_ssafile(built, fmt=fmt, options=options)
        kwargs = {"keep_ssa_tags": True} if fmt != "ass" else {}
        baseline = median_time(lambda ssa=ssa, fmt=fmt, kw=kwargs: ssa.to_string(fmt, **kw))
        full = median_time(
            lambda fmt=fmt: render_subtitles(
                build_subtitles(episode, options).events, fmt=fmt, options=options
            ),
            repeat=3,
        )
        render = median_time(lambda fmt=fmt: render_subtitles(built, fmt=fmt, options=options))
        figures.append(
            Figure(
                SECTION,
                f"build + render 2,000 cues ({fmt}, bilingual)",
                full,
                baseline_name="pysubs2 SSAFile.to_string of the same events",
                baseline_value=baseline,
                goal="<= 1.5x",
                note=f"{len(built)} events",
            )
        )
        figures.append(
            Figure(
                SECTION,
                f"render only 2,000 cues ({fmt}, bilingual)",
                render,
                baseline_name="pysubs2 SSAFile.to_string of the same events",
                baseline_value=baseline,
                goal="<= 1.5x",
            )
        )

    en = SubtitleOptions(layout="en")
    realistic = synthetic_episode(1000, seed=11)
    report = build_subtitles(realistic, en).report
    naive = check_events(naive_events(realistic, en), en)
    figures.append(
        Figure(
            SECTION,
            "cues meeting every English style rule (synthetic episode)",
            100 * report.compliant_share,
            unit="%",
            baseline_name="naive proportional split",
            baseline_value=100 * naive.compliant_share,
            goal="higher than baseline",
            note=", ".join(f"{k}={v}" for k, v in report.violations.items() if v),
        )
    )
    sample = sample_episode_with_reference()
    for label, ep in (("sample episode", sample), ("synthetic episode", realistic)):
        ours = poor_cue_boundaries(build_subtitles(ep, en).events)
        base = poor_cue_boundaries(naive_events(ep, en))
        figures.append(
            Figure(
                SECTION,
                f"in-sentence cue boundaries at a poor break ({label}, English)",
                100 * ours[0] / max(ours[1], 1),
                unit="%",
                baseline_name="naive proportional split",
                baseline_value=100 * base[0] / max(base[1], 1),
                goal="lower than baseline",
                note=f"{ours[0]} of {ours[1]} (baseline {base[0]} of {base[1]}); poor: after a "
                "conjunction/preposition, adjective|noun, name, number|unit, subject|verb",
            )
        )
    for layout, label in (("en", "English"), ("bilingual", "bilingual (English and Japanese)")):
        opts = SubtitleOptions(layout=layout)
        report = build_subtitles(sample, opts).report
        naive = check_events(naive_events(sample, opts), opts) if layout == "en" else None
        sides = (
            f"English side {100 * report.compliant_en_events / report.events:.1f} %, "
            f"Japanese side {100 * report.compliant_ja_events / report.events:.1f} % "
            f"(line and timing rules; its reading speed is information: median "
            f"{report.ja_cps_median:.1f} chars/s, {100 * report.ja_fast_share:.0f} % over "
            f"{report.ja_info_cps:g}); "
            if layout == "bilingual"
            else ""
        )
        figures.append(
            Figure(
                SECTION,
                f"cues meeting every style rule, sample episode, {label}",
                100 * report.compliant_share,
                unit="%",
                baseline_name="naive proportional split" if naive else "",
                baseline_value=100 * naive.compliant_share if naive else None,
                goal="higher than baseline" if naive else "",
                note=f"{report.events} cues; {sides}"
                + ", ".join(f"{k}={v}" for k, v in report.violations.items() if v),
            )
        )
    return figures


if __name__ == "__main__":
    for f in run():
        ratio = f" ({f.ratio:.2f}x)" if f.ratio is not None else ""
        print(
            f"{f.name}: {f.value:.4g} {f.unit} vs {f.baseline_name} {f.baseline_value:.4g}{ratio} {f.note}"
        )
