"""Reads for the cue view: one row per subtitle cue of an episode, as the export shows it.

A page costs a constant number of queries whatever the episode's length: the cue count, the
page's cues, their segments (with the start of the next timed segment, for the silence the
English may use), every cue of those segments (a sentence's English is spread over all its
cues), the speakers and the glossary. The English of each cue, its lines and reading speeds
come from :func:`translator.core.cue_view.cue_rows`, which uses the export's own functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from translator.core.cue_view import CueLines, clock, cue_rows
from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment, SubtitleOptions
from translator.core.types import speaker_display_name
from translator.models import Cue, Episode, GlossaryTerm, Segment, Speaker
from translator.selectors.review import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, PageLink, page_links

TIMED_KINDS = (Segment.Kind.TRANSCRIPT, Segment.Kind.SOUND)
OPTIONS = SubtitleOptions()  # the export's defaults: 42 x 2, 20 chars/s, 5/6 s .. 7 s, 2 frames


def timing_labels() -> dict[str, str]:
    return {
        Cue.Timing.ESTIMATED: _("estimated"),
        Cue.Timing.IMPORTED: _("imported"),
        Cue.Timing.ALIGNED: _("aligned"),
        Cue.Timing.MANUAL: _("hand-set"),
    }


@dataclass
class CueRow:
    id: int
    segment_id: int
    number: int  # the cue's number in the episode (1-based)
    row: int  # its segment's row number on the review page
    cue_no: int  # 1-based within the segment
    cues_in_row: int
    start_ms: int | None
    end_ms: int | None
    version: int
    timing: str
    timing_label: str
    speaker_name: str
    lines: CueLines
    error: str = ""

    start_label: str = field(init=False)
    end_label: str = field(init=False)
    duration_label: str = field(init=False)
    cps_en_label: str = field(init=False)
    cps_ja_label: str = field(init=False)

    def __post_init__(self) -> None:
        self.start_label = clock(self.start_ms)
        self.end_label = clock(self.end_ms)
        timed = self.start_ms is not None and self.end_ms is not None
        self.duration_label = f"{(self.end_ms - self.start_ms) / 1000:.3f}" if timed else "—"
        cps_en, cps_ja = self.lines.cps_en, self.lines.cps_ja
        self.cps_en_label = "" if cps_en is None else f"{cps_en:.1f}"
        self.cps_ja_label = "" if cps_ja is None else f"{cps_ja:.1f}"

    @property
    def duration_ms(self) -> int | None:
        if self.start_ms is None or self.end_ms is None:
            return None
        return self.end_ms - self.start_ms

    def as_json(self) -> dict[str, object]:
        """What the retime endpoint answers in JSON (the waveform reads it)."""
        return {
            "id": self.id,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "version": self.version,
            "cps": self.lines.cps_en,
            "cps_ja": self.lines.cps_ja,
            "timing": self.timing,
        }


@dataclass
class CuePage:
    episode: Episode
    rows: list[CueRow]
    page: int
    num_pages: int
    total: int
    per_page: int
    focus_cue: int | None = None  # the cue asked for with ?cue=

    @property
    def page_links(self) -> list[PageLink]:
        links = page_links(self.page, self.num_pages)
        for link in links:
            if link.number:
                link.url = self.querystring(link.number)
        return links

    def querystring(self, page: int) -> str:
        extra = "" if self.per_page == DEFAULT_PER_PAGE else f"&per_page={self.per_page}"
        return f"?page={page}{extra}"

    @property
    def prev_url(self) -> str:
        return self.querystring(self.page - 1) if self.page > 1 else ""

    @property
    def next_url(self) -> str:
        return self.querystring(self.page + 1) if self.page < self.num_pages else ""


def parse_per_page(value: str | None) -> int:
    try:
        n = int(value or DEFAULT_PER_PAGE)
    except ValueError:
        return DEFAULT_PER_PAGE
    return n if n in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def _timed_cues(episode_id: int) -> QuerySet[Cue]:
    return Cue.objects.filter(segment__episode_id=episode_id, segment__kind__in=TIMED_KINDS)


_SEG_FIELDS = ("pk", "order", "kind", "turn", "speaker_label", "source_text", "text", "status")
_CUE_FIELDS = (
    "pk",
    "segment_id",
    "index",
    "start_ms",
    "end_ms",
    "source_text",
    "lines",
    "ruby",
    "version",
    "timing",
)


def _rows_for_segments(
    episode_id: int,
    segment_ids: Sequence[int],
    wanted: set[int] | None,
    first_number: int,
) -> list[CueRow]:
    """Rows for the cues of these segments (``wanted``: only these cue ids), numbered from
    ``first_number``. Four queries."""
    next_cue = Cue.objects.filter(
        segment__episode_id=episode_id,
        segment__kind__in=TIMED_KINDS,
        segment__order__gt=OuterRef("order"),
        start_ms__isnull=False,
    ).order_by("segment__order", "index")
    segments = list(
        Segment.objects.filter(pk__in=list(segment_ids))
        .annotate(next_start=Subquery(next_cue.values("start_ms")[:1]))
        .order_by("order")
        .values_list(*_SEG_FIELDS, "next_start")
    )
    cues: dict[int, list[tuple]] = {}
    for values in (
        Cue.objects.filter(segment_id__in=list(segment_ids))
        .order_by("segment_id", "index")
        .values_list(*_CUE_FIELDS)
    ):
        cues.setdefault(values[1], []).append(values)
    names = dict(Speaker.objects.filter(episode_id=episode_id).values_list("label", "display_name"))
    glossary = dict(
        GlossaryTerm.objects.filter(episode_id=episode_id).values_list("source", "target")
    )
    protected = ExportEpisode(
        title="", segments=[], glossary=glossary, protected_names=sorted(set(names.values()))
    ).protected_phrases
    labels = timing_labels()
    rows: list[CueRow] = []
    number = first_number
    for pk, order, kind, turn, label, source, text, status, next_start in segments:
        seg_cues = cues.get(pk, [])
        speaker = speaker_display_name(label, names) or ""
        export = ExportSegment(
            index=order,
            kind=kind,
            turn=turn,
            speaker=speaker,
            speaker_label=label or None,
            source_text=source,
            text=text,
            status=status,
            cues=[
                ExportCue(c[3], c[4], c[5], tuple(c[6] or ()), tuple(map(tuple, c[7] or ())))
                for c in seg_cues
            ],
        )
        shown = cue_rows(export, next_start_ms=next_start, options=OPTIONS, protected=protected)
        for c, lines in zip(seg_cues, shown, strict=True):
            if wanted is not None and c[0] not in wanted:
                continue
            rows.append(
                CueRow(
                    id=c[0],
                    segment_id=pk,
                    number=number,
                    row=order + 1,
                    cue_no=c[2] + 1,
                    cues_in_row=len(seg_cues),
                    start_ms=c[3],
                    end_ms=c[4],
                    version=c[8],
                    timing=c[9],
                    timing_label=labels.get(c[9], c[9]),
                    speaker_name=speaker,
                    lines=lines,
                )
            )
            number += 1
    return rows


def cue_page(
    *,
    episode: Episode,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    goto_cue: int | None = None,
) -> CuePage:
    """One page of cue rows in reading order (segment, then cue). Constant query count.
    ``goto_cue``: the page holding that cue (one query more), focused there."""
    qs = _timed_cues(episode.pk)
    total = qs.count()
    num_pages = max(1, -(-total // per_page))
    focus = None
    if goto_cue is not None:
        target = qs.filter(pk=goto_cue).values_list("segment__order", "index").first()
        if target is not None:
            order, index = target
            before = qs.filter(
                Q(segment__order__lt=order) | Q(segment__order=order, index__lt=index)
            ).count()
            page, focus = before // per_page + 1, goto_cue
    page = min(max(1, page), num_pages)
    start = (page - 1) * per_page
    on_page = list(
        qs.order_by("segment__order", "index").values_list("pk", "segment_id")[
            start : start + per_page
        ]
    )
    segment_ids = list(dict.fromkeys(seg for _pk, seg in on_page))
    rows = (
        _rows_for_segments(episode.pk, segment_ids, {pk for pk, _ in on_page}, start + 1)
        if on_page
        else []
    )
    return CuePage(episode, rows, page, num_pages, total, per_page, focus)


def segment_cue_rows(cue_id: int, *, numbered: bool = True) -> list[CueRow]:
    """The rows of every cue of ``cue_id``'s segment (a retime changes how its sentence's
    English is spread over them), numbered as on the page (``numbered=False``: numbers from
    1, one query less). Six queries."""
    cue = Cue.objects.select_related("segment").get(pk=cue_id)
    seg = cue.segment
    before = (
        _timed_cues(seg.episode_id).filter(Q(segment__order__lt=seg.order)).count()
        if numbered and seg.kind in TIMED_KINDS
        else 0
    )
    return _rows_for_segments(seg.episode_id, [seg.pk], None, before + 1)


def cue_row(
    cue_id: int, rows: Iterable[CueRow] | None = None, *, segment: tuple[int, int] | None = None
) -> CueRow:
    """The row of one cue (from ``rows`` when given). ``segment``: (episode id, segment id) of
    the cue when the caller has them (one query less)."""
    if rows is None and segment is not None:
        rows = _rows_for_segments(segment[0], [segment[1]], None, 1)
    for row in rows if rows is not None else segment_cue_rows(cue_id, numbered=False):
        if row.id == cue_id:
            return row
    raise Cue.DoesNotExist(cue_id)
