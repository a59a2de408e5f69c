"""Reads for the review page (no writes here).

A page of rows costs a constant number of SQL queries whatever its length: the segments of the
page (one more than asked, for the next row's start time), their cues (one prefetch), the
episode's speakers, its glossary and the status counters. QA flags are computed here, in Python,
by :mod:`translator.core.qa` — never in templates.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from translator import selectors
from translator.core.qa import QAFlag, check_segment
from translator.core.types import split_speaker_label
from translator.models import Cue, Episode, GlossaryTerm, Segment, SegmentRevision, Speaker

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

    @property
    def active(self) -> bool:
        return bool(self.status or self.flag or self.speaker or self.q)

    def params(self, **extra: object) -> dict[str, str]:
        out = {
            "status": self.status,
            "flag": self.flag,
            "speaker": self.speaker,
            "q": self.q,
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
    return ReviewFilters(
        status=status,
        flag=flag,
        speaker=(params.get("speaker") or "")[:100],
        q=" ".join((params.get("q") or "").split())[:200],
        per_page=per_page,
    )


def parse_int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


# --- Speakers ---------------------------------------------------------------------------------


def display_speaker(label: str, names: Mapping[str, str]) -> str:
    """English name(s) for a source label: ``友野・澤`` → ``Tomono & Sawa``."""
    parts = split_speaker_label(label)
    return " & ".join(names.get(p) or p for p in parts)


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


@dataclass
class ReviewRow:
    segment: Segment
    number: int  # 1-based, shown as "#12" and used by "jump to"
    start_ms: int | None
    end_ms: int | None
    speaker_name: str
    flags: list[tuple[str, str, str]] = field(default_factory=list)  # (code, short, label)

    # Pre-formatted strings for the template: Django localizes every int it prints, and on a
    # 100-row page that costs more than the rest of the row.
    @property
    def pk_str(self) -> str:
        return str(self.segment.pk)

    @property
    def number_str(self) -> str:
        return str(self.number)

    @property
    def start_str(self) -> str:
        return "" if self.start_ms is None else str(self.start_ms)

    @property
    def end_str(self) -> str:
        return "" if self.end_ms is None else str(self.end_ms)

    @property
    def version_str(self) -> str:
        return str(self.segment.version)

    @property
    def time_label(self) -> str:
        return format_ms(self.start_ms)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.segment.status, self.segment.status)

    @property
    def is_show_note(self) -> bool:
        return self.segment.kind == Segment.Kind.SHOW_NOTE


def format_ms(value_ms: int | None) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour), or an empty string when untimed."""
    if value_ms is None:
        return ""
    total_s = int(value_ms) // 1000
    hours, rest = divmod(total_s, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


@dataclass
class _Context:
    names: dict[str, str]
    glossary: dict[str, str]
    protected: tuple[str, ...]


def _context(episode_id: int, speakers: Sequence[Speaker] | None = None) -> _Context:
    speakers = episode_speakers(episode_id) if speakers is None else speakers
    glossary = dict(
        GlossaryTerm.objects.filter(episode_id=episode_id).values_list("source", "target")
    )
    names = {s.label: s.display_name for s in speakers}
    protected = tuple(sorted({*glossary.values(), *names.values()} - {""}))
    return _Context(names=names, glossary=glossary, protected=protected)


def _cues_prefetch() -> Prefetch:
    return Prefetch(
        "cues",
        queryset=Cue.objects.only("id", "segment_id", "index", "start_ms", "end_ms").order_by(
            "index"
        ),
    )


def _segments(episode_id: int) -> QuerySet[Segment]:
    return Segment.objects.filter(episode_id=episode_id).order_by("order")


def _make_row(segment: Segment, ctx: _Context, next_start_ms: int | None) -> ReviewRow:
    cues = list(segment.cues.all())
    spans = [(c.start_ms, c.end_ms) for c in cues]
    timed = bool(spans) and all(s is not None and e is not None for s, e in spans)
    codes = check_segment(
        segment.source_text,
        segment.text,
        spans if timed and segment.kind == Segment.Kind.TRANSCRIPT else None,
        glossary=ctx.glossary,
        next_start_ms=next_start_ms,
        protected=ctx.protected,
    )
    return ReviewRow(
        segment=segment,
        number=segment.order + 1,
        start_ms=cues[0].start_ms if cues else None,
        end_ms=cues[-1].end_ms if cues else None,
        speaker_name=display_speaker(segment.speaker_label, ctx.names),
        flags=[(code.value, QA_SHORT[code], QA_LABELS[code]) for code in codes],
    )


def _rows(segments: Sequence[Segment], ctx: _Context, after: Segment | None) -> list[ReviewRow]:
    rows = []
    for i, seg in enumerate(segments):
        nxt = segments[i + 1] if i + 1 < len(segments) else after
        next_start = None
        if nxt is not None and nxt.order == seg.order + 1:
            next_cues = list(nxt.cues.all())
            next_start = next_cues[0].start_ms if next_cues else None
        rows.append(_make_row(seg, ctx, next_start))
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
    def show_notes(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.is_show_note]

    @property
    def transcript(self) -> list[ReviewRow]:
        return [r for r in self.rows if not r.is_show_note]

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.filters.per_page + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0

    @property
    def page_links(self) -> list[PageLink]:
        links = page_links(self.page, self.num_pages)
        for link in links:
            if link.number:
                link.url = self.filters.querystring(page=link.number)
        return links

    @property
    def prev_url(self) -> str:
        return self.filters.querystring(page=self.page - 1) if self.page > 1 else ""

    @property
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
    """Segments matching the SQL-expressible filters (status, speaker, text search)."""
    qs = _segments(episode_id)
    if filters.status == "unapproved":
        qs = qs.exclude(status=Segment.Status.APPROVED)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.speaker:
        qs = qs.filter(_speaker_q(filters.speaker))
    if filters.q:
        qs = qs.filter(
            Q(source_text__icontains=filters.q)
            | Q(text__icontains=filters.q)
            | Q(machine_text__icontains=filters.q)
        )
    return qs


def review_page(
    *,
    episode: Episode,
    filters: ReviewFilters,
    page: int = 1,
    goto_number: int | None = None,
) -> ReviewPage:
    """One page of review rows with everything the template shows. Constant query count."""
    speakers = episode_speakers(episode.pk)
    ctx = _context(episode.pk, speakers)
    glossary = list(GlossaryTerm.objects.filter(episode_id=episode.pk).order_by("source"))
    counts = selectors.status_counts(episode.pk)
    per_page = filters.per_page
    qs = filtered_segments(episode.pk, filters)

    if filters.flag:
        # QA flags are not stored: compute them over every matching row (2 queries), then page.
        everything = list(qs.prefetch_related(_cues_prefetch()))
        all_rows = _rows(everything, ctx, None)
        if filters.flag == "any":
            matching = [r for r in all_rows if r.flags]
        else:
            matching = [r for r in all_rows if any(f[0] == filters.flag for f in r.flags)]
        total = len(matching)
        num_pages = max(1, -(-total // per_page))
        if goto_number is not None:
            before = sum(1 for r in matching if r.number < goto_number)
            page = before // per_page + 1
        page = min(max(1, page), num_pages)
        rows = matching[(page - 1) * per_page : page * per_page]
    else:
        total = qs.count() if filters.active else counts["total"]
        num_pages = max(1, -(-total // per_page))
        if goto_number is not None:
            before = qs.filter(order__lt=goto_number - 1).count()
            page = before // per_page + 1
        page = min(max(1, page), num_pages)
        start = (page - 1) * per_page
        # One row past the page: its first cue is the silence limit of the page's last row.
        window = list(qs.prefetch_related(_cues_prefetch())[start : start + per_page + 1])
        after = window[per_page] if len(window) > per_page else None
        rows = _rows(window[:per_page], ctx, after)

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
    """One row (after a save, a restore or a cancel): a handful of queries."""
    segment_id = segment.pk if isinstance(segment, Segment) else int(segment)
    seg = Segment.objects.prefetch_related(_cues_prefetch()).get(pk=segment_id)
    ctx = _context(seg.episode_id)
    nxt = (
        Segment.objects.filter(episode_id=seg.episode_id, order=seg.order + 1)
        .prefetch_related(_cues_prefetch())
        .first()
    )
    return _rows([seg], ctx, nxt)[0]


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
