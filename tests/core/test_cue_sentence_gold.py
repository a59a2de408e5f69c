"""Same-speaker sentence boundaries of timed conversation against hand-annotated gold sets
(``tests/core/gold_cues/README.md`` describes the sets, how they were annotated and which were
held out)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from translator.core import cue_sentences
from translator.core.subtitle_input import parse_timed

GOLD_DIR = Path(__file__).resolve().parent / "gold_cues"
GOLD = GOLD_DIR / "radio_talk.tsv"  # dev: the rules were written on it
HELDOUT = GOLD_DIR / "radio_talk_heldout.tsv"  # held out for the first rules, dev since
ANIME = GOLD_DIR / "anime_heldout.tsv"  # held out (written before the second round of rules)
DRAMA = GOLD_DIR / "drama_heldout.tsv"  # held out (idem)
CAFE = GOLD_DIR / "cafe_dev.tsv"  # dev of the third round
FIRST_TUNED = (GOLD, HELDOUT)
TUNED = (GOLD, HELDOUT, CAFE)
NEW_HELDOUT = (ANIME, DRAMA)
MARK = "｜"
_SPACE = re.compile(r"\s+")


def _ass_time(ms: int) -> str:
    cs = ms // 10
    return f"{cs // 360_000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def gold_rows(path: Path = GOLD) -> list[tuple[str, int, int, str]]:
    rows = []
    t = 0
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        speaker, gap, duration, text = line.split("\t")
        start = t + int(gap)
        end = start + int(duration)
        rows.append((speaker, start, end, text))
        t = end
    return rows


def gold_ass(path: Path = GOLD, *, labelled: bool = True) -> str:
    """The set as an ASS file: one event per row, the speaker in the Name field (left empty
    with ``labelled=False``: an SRT-like file where no speaker is named)."""
    head = (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    return head + "".join(
        f"Dialogue: 0,{_ass_time(s)},{_ass_time(e)},Default,{who if labelled else ''},"
        f"0,0,0,,{text.replace(MARK, '')}\n"
        for who, s, e, text in gold_rows(path)
    )


def _gold(path: Path) -> tuple[str, set[int], set[int]]:
    """The whole text (no whitespace), its sentence ends, and the offsets not scored for
    same-speaker boundaries (speaker changes, where a sentence ends by rule, and the end)."""
    text, ends, changes, n, prev = [], set(), set(), 0, None
    for who, _s, _e, row in gold_rows(path):
        if prev is not None and who != prev:
            changes.add(n)
        prev = who
        row = _SPACE.sub("", row)
        # A mark before closing brackets ends the sentence after them (」 stays with it).
        row = re.sub(f"{MARK}([」』）)]+)", lambda m: m.group(1) + MARK, row)
        for ch in row:
            if ch == MARK:
                ends.add(n)
            else:
                n += 1
                text.append(ch)
    changes.add(n)
    return "".join(text), ends, changes


def _predicted(path: Path, *, labelled: bool = True) -> tuple[str, set[int]]:
    doc = parse_timed(gold_ass(path, labelled=labelled), "ass")
    text, ends, n = [], set(), 0
    for p in doc.paragraphs:
        for s in p.sentences:
            t = _SPACE.sub("", s.text)
            text.append(t)
            n += len(t)
            ends.add(n)
    return "".join(text), ends


def counts(path: Path, *, labelled: bool = True, same_speaker: bool = True) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of sentence ends.

    ``same_speaker``: only boundaries between two sentences of the same speaker are scored
    (the issue's figure). Otherwise every boundary but the last counts — the figure for an
    unlabelled file, where the splitter does not know where the speaker changes."""
    gold_text, gold_ends, changes = _gold(path)
    text, ends = _predicted(path, labelled=labelled)
    assert text == gold_text  # same text: nothing lost, nothing doubled
    skip = changes if same_speaker else {len(text)}
    g, p = gold_ends - skip, ends - skip
    return len(g & p), len(p - g), len(g - p)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(
    pause_ms: int | None = None, path: Path = GOLD, *, labelled: bool = True
) -> tuple[float, float, float]:
    saved = cue_sentences.PAUSE_MS
    if pause_ms is not None:
        cue_sentences.PAUSE_MS = pause_ms
    try:
        return prf(*counts(path, labelled=labelled))
    finally:
        cue_sentences.PAUSE_MS = saved


def pooled(paths: tuple[Path, ...], **kwargs: bool) -> tuple[float, float, float]:
    total = [0, 0, 0]
    for path in paths:
        for k, v in enumerate(counts(path, **kwargs)):
            total[k] += v
    return prf(*total)


def test_gold_set_size():
    total = sum(len(_gold(p)[1] - _gold(p)[2]) for p in (*TUNED, *NEW_HELDOUT))
    assert total >= 100


def test_same_speaker_boundaries_f1():
    precision, recall, f1 = score()
    assert f1 >= 0.85, (precision, recall, f1)


def test_same_speaker_boundaries_f1_first_held_out():
    """Held out for the first rules (scored once: 0.77, precision 0.79, recall 0.75); the
    later rounds (nominal cue ends, openers, interjections…) were written looking at it."""
    precision, recall, f1 = score(path=HELDOUT)
    assert f1 >= 0.85, (precision, recall, f1)


def test_precision_on_the_first_two_sets_does_not_drop():
    """0.912 (F1 0.912) with the first rules, on the two sets the issue's figure was given for."""
    precision, recall, f1 = pooled(FIRST_TUNED)
    assert precision >= 0.912 and f1 >= 0.9, (precision, recall, f1)


def test_same_speaker_boundaries_f1_tuned_sets():
    precision, recall, f1 = pooled(TUNED)
    assert precision >= 0.9 and f1 >= 0.9, (precision, recall, f1)


def test_same_speaker_boundaries_f1_new_held_out():
    """Written and annotated before the second round of rules: 0.703 with the first rules,
    0.785 after the second round, 0.881 after the third (README.md). The goal, 0.85, with a
    floor on precision."""
    precision, recall, f1 = pooled(NEW_HELDOUT)
    assert precision >= 0.9 and f1 >= 0.85, (precision, recall, f1)


def test_unlabelled_files_all_boundaries():
    """Without a speaker name (most SRT files) every sentence end has to come from the text."""
    precision, recall, f1 = pooled((*TUNED, *NEW_HELDOUT), labelled=False, same_speaker=False)
    assert precision >= 0.95 and f1 >= 0.9, (precision, recall, f1)


@pytest.mark.parametrize("path", [*TUNED, *NEW_HELDOUT], ids=lambda p: p.stem)
def test_no_sentence_over_the_bound(path):
    doc = parse_timed(gold_ass(path), "ass")
    for p in doc.paragraphs:
        for s in p.sentences:
            assert len(s.text) <= cue_sentences.MAX_SENTENCE_CHARS
            assert s.cues[-1].end_ms - s.cues[0].start_ms <= cue_sentences.MAX_SENTENCE_MS


def report() -> None:
    for name, paths in (
        ("dev radio_talk", (GOLD,)),
        ("first held-out radio_talk_heldout", (HELDOUT,)),
        ("first two sets", FIRST_TUNED),
        ("dev cafe_dev", (CAFE,)),
        ("new held-out: anime", (ANIME,)),
        ("new held-out: drama", (DRAMA,)),
        ("new held-out, both", NEW_HELDOUT),
        ("all five", (*TUNED, *NEW_HELDOUT)),
    ):
        p, r, f = pooled(paths)
        pu, ru, fu = pooled(paths, labelled=False, same_speaker=False)
        print(
            f"{name:34s} same-speaker P {p:.3f} R {r:.3f} F1 {f:.3f}"
            f" | unlabelled, all boundaries P {pu:.3f} R {ru:.3f} F1 {fu:.3f}"
        )


if __name__ == "__main__":  # python -m tests.core.test_cue_sentence_gold
    report()
    for path in (*TUNED, *NEW_HELDOUT):
        for ms in (300, 500, 700, 1000, 1500):
            p, r, f = score(ms, path)
            print(f"{path.name} PAUSE_MS={ms:5d}  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
