"""Sentences from timed cues (subtitle import).

Real cues often end without punctuation, and one sentence often runs over several cues. The
cue texts are cut into *atoms* (at explicit sentence ends inside a cue, found by
:func:`translator.core.sentences.sentence_spans`, and at a space between Japanese words, which
fansub and caption files write instead of punctuation: ``ああ　今日もギリギリだね``). Between two
atoms a sentence ends when

1. the kind changes (a sound label is a sentence of its own) or a new speaker is named;
2. the first atom ends with an explicit end — ``。？！…‥`` (``｡`` is made full-width before) or a
   closing bracket — and the next does not continue it with a quotative (``と``, ``って``…);
3. the pause between the two cues is at least :data:`PAUSE_MS` (700 ms: above every pause
   inside a sentence in the gold sets of ``tests/core/gold_cues/`` — median 60 ms, 90th
   percentile 100 ms — except one after a て-form, see the README there), unless the first
   ends with ``、`` or a conjunctive particle, or the next continues the clause;
4. the first ends in a Japanese sentence-final form (fugashi/UniDic: a 終助詞; a 助動詞 in
   終止形/意志推量形 — です, ます, た, だ, ない, たい…; an interjection; よろしく) and the next atom
   does not continue the clause (it starts with a particle, an auxiliary, a suffix or a formal
   noun); a plain verb or adjective in 終止形 ends a sentence only when the next atom does not
   start with a noun (``食べる|ものがない`` is a relative clause) or after a pause of
   :data:`SHORT_PAUSE_MS`;
5. a cue ends in a noun, a pronoun or a na-adjective (``図書館で勉強するつもり``,
   ``駅前の本屋さん``, ``大丈夫``) and the next cue does not continue it — Japanese attaches the
   particle or the copula after the noun, so a noun phrase that the next cue does not extend is
   a nominal predicate; a short noun phrase after a final form in the same cue is an inverted
   afterthought of that sentence (``珍しいですね　遥さんが司会``);
6. the next cue opens with an interjection (``いや``, ``えっ``; not an inner filler like
   ``えっと``) or is a short echo question (``石？``), even after a conjunctive form; a pause of
   :data:`LONG_PAUSE_MS` ends a sentence even after one (a trailing ``けど…``); the next cue
   opens with a conjunction and the first does not end in a conjunctive form;
7. speech forms: a reported sentence ending in quotative ``って`` after a predicate
   (``来られないって``; not topic ``タクミくんって`` nor concessive ``行ったって``, and not
   before a verb of saying), ``かも`` (not before ``しれない``), a greeting (``お待たせ``,
   ``ただいま``), and, inside a cue, a judgment or answer word alone before a space
   (``大丈夫　私も…``, ``だめ``, ``そっか``; a name before a space calls someone and stays).
   A ``さ``/``ね`` right after a case or topic particle (``それがさ　聞いてよ``) is a pause, not an
   end.

A cue that opens with a conjunction (``でも``, ``では``, ``だから``, ``ところで``,
``というわけで``: MeCab reads their heads as particles, auxiliaries or formal nouns) never
"continues" the clause before it. Short answer words (``うん``, ``ねえ``, doubled ``そうそう``)
open the sentence that follows them in the same cue. Measured figures:
``tests/core/gold_cues/README.md``.

A ``、`` never ends a sentence, a conjunctive particle only before an interjection, an echo
question or a long pause (rule 6); an inverted adverbial phrase (``泣かないよ　そんなことで``)
stays with the sentence before it. A sentence is never longer than
:data:`MAX_SENTENCE_CHARS` characters or :data:`MAX_SENTENCE_MS`: past that it is cut at its
best inner boundary (after ``、`` or a conjunctive particle, then at a space, then at
the longest pause, latest first). An atom longer than the bound on its own (one huge cue) is cut
at its last ``、``/space before the bound, else at the bound.

Each cue becomes one :class:`~translator.core.types.CueDraft` per sentence it holds (a cue that
holds the end of one sentence and the start of the next is split, its time divided in proportion
to the characters on each side). Consecutive sentences of the same speaker and kind with less
than :data:`PARAGRAPH_GAP_MS` between them form one paragraph. Every step is linear in the input:
each atom is analysed once, MeCab sees at most :data:`_ANALYSE_CHARS` characters per call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from translator.core.morph import tagger
from translator.core.sentences import sentence_spans
from translator.core.types import (
    CueDraft,
    Paragraph,
    ParagraphKind,
    SentenceDraft,
    TimedLine,
    Timing,
)

PAUSE_MS = 700
SHORT_PAUSE_MS = 300
LONG_PAUSE_MS = 2000
PARAGRAPH_GAP_MS = 1500
MAX_SENTENCE_CHARS = 120
MAX_SENTENCE_MS = 15_000
_ANALYSE_CHARS = 80  # MeCab sees an atom's head and tail, never a whole huge line
_SPANS_MAX_CHARS = 400  # longer cue texts are cut at punctuation only
_EXPLICIT_END = frozenset("。？！?!…‥")
_CLOSERS = frozenset("」』）)】〕》〉］")
_PUNCT_END = re.compile(r"[。？！?!…‥]+[」』）)】〕》〉］]*")
_QUOTE_CONT = re.compile(r"\s*(?:って|っていう|と(?:言|いう|いった|か|思|考|聞)|みたいな|なんて)")
_LATIN_END = re.compile(r"[A-Za-z0-9.,!?;:'\")\]]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\"'\[]")
_JA_SPACE = re.compile(r"(?<=[^\sA-Za-z0-9.,!?;:'\"])[ \u3000]+(?=[^\sA-Za-z0-9])")
_CONJUNCTIVE = frozenset(
    {"て", "で", "けど", "けれど", "けれども", "から", "ので", "が", "し", "たら", "ば", "のに"}
)
_FORMAL_NOUNS = frozenset(
    {"こと", "もの", "ところ", "わけ", "はず", "つもり", "ため", "とき", "時", "感じ", "ほう", "方"}
)
_CLAUSE_COMMA = frozenset("、，,")
# Set phrases that end in a conjunctive form but close a sentence.
_SET_PHRASE = re.compile(r"(?:はじめまして|初めまして|おかえりなさい|いってらっしゃい)\s*$")
# Set phrases MeCab reads as an adverb or a noun that close a sentence (よろしく, おやすみ).
_CLOSING_PHRASE = re.compile(
    r"(?:^|\s)(?:(?:よろしく|宜しく)(?:ね|な|ね[ぇえー]|です)?|お待たせ|ただいま|おかえり"
    r"|お疲れ(?:様|さま)?(?:です|でした)?|おつかれ(?:さま)?|ごちそうさま(?:でした)?)\s*$"
)
_CLOSING_CONT = re.compile(r"\s*(?:お願い|頼|申し上げ|どうぞ|しました|しまし|なさい)")
_SAYING = re.compile(r"\s*(?:言|い[うっわいえ]|聞|思|書|伝|話)")  # …って / 言ってた
_KAMO_CONT = re.compile(r"\s*(?:しれ|知れ|しん)")  # かも / しれない
_INNER_FINALS = frozenset({"さ", "さあ", "ね", "ねえ", "な", "なあ"})
_AFTERTHOUGHT_PARTICLES = frozenset({"で", "に", "から", "まで", "より"})
_JUDGMENT_CHARS = 4
_ANSWER_WORDS = frozenset({"そっか", "そうか", "なるほど", "うそ", "ウソ", "了解"})
# A cue that starts with one of these opens a new sentence, although MeCab reads its head as a
# particle, an auxiliary or a formal noun (だから = だ + から, では = で + は, ところで).
_OPENER = re.compile(
    r"(?:だから|だって|だけど|だけれど|だが|だとしたら|では|でも|でね|で(?=[\s、，,])"
    r"|ところで|ところが|というわけで|ということで|ていうか|っていうか|とにかく|とはいえ)"
)
# The formula a reader says after reading a letter or a quote out: a sentence of its own.
_AFTER_QUOTE = re.compile(r"\s*(?:ということ|とのこと)(?:です|でした|だ|らしい)")
# Fillers that may stand inside a sentence (an interjection opening a cue ends what came before,
# these do not).
_INNER_FILLERS = frozenset(
    {"あの", "あのー", "あのう", "えっと", "えーと", "えーっと", "その", "まあ", "なんか", "こう"}
)
_ECHO_CHARS = 5  # 大阪？ / 三つも？: a short question cue answering what came before
_AFTERTHOUGHT_CHARS = 8


@dataclass(slots=True)
class TimedUnit:
    """One cue's turn (or sound) before sentence building."""

    start_ms: int
    end_ms: int
    lines: list[str]
    speaker: str | None = None
    labelled: bool = False  # the speaker is named on this unit (label, Name field, voice tag)
    kind: ParagraphKind = ParagraphKind.TRANSCRIPT
    line_no: int | None = None
    source: TimedLine | None = None
    ruby: list[tuple[str, str]] = field(default_factory=list)
    text: str = field(init=False, default="")
    line_spans: list[tuple[int, int]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        text = ""
        spans: list[tuple[int, int]] = []
        for line in self.lines:
            if text and _LATIN_END.search(text) and _LATIN_START.match(line):
                text += " "
            spans.append((len(text), len(text) + len(line)))
            text += line
        self.text = text
        self.line_spans = spans


@dataclass(slots=True)
class _Atom:
    unit: int
    a: int  # offsets in the unit's text
    b: int
    hard_end: bool = False  # ends at explicit punctuation found inside the cue
    space_cut: bool = False  # ends at a space between Japanese words
    final: int = 0  # 2: strong sentence-final form at its end, 1: plain 終止形, 0: none
    continues: bool = False  # starts with a particle/auxiliary/suffix/formal noun
    starts_noun: bool = False
    ends_comma: bool = False
    ends_conjunctive: bool = False
    interjection: bool = False  # ends in an interjection (はい, ねえ, うん)
    bare_noun: bool = False  # a short noun phrase alone (海, 一人旅)
    afterthought: bool = False  # a bare noun phrase right after a final form in the same cue
    unless: re.Pattern[str] | None = None  # a final form the next atom may still continue
    judgment: bool = False  # a judgment or answer word alone (大丈夫, だめ, そっか)
    nominal: bool = False  # ends in a noun, pronoun or na-adjective (つもり, 本屋さん, 大丈夫)
    opener: bool = False  # starts with a conjunction (でも, だから, じゃあ, ところで)
    starts_interjection: bool = False  # starts with an interjection (いや, えっ, へえ)
    noun_phrase: bool = False  # short, no predicate, ends in a noun (遥さんが司会, これ)


def _analyse(atom: _Atom, text: str) -> None:
    stripped = text.rstrip()
    if not stripped:
        return
    last = stripped[-1]
    atom.ends_comma = last in _CLAUSE_COMMA
    core = text.strip()
    head = core[:_ANALYSE_CHARS]
    tail = core[-_ANALYSE_CHARS:]
    tokens = _tokens(tail)
    whole = list(tokens) if len(core) <= _ANALYSE_CHARS else None  # one MeCab call
    while tokens and tokens[-1][0] in ("補助記号", "空白") and tokens[-1][3] not in _EXPLICIT_END:
        tokens.pop()
    content = [t for t in tokens if t[0] not in ("補助記号", "空白")]
    before = content[-2] if len(content) > 1 else None
    if tokens:
        pos1, pos2, cform, surface, _lemma, _pos3 = tokens[-1]
        if (
            pos1 == "助詞"
            and pos2 == "終助詞"
            or pos1 == "助動詞"
            and (cform.startswith("終止形") or cform.startswith("意志推量形"))
            or pos1 == "感動詞"
        ):
            atom.final = 2
            # A short one (ねえ, うん, えー, そうそう) opens what follows; ありがとう,
            # すみません end.
            atom.interjection = pos1 == "感動詞" and (
                len(surface) <= 3 or _doubled(surface) or _doubled(core)
            )
            if (
                pos2 == "終助詞"
                and surface in _INNER_FINALS
                and before is not None
                and before[0] == "助詞"
                and before[1] in ("格助詞", "係助詞")
            ):
                # それがさ / 私もね: a particle after a case or topic particle is a pause
                # inside the sentence, like a comma.
                atom.final = 0
                atom.ends_comma = True
        elif pos1 in ("動詞", "形容詞") and (
            cform.startswith("終止形") or cform.startswith("命令形")
        ):
            atom.final = 1
        if (
            pos1 == "助詞"
            and (pos2 == "接続助詞" or surface in _CONJUNCTIVE)
            and not _SET_PHRASE.search(tail)
        ):
            atom.ends_conjunctive = True
            atom.final = 0
        if surface == "って" and before is not None and _quotes(before):
            # 来られないって / 入ったからって: a reported sentence ends here unless a verb of
            # saying follows (…って / 言ってた).
            atom.final, atom.ends_conjunctive, atom.unless = 2, False, _SAYING
        elif surface == "も" and before is not None and before[3] == "か" and before[0] == "助詞":
            atom.final, atom.unless = 2, _KAMO_CONT  # 泣いてるかも (かもしれない)
    atom.bare_noun = (
        0 < len(stripped.strip()) <= 5
        and bool(content)
        and all(t[0] in ("名詞", "接尾辞", "接頭辞") for t in content)
    )
    if content and not atom.ends_comma and last not in _EXPLICIT_END:
        pos1, pos2, pos3 = content[-1][0], content[-1][1], content[-1][5]
        atom.nominal = pos1 in ("名詞", "代名詞", "形状詞") or (
            pos1 == "接尾辞" and pos2 in ("名詞的", "形状詞的")
        )
        # そんなことで / 明日まで: a noun and a case particle (MeCab reads ことで's で as the
        # copula).
        adverbial = (
            pos1 in ("助詞", "助動詞")
            and content[-1][3] in _AFTERTHOUGHT_PARTICLES
            and before is not None
            and before[0] in ("名詞", "代名詞", "接尾辞")
        )
        body = content[:-1] if adverbial else content
        predicate = any(t[0] in ("動詞", "形容詞", "助動詞", "感動詞") for t in body)
        atom.noun_phrase = (
            (atom.nominal or adverbial) and len(core) <= _AFTERTHOUGHT_CHARS and not predicate
        )
        # 大丈夫　私も今来たとこ / そっか　まあいいや: a judgment or an answer word alone.
        atom.judgment = (
            len(core) <= _JUDGMENT_CHARS
            and not predicate
            and (pos1 == "形状詞" or pos1 == "名詞" and pos3 == "形状詞可能")
            and all(t[0] in ("名詞", "形状詞", "副詞", "接頭辞") for t in content)
        ) or core in _ANSWER_WORDS
    if _CLOSING_PHRASE.search(stripped):
        atom.final, atom.unless = 2, _CLOSING_CONT
    first = whole if whole is not None else _tokens(head)
    first = [t for t in first if t[0] not in ("補助記号", "空白")] if first else first
    if first:
        pos1, pos2, _cform, surface, _lemma, _pos3 = first[0]
        atom.opener = pos1 == "接続詞" or bool(_OPENER.match(core))
        atom.continues = not atom.opener and (
            pos1 in ("助詞", "助動詞", "接尾辞")
            or surface in _FORMAL_NOUNS
            or bool(_QUOTE_CONT.match(head))
        )
        atom.starts_noun = pos1 in ("名詞", "代名詞", "接頭辞")
        atom.starts_interjection = pos1 == "感動詞" and surface not in _INNER_FILLERS


def _quotes(token: tuple[str, str, str, str, str, str]) -> bool:
    """A predicate (or a clause's particle) before って: it quotes, not a topic (タクミくんって)
    nor a concessive (行ったって)."""
    pos1, pos2, _cform, surface, _lemma, _pos3 = token
    if surface in ("た", "だ"):
        return False
    return pos1 in ("動詞", "形容詞", "助動詞") or (
        pos1 == "助詞" and pos2 in ("接続助詞", "終助詞")
    )


def _doubled(text: str) -> bool:
    """そうそう, はいはい, うんうん: a reduplicated answer word."""
    n = len(text)
    return n in (4, 6) and text[: n // 2] == text[n // 2 :]


def _tokens(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """(pos1, pos2, conjugated form, surface, lemma, pos3) per morpheme."""
    out = []
    for node in tagger()(text):
        if not node.surface:
            continue
        f = node.feature
        out.append(
            (
                _f(f.pos1),
                _f(f.pos2),
                _f(getattr(f, "cForm", None)),
                node.surface,
                _f(getattr(f, "lemma", None)),
                _f(getattr(f, "pos3", None)),
            )
        )
    return out


def _f(value: object) -> str:
    return "" if value is None or value == "*" else str(value)


def _cuts_in(text: str, line_spans: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """Cut offsets inside one cue text: (offset, "hard" | "space"); a line break counts as a
    space."""
    cuts: dict[int, str] = {}
    for _a, b in line_spans[:-1]:
        if 0 < b < len(text):
            cuts[b] = "space"
    if len(text) <= _SPANS_MAX_CHARS:
        spans = sentence_spans(text)
        for a, _b in spans[1:]:
            cuts[a] = "hard"
    else:
        for m in _PUNCT_END.finditer(text):
            if 0 < m.end() < len(text):
                cuts[m.end()] = "hard"
    for m in _JA_SPACE.finditer(text):
        if 0 < m.end() < len(text):
            cuts.setdefault(m.end(), "space")
    # An atom longer than the sentence bound is cut before it is judged (one huge cue).
    out = sorted(cuts.items())
    bounded: list[tuple[int, str]] = []
    prev = 0
    for at, kind in [*out, (len(text), "end")]:
        while at - prev > MAX_SENTENCE_CHARS:
            window = text[prev + 1 : prev + MAX_SENTENCE_CHARS]
            k = max(window.rfind("、"), window.rfind(" "), window.rfind("\u3000"))
            cut = prev + 1 + k + 1 if k >= 0 else prev + MAX_SENTENCE_CHARS
            bounded.append((cut, "bound"))
            prev = cut
        if kind != "end":
            bounded.append((at, kind))
            prev = at
    return bounded


def build_paragraphs(
    units: list[TimedUnit],
    *,
    pause_ms: int | None = None,
    max_chars: int = MAX_SENTENCE_CHARS,
    max_ms: int = MAX_SENTENCE_MS,
) -> list[Paragraph]:
    """Paragraphs → sentences → imported cues from timed units (in time order)."""
    pause_ms = PAUSE_MS if pause_ms is None else pause_ms
    atoms: list[_Atom] = []
    for k, unit in enumerate(units):
        text = unit.text
        if unit.kind == ParagraphKind.SOUND:
            atoms.append(_Atom(k, 0, len(text), hard_end=True))
            continue
        prev = 0
        for at, kind in _cuts_in(text, unit.line_spans):
            if at <= prev:
                continue
            atoms.append(_Atom(k, prev, at, hard_end=kind == "hard", space_cut=kind != "hard"))
            prev = at
        if prev < len(text):
            atoms.append(_Atom(k, prev, len(text)))
    for atom in atoms:
        if units[atom.unit].kind != ParagraphKind.SOUND:
            _analyse(atom, units[atom.unit].text[atom.a : atom.b])
    for k, (prev, atom) in enumerate(zip(atoms, atoms[1:], strict=False)):
        if (
            (atom.bare_noun or atom.noun_phrase)
            and prev.final
            and prev.unit == atom.unit
            and (k + 2 == len(atoms) or atoms[k + 2].unit != atom.unit)
        ):
            atom.afterthought = True
            atom.final = 2

    sentences: list[list[_Atom]] = []
    speakers: list[str | None] = []
    current: list[_Atom] = []
    speaker: str | None = None
    for atom in atoms:
        unit = units[atom.unit]
        if current and _boundary(current[-1], atom, units, speaker, pause_ms):
            sentences.append(current)
            speakers.append(speaker)
            current = []
        if not current:
            speaker = unit.speaker if (unit.labelled or unit.speaker) else None
        current.append(atom)
        while _too_long(current, units, max_chars, max_ms) and len(current) > 1:
            cut = _best_cut(current, units)
            sentences.append(current[:cut])
            speakers.append(speaker)
            current = current[cut:]
    if current:
        sentences.append(current)
        speakers.append(speaker)
    return _paragraphs(sentences, speakers, units)


def _gap(a: _Atom, b: _Atom, units: list[TimedUnit]) -> int:
    if a.unit == b.unit:
        return 0
    return units[b.unit].start_ms - units[a.unit].end_ms


def _boundary(
    a: _Atom, b: _Atom, units: list[TimedUnit], speaker: str | None, pause_ms: int
) -> bool:
    ua, ub = units[a.unit], units[b.unit]
    if ua.kind != ub.kind or ub.kind == ParagraphKind.SOUND:
        return True
    if a.unit != b.unit and ub.labelled and ub.speaker != speaker:
        return True
    text_a = ua.text[a.a : a.b].rstrip()
    head_b = ub.text[b.a : b.b]
    if a.hard_end:
        return True
    if text_a and (text_a[-1] in _EXPLICIT_END or text_a[-1] in _CLOSERS):
        return bool(_AFTER_QUOTE.match(head_b)) or not _QUOTE_CONT.match(head_b)
    if a.ends_comma:
        return False
    gap = _gap(a, b, units)
    if b.continues or (a.unless is not None and a.unless.match(head_b)):
        return False
    if a.unit != b.unit:
        # In speech a cue that ends in a noun or a na-adjective (図書館で勉強するつもり,
        # 駅前の本屋さん, 大丈夫) before a cue that does not continue it (no particle, no
        # auxiliary: Japanese attaches those after the noun) ends the sentence.
        if a.nominal and not a.afterthought:
            return True
        # A cue that opens with an interjection (いや…, えっ, へえ) or a judgment word
        # (大丈夫　…), or is a short echo question (大阪？), answers what came before, even
        # after a conjunctive form.
        answer = b.judgment and b.a == 0 and b.b < len(ub.text)  # 大丈夫　私も今来たとこ
        if b.starts_interjection or answer or _echo(b, ub):
            return True
        # …前の日には / で　結局…: a conjunction opens a new sentence.
        if b.opener and not a.ends_conjunctive:
            return True
    elif a.judgment:
        return True  # 大丈夫　私も今来たとこ
    if gap >= pause_ms and not a.ends_conjunctive or gap >= LONG_PAUSE_MS:
        return True
    if a.final and b.afterthought:
        return False  # いいですね　一人旅: an inverted noun tail closes the same sentence
    if a.final == 2:
        # ねえ　聞こえる？ / うん　帰ろう: an interjection opens the sentence inside one cue.
        return not (a.interjection and a.unit == b.unit)
    return bool(a.final == 1 and (not b.starts_noun or a.unit != b.unit or gap >= SHORT_PAUSE_MS))


def _echo(b: _Atom, ub: TimedUnit) -> bool:
    text = ub.text[b.a : b.b].strip()
    return b.a == 0 and b.b == len(ub.text) and 0 < len(text) <= _ECHO_CHARS and text[-1] in "？?"


def _length(atoms: list[_Atom], units: list[TimedUnit]) -> tuple[int, int]:
    chars = sum(len(units[x.unit].text[x.a : x.b].strip()) for x in atoms)
    start = _atom_time(atoms[0], units)[0]
    end = _atom_time(atoms[-1], units)[1]
    return chars, end - start


def _too_long(atoms: list[_Atom], units: list[TimedUnit], max_chars: int, max_ms: int) -> bool:
    chars, ms = _length(atoms, units)
    return chars > max_chars or ms > max_ms


def _best_cut(atoms: list[_Atom], units: list[TimedUnit]) -> int:
    """Index k (1..len-1): the sentence is cut before atoms[k]."""
    best, best_score = len(atoms) - 1, -1.0
    for k in range(1, len(atoms)):
        a = atoms[k - 1]
        score = 0.0
        if a.ends_comma or a.ends_conjunctive:
            score += 3
        if a.space_cut:
            score += 2
        if a.final:
            score += 2
        if a.unit != atoms[k].unit:
            score += 1 + min(2.0, max(0, _gap(a, atoms[k], units)) / 1000)
        if score >= best_score:
            best, best_score = k, score
    return best


def _atom_time(atom: _Atom, units: list[TimedUnit]) -> tuple[int, int]:
    unit = units[atom.unit]
    total = max(1, len(unit.text))
    duration = unit.end_ms - unit.start_ms
    return (
        unit.start_ms + round(duration * atom.a / total),
        unit.start_ms + round(duration * atom.b / total),
    )


def _paragraphs(
    sentences: list[list[_Atom]], speakers: list[str | None], units: list[TimedUnit]
) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    raw_parts: list[list[str]] = []  # joined at the end (a long turn is not copied per sentence)
    last_end = None
    for atoms, speaker in zip(sentences, speakers, strict=True):
        draft, start_ms, end_ms = _sentence(atoms, units)
        if not draft.text.strip():
            continue
        kind = units[atoms[0].unit].kind
        para = paragraphs[-1] if paragraphs else None
        if (
            para is not None
            and para.kind == kind == ParagraphKind.TRANSCRIPT
            and para.speaker == speaker
            and last_end is not None
            and start_ms - last_end < PARAGRAPH_GAP_MS
        ):
            raw_parts[-1].append(draft.text)
        else:
            first = units[atoms[0].unit]
            para = Paragraph(
                kind, draft.text, speaker=speaker, start_ms=start_ms, line_no=first.line_no
            )
            paragraphs.append(para)
            raw_parts.append([draft.text])
        para.sentences.append(draft)
        for k in dict.fromkeys(x.unit for x in atoms):
            source = units[k].source
            if source is not None and (
                not para.source_events or para.source_events[-1] is not source
            ):
                para.source_events.append(source)
        last_end = end_ms
    for para, parts in zip(paragraphs, raw_parts, strict=True):
        para.raw_text = "".join(parts)
    return paragraphs


def _sentence(atoms: list[_Atom], units: list[TimedUnit]) -> tuple[SentenceDraft, int, int]:
    # Group consecutive atoms of one unit: each group is one cue of the sentence.
    groups: list[tuple[int, int, int]] = []  # (unit, a, b)
    for atom in atoms:
        if groups and groups[-1][0] == atom.unit and groups[-1][2] == atom.a:
            groups[-1] = (atom.unit, groups[-1][1], atom.b)
        else:
            groups.append((atom.unit, atom.a, atom.b))
    text = ""
    pieces: list[tuple[int, int, int, int, int]] = []  # (unit, a, b, start in text, end)
    for k, a, b in groups:
        piece = units[k].text[a:b]
        if text and piece and _LATIN_END.search(text) and _LATIN_START.match(piece.lstrip()):
            text += " "
        pieces.append((k, a, b, len(text), len(text) + len(piece)))
        text += piece
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    n = len(stripped)
    sentence = SentenceDraft(stripped)
    first_start = last_end = None
    for idx, (k, a, b, s, e) in enumerate(pieces):
        unit = units[k]
        src_start = 0 if idx == 0 else min(n, max(0, s - lead))
        src_end = n if idx == len(pieces) - 1 else min(n, max(0, e - lead))
        if src_end <= src_start and idx not in (0, len(pieces) - 1):
            continue
        total = max(1, len(unit.text))
        duration = unit.end_ms - unit.start_ms
        start_ms = unit.start_ms + round(duration * a / total)
        end_ms = unit.start_ms + round(duration * b / total)
        lines = [
            unit.text[max(la, a) : min(lb, b)].strip()
            for la, lb in unit.line_spans
            if la < b and lb > a and unit.text[max(la, a) : min(lb, b)].strip()
        ]
        cue = CueDraft(src_start, src_end, lines, start_ms, end_ms, Timing.IMPORTED)
        if unit.ruby:
            cue.ruby = [r for r in unit.ruby if r[0] in "".join(lines)]
        sentence.cues.append(cue)
        first_start = start_ms if first_start is None else first_start
        last_end = end_ms
    # Adjacent cues must cover the text exactly, in order.
    for prev, nxt in zip(sentence.cues, sentence.cues[1:], strict=False):
        nxt.source_start = prev.source_end
    return sentence, first_start or 0, last_end or 0
