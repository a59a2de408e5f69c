"""Subtitle line breaking: English (style-guide rules) and Japanese (display width).

English lines break after punctuation or before a conjunction/preposition, and never between an
article/determiner and its noun, a first and last name (capitalised pairs, protected names),
or an auxiliary and its verb or negation; hardly ever after a conjunction, between a subject
pronoun and its verb, between an adjective (or a noun used as one) and its noun, or between a
number and its unit. The same penalties
decide where a sentence's English is cut between cues (:mod:`translator.core.subtitles`). When
the text cannot fit, lines are still returned (more lines than asked, or an over-long word on
its own line): the QA layer reports it.

Adjectives are recognised without a tagger: a short list, adjective endings (``-al``, ``-ive``,
``-ous``, ``-ful``…), nationality words (``Japanese``, ``English``, ``Korean``) and hyphenated
modifiers (``full-width``); a noun is a word that is none of the function words, pronouns or
``-ly`` adverbs. Noun-noun compounds are listed (``speech recognition``: ``speech`` is in
:data:`MODIFIER_NOUNS`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from translator.core.cues import break_lines

# Break penalties, in "characters of imbalance" units.
PEN_PUNCT = 0.0
PEN_BEFORE_CONJ = 3.0
PEN_NORMAL = 10.0
PEN_AFTER_PREP = 30.0
PEN_AFTER_CONJ = 30.0  # "Tanaka and / Yamaguchi": break before the conjunction instead
PEN_AFTER_AUX = 60.0
PEN_ADJ_NOUN = 60.0  # "Japanese / subtitles", "final / human check", "full-width / characters"
PEN_NEVER = 100.0  # article+noun, name pairs, aux+negation: only when nothing else fits
PEN_PROTECTED = 1000.0  # inside a protected name / glossary term
OVERFLOW_PER_CHAR = 1000.0

_PUNCT_END = tuple(".,;:!?…—–)]\"'”’")
_STRIP = ".,;:!?…—–()[]\"'“”‘’"
_STRIP_TAIL = ".,;:!?…)]"

DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "these",
        "those",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "some",
        "any",
        "no",
        "every",
        "each",
        "another",
        "such",
        "what",
        "which",
        "whose",
        "both",
        "either",
        "neither",
        "several",
    ]
)
AUXILIARIES = frozenset(
    [
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "i'm",
        "you're",
        "we're",
        "they're",
        "he's",
        "she's",
        "it's",
        "i've",
        "you've",
        "we've",
        "they've",
        "i'll",
        "you'll",
        "we'll",
        "they'll",
        "i'd",
        "you'd",
        "we'd",
        "they'd",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
        "shouldn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "haven't",
        "hasn't",
        "hadn't",
        "mustn't",
    ]
)
NEGATIONS = frozenset(["not", "never", "n't"])
TITLES = frozenset(["mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mr", "mrs", "ms", "dr"])
CONJUNCTIONS = frozenset(
    [
        "and",
        "but",
        "or",
        "so",
        "because",
        "although",
        "though",
        "while",
        "whereas",
        "if",
        "unless",
        "since",
        "until",
        "when",
        "where",
        "whether",
        "that",
        "which",
        "who",
        "whom",
        "nor",
        "yet",
        "than",
        "then",
        "as",
    ]
)
PREPOSITIONS = frozenset(
    [
        "about",
        "above",
        "across",
        "after",
        "against",
        "along",
        "among",
        "around",
        "at",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "between",
        "beyond",
        "by",
        "despite",
        "down",
        "during",
        "except",
        "for",
        "from",
        "in",
        "inside",
        "into",
        "like",
        "near",
        "of",
        "off",
        "on",
        "onto",
        "out",
        "outside",
        "over",
        "past",
        "through",
        "throughout",
        "to",
        "toward",
        "towards",
        "under",
        "underneath",
        "upon",
        "with",
        "within",
        "without",
        "via",
    ]
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


SUBJECT_PRONOUNS = frozenset(["i", "he", "she", "we", "they"])
PRONOUNS = _wordset(
    "i me you he him she it we us they them myself yourself himself herself itself ourselves "
    "themselves someone something anyone anything everyone everything nobody nothing one ones "
    "mine yours hers ours theirs there here"
)
# Words that follow an adjective without being its noun (adverbs and particles).
NOT_NOUNS = _wordset(
    "too very also now then again still just enough ever even only really already yet soon "
    "later today tomorrow yesterday tonight away back up down out off together anyway though "
    "else instead indeed perhaps maybe almost quite rather please"
)
ADJECTIVES = _wordset(
    "new old good bad big small long short high low first last next final main real rough "
    "whole full great little young other same different single early late hard easy free "
    "simple human weird right wrong best better worst worse few many much more most less own "
    "certain common native foreign entire public local open close clear huge tiny wide broad "
    "deep strong weak quick slow fast busy empty red blue green black white dark light true "
    "false fine nice large major minor basic key top prime raw daily weekly monthly yearly "
    "whole half extra spare separate subtle ordinary"
)
# Nouns that usually modify the noun after them ("speech recognition", "product names").
MODIFIER_NOUNS = _wordset(
    "speech product translation subtitle subtitling movie film streaming audio video sound "
    "voice time line sentence word text file company team support customer machine computer "
    "software data user quality style reading display source target language character "
    "frame episode podcast radio television tv web news game music theater theatre"
)
_ADJ_ENDINGS = (
    "al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary", "ese", "ish", "ant", "ent",
)  # fmt: skip
_ADJ_ENDINGS_NOT = _wordset(
    "animal capital festival hospital interval journal manual material metal original "
    "proposal rival signal total trial arrival approval potential professional rental "
    "schedule musical topic music logic magic public traffic picnic mechanic critic "
    "clinic fabric ethic relative native detective objective alternative executive "
    "representative initiative motive incentive perspective table cable vegetable variable "
    "bible dictionary library secretary summary salary diary boundary anniversary "
    "february january itinerary vocabulary glossary commentary documentary "
    "moment event comment document element statement agreement argument government "
    "department apartment environment equipment management development assistant "
    "restaurant servant tenant merchant elephant infant instant giant "
    "finish english fish dish wish publish polish establish accomplish"
)
NUMBER_WORDS = _wordset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion half dozen"
)


def _is_adjective(word: str, bare: str, cap: bool) -> bool:
    """Whether ``word`` reads as an adjective or a noun modifier (see the module doc)."""
    if bare in ADJECTIVES or bare in MODIFIER_NOUNS:
        return True
    if "-" in bare.strip("-") and all(p.isalpha() for p in bare.split("-")):
        return True  # full-width, best-known, auto-sync, mid-sentence
    if cap:  # Japanese, English, Korean, American, Italian (not a name: "Tanaka")
        return bare.endswith(("ese", "ish", "ean", "ian", "can"))
    return len(bare) > 4 and bare.endswith(_ADJ_ENDINGS) and bare not in _ADJ_ENDINGS_NOT


def _is_noun(bare: str) -> bool:
    """Whether ``bare`` can be the noun of a preceding adjective or number."""
    return (
        bare.isalpha()
        and bare not in DETERMINERS
        and bare not in AUXILIARIES
        and bare not in NEGATIONS
        and bare not in CONJUNCTIONS
        and bare not in PREPOSITIONS
        and bare not in PRONOUNS
        and bare not in NOT_NOUNS
        and not bare.endswith("ly")
    )


@lru_cache(maxsize=8192)
def _word_info(word: str) -> tuple[str, bool, bool, bool]:
    """(bare lowercase, ends with punctuation, capitalised, is a number)."""
    bare = word.strip(_STRIP).lower()
    ends_punct = word.endswith(_PUNCT_END)
    cap = word[:1].isupper()
    is_num = bare[:1].isdigit() or bare in NUMBER_WORDS
    return bare, ends_punct, cap, is_num


@lru_cache(maxsize=65536)
def break_penalty(left: str, right: str) -> float:
    """How bad a line (or cue) break between two adjacent words is."""
    lbare, lpunct, lcap, lnum = _word_info(left)
    if lpunct and lbare not in TITLES:
        return PEN_PUNCT
    rbare, _rpunct, rcap, rnum = _word_info(right)
    if (
        rcap
        and rbare != "i"
        and (rbare in DETERMINERS or rbare in PRONOUNS or rbare in CONJUNCTIONS)
    ):
        # "hand / A distant voice": a capitalised function word starts a new sentence (lines
        # of an imported track, captions without punctuation).
        return PEN_BEFORE_CONJ
    if rbare in NEGATIONS:
        return PEN_NEVER
    if lbare in DETERMINERS or lbare in TITLES:
        return PEN_NEVER
    if lcap and rcap and lbare != "i":
        return PEN_NEVER
    if lbare in SUBJECT_PRONOUNS and not rcap and rbare not in DETERMINERS and rbare.isalpha():
        return PEN_AFTER_AUX  # "they / check": a subject pronoun stays with its verb
    if lbare == "it" and rbare.endswith("s") and not rbare.endswith("ss") and rbare.isalpha():
        return PEN_AFTER_AUX  # "it / goes", "it / makes"
    if lbare in AUXILIARIES:
        # "is / Daigo", "was / the best" are fine; "have / eaten", "will / go" are not.
        if rcap or rnum or rbare in DETERMINERS:
            return PEN_NORMAL
        return PEN_AFTER_AUX
    if lnum:
        # "13 / characters", "4 / chars/s": a number and its unit stay together.
        return PEN_NEVER if rbare.isalpha() and _is_noun(rbare) else PEN_AFTER_AUX
    if lbare in PREPOSITIONS:
        return PEN_AFTER_PREP
    if lbare in CONJUNCTIONS:  # "and / then": break before "and" instead
        return PEN_AFTER_CONJ
    if rbare == "of":  # "a team / of 5", "the rule / of thumb": "of" binds to its noun
        return PEN_NORMAL
    if rbare in CONJUNCTIONS or rbare in PREPOSITIONS:
        return PEN_BEFORE_CONJ
    if _is_noun(rbare) and _is_adjective(left, lbare, lcap):
        return PEN_ADJ_NOUN
    return PEN_NORMAL


def protected_boundaries(text: str, words: Sequence[str], protected: Sequence[str]) -> set[int]:
    """Indexes ``i`` such that the break between ``words[i]`` and ``words[i+1]`` falls inside
    an occurrence of a protected phrase (case-insensitive). ``text`` is ``" ".join(words)``."""
    if not protected:
        return set()
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for phrase in protected:
        if " " not in phrase.strip():
            continue
        p = " ".join(phrase.lower().split())
        start = lowered.find(p)
        while start != -1:
            spans.append((start, start + len(p)))
            start = lowered.find(p, start + 1)
    if not spans:
        return set()
    out: set[int] = set()
    pos = 0
    for i, w in enumerate(words[:-1]):
        pos += len(w)  # the space after words[i] is at ``pos``
        for s, e in spans:
            if s < pos < e:
                out.add(i)
                break
        pos += 1
    return out


def boundary_penalties(
    words: Sequence[str], text: str, protected: Sequence[str] = ()
) -> list[float]:
    """Penalty of a break after each word (``len(words) - 1`` values)."""
    pens = [break_penalty(words[i], words[i + 1]) for i in range(len(words) - 1)]
    for i in range(1, len(words) - 1):
        # "the surrounding / sentences", "a finished / draft": a participle after an article
        # modifies the noun after it.
        bare = words[i].lower()
        if (
            pens[i] < PEN_ADJ_NOUN
            and bare.endswith(("ing", "ed"))
            and words[i - 1].lower() in DETERMINERS
            and _is_noun(nxt := _word_info(words[i + 1])[0])
            and nxt not in ADJECTIVES  # "the timing / first,"
        ):
            pens[i] = PEN_ADJ_NOUN
    for i in _short_quote_boundaries(words):
        pens[i] = max(pens[i], PEN_AFTER_AUX)
    for i in protected_boundaries(text, words, protected):
        pens[i] = PEN_PROTECTED
    return pens


_OPEN_QUOTES = ('"', "“", "‘", "'")
_CLOSE_QUOTES = ('"', "”", "’", "'")
SHORT_QUOTE_WORDS = 4


def _short_quote_boundaries(words: Sequence[str]) -> list[int]:
    """Breaks inside a quoted phrase of at most :data:`SHORT_QUOTE_WORDS` words
    (``"desu ne,"``): a quoted phrase is read as one."""
    out: list[int] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if w.startswith(_OPEN_QUOTES) and not w.rstrip(_STRIP_TAIL).endswith(_CLOSE_QUOTES):
            for j in range(i + 1, min(n, i + SHORT_QUOTE_WORDS)):
                if words[j].rstrip(_STRIP_TAIL).endswith(_CLOSE_QUOTES) or words[j].endswith(
                    _CLOSE_QUOTES
                ):
                    out.extend(range(i, j))
                    i = j
                    break
        i += 1
    return out


def _greedy_line_count(lens: Sequence[int], pens: Sequence[float], max_chars: int) -> int:
    """Lines needed when words are packed greedily without breaking at a forbidden boundary
    (protected phrase, name, article+noun); a glued run longer than a line falls apart."""
    units: list[int] = []
    run = lens[0]
    runs: list[list[int]] = [[lens[0]]]
    for i in range(1, len(lens)):
        if pens[i - 1] >= PEN_NEVER:
            runs[-1].append(lens[i])
        else:
            runs.append([lens[i]])
    for r in runs:
        run = sum(r) + len(r) - 1
        if run <= max_chars:
            units.append(run)
        else:
            units.extend(r)
    lines = 1
    cur = units[0]
    for u in units[1:]:
        if cur + 1 + u <= max_chars:
            cur += 1 + u
        else:
            lines += 1
            cur = u
    return lines


def break_english(
    text: str,
    *,
    max_chars_per_line: int = 42,
    max_lines: int = 2,
    protected: Sequence[str] = (),
) -> list[str]:
    """Break English subtitle text into balanced lines of at most ``max_chars_per_line``.

    Uses ``max(needed, 1)`` lines where ``needed`` is the fewest lines that fit; that can be
    more than ``max_lines`` (reported by QA, never silently truncated). A single word longer
    than the limit gets a line of its own."""
    words = text.split()
    if not words:
        return []
    joined = " ".join(words)
    if len(joined) <= max_chars_per_line or len(words) == 1:
        return [joined]
    lens = [len(w) for w in words]
    pens = boundary_penalties(words, joined, protected)
    n_lines = max(2, _greedy_line_count(lens, pens, max_chars_per_line))
    n_lines = min(n_lines, len(words))
    # prefix[i] = length of words[0:i] joined with spaces, plus one (the trailing space)
    prefix = [0]
    for ln in lens:
        prefix.append(prefix[-1] + ln + 1)

    def line_len(i: int, j: int) -> int:  # words[i:j]
        return prefix[j] - prefix[i] - 1

    avg = len(joined) / n_lines

    def line_cost(i: int, j: int) -> float:
        ln = line_len(i, j)
        over = ln - max_chars_per_line
        cost = abs(ln - avg)
        if over > 0 and j - i > 1:
            cost += OVERFLOW_PER_CHAR * over
        return cost

    n = len(words)
    if n_lines == 2:
        best_i, best = 1, float("inf")
        for i in range(1, n):
            c = line_cost(0, i) + line_cost(i, n) + pens[i - 1]
            # slight preference for a shorter top line (pyramid) on ties
            if line_len(0, i) > line_len(i, n):
                c += 0.5
            if c < best:
                best, best_i = c, i
        return [" ".join(words[:best_i]), " ".join(words[best_i:])]

    inf = float("inf")
    # dp[l][j]: best cost for words[0:j] in l lines
    dp = [[inf] * (n + 1) for _ in range(n_lines + 1)]
    back = [[0] * (n + 1) for _ in range(n_lines + 1)]
    dp[0][0] = 0.0
    for lines in range(1, n_lines + 1):
        for j in range(lines, n - (n_lines - lines) + 1):
            best, arg = inf, 0
            for i in range(lines - 1, j):
                prev = dp[lines - 1][i]
                if prev == inf:
                    continue
                c = prev + line_cost(i, j) + (pens[i - 1] if i > 0 else 0.0)
                if c < best:
                    best, arg = c, i
            dp[lines][j] = best
            back[lines][j] = arg
    cuts = []
    j = n
    for lines in range(n_lines, 0, -1):
        i = back[lines][j]
        cuts.append((i, j))
        j = i
    return [" ".join(words[i:j]) for i, j in reversed(cuts)]


# --- Japanese -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def char_width(ch: str) -> float:
    """Display width of one character: full-width 1, half-width 0.5."""
    if ord(ch) < 0x1100:
        return 0.5
    return 1.0 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 0.5


def japanese_width(text: str) -> float:
    """Display width of Japanese text (full-width 1, half-width 0.5)."""
    return sum(char_width(ch) for ch in text)


def break_japanese(text: str, *, max_width: float = 13.0, max_lines: int = 2) -> list[str]:
    """Japanese display lines for one cue: the import's phrase-aware breaker
    (:func:`translator.core.cues.break_lines`), so export never splits a word, a number from its
    counter or starts a line with a particle."""
    return break_lines(text, max_units_per_line=max_width, max_lines=max_lines)
