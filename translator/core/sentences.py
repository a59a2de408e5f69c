"""Split a speaker turn into sentences: the unit of translation.

Rules (the gold set in ``tests/core/gold/`` is annotated by the same rules):

1. **Quotes and brackets are opaque.** Nothing inside a matched 「」『』（）()“”【】 pair is ever a
   boundary. An opener that is never closed in the text is ignored (so one stray 「 cannot
   swallow the rest of a turn).
2. **Punctuated ends.** A sentence ends after a run of 。！？!?．…‥ (the run, and any closing
   bracket right after it, stays with the sentence) unless what follows is a quotative or
   particle continuing the same sentence (と, って, という, みたいな, など, か, の …), or the mark
   sits between two digits or inside a Latin word (``3．5``, ``Yahoo!Japan``). A quoted
   sentence that ends in 。/！/？ inside its brackets also ends the outer sentence when followed
   by whitespace. A half-width ``.`` ends a sentence only between Latin words followed by a
   space (``... master. Then``).
3. **Unpunctuated ends** (spoken transcripts), found with fugashi + unidic-lite:

   a. a sentence-initial response — そうですね, そうですよね, そうなんです(よ)(ね),
      なるほど(なるほど…)(ですね) — directly
      followed by new content (not punctuation, particle, auxiliary or quotative) is its own
      sentence: ``そうですね|サービスがあるというのは…``, ``なるほど|ありがとうございます。``.
      Mid-sentence fillers (``…については、ええそうですねシフトが…``) are not sentence-initial
      and stay.
   b. a turn-initial answer word (はい, ええ, いや, いいえ, いえ) is its own sentence when the
      previous turn ended with a question and new content follows directly:
      ``はい|Rubyはずっと…``. As an opener or acknowledgement (``はい皆さんこんにちは。``) it
      stays. A turn-initial surprise (えっ) before new content is its own sentence too
      (``えっ|バスの中で書けるんですか。``).
   c. a polite predicate (…です/…ます + final particle か/ね/よ/よね/かね) directly followed by
      a new clause with its own predicate ends a sentence:
      ``理由はあったんですか|サポート職がいいなって思った理由…``.
      Guards: ``ですね`` after a particle is a filler (``基盤自体はですねPrivate PaaS…``); a
      predicate with no content word of its own (``あれですか``, ``結構あれですか``) is a filler;
      an inverted tail without a predicate (``使ってたんですか職場で。``) stays; a quotative
      (って, と, みたいな) continues the sentence; そういう/こういう is not a new predicate
      (``いいですねそういうの。`` stays whole).

   A comma after a response (``そうですね、…``) is the writer's choice and is kept.

Invariant: the pieces are slices of ``text`` in order; between and around them there is only
whitespace. ``"".join(result)`` equals ``text`` once whitespace at the boundaries is removed.
"""

from __future__ import annotations

import re

from translator.core.morph import Token, tokenize

SENTENCE_END = frozenset("。！？!?．…‥")
_OPEN_TO_CLOSE = {
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "“": "”",
    "【": "】",
    "〔": "〕",
    "《": "》",
    "〈": "〉",
    "［": "］",
}
_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
# What may follow end punctuation inside the same sentence (quotative / particle continuation).
_CONTINUATION = re.compile(
    r"\s*(?:って|っていう|と(?:言|いう|いった|か|思|考|聞)|みたいな|みたいに|なんて)"
)
# After ！？… a few more particles may continue the sentence ("いいの？と", "え…と").
_CONTINUATION_SOFT = re.compile(r"\s*(?:と|か[、。]|など|の[でにはがを]|みたい)")
_LATIN = re.compile(r"[A-Za-z0-9]")
_RESPONSE = re.compile(
    r"(?:(?:はい|ええ|うん|あー|ああ)、?)?"
    r"(?:そうですね|そうですよね|そうなんです(?:よね|よ|ね)?|なるほど(?:、?なるほど)*(?:ですね|ね)?)"
    r"[ーえぇ〜]*"
)
# Turn-initial answer words, matched on the text (the analyser splits いえ into い + え).
_ANSWER = re.compile(r"(?:いいえ|いえ|いや|はい|ええ)(?=[^ぁ-ゖ、。！？!?ー〜]|$)")
# A turn-initial surprise (えっ, ええっ) is a sentence of its own before new content.
_SURPRISE = re.compile(r"(?:ええっ|えっ)(?=[^ぁ-ゖ、。！？!?ー〜])")
_QUESTION_END = re.compile(r"(?:か[ねな]?|[?？])[。．!！?？」』）)\s]*$")
_NON_CONTENT_POS = frozenset({"助詞", "助動詞", "接尾辞", "補助記号", "空白", "記号"})
_FILLER_POS = frozenset({"代名詞", "副詞", "感動詞", "連体詞", "接続詞", "助詞", "助動詞"})
_PREDICATE_POS = frozenset({"動詞", "形容詞", "助動詞"})
_FINAL_PARTICLES = frozenset({"か", "ね", "よ", "な", "ねえ", "よね", "かね"})
_FILLER_WORDS = frozenset(
    {"ええ", "はい", "うん", "そう", "まあ", "まぁ", "あの", "えー", "えっと"}
)
_DEMONSTRATIVE_ADVERBS = frozenset({"そう", "こう", "ああ", "どう"})
_CONJUNCTION_HEADS = ("なので", "だから", "ですから", "それで", "でも")
_QUOTATIVE_HEADS = ("って", "と", "みたい", "など", "とか", "という", "てな", "っていう")


def split_sentences(text: str, *, previous: str | None = None) -> list[str]:
    """Split one turn (or show-note item) into sentences; see the module docstring.

    ``previous`` is the preceding turn's text, used only to recognise an answer to a question.
    Returned sentences are stripped of surrounding whitespace; empty ones are dropped."""
    return [text[a:b] for a, b in sentence_spans(text, previous=previous)]


def sentence_spans(text: str, *, previous: str | None = None) -> list[tuple[int, int]]:
    """Like :func:`split_sentences` but as ``(start, end)`` offsets into ``text``."""
    if not text.strip():
        return []
    depth = _quote_depth(text)
    cuts = _punctuation_cuts(text, depth)
    cuts |= _morphological_cuts(text, depth, cuts, previous)
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in [*sorted(cuts), len(text)]:
        if cut <= prev:
            continue
        a, b = prev, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
        prev = cut
    return spans


def _quote_depth(text: str) -> list[int]:
    """Nesting depth of matched brackets at each index (the brackets themselves count inside)."""
    pairs: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    ascii_quote: int | None = None
    for i, ch in enumerate(text):
        if ch in _OPEN_TO_CLOSE:
            stack.append((_OPEN_TO_CLOSE[ch], i))
        elif ch in _CLOSERS:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == ch:
                    pairs.append((stack[k][1], i))
                    del stack[k:]
                    break
        elif ch == '"':
            if ascii_quote is None:
                ascii_quote = i
            else:
                pairs.append((ascii_quote, i))
                ascii_quote = None
    diff = [0] * (len(text) + 1)
    for a, b in pairs:
        diff[a] += 1
        diff[b + 1] -= 1
    depth: list[int] = []
    level = 0
    for i in range(len(text)):
        level += diff[i]
        depth.append(level)
    return depth


def _punctuation_cuts(text: str, depth: list[int]) -> set[int]:
    cuts: set[int] = set()
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if depth[i] == 0 and ch in SENTENCE_END:
            j = i
            while j < n and text[j] in SENTENCE_END and depth[j] == 0:
                j += 1
            if _ends_here(text, i, j):
                cuts.add(j)
            i = j
            continue
        if (
            (
                ch in _CLOSERS
                and depth[i] == 1
                and i > 0
                and text[i - 1] in "。！？!?"
                and (i + 1 == n or text[i + 1].isspace())
            )
            or ch == "."
            and depth[i] == 0
            and _latin_period(text, i)
        ):
            cuts.add(i + 1)
        i += 1
    return cuts


def _ends_here(text: str, i: int, j: int) -> bool:
    """Is the run of end marks ``text[i:j]`` a sentence end?"""
    if j >= len(text):
        return True
    before = text[i - 1] if i > 0 else ""
    after = text[j]
    if text[i] in "．!?" and (_LATIN.match(after) and (before.isdigit() or _LATIN.match(before))):
        return False  # 3．5, Yahoo!Japan, Node.js-like runs
    if after.isspace():
        return True
    if _CONTINUATION.match(text, j):
        return False
    return not (set(text[i:j]) - set("。．") and _CONTINUATION_SOFT.match(text, j))


def _latin_period(text: str, i: int) -> bool:
    m = re.search(r"([A-Za-z]{2,})$", text[max(0, i - 20) : i])
    if not m or m.group(1).lower() in {"mr", "mrs", "ms", "dr", "vs", "etc", "st", "no"}:
        return False
    return i + 2 < len(text) and text[i + 1] == " " and text[i + 2].isupper()


def _morphological_cuts(
    text: str, depth: list[int], cuts: set[int], previous: str | None
) -> set[int]:
    tokens = tokenize(text)
    if not tokens:
        return set()
    starts = {t.start: k for k, t in enumerate(tokens)}
    found: set[int] = set()
    bounds = sorted(cuts)

    def next_bound(pos: int) -> int:
        for b in bounds:
            if b > pos:
                return b
        return len(text)

    def content_follows(pos: int, *, need_predicate: bool) -> bool:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        k = starts.get(pos)
        if k is None or depth[pos]:
            return False
        tok = tokens[k]
        if text.startswith(_QUOTATIVE_HEADS, pos):
            return False
        if tok.pos1 in _NON_CONTENT_POS and not text.startswith(_CONJUNCTION_HEADS, pos):
            return False
        end = next_bound(pos)
        if need_predicate:
            return _has_predicate(tokens, k, end)
        return any(
            t.pos1 not in _FILLER_POS and t.pos1 not in _NON_CONTENT_POS
            for t in tokens[k:]
            if t.start < end
        )

    # a. sentence-initial responses
    for s in [0, *bounds]:
        while s < len(text) and text[s].isspace():
            s += 1
        m = _RESPONSE.match(text, s)
        if not m or depth[s] != 0:
            continue
        e = m.end()
        if e < len(text) and e in starts and content_follows(e, need_predicate=False):
            found.add(e)

    # b. turn-initial answer after a question; a turn-initial surprise
    lead = len(text) - len(text.lstrip())
    asked = previous is not None and _QUESTION_END.search(previous.strip())
    for pattern, needs_question in ((_ANSWER, True), (_SURPRISE, False)):
        m = pattern.match(text, lead)
        if m is None or (needs_question and not asked) or depth[lead]:
            continue
        e = m.end()
        if (
            e < len(text)
            and e in starts
            and not _RESPONSE.match(text, e)
            and not text.startswith("そう", e)
            and content_follows(e, need_predicate=False)
        ):
            found.add(e)

    # c. polite predicate + final particle, directly followed by a new clause
    sentence_start = 0
    cut_set = cuts | found
    for k, tok in enumerate(tokens):
        if any(sentence_start < c <= tok.start for c in cut_set):
            sentence_start = max(c for c in cut_set if c <= tok.start)
        if tok.pos2 != "終助詞" or tok.surface not in _FINAL_PARTICLES:
            continue
        if k + 1 < len(tokens) and tokens[k + 1].pos2 == "終助詞":
            continue  # the run goes on (ですよ|ね)
        end = tok.end
        if end >= len(text) or depth[end] or text[end] in SENTENCE_END or text[end] in "、，,":
            continue
        first = k
        while first > 0 and tokens[first - 1].pos2 == "終助詞":
            first -= 1
        if not _polite_before(tokens, first):
            continue
        clause_start = sentence_start
        for t in tokens[:first]:
            if t.start >= sentence_start and t.surface in ("、", "，", ","):
                clause_start = t.end
        if not _has_content(tokens, clause_start, first):
            continue
        if content_follows(end, need_predicate=True):
            found.add(end)
    return found


def _polite_before(tokens: list[Token], first: int) -> bool:
    """Tokens before the final-particle run end in a polite predicate (です/ます…)."""
    k = first - 1
    if k < 0 or tokens[k].pos1 != "助動詞":
        return False
    chain = []
    while k >= 0 and tokens[k].pos1 == "助動詞" and len(chain) < 3:
        chain.append(tokens[k])
        k -= 1
    if not any(t.lemma in ("です", "ます") for t in chain):
        return False
    head = tokens[k] if k >= 0 else None
    return not (
        head is not None
        and chain[-1].lemma == "です"
        and head.pos1 in ("助詞", "接続詞")
        and head.pos2 != "準体助詞"
    )


def _has_content(tokens: list[Token], sentence_start: int, first: int) -> bool:
    for t in tokens[:first]:
        if t.start < sentence_start:
            continue
        if (
            t.pos1 not in _FILLER_POS
            and t.pos1 not in ("補助記号", "空白")
            and t.surface not in _FILLER_WORDS
        ):
            return True
    return False


def _has_predicate(tokens: list[Token], k: int, end: int) -> bool:
    """A verb, adjective or copula between token ``k`` and offset ``end`` (not a fragment)."""
    for i in range(k, len(tokens)):
        t = tokens[i]
        if t.start >= end:
            break
        if t.lemma == "言う" and i > 0 and tokens[i - 1].surface in _DEMONSTRATIVE_ADVERBS:
            continue  # そういう / こういう are adnominal, not a new predicate
        if t.pos1 in _PREDICATE_POS:
            return True
    return False
