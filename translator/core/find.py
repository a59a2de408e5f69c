"""Find and replace in segment texts (the review page's search and its replace across an
episode). Pure Python: plain data in, spans and new texts out.

A :class:`FindQuery` is plain text by default (matched literally), or a regular expression
(the ``regex`` module: Python's syntax plus ``\\p{Han}``-style script classes). Matching is
case-insensitive unless ``match_case``.

*Whole word* means the match neither starts nor ends inside a word. In English a word is a run
of letters, digits and ``_`` (``cat`` is not found in ``concatenate``). Japanese has no spaces:
between two Japanese characters (kana, kanji) a word boundary is a morpheme boundary as the
segmenter (fugashi + unidic-lite) cuts the text, so ``東京`` is a whole word in ``東京都に`` (東京|都|に)
but ``京`` is not found in ``東京``; a change of script (``東京2020``, ``Aさん``) is a boundary too.

Bounded work: a pattern is at most :data:`MAX_PATTERN_CHARS` characters; a regular
expression with a repeat inside a repeat (``(a+)+``, the classic catastrophic backtracking) is
refused; every search runs under one time budget (:class:`Budget`); and callers stop after
:data:`MAX_MATCHES` matches. Every refusal is a :class:`FindError` whose ``str()`` is one line
for the editor.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import regex

MAX_PATTERN_CHARS = 200
MAX_REPLACEMENT_CHARS = 500
MAX_MATCHES = 2000  # matches listed by one search (callers stop there and say so)
TIME_BUDGET_S = 1.0  # all the regular-expression searches of one request together

Span = tuple[int, int]

_JAPANESE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ]"
)
_GROUP_REF = re.compile(r"\\(\d+)|\\g<([^>]*)>")


class FindError(ValueError):
    """A search that cannot be run; ``str()`` is a one-line message for the editor."""


@dataclass(frozen=True)
class FindQuery:
    pattern: str
    regex: bool = False
    match_case: bool = False
    whole_word: bool = False


@dataclass
class Budget:
    """The time the searches of one request may take together, counting only the time spent
    matching (not the database work between texts): a regular expression that backtracks too
    long is stopped, and the request refused, instead of hanging a worker."""

    seconds: float = TIME_BUDGET_S
    used: float = 0.0

    def remaining(self) -> float:
        left = self.seconds - self.used
        if left <= 0:
            raise FindError(
                f"The search took longer than {self.seconds:g} s: simplify the pattern."
            )
        return left

    @contextmanager
    def spend(self) -> Iterator[float]:
        """Run one search with the time left (yielded, for the search's own timeout) and
        count its time; a search stopped by its timeout exhausts the budget."""
        left = self.remaining()
        t0 = time.perf_counter()
        try:
            yield left
        except TimeoutError:
            self.used = self.seconds
            self.remaining()  # raises the one-line FindError
            raise  # pragma: no cover
        finally:
            self.used += time.perf_counter() - t0


@dataclass(frozen=True)
class Replaced:
    """A text after a replace, with the matches in the old text and the replacements in the
    new one."""

    text: str
    before: tuple[Span, ...]
    after: tuple[Span, ...]


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _children(name: str, arg: Any) -> list[Any]:
    """The sub-patterns of one parsed node (groups, alternatives, repeats, lookarounds)."""
    if name in _REPEATS:
        return [arg[2]]
    if name == "SUBPATTERN":
        return [arg[-1]]
    if name == "BRANCH":
        return list(arg[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [arg[1]]
    return []


def _has_repeat(items: Any) -> bool:
    for op, arg in items:
        name = str(op)
        if name in _REPEATS and arg[1] > 1:
            return True
        if any(_has_repeat(child) for child in _children(name, arg)):
            return True
    return False


def _nested_repeat(items: Any) -> bool:
    """Whether a parsed pattern repeats (more than once) something that itself repeats."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS[:2] and arg[1] > 1 and _has_repeat(arg[2]):
            return True
        if any(_nested_repeat(child) for child in _children(name, arg)):
            return True
    return False


def _check_regex(pattern: str, flags: int) -> regex.Pattern[str]:
    try:
        compiled = regex.compile(pattern, flags | regex.V0)
    except (regex.error, ValueError, OverflowError) as exc:
        raise FindError(f"Not a valid regular expression: {str(exc).splitlines()[0]}.") from None
    try:
        import re._parser as sre_parse  # the standard parser, only to look at the shape

        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - syntax only the regex module knows: the timeout guards it
        parsed = None
    if parsed is not None and _nested_repeat(list(parsed)):
        raise FindError(
            "A repeat inside a repeat, like (a+)+, can take forever: rewrite the pattern "
            "without one."
        )
    if compiled.fullmatch("", timeout=TIME_BUDGET_S) is not None:
        raise FindError("The pattern matches empty text: it must match at least one character.")
    return compiled


def _check_replacement(replacement: str, compiled: regex.Pattern[str], is_regex: bool) -> None:
    if len(replacement) > MAX_REPLACEMENT_CHARS:
        raise FindError(f"The replacement is longer than {MAX_REPLACEMENT_CHARS} characters.")
    if not is_regex:
        return
    for number, name in _GROUP_REF.findall(replacement):
        if number and int(number) > compiled.groups:
            raise FindError(f"The replacement refers to group {number}, which the pattern lacks.")
        if (
            name
            and not (name.isdigit() and int(name) <= compiled.groups)
            and (name not in compiled.groupindex)
        ):
            raise FindError(f"The replacement refers to group <{name}>, which the pattern lacks.")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def morpheme_cuts(text: str) -> set[int]:
    """Offsets in ``text`` where the Japanese segmenter puts a morpheme boundary."""
    from translator.core.morph import tokenize

    cuts: set[int] = set()
    for token in tokenize(text):
        cuts.add(token.start)
        cuts.add(token.end)
    return cuts


@dataclass
class Finder:
    """A validated query, ready to search texts (see :func:`compile_query`)."""

    query: FindQuery
    compiled: regex.Pattern[str]
    budget: Budget = field(default_factory=Budget)
    # Japanese word boundaries, computed only for texts where a whole-word match needs them.
    cuts_of: Callable[[str], set[int]] = morpheme_cuts

    def _edge(self, text: str, i: int, cuts: list[set[int] | None]) -> bool:
        if i <= 0 or i >= len(text):
            return True
        a, b = text[i - 1], text[i]
        ja_a, ja_b = bool(_JAPANESE.match(a)), bool(_JAPANESE.match(b))
        if ja_a and ja_b:
            if cuts[0] is None:
                cuts[0] = self.cuts_of(text)
            return i in cuts[0]
        if ja_a != ja_b:
            return True  # a change of script
        return not (_is_word(a) and _is_word(b))

    def spans(self, text: str, *, limit: int = MAX_MATCHES) -> list[Span]:
        """Where the query matches ``text`` (non-overlapping, left to right, at most
        ``limit``); empty matches are never reported."""
        out: list[Span] = []
        if not text:
            return out
        cuts: list[set[int] | None] = [None]
        pos = 0
        n = len(text)
        while pos < n and len(out) < limit:
            with self.budget.spend() as left:
                m = self.compiled.search(text, pos, timeout=left)
            if m is None:
                break
            start, end = m.span()
            if start == end or (
                self.query.whole_word
                and not (self._edge(text, start, cuts) and self._edge(text, end, cuts))
            ):
                pos = start + 1
                continue
            out.append((start, end))
            pos = end
        return out

    def replace(self, text: str, replacement: str) -> Replaced:
        """``text`` with every match replaced (regular expressions: ``\\1`` and ``\\g<name>``
        name groups of the match)."""
        spans = self.spans(text, limit=len(text) + 1)
        if not spans:
            return Replaced(text, (), ())
        out: list[str] = []
        after: list[Span] = []
        pos = 0
        length = 0
        for start, end in spans:
            out.append(text[pos:start])
            length += start - pos
            if self.query.regex:
                with self.budget.spend() as left:
                    m = self.compiled.match(text, start, end, timeout=left)
                piece = m.expand(replacement) if m is not None else replacement
            else:
                piece = replacement
            out.append(piece)
            after.append((length, length + len(piece)))
            length += len(piece)
            pos = end
        out.append(text[pos:])
        return Replaced("".join(out), tuple(spans), tuple(after))


def compile_query(
    query: FindQuery, *, replacement: str | None = None, budget: Budget | None = None
) -> Finder:
    """Validate ``query`` (and ``replacement``, when replacing) and compile it; ``FindError``
    with a one-line reason when it cannot be run."""
    pattern = query.pattern
    if not pattern or not pattern.strip() and not query.regex:
        raise FindError("Type something to find.")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise FindError(f"The search is longer than {MAX_PATTERN_CHARS} characters.")
    flags = 0 if query.match_case else regex.IGNORECASE
    if query.regex:
        compiled = _check_regex(pattern, flags)
    else:
        compiled = regex.compile(regex.escape(pattern), flags | regex.V0)
    if replacement is not None:
        _check_replacement(replacement, compiled, query.regex)
    return Finder(query, compiled, budget or Budget())


def pieces(
    text: str, spans: Sequence[Span], *, context: int | None = None
) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_match) for highlighting. With ``context``, only that many
    characters are kept around each match (cut text shown as ``…``)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        gap = text[pos:start]
        if context is not None and len(gap) > 2 * context + 1:
            head = gap[:context] if pos else ""
            gap = (head + "…" if pos else "…") + gap[len(gap) - context :]
        if gap:
            out.append((gap, False))
        out.append((text[start:end], True))
        pos = end
    tail = text[pos:]
    if context is not None and len(tail) > context + 1:
        tail = tail[:context] + "…"
    if tail:
        out.append((tail, False))
    return out
