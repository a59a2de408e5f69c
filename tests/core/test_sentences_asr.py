"""The blind sentence gold (tests/core/gold_blind) re-written as tokenised ASR output: a space
between every morpheme (``はい 始め て いき ましょ う``), optionally ``.`` for ``。``. After the
ASR clean-up the splitter must find the gold's boundaries again.

Measured when written: spaces 0.944 -> 0.990 F1, spaces and "." 0.023 -> 0.969; floors below
are those figures rounded down."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.core.test_sentences import read_gold
from translator.core.morph import tokenize
from translator.core.sentences import remove_asr_spaces, split_sentences

BLIND = Path(__file__).parent / "gold_blind"


def _ends(sentences: list[str]) -> set[int]:
    out: set[int] = set()
    n = 0
    for s in sentences[:-1]:
        n += len(re.sub(r"[\s.。]", "", s))
        out.add(n)
    return out


@pytest.mark.parametrize(("period", "floor"), [(False, 0.98), (True, 0.96)])
def test_tokenised_asr_version_of_the_blind_gold(period, floor):
    tp = fp = fn = 0
    for path in sorted(BLIND.glob("*.txt")):
        previous = None
        for _, gold in read_gold(path):
            text = "".join(gold)
            asr = " ".join(t.surface for t in tokenize(text))
            if period:
                asr = asr.replace("。", ".")
            got = split_sentences(remove_asr_spaces(asr), previous=previous)
            g, p = _ends(gold), _ends(got)
            tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
            previous = text
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= floor, (precision, recall, f1)
