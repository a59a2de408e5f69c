"""Stored QA flags (``Segment.qa_flags``): computed once when a segment or what it depends on
changes, so the review page reads them instead of running QA over every row it shows or filters.

A segment's flags depend on its source and English text, its cue times, the first cue of the
next segment (the silence the English may use), the episode's glossary and its speakers'
English names (protected from line breaks; named in the source, they must be in the English),
the other segments of the episode with the same normalised source (consistency) and the
translation memory's approved English for it.

One way keeps them fresh: a service that changes any of that calls :func:`segments_changed`
(these segments, a whole episode, or segments of other episodes with these sources). The
flags are recomputed once, in the service's own transaction (committed with the change, rolled
back with it): at once, or, inside a :func:`collect` block (bulk approval, a translation job's
batch), once at the end of the block for everything it changed. A change of cue times only
(a retime, a waveform drag, an alignment) says ``timing_only=True``: then only the flags that
depend on times (``translator.core.qa.TIMING_FLAGS``) of those segments and of the one before
each are recomputed, the others kept as stored (they do not depend on times): what a full
recompute would store, without re-checking every row with the same source. Nothing else
writes them: no model ``save()`` override, no GET request. ``qa_flags`` is ``None`` for rows written some other
way (bulk creation, a shell); readers compute those in memory (:func:`compute_qa_flags`) and
``manage.py refresh_qa`` (or the next service change to the episode) stores them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from translator.core import tm
from translator.core.qa import TIMING_FLAGS, QAFlag, check_segment, timing_flags
from translator.models import Cue, Episode, MemoryUnit, Segment, Speaker

_CHUNK = 500  # ids per IN (…) clause: well under SQLite's variable limit


@dataclass(frozen=True)
class QAInput:
    """What QA needs to know about one segment (plain values, no model instances)."""

    segment_id: int
    kind: str
    source_text: str
    text: str
    cue_spans: Sequence[tuple[int | None, int | None]]
    next_start_ms: int | None
    source_stale: bool = False


def protected_terms(glossary: Mapping[str, str], speaker_names: Iterable[str]) -> tuple[str, ...]:
    """English never broken across lines: glossary targets and speakers' English names."""
    return tuple(sorted({*glossary.values(), *speaker_names} - {""}))


def flags_for(
    item: QAInput,
    *,
    glossary: Mapping[str, str],
    protected: Sequence[str],
    speakers: Mapping[str, str] | None = None,
    inconsistent: bool = False,
    memory_english: Sequence[str] | None = None,
) -> list[str]:
    """QA flag codes of one segment (``translator.core.qa.QAFlag`` values, in that order)."""
    codes = check_segment(
        item.source_text,
        item.text,
        _subtitled_spans(item),
        glossary=glossary,
        next_start_ms=item.next_start_ms,
        protected=protected,
        speakers=speakers,
        inconsistent=inconsistent,
        memory_english=memory_english,
        source_changed=item.source_stale,
    )
    return [code.value for code in codes]


def _subtitled_spans(item: QAInput) -> list[tuple[int | None, int | None]] | None:
    """The cue spans QA checks the English against: those of a transcript row whose cues
    are all timed (show notes, sounds and untimed rows are not subtitled)."""
    spans = list(item.cue_spans)
    timed = bool(spans) and all(s is not None and e is not None for s, e in spans)
    return spans if timed and item.kind == Segment.Kind.TRANSCRIPT else None


def timing_flags_for(item: QAInput, *, protected: Sequence[str]) -> set[QAFlag]:
    """The timing-dependent part (``translator.core.qa.TIMING_FLAGS``) of :func:`flags_for`:
    all that changes when only the cue times of ``item`` (or the next segment's first cue)
    move."""
    return timing_flags(
        item.text, _subtitled_spans(item), next_start_ms=item.next_start_ms, protected=protected
    )


def merge_timing_flags(stored: Sequence[str], timing: set[QAFlag]) -> list[str]:
    """``stored`` flags with their timing-dependent part replaced by ``timing``, in
    :class:`QAFlag` order (what :func:`flags_for` gives when only the times changed)."""
    kept = set(stored)
    return [f.value for f in QAFlag if f in timing or (f not in TIMING_FLAGS and f.value in kept)]


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _episode_context(
    episode_id: int,
) -> tuple[dict[str, str], tuple[str, ...], dict[str, str]]:
    from translator.services.memory import effective_glossary

    glossary = effective_glossary(episode_id)  # the project's terms and the episode's
    speakers = dict(
        Speaker.objects.filter(episode_id=episode_id).values_list("label", "display_name")
    )
    return glossary, protected_terms(glossary, speakers.values()), speakers


def _memory_english(episode_id: int, norms: Iterable[str]) -> dict[str, list[str]]:
    """{normalised source: approved English in the memory} from units of other episodes (this
    episode's own approvals are checked by the in-episode consistency flag)."""
    target = Episode.objects.filter(pk=episode_id).values_list("target_language", flat=True)
    hashes = sorted({tm.source_hash(n) for n in norms if n})
    out: dict[str, list[str]] = {}
    for chunk in _chunks(hashes):
        rows = (
            MemoryUnit.objects.filter(source_hash__in=chunk, target_language__in=target)
            .exclude(episode_id=episode_id)
            .values_list("source_norm", "target_text")
        )
        for norm, english in rows:
            out.setdefault(norm, []).append(english)
    return out


def _norm(text: str) -> str:
    return _normalize_cached(text)


@functools.lru_cache(maxsize=65536)
def _normalize_cached(text: str) -> str:
    return tm.normalize(text)


Spans = dict[int, list[tuple[int | None, int | None]]]


def _cue_spans(segment_ids: Sequence[int], episode_id: int | None = None) -> Spans:
    """{segment id: [(start_ms, end_ms), …] in cue order}: of these segments, or (one query)
    of every segment of ``episode_id``."""
    spans: Spans = {}
    if episode_id is not None:
        querysets = [Cue.objects.filter(segment__episode_id=episode_id)]
    else:
        querysets = [Cue.objects.filter(segment_id__in=chunk) for chunk in _chunks(segment_ids)]
    for qs in querysets:
        rows = qs.order_by("segment_id", "index").values_list("segment_id", "start_ms", "end_ms")
        for segment_id, start_ms, end_ms in rows:
            spans.setdefault(segment_id, []).append((start_ms, end_ms))
    return spans


_FIELDS = ("id", "episode_id", "order", "kind", "source_text", "text", "qa_flags", "source_stale")


def _episode_sources(episode_id: int, norms: set[str] | None = None) -> list[tuple[int, str, str]]:
    """(id, normalised source, English) of every segment of an episode (consistency), or of
    those with English whose normalised source is in ``norms``: then only the sources of the
    others are read, and the English of the matching rows in a second query. (A segment
    without English is never inconsistent, so it is nobody's peer: early in a translation job
    most of the episode is left out of the scan.)"""
    qs = Segment.objects.filter(episode_id=episode_id)
    if norms is None:
        rows = qs.values_list("id", "source_text", "text")
        return [(pk, _norm(source), text) for pk, source, text in rows]
    matching = {
        pk: norm
        for pk, source in qs.exclude(text="").values_list("id", "source_text")
        if (norm := _norm(source)) in norms
    }
    out: list[tuple[int, str, str]] = []
    for chunk in _chunks(sorted(matching)):
        for pk, text in Segment.objects.filter(pk__in=chunk).values_list("id", "text"):
            out.append((pk, matching[pk], text))
    return out


Scans = dict[int, list[tuple[int, str, str]]]


def _peers(rows: list[dict]) -> tuple[list[dict], Scans]:
    """Segments of the same episodes with the same normalised source as ``rows`` (not among
    them): a change to one can make the other (in)consistent. Also returns the episodes'
    :func:`_episode_sources`, for :func:`_compute`."""
    by_episode: dict[int, set[str]] = {}
    ids = {r["id"] for r in rows}
    for row in rows:
        by_episode.setdefault(row["episode_id"], set()).add(_norm(row["source_text"]))
    scans: Scans = {}
    peer_ids: list[int] = []
    for episode_id, norms in by_episode.items():
        scans[episode_id] = _episode_sources(episode_id, norms)
        peer_ids += [pk for pk, norm, _text in scans[episode_id] if norm in norms and pk not in ids]
    out: list[dict] = []
    for chunk in _chunks(sorted(peer_ids)):
        out += Segment.objects.filter(pk__in=chunk).values(*_FIELDS)
    return out, scans


def _compute(
    rows: list[dict],
    *,
    episode: bool = False,
    only: set[int] | None = None,
    scans: Scans | None = None,
) -> dict[int, list[str]]:
    """Flags for ``rows`` (``values(*_FIELDS)`` dicts, any episodes), or for the ``only`` ids
    among them. A few queries per episode.

    ``episode``: ``rows`` are whole episodes; cues are then read per episode, not per id."""
    out: dict[int, list[str]] = {}
    by_episode: dict[int, list[dict]] = {}
    for row in rows:
        by_episode.setdefault(row["episode_id"], []).append(row)
    for episode_id, seg_rows in by_episode.items():
        glossary, protected, speakers = _episode_context(episode_id)
        if episode:
            sources = [(r["id"], _norm(r["source_text"]), r["text"]) for r in seg_rows]
        elif scans is not None and episode_id in scans:
            sources = scans[episode_id]
        else:
            sources = _episode_sources(episode_id)
        wanted_rows = [r for r in seg_rows if only is None or r["id"] in only]
        if not episode or only is not None:
            # Only the groups of these rows' sources decide their consistency: the English of
            # every other segment of the episode is not normalised again for each batch.
            wanted_norms = {_norm(r["source_text"]) for r in wanted_rows}
            sources = [s for s in sources if s[1] in wanted_norms]
        inconsistent = tm.inconsistent_sources(sources)
        norm_of = {pk: norm for pk, norm, _ in sources}
        memory = _memory_english(
            episode_id, {norm_of.get(r["id"]) or _norm(r["source_text"]) for r in wanted_rows}
        )
        order_to_id = {r["order"]: r["id"] for r in seg_rows}
        if not episode:  # the segments right after these, for their first cue
            wanted = sorted({r["order"] + 1 for r in seg_rows} - set(order_to_id))
            for chunk in _chunks(wanted):
                order_to_id.update(
                    Segment.objects.filter(episode_id=episode_id, order__in=chunk).values_list(
                        "order", "id"
                    )
                )
        spans = _cue_spans((), episode_id) if episode else _cue_spans(sorted(order_to_id.values()))
        for r in seg_rows:
            if only is not None and r["id"] not in only:
                continue
            next_id = order_to_id.get(r["order"] + 1)
            next_spans = spans.get(next_id, []) if next_id is not None else []
            item = QAInput(
                segment_id=r["id"],
                kind=r["kind"],
                source_text=r["source_text"],
                text=r["text"],
                cue_spans=spans.get(r["id"], []),
                next_start_ms=next_spans[0][0] if next_spans else None,
                source_stale=bool(r.get("source_stale")),
            )
            norm = norm_of.get(r["id"]) or _norm(r["source_text"])
            out[r["id"]] = flags_for(
                item,
                glossary=glossary,
                protected=protected,
                speakers=speakers,
                inconsistent=r["id"] in inconsistent,
                memory_english=memory.get(norm),
            )
    return out


def compute_qa_flags(*, segment_ids: Iterable[int]) -> dict[int, list[str]]:
    """Flags of these segments as they are now, without storing them: {segment id: codes}."""
    ids = sorted(set(segment_ids))
    rows: list[dict] = []
    for chunk in _chunks(ids):
        rows += Segment.objects.filter(pk__in=chunk).values(*_FIELDS)
    return _compute(rows)


@transaction.atomic
def refresh_qa_flags(
    *,
    segment_ids: Iterable[int] | None = None,
    episode_id: int | None = None,
    missing_only: bool = False,
) -> int:
    """Recompute and store the QA flags of ``segment_ids``, or of every segment of
    ``episode_id`` (after a glossary, speaker-name or timing change). ``missing_only``: only
    rows never computed (``qa_flags`` is null). Only changed rows are written (one UPDATE per
    distinct set of flags). Returns how many rows were written."""
    if (segment_ids is None) == (episode_id is None):
        raise ValueError("pass segment_ids or episode_id")
    if episode_id is not None:
        rows = list(
            Segment.objects.filter(episode_id=episode_id).order_by("order").values(*_FIELDS)
        )
        todo = [r for r in rows if r["qa_flags"] is None] if missing_only else rows
        if not todo:
            return 0
        only = {r["id"] for r in todo} if missing_only else None
        flags = _compute(rows, episode=True, only=only)
    else:
        ids = sorted(set(segment_ids or ()))
        todo = []
        for chunk in _chunks(ids):
            qs = Segment.objects.filter(pk__in=chunk)
            if missing_only:
                qs = qs.filter(qa_flags__isnull=True)
            todo += qs.values(*_FIELDS)
        if not todo:
            return 0
        scans = None
        if not missing_only:  # the same source elsewhere in the episode: consistency
            peers, scans = _peers(todo)
            todo += peers
        flags = _compute(todo, scans=scans)

    return _write_flags(flags, {r["id"]: r["qa_flags"] for r in todo})


def _write_flags(flags: Mapping[int, list[str]], stored: Mapping[int, list[str] | None]) -> int:
    """Store the flags that differ from ``stored``: one UPDATE per distinct set of flags."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for segment_id, codes in flags.items():
        if segment_id in stored and stored[segment_id] != codes:
            groups.setdefault(tuple(codes), []).append(segment_id)
    written = 0
    for codes, ids in groups.items():
        for chunk in _chunks(ids):
            written += Segment.objects.filter(pk__in=chunk).update(qa_flags=list(codes))
    return written


def refresh_timing_flags(*, segment_ids: Iterable[int]) -> int:
    """After only the cue times of ``segment_ids`` changed (a retime, a waveform drag, its
    undo): recompute the timing-dependent flags (``translator.core.qa.TIMING_FLAGS``) of these
    segments and of the segment right before each (its English may use the silence before
    their first cue), keeping their other stored flags: the text, consistency and memory flags
    do not depend on times. Rows never computed get a full refresh. The result is what
    :func:`refresh_qa_flags` would store. A few queries per episode, however large it is.
    Returns how many rows were written."""
    ids = sorted(set(segment_ids))
    orders: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        for episode_id, order in Segment.objects.filter(pk__in=chunk).values_list(
            "episode_id", "order"
        ):
            orders.setdefault(episode_id, set()).add(order)
    written = 0
    with transaction.atomic(savepoint=False):
        for episode_id, changed in orders.items():
            written += _refresh_timing(episode_id, changed)
    return written


def _refresh_timing(episode_id: int, changed: set[int]) -> int:
    wanted = changed | {o - 1 for o in changed if o > 0}
    read = sorted(wanted | {o + 1 for o in wanted})
    rows: list[dict] = []
    for chunk in _chunks(read):
        rows += Segment.objects.filter(episode_id=episode_id, order__in=chunk).values(
            "id", "order", "kind", "text", "qa_flags"
        )
    by_order = {r["order"]: r for r in rows}
    todo = [r for r in rows if r["order"] in wanted]
    missing = [r["id"] for r in todo if r["qa_flags"] is None]
    todo = [r for r in todo if r["qa_flags"] is not None]
    spans = _cue_spans(sorted(r["id"] for r in rows))
    protected: tuple[str, ...] | None = None
    flags: dict[int, list[str]] = {}
    for r in todo:
        nxt = by_order.get(r["order"] + 1)
        next_spans = spans.get(nxt["id"], []) if nxt is not None else []
        item = QAInput(
            segment_id=r["id"],
            kind=r["kind"],
            source_text="",
            text=r["text"],
            cue_spans=spans.get(r["id"], []),
            next_start_ms=next_spans[0][0] if next_spans else None,
        )
        timing: set[QAFlag] = set()
        if _subtitled_spans(item) and item.text.strip():  # else no timing flags, no context
            if protected is None:
                protected = _episode_context(episode_id)[1]
            timing = timing_flags_for(item, protected=protected)
        flags[r["id"]] = merge_timing_flags(r["qa_flags"], timing)
    written = _write_flags(flags, {r["id"]: r["qa_flags"] for r in todo})
    if missing:
        written += refresh_qa_flags(segment_ids=missing)
    return written


# --- the one hook services call -----------------------------------------------------------------


@dataclass
class _Pending:
    episodes: set[int] = field(default_factory=set)
    segments: set[int] = field(default_factory=set)
    # (source text, episode to leave out): segments elsewhere whose memory flag may change
    sources: set[tuple[str, int | None]] = field(default_factory=set)
    # segments whose cue times only changed (and the one before each): timing flags only
    timing: set[int] = field(default_factory=set)


_state = threading.local()


def segments_changed(
    *,
    episode_id: int | None = None,
    segment_ids: Iterable[int] = (),
    sources: Iterable[str] = (),
    sources_outside: int | None = None,
    timing_only: bool = False,
) -> None:
    """What a service calls after changing what QA flags depend on: the texts of
    ``segment_ids``, everything of ``episode_id`` (glossary, speaker names, cue times), or the
    memory's English for ``sources`` (segments of every episode but ``sources_outside``).
    ``timing_only``: only the cue times of ``segment_ids`` changed (a retime): only their
    timing-dependent flags and those of the segment before each are recomputed
    (:func:`refresh_timing_flags`), not the consistency of every row with the same source.

    Recomputed now, or once at the end of the enclosing :func:`collect` block."""
    ids = set(segment_ids)
    pending = _Pending(
        {episode_id} if episode_id is not None else set(),
        set() if timing_only else ids,
        {(source, sources_outside) for source in sources},
        ids if timing_only else set(),
    )
    outer = getattr(_state, "pending", None)
    if outer is not None:
        outer.episodes |= pending.episodes
        outer.segments |= pending.segments
        outer.sources |= pending.sources
        outer.timing |= pending.timing
        return
    _flush(pending)


@contextmanager
def collect() -> Iterator[None]:
    """Within this block, :func:`segments_changed` only records; the flags of everything it
    named are recomputed once when the block ends (nested blocks join the outermost)."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = _Pending()
    try:
        yield
        pending = _state.pending
        _state.pending = None
        _flush(pending)
    finally:
        _state.pending = None


def _segments_with_sources(sources: set[tuple[str, int | None]]) -> set[int]:
    ids: set[int] = set()
    for outside in {e for _s, e in sources}:
        texts = sorted(s for s, e in sources if e == outside)
        for chunk in range(0, len(texts), _CHUNK):
            qs = Segment.objects.filter(source_text__in=texts[chunk : chunk + _CHUNK])
            if outside is not None:
                qs = qs.exclude(episode_id=outside)
            ids.update(qs.values_list("id", flat=True))
    return ids


def _flush(pending: _Pending) -> None:
    for episode_id in sorted(pending.episodes):
        refresh_qa_flags(episode_id=episode_id)
    ids = pending.segments | _segments_with_sources(pending.sources)
    timing = set(pending.timing)
    if (ids or timing) and pending.episodes:  # already recomputed with their whole episode
        done = set(
            Segment.objects.filter(episode_id__in=pending.episodes).values_list("id", flat=True)
        )
        ids -= done
        timing -= done
    if ids:
        refresh_qa_flags(segment_ids=ids)
    if timing:  # after the full refresh: it keeps the text flags just stored
        refresh_timing_flags(segment_ids=timing)


def segment_qa_input(segment_id: int) -> tuple[QAInput, tuple[str, ...]]:
    """What the line and timing checks read for one segment, as :func:`_compute` reads it:
    its cue spans, the start of the next segment's first cue, and the English never broken
    across lines (glossary targets, speakers' names). Reads only (the live feedback)."""
    seg = Segment.objects.values("id", "episode_id", "order", "kind", "source_text", "text").get(
        pk=segment_id
    )
    next_id = (
        Segment.objects.filter(episode_id=seg["episode_id"], order=seg["order"] + 1)
        .values_list("id", flat=True)
        .first()
    )
    spans = _cue_spans([seg["id"]] + ([next_id] if next_id is not None else []))
    next_spans = spans.get(next_id, []) if next_id is not None else []
    _glossary, protected, _speakers = _episode_context(seg["episode_id"])
    item = QAInput(
        segment_id=seg["id"],
        kind=seg["kind"],
        source_text=seg["source_text"],
        text=seg["text"],
        cue_spans=spans.get(seg["id"], []),
        next_start_ms=next_spans[0][0] if next_spans else None,
    )
    return item, protected
