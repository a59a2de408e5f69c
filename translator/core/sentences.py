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
from bisect import bisect_left, bisect_right

from translator.core.morph import Token, chunk_bounds, tokenize

# Unpunctuated speech (ASR output) is cut at a clause boundary past this length; punctuated
# sentences only past MAX_SENTENCE_CHARS (no engine takes a 162,000-character sentence).
UNPUNCTUATED_MAX_CHARS = 120
MAX_SENTENCE_CHARS = UNPUNCTUATED_MAX_CHARS
# The morphological rules analyse at most this many characters at a time.
MORPH_WINDOW_CHARS = 2000

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
_JAPANESE = re.compile(r"[ぁ-ゖァ-ヺー一-鿿々〆ヵヶ]")
_JA_CLASS = r"ぁ-ゖァ-ヺー一-鿿々〆ヵヶ、。，．！？「」『』（）・…〜"
# A space between two Japanese characters (tokenised ASR output: はい 始め て いき ましょ う).
_ASR_SPACE = re.compile(rf"(?<=[{_JA_CLASS}])[ \t\u3000]+(?=[{_JA_CLASS}])")
_ASR_SPACE_BEFORE_MARK = re.compile(rf"(?<=[{_JA_CLASS}])[ \t]+(?=[.,](?:\s|$|[{_JA_CLASS}]))")
_ASR_SPACE_AFTER_MARK = re.compile(rf"(?<=[{_JA_CLASS}][.,])[ \t]+(?=[{_JA_CLASS}])")
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


def split_sentences(
    text: str, *, previous: str | None = None, max_chars: int | None = MAX_SENTENCE_CHARS
) -> list[str]:
    """Split one turn (or show-note item) into sentences; see the module docstring.

    ``previous`` is the preceding turn's text, used only to recognise an answer to a question.
    Returned sentences are stripped of surrounding whitespace; empty ones are dropped."""
    return [text[a:b] for a, b in sentence_spans(text, previous=previous, max_chars=max_chars)]


def sentence_spans(
    text: str, *, previous: str | None = None, max_chars: int | None = MAX_SENTENCE_CHARS
) -> list[tuple[int, int]]:
    """Like :func:`split_sentences` but as ``(start, end)`` offsets into ``text``.

    Linear in ``len(text)``: the morphological rules run on each stretch between punctuated
    ends, analysed in windows of bounded length (:func:`translator.core.morph.chunk_bounds`).
    ``max_chars`` bounds unpunctuated sentences (see :func:`bound_spans`); ``None`` keeps
    them whole."""
    if not text.strip():
        return []
    depth = _quote_depth(text)
    cuts = _punctuation_cuts(text, depth)
    bounds = sorted(cuts)
    found: set[int] = set()
    prev = 0
    for k, end in enumerate([*bounds, len(text)]):
        if end <= prev:
            continue
        piece = text[prev:end]
        for a, b in chunk_bounds(piece, MORPH_WINDOW_CHARS):
            local = _morphological_cuts(
                piece[a:b],
                depth[prev + a : prev + b],
                set(),
                previous if (k == 0 and a == 0) else None,
                turn_start=k == 0 and a == 0,
            )
            found.update(prev + a + c for c in local)
        prev = end
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in [*sorted(cuts | found), len(text)]:
        if cut <= prev:
            continue
        a, b = prev, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            if max_chars is not None and b - a > max_chars:
                spans.extend((a + x, a + y) for x, y in bound_spans(text[a:b], max_chars))
            else:
                spans.append((a, b))
        prev = cut
    return spans


def bound_sentence(text: str, max_chars: int = UNPUNCTUATED_MAX_CHARS) -> list[str]:
    """Cut one over-long sentence at its best clause boundaries (see :func:`bound_spans`)."""
    return [text[a:b] for a, b in bound_spans(text, max_chars)]


def bound_spans(
    text: str, max_chars: int = UNPUNCTUATED_MAX_CHARS, *, hard_max_chars: int | None = None
) -> list[tuple[int, int]]:
    """``(start, end)`` pieces of ``text`` no longer than ``max_chars`` where the text has no
    punctuated end of its own (ASR output, unpunctuated speech), and no longer than
    ``hard_max_chars`` (default :data:`MAX_SENTENCE_CHARS`, 4 x the bound) in any case.

    Each piece ends at the best clause boundary in the last 60 % of the window, found with
    fugashi: after a conjunctive particle (て, けど, から, が, ので, し…) or a comma, then after
    a final particle (ね, よ), whitespace, other particles; never inside brackets, a Latin word
    or a word. Text is analysed one window at a time (memory and MeCab input bounded; linear)."""
    n = len(text)
    soft = max(8, max_chars)
    hard = max(soft, hard_max_chars or 4 * soft)
    punctuated = bool(text) and text.rstrip()[-1:] in SENTENCE_END | _CLOSERS
    limit = hard if punctuated else soft
    if n <= limit:
        return [(0, n)] if text.strip() else []
    spans: list[tuple[int, int]] = []
    start = 0
    while n - start > limit:
        window_end = start + limit
        lookahead = text[start : min(n, window_end + 8)]
        cut = _best_clause_cut(lookahead, limit, floor=int(limit * 0.4)) + start
        spans.append((start, cut))
        start = cut
    spans.append((start, n))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


_CLAUSE_PARTICLES = frozenset(
    {
        "て",
        "で",
        "けど",
        "けれど",
        "けれども",
        "から",
        "が",
        "ので",
        "し",
        "たら",
        "ば",
        "のに",
        "ながら",
    }
)
_COMMAS = frozenset("、，,")


def _best_clause_cut(window: str, limit: int, *, floor: int) -> int:
    """The offset in ``(floor, limit]`` of ``window`` that best ends a clause."""
    tokens = tokenize(window)
    depth = _quote_depth(window)
    best: tuple[float, int] | None = None
    for k, tok in enumerate(tokens):
        end = tok.end
        if end <= floor:
            continue
        if end > limit:
            break
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if end < len(window) and depth[end] and depth[end - 1]:
            continue  # inside brackets
        if (
            nxt is not None
            and nxt.start == end
            and (nxt.pos1 in ("助詞", "助動詞", "接尾辞") or window[end] in _COMMAS)
        ):
            continue  # the clause goes on (て|いる, けど|ね, …|、)
        if nxt is not None and nxt.pos2 == "非自立可能" and nxt.pos1 in ("動詞", "形容詞"):
            continue  # 書いて|ある
        if _LATIN.match(window[end - 1]) and end < len(window) and _LATIN.match(window[end]):
            continue
        if tok.surface in _COMMAS:
            score = 4.0 if k > 0 and tokens[k - 1].pos2 == "接続助詞" else 3.0
        elif tok.pos2 == "接続助詞" and tok.surface in _CLAUSE_PARTICLES:
            score = 3.5
        elif tok.pos2 == "終助詞":
            score = 3.0
        elif end < len(window) and window[end].isspace():
            score = 2.0
        elif tok.pos1 == "助詞":
            score = 1.0
        else:
            score = 0.2
        candidate = (score + end / (limit * 10), end)  # later wins a tie: fewer pieces
        if best is None or candidate > best:
            best = candidate
    if best is not None:
        return best[1]
    # No token boundary in the window (one enormous token): cut at the limit.
    return min(limit, len(window))


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
            and (_latin_period(text, i) or _japanese_period(text, i))
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


def _japanese_period(text: str, i: int) -> bool:
    """A single ``.`` right after Japanese ends the sentence (ASR output: ``始めましょう.``)."""
    if i == 0 or not _JAPANESE.match(text[i - 1]) or text[i - 1 : i] == ".":
        return False
    return i + 1 >= len(text) or text[i + 1] != "."


def remove_asr_spaces(text: str) -> str:
    """Remove spaces between Japanese characters (spaces between Latin words stay), and
    around a ``.``/``,`` that follows Japanese (``ましょ う . 今日`` → ``ましょう.今日``)."""
    text = _ASR_SPACE.sub("", text)
    text = _ASR_SPACE_BEFORE_MARK.sub("", text)
    return _ASR_SPACE_AFTER_MARK.sub("", text)


def asr_space_count(text: str) -> tuple[int, int]:
    """(spaces between Japanese characters, Japanese characters): tokenised ASR output has
    about one such space per two to four characters; written Japanese has almost none."""
    return sum(1 for _ in _ASR_SPACE.finditer(text)), sum(1 for _ in _JAPANESE.finditer(text))


def _latin_period(text: str, i: int) -> bool:
    m = re.search(r"([A-Za-z]{2,})$", text[max(0, i - 20) : i])
    if not m or m.group(1).lower() in {"mr", "mrs", "ms", "dr", "vs", "etc", "st", "no"}:
        return False
    return i + 2 < len(text) and text[i + 1] == " " and text[i + 2].isupper()


def _morphological_cuts(
    text: str,
    depth: list[int],
    cuts: set[int],
    previous: str | None,
    *,
    turn_start: bool = True,
) -> set[int]:
    """Unpunctuated ends (rules 3a-c) in ``text``, a stretch of bounded length.

    ``turn_start``: ``text`` begins the turn (rule 3b applies only there)."""
    tokens = tokenize(text)
    if not tokens:
        return set()
    stretch = _Stretch(text, depth, tokens, sorted(cuts))
    found = stretch.response_cuts()
    if turn_start:
        found |= stretch.turn_initial_cuts(previous)
    return found | stretch.polite_final_cuts(cuts | found)


class _Stretch:
    """A tokenised stretch of text with its quote depth and the cuts punctuation gave."""

    def __init__(self, text: str, depth: list[int], tokens: list[Token], bounds: list[int]) -> None:
        self.text, self.depth, self.tokens, self.bounds = text, depth, tokens, bounds
        self.starts = {t.start: k for k, t in enumerate(tokens)}
        self.token_starts = [t.start for t in tokens]

    def next_bound(self, pos: int) -> int:
        i = bisect_right(self.bounds, pos)
        return self.bounds[i] if i < len(self.bounds) else len(self.text)

    def content_follows(self, pos: int, *, need_predicate: bool) -> bool:
        text, tokens = self.text, self.tokens
        while pos < len(text) and text[pos].isspace():
            pos += 1
        k = self.starts.get(pos)
        if k is None or self.depth[pos]:
            return False
        tok = tokens[k]
        if text.startswith(_QUOTATIVE_HEADS, pos):
            return False
        if tok.pos1 in _NON_CONTENT_POS and not text.startswith(_CONJUNCTION_HEADS, pos):
            return False
        end = self.next_bound(pos)
        if need_predicate:
            return _has_predicate(tokens, k, end)
        for t in tokens[k:]:
            if t.start >= end:
                break
            if t.pos1 not in _FILLER_POS and t.pos1 not in _NON_CONTENT_POS:
                return True
        return False

    def response_cuts(self) -> set[int]:
        """a. Sentence-initial responses."""
        text, found = self.text, set()
        for s in [0, *self.bounds]:
            while s < len(text) and text[s].isspace():
                s += 1
            m = _RESPONSE.match(text, s)
            if not m or self.depth[s] != 0:
                continue
            e = m.end()
            if e < len(text) and e in self.starts and self.content_follows(e, need_predicate=False):
                found.add(e)
        return found

    def turn_initial_cuts(self, previous: str | None) -> set[int]:
        """b. A turn-initial answer after a question; a turn-initial surprise."""
        text, found = self.text, set()
        lead = len(text) - len(text.lstrip())
        asked = previous is not None and _QUESTION_END.search(previous.strip())
        for pattern, needs_question in ((_ANSWER, True), (_SURPRISE, False)):
            m = pattern.match(text, lead)
            if m is None or (needs_question and not asked) or self.depth[lead]:
                continue
            e = m.end()
            if (
                e < len(text)
                and e in self.starts
                and not _RESPONSE.match(text, e)
                and not text.startswith("そう", e)
                and self.content_follows(e, need_predicate=False)
            ):
                found.add(e)
        return found

    def polite_final_cuts(self, cuts: set[int]) -> set[int]:
        """c. A polite predicate + final particle, directly followed by a new clause."""
        text, tokens, depth = self.text, self.tokens, self.depth
        found: set[int] = set()
        cut_list = sorted(cuts)
        next_cut = 0
        sentence_start = 0
        commas: list[int] = []  # ends of comma tokens, in order
        for k, tok in enumerate(tokens):
            while next_cut < len(cut_list) and cut_list[next_cut] <= tok.start:
                if cut_list[next_cut] > sentence_start:
                    sentence_start = cut_list[next_cut]
                next_cut += 1
            if tok.surface in ("、", "，", ","):
                commas.append(tok.end)
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
            i = bisect_right(commas, tokens[first].start)
            if i and commas[i - 1] > sentence_start:  # the last comma of this sentence before it
                clause_start = max(clause_start, commas[i - 1])
            if not _has_content(tokens, clause_start, first, self.token_starts):
                continue
            if self.content_follows(end, need_predicate=True):
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


def _has_content(
    tokens: list[Token], sentence_start: int, first: int, token_starts: list[int]
) -> bool:
    for t in tokens[bisect_left(token_starts, sentence_start) : first]:
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
