"""Reads for the review page (no writes here, not even of QA flags never stored).

A page of rows costs a constant number of SQL queries whatever its length: the segments of the
page with their first and last cue times (one query), the episode's speakers, its glossary and
the status counters. QA flags (computed by :mod:`translator.core.qa`, never in templates) are
read as stored by :mod:`translator.services.qa_flags`; filtering by flag is plain SQL. Rows
whose flags were never stored (bulk loads) get them computed here, in memory, for showing and
filtering; storing them is left to the services and ``refresh_qa``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from translator import selectors
from translator.core import find
from translator.core.export_types import SubtitleOptions
from translator.core.find import FindQuery
from translator.core.qa import CueCheck, QAFlag, english_cue_checks
from translator.core.subtitles import english_lines
from translator.core.transcript import format_timestamp
from translator.core.types import speaker_display_name, split_speaker_label
from translator.models import Cue, Episode, GlossaryTerm, Segment, SegmentRevision, Speaker
from translator.services import qa_flags

STATUS_LABELS = dict(Segment.Status.choices)
PER_PAGE_CHOICES = (50, 100, 200)
DEFAULT_PER_PAGE = 100

# Human labels for QA flags (same English as translator.core.qa.QA_LABELS, translatable).
QA_LABELS = {
    QAFlag.LINE_TOO_LONG: _("English line too long"),
    QAFlag.TOO_MANY_LINES: _("Too many lines in a cue"),
    QAFlag.READING_SPEED: _("Reading speed too high"),
    QAFlag.CUE_TOO_SHORT: _("Cue shorter than 5/6 s"),
    QAFlag.CUE_TOO_LONG: _("Cue longer than 7 s"),
    QAFlag.GLOSSARY_NOT_FOLLOWED: _("Glossary term not followed"),
    QAFlag.NUMBER_MISSING: _("Number missing from the English"),
    QAFlag.JAPANESE_LEFT: _("Japanese left in the English"),
    QAFlag.EMPTY_TRANSLATION: _("Empty translation"),
    QAFlag.INCONSISTENT: _("Same Japanese translated differently in this episode"),
    QAFlag.DIFFERS_FROM_MEMORY: _("Differs from the translation memory's approved English"),
    QAFlag.SPEAKER_NAME: _("Speaker's English name not used"),
    QAFlag.SOURCE_CHANGED: _("Japanese changed since the translation"),
}
QA_SHORT = {
    QAFlag.LINE_TOO_LONG: _("long line"),
    QAFlag.TOO_MANY_LINES: _("3+ lines"),
    QAFlag.READING_SPEED: _("fast"),
    QAFlag.CUE_TOO_SHORT: _("short cue"),
    QAFlag.CUE_TOO_LONG: _("long cue"),
    QAFlag.GLOSSARY_NOT_FOLLOWED: _("glossary"),
    QAFlag.NUMBER_MISSING: _("number"),
    QAFlag.JAPANESE_LEFT: _("Japanese left"),
    QAFlag.EMPTY_TRANSLATION: _("empty"),
    QAFlag.INCONSISTENT: _("inconsistent"),
    QAFlag.DIFFERS_FROM_MEMORY: _("≠ memory"),
    QAFlag.SPEAKER_NAME: _("speaker name"),
    QAFlag.SOURCE_CHANGED: _("Japanese changed"),
}


# --- Filters ----------------------------------------------------------------------------------


@dataclass
class ReviewFilters:
    """What the editor asked to see (GET parameters, kept across pagination)."""

    status: str = ""
    flag: str = ""
    speaker: str = ""
    q: str = ""
    per_page: int = DEFAULT_PER_PAGE
    # How ``q`` is matched (the find & replace panel's options): where ("" = Japanese, English
    # and machine text; "en"; "ja"), case, whole word, regular expression.
    where: str = ""
    match_case: bool = False
    whole_word: bool = False
    regex: bool = False
    find_error: str = ""  # why ``q`` cannot be searched (a bad regular expression)

    @property
    def active(self) -> bool:
        return bool(self.status or self.flag or self.speaker or self.q)

    @property
    def find_query(self) -> FindQuery | None:
        """``q`` with its options, for matching and highlighting (None without a search)."""
        if not self.q:
            return None
        return FindQuery(
            self.q, regex=self.regex, match_case=self.match_case, whole_word=self.whole_word
        )

    @property
    def plain_search(self) -> bool:
        """``q`` is matched as it always was: case-insensitive text, in SQL."""
        return not (self.where or self.match_case or self.whole_word or self.regex)

    def params(self, **extra: object) -> dict[str, str]:
        out = {
            "status": self.status,
            "flag": self.flag,
            "speaker": self.speaker,
            "q": self.q,
            "in": self.where,
            "case": "1" if self.match_case else "",
            "word": "1" if self.whole_word else "",
            "re": "1" if self.regex else "",
            "per_page": "" if self.per_page == DEFAULT_PER_PAGE else str(self.per_page),
        }
        out.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
        return {k: v for k, v in out.items() if v}

    def querystring(self, **extra: object) -> str:
        """``?status=…&page=…`` (or an empty string) with the filters kept."""
        params = self.params(**extra)
        return "?" + urlencode(params) if params else ""


def parse_filters(params: Mapping[str, str]) -> ReviewFilters:
    """Read filters from GET parameters; unknown values are dropped, never trusted."""
    status = params.get("status", "")
    if status not in selectors.STATUSES and status != "unapproved":
        status = ""
    flag = params.get("flag", "")
    if flag not in {f.value for f in QAFlag} and flag != "any":
        flag = ""
    try:
        per_page = int(params.get("per_page") or DEFAULT_PER_PAGE)
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    if per_page not in PER_PAGE_CHOICES:
        per_page = DEFAULT_PER_PAGE
    is_regex = params.get("re") == "1"
    raw_q = params.get("q") or ""
    filters = ReviewFilters(
        status=status,
        flag=flag,
        speaker=(params.get("speaker") or "")[:100],
        # A regular expression is kept as typed (its spaces mean something).
        q=(raw_q.strip() if is_regex else " ".join(raw_q.split()))[: find.MAX_PATTERN_CHARS],
        per_page=per_page,
        where=params.get("in", "") if params.get("in") in ("en", "ja") else "",
        match_case=params.get("case") == "1",
        whole_word=params.get("word") == "1",
        regex=is_regex,
    )
    if filters.q and not filters.plain_search:
        try:
            find.compile_query(filters.find_query)  # type: ignore[arg-type]
        except find.FindError as exc:
            filters.find_error = str(exc)
    return filters


MAX_ID = 2**63 - 1  # the largest id or number any supported database stores


def parse_int(value: str | None, default: int | None = None) -> int | None:
    """A whole number from a request, or ``default`` when it is missing, not a number, or
    beyond what the database can compare with (``10**20`` is not an id: never an error)."""
    if value in (None, "") or len(str(value)) > 20:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if abs(number) <= MAX_ID else default


# --- Speakers ---------------------------------------------------------------------------------


def episode_speakers(episode_id: int) -> list[Speaker]:
    return list(Speaker.objects.filter(episode_id=episode_id).order_by("order", "id"))


def _speaker_q(label: str) -> Q:
    return (
        Q(speaker_label=label)
        | Q(speaker_label__startswith=label + "・")
        | Q(speaker_label__endswith="・" + label)
        | Q(speaker_label__contains="・" + label + "・")
    )


# --- Rows -------------------------------------------------------------------------------------


@dataclass(slots=True)
class RowSegment:
    """The fields of a :class:`Segment` a review row shows, read without building model
    instances (a tenth of the cost per row)."""

    id: int
    episode_id: int
    order: int
    kind: str
    speaker_label: str
    source_text: str
    text: str
    machine_text: str
    status: str
    version: int
    qa_flags: list[str] | None

    @property
    def pk(self) -> int:
        return self.id

    def get_status_display(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass
class ReviewRow:
    segment: RowSegment
    number: int  # 1-based, shown as "#12" and used by "jump to"
    start_ms: int | None
    end_ms: int | None
    speaker_name: str
    flags: list[tuple[str, str, str]] = field(default_factory=list)  # (code, short, label)
    status_label: str = ""  # translated; from the segment's status when not given
    cue_id: int | None = None  # its first cue (the row's link to the cue view)

    # Pre-formatted strings for the template, computed once: Django localizes every int it
    # prints, and a 100-row page reads each of these several times.
    pk_str: str = field(init=False)
    number_str: str = field(init=False)
    start_str: str = field(init=False)
    end_str: str = field(init=False)
    cue_str: str = field(init=False)
    version_str: str = field(init=False)
    time_label: str = field(init=False)
    is_show_note: bool = field(init=False)
    is_description: bool = field(init=False)
    # The page's search highlighted: (piece, is_match) of the Japanese / the English.
    ja_marks: list[tuple[str, bool]] | None = None
    en_marks: list[tuple[str, bool]] | None = None

    def __post_init__(self) -> None:
        seg = self.segment
        self.pk_str = str(seg.pk)
        self.number_str = str(self.number)
        self.start_str = "" if self.start_ms is None else str(self.start_ms)
        self.end_str = "" if self.end_ms is None else str(self.end_ms)
        self.cue_str = "" if self.cue_id is None else str(self.cue_id)
        self.version_str = str(seg.version)
        self.time_label = format_timestamp(self.start_ms)
        self.is_show_note = seg.kind == Segment.Kind.SHOW_NOTE
        self.is_description = seg.kind == Segment.Kind.DESCRIPTION
        if not self.status_label:
            self.status_label = str(STATUS_LABELS.get(seg.status, seg.status))


# Only what a row shows: no machine-engine details, timestamps or flags JSON to decode.
ROW_FIELDS = (
    "id",
    "episode_id",
    "order",
    "kind",
    "speaker_label",
    "source_text",
    "text",
    "machine_text",
    "status",
    "version",
    "qa_flags",
)


def _segments(episode_id: int) -> QuerySet[Segment]:
    return Segment.objects.filter(episode_id=episode_id).order_by("order")


def _row_segments(qs: QuerySet[Segment]) -> QuerySet:
    """``qs`` as tuples of the row's fields (:data:`ROW_FIELDS`), then its first cue's start,
    its last cue's end and its first cue's id."""
    cues = Cue.objects.filter(segment_id=OuterRef("pk"))
    return qs.annotate(
        first_start_ms=Subquery(cues.order_by("index").values("start_ms")[:1]),
        last_end_ms=Subquery(cues.order_by("-index").values("end_ms")[:1]),
        first_cue_id=Subquery(cues.order_by("index").values("id")[:1]),
    ).values_list(*ROW_FIELDS, "first_start_ms", "last_end_ms", "first_cue_id")


def flag_badges() -> dict[str, tuple[str, str, str]]:
    """{code: (code, short label, label)} in the active language (translated once per page)."""
    return {code.value: (code.value, str(QA_SHORT[code]), str(QA_LABELS[code])) for code in QAFlag}


def _rows(values: Sequence[tuple], names: Mapping[str, str]) -> list[ReviewRow]:
    """Rows from :func:`_row_segments` tuples. Stored QA flags are used; rows whose flags were
    never stored get them computed here (not stored: this module only reads)."""
    segments = [(RowSegment(*v[:-3]), v[-3], v[-2], v[-1]) for v in values]
    missing = [seg.id for seg, _, _, _ in segments if seg.qa_flags is None]
    computed = qa_flags.compute_qa_flags(segment_ids=missing) if missing else {}
    badges = flag_badges()
    status_labels = {k: str(v) for k, v in STATUS_LABELS.items()}
    speaker_names: dict[str, str] = {}
    rows = []
    for seg, start_ms, end_ms, cue_id in segments:
        codes = seg.qa_flags if seg.qa_flags is not None else computed.get(seg.id, [])
        label = seg.speaker_label
        name = speaker_names.get(label)
        if name is None:
            name = speaker_names[label] = speaker_display_name(label, names) or ""
        rows.append(
            ReviewRow(
                segment=seg,
                number=seg.order + 1,
                start_ms=start_ms,
                end_ms=end_ms,
                speaker_name=name,
                flags=[badges[c] for c in codes if c in badges],
                status_label=status_labels.get(seg.status, seg.status),
                cue_id=cue_id,
            )
        )
    return rows


@dataclass
class PageLink:
    number: int | None  # None: an ellipsis
    current: bool = False
    url: str = ""  # "?page=…" with the filters kept


@dataclass
class ReviewPage:
    episode: Episode
    filters: ReviewFilters
    rows: list[ReviewRow]
    page: int
    num_pages: int
    total: int  # rows matching the filters
    counts: dict[str, int]
    progress: list[tuple[str, int, float]]
    speakers: list[Speaker]
    glossary: list[GlossaryTerm]
    focus_number: int | None = None

    @property
    def description(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.is_description]

    @property
    def show_notes(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.is_show_note]

    @property
    def transcript(self) -> list[ReviewRow]:
        return [r for r in self.rows if not (r.is_show_note or r.is_description)]

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.filters.per_page + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0

    @cached_property
    def page_links(self) -> list[PageLink]:
        links = page_links(self.page, self.num_pages)
        for link in links:
            if link.number:
                link.url = self.filters.querystring(page=link.number)
        return links

    @cached_property
    def prev_url(self) -> str:
        return self.filters.querystring(page=self.page - 1) if self.page > 1 else ""

    @cached_property
    def next_url(self) -> str:
        return self.filters.querystring(page=self.page + 1) if self.page < self.num_pages else ""


def page_links(page: int, num_pages: int, *, around: int = 2) -> list[PageLink]:
    """1 … 4 5 [6] 7 8 … 50"""
    wanted = {1, num_pages, *range(page - around, page + around + 1)}
    links: list[PageLink] = []
    last = 0
    for n in sorted(x for x in wanted if 1 <= x <= num_pages):
        if n > last + 1:
            links.append(PageLink(None))
        links.append(PageLink(n, n == page))
        last = n
    return links


def filtered_segments(episode_id: int, filters: ReviewFilters) -> QuerySet[Segment]:
    """Segments matching the filters (status, QA flag, speaker, text search), all in SQL.

    QA flags are the stored ones (``Segment.qa_flags``); rows whose flags were never stored
    (bulk loads) are matched by flags computed here, in memory (one more query, and QA over
    those rows only while some are missing)."""
    qs = _segments(episode_id)
    if filters.status == "unapproved":
        qs = qs.exclude(status=Segment.Status.APPROVED)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.flag:
        if filters.flag == "any":
            flagged = Q(qa_flags__isnull=False) & ~Q(qa_flags=[])
        else:
            # JSON text of a list of codes: the quoted code, and no code is another's substring.
            flagged = Q(qa_flags__icontains=f'"{filters.flag}"')
        computed = _flagged_unstored(episode_id, filters.flag)
        qs = qs.filter(flagged | Q(pk__in=computed) if computed else flagged)
    if filters.speaker:
        qs = qs.filter(_speaker_q(filters.speaker))
    if filters.q and filters.plain_search:
        qs = qs.filter(
            Q(source_text__icontains=filters.q)
            | Q(text__icontains=filters.q)
            | Q(machine_text__icontains=filters.q)
        )
    elif filters.q:
        qs = qs.filter(pk__in=_found(episode_id, filters))
    return qs


def _found(episode_id: int, filters: ReviewFilters) -> list[int]:
    """Ids of the segments whose text matches ``q`` with its options (case, whole word,
    regular expression, where): matched in Python by :mod:`translator.core.find` over one
    query of the episode's texts. Empty on a bad pattern or a search that takes too long (the
    reason is put in ``filters.find_error``)."""
    if filters.find_error:
        return []
    try:
        finder = find.compile_query(filters.find_query)  # type: ignore[arg-type]
        ids = []
        rows = _segments(episode_id).values_list("id", "source_text", "text", "machine_text")
        for pk, source_text, text, machine_text in rows.iterator(chunk_size=2000):
            texts = {
                "ja": (source_text,),
                "en": (text,),
                "": (source_text, text, machine_text),
            }[filters.where]
            if any(finder.spans(t, limit=1) for t in texts):
                ids.append(pk)
    except find.FindError as exc:
        filters.find_error = str(exc)
        return []
    return ids


def mark_matches(rows: Sequence[ReviewRow], filters: ReviewFilters) -> None:
    """Highlight the search's matches in the rows' Japanese and English (``ja_marks``,
    ``en_marks``: (piece, is_match) lists; None where nothing matches)."""
    query = filters.find_query
    if query is None or filters.find_error:
        return
    try:
        finder = find.compile_query(query)
        for row in rows:
            seg = row.segment
            if filters.where != "en":
                spans = finder.spans(seg.source_text)
                row.ja_marks = find.pieces(seg.source_text, spans) if spans else None
            if filters.where != "ja":
                spans = finder.spans(seg.text)
                row.en_marks = find.pieces(seg.text, spans, context=60) if spans else None
    except find.FindError as exc:
        filters.find_error = str(exc)


def _flagged_unstored(episode_id: int, flag: str) -> list[int]:
    """Ids of segments with no stored QA flags that have ``flag`` (``any``: some flag) as
    computed now, without storing them."""
    missing = list(
        Segment.objects.filter(episode_id=episode_id, qa_flags__isnull=True).values_list(
            "id", flat=True
        )
    )
    if not missing:
        return []
    computed = qa_flags.compute_qa_flags(segment_ids=missing)
    return sorted(
        pk for pk, codes in computed.items() if (codes if flag == "any" else flag in codes)
    )


def review_page(
    *,
    episode: Episode,
    filters: ReviewFilters,
    page: int = 1,
    goto_number: int | None = None,
) -> ReviewPage:
    """One page of review rows with everything the template shows. Constant query count:
    speakers, glossary, counters, the page's segments with their first and last cue times (one
    query), and a count when filtered."""
    speakers = episode_speakers(episode.pk)
    names = {s.label: s.display_name for s in speakers}
    glossary = episode_glossary(episode.pk)
    counts = selectors.status_counts(episode.pk)
    per_page = filters.per_page
    qs = filtered_segments(episode.pk, filters)
    total = qs.count() if filters.active else counts["total"]
    num_pages = max(1, -(-total // per_page))
    if goto_number is not None:
        before = qs.filter(order__lt=goto_number - 1).count()
        page = before // per_page + 1
    page = min(max(1, page), num_pages)
    start = (page - 1) * per_page
    rows = _rows(list(_row_segments(qs)[start : start + per_page]), names)
    mark_matches(rows, filters)

    return ReviewPage(
        episode=episode,
        filters=filters,
        rows=rows,
        page=page,
        num_pages=num_pages,
        total=total,
        counts=counts,
        progress=selectors.progress_parts(counts),
        speakers=speakers,
        glossary=glossary,
        focus_number=goto_number,
    )


def review_row(segment: Segment | int) -> ReviewRow:
    """One row (after a save, a restore or a cancel): two queries (more if its QA flags were
    never stored)."""
    segment_id = segment.pk if isinstance(segment, Segment) else int(segment)
    values = _row_segments(Segment.objects.filter(pk=segment_id)).get()
    episode_id = values[ROW_FIELDS.index("episode_id")]
    names = dict(Speaker.objects.filter(episode_id=episode_id).values_list("label", "display_name"))
    return _rows([values], names)[0]


def episode_glossary(episode_id: int) -> list[GlossaryTerm]:
    """The episode's own glossary terms, by source (the glossary panel and the page)."""
    return list(GlossaryTerm.objects.filter(episode_id=episode_id).order_by("source"))


def latest_revision(segment_id: int) -> SegmentRevision | None:
    """The newest revision of a segment (whose save a conflict shows), with its user."""
    return (
        SegmentRevision.objects.filter(segment_id=segment_id)
        .select_related("user")
        .order_by("-created_at", "-id")
        .first()
    )


def counters(episode_id: int) -> dict:
    counts = selectors.status_counts(episode_id)
    return {"counts": counts, "progress": selectors.progress_parts(counts)}


def speaker_usage(episode_id: int) -> dict[str, int]:
    """How many segments each individual label speaks (joint labels count for each)."""
    out: dict[str, int] = {}
    rows = (
        Segment.objects.filter(episode_id=episode_id)
        .values("speaker_label")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        for label in split_speaker_label(row["speaker_label"]):
            out[label] = out.get(label, 0) + row["n"]
    return out


# --- History and diff -------------------------------------------------------------------------


def segment_history(segment_id: int, *, limit: int = 50) -> list[SegmentRevision]:
    return list(
        SegmentRevision.objects.filter(segment_id=segment_id)
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as ``(op, text)`` pieces, op in ``equal``/``delete``/``insert``.

    Whitespace is kept as its own token, so joining the ``equal`` and ``insert`` pieces gives
    ``new`` back and joining ``equal`` and ``delete`` gives ``old``. Plain text: escape on output.
    """
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out


# --- Live feedback while typing ---------------------------------------------------------------


@dataclass(frozen=True)
class LiveFeedback:
    """Under the editor while typing: the cues the English will occupy, as the export and the
    QA flags see them (:func:`translator.core.qa.english_cue_checks`)."""

    subtitled: bool  # a timed transcript segment (show notes, descriptions: transcripts only)
    cues: list[CueCheck]
    lines: list[str]  # untimed or not subtitled: the English broken into lines anyway
    warnings: list[tuple[str, str]]  # (QA flag code, label) of the rules broken
    options: SubtitleOptions

    @property
    def line_count(self) -> int:
        return sum(len(c.lines) for c in self.cues) if self.cues else len(self.lines)

    @property
    def longest_line(self) -> int:
        lines = [x for c in self.cues for x in c.lines] if self.cues else self.lines
        return max((len(x) for x in lines), default=0)


LIVE_FLAGS = (
    QAFlag.LINE_TOO_LONG,
    QAFlag.TOO_MANY_LINES,
    QAFlag.READING_SPEED,
    QAFlag.CUE_TOO_SHORT,
    QAFlag.CUE_TOO_LONG,
)
MAX_LIVE_CHARS = 5000  # longer text is cut for the figures (a segment is a sentence)


def live_feedback(segment_id: int, text: str) -> LiveFeedback:
    """Figures for ``text`` typed into a segment's editor (not saved): a few queries, no
    writes."""
    item, protected = qa_flags.segment_qa_input(segment_id)
    english = text.replace("\r\n", "\n").strip()[:MAX_LIVE_CHARS]
    options = SubtitleOptions()
    spans = list(item.cue_spans)
    timed = bool(spans) and all(s is not None and e is not None for s, e in spans)
    subtitled = timed and item.kind == Segment.Kind.TRANSCRIPT
    cues: list[CueCheck] = []
    lines: list[str] = []
    if subtitled and english:
        spans = [(int(s), int(max(s, e))) for s, e in spans]
        cues = english_cue_checks(
            english, spans, options=options, next_start_ms=item.next_start_ms, protected=protected
        )
    elif english:
        lines = english_lines(english, options, protected)
    flags = {f for c in cues for f in c.flags}
    warnings = [(f.value, str(QA_LABELS[f])) for f in LIVE_FLAGS if f in flags]
    return LiveFeedback(subtitled, cues, lines, warnings, options)
