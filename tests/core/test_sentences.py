import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from translator.core.sentences import split_sentences

GOLD_DIR = Path(__file__).parent / "gold"


def read_gold(path: Path) -> list[tuple[str, list[str]]]:
    """[(speaker, sentences)] per turn; format in gold/README.md."""
    turns: list[tuple[str, list[str]]] = []
    for line in path.read_text("utf-8").split("\n"):
        if line.startswith("## "):
            turns.append((line[3:].strip(), []))
        elif line.startswith("# ") or not line.strip():
            continue
        else:
            turns[-1][1].append(line)
    return turns


def boundaries(sentences: list[str]) -> set[int]:
    """Sentence-end offsets in the whitespace-free turn text (the final end excluded)."""
    out, pos = set(), 0
    for s in sentences[:-1]:
        pos += len(re.sub(r"\s", "", s))
        out.add(pos)
    return out


def assert_reproduces(text: str, pieces: list[str]) -> None:
    """text == w0 + p1 + w1 + ... + pn + wn where every w is whitespace only."""
    pos = 0
    for piece in pieces:
        assert piece and piece == piece.strip()
        found = text.find(piece, pos)
        assert found >= 0 and not text[pos:found].strip(), (text, pieces)
        pos = found + len(piece)
    assert not text[pos:].strip()


def test_gold_f1():
    tp = fp = fn = 0
    for path in sorted(GOLD_DIR.glob("*.txt")):
        previous = None
        for _, gold in read_gold(path):
            text = "".join(gold)
            got = split_sentences(text, previous=previous)
            assert_reproduces(text, got)
            g, p = boundaries(gold), boundaries(got)
            tp += len(g & p)
            fp += len(p - g)
            fn += len(g - p)
            previous = text
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"\nsentence boundaries: P={precision:.4f} R={recall:.4f} F1={f1:.4f} (n={tp + fn})")
    assert tp + fn > 200  # internal boundaries (turn ends are given)
    assert f1 >= 0.99


def test_punctuation_and_quotes():
    assert split_sentences("はい。そうです！本当？") == ["はい。", "そうです！", "本当？"]
    assert split_sentences("彼は「行く。帰る。」と言った。次。") == [
        "彼は「行く。帰る。」と言った。",
        "次。",
    ]
    assert split_sentences("『終わり？』って聞かれた。") == ["『終わり？』って聞かれた。"]
    assert split_sentences("そうか…と思った。えっ!?本当に。") == [
        "そうか…と思った。",
        "えっ!?",
        "本当に。",
    ]
    assert split_sentences("バージョン3．5です。Node.jsを使う。") == [
        "バージョン3．5です。",
        "Node.jsを使う。",
    ]
    assert split_sentences("「閉じない括弧。次の文。") == ["「閉じない括弧。", "次の文。"]


def test_unpunctuated_ends_and_guards():
    assert split_sentences("そうですねサービスは昔から知ってました。") == [
        "そうですね",
        "サービスは昔から知ってました。",
    ]
    assert split_sentences("そうですね、昔から知ってました。") == [
        "そうですね、昔から知ってました。"
    ]
    assert split_sentences("はいRubyは使っていました。", previous="知ってたんですか。") == [
        "はい",
        "Rubyは使っていました。",
    ]
    assert split_sentences("はい皆さんこんにちは。") == ["はい皆さんこんにちは。"]
    assert split_sentences("今日はですね皆さんに話します。") == ["今日はですね皆さんに話します。"]
    assert split_sentences("使ってたんですか職場で。") == ["使ってたんですか職場で。"]
    assert (
        split_sentences("理由はあったんですかその仕事を選んだ理由は。")[0] == "理由はあったんですか"
    )
    assert split_sentences("あれですかお休みは取れてるんですか。") == [
        "あれですかお休みは取れてるんですか。"
    ]
    assert split_sentences("なんでですかってよく聞かれます。") == [
        "なんでですかってよく聞かれます。"
    ]
    assert split_sentences("") == [] and split_sentences(" \n ") == []


JAPANESE_ALPHABET = (
    "あいうえおかきくけこさしすせそはいですねそうなるほど。、！？…「」『』（）“”"
    "ABCxyz 123\n漢字話者日本語翻訳字幕"
)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=JAPANESE_ALPHABET, max_size=120))
def test_concatenation_reproduces_text(text):
    pieces = split_sentences(text)
    assert_reproduces(text, pieces)
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_unicode_never_loses_text(text):
    assert_reproduces(text, split_sentences(text, previous="ですか。"))
