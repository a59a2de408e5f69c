"""Translation memory and the project glossary.

The memory holds one :class:`~translator.models.MemoryUnit` per approved segment of any episode
(kept current by :func:`sync_segment`, which the review services call after every change), plus
units imported from TMX files. A translation job takes exact matches first
(:func:`fill_from_memory`: status ``memory``, provenance ``memory``) and sends only the rest to
the engine; the review page offers fuzzy matches (:func:`fuzzy_matches`, ≥ 75 %) that an editor
takes with one key (:func:`take_suggestion`, a normal versioned edit).

Fuzzy lookup goes through a trigram index made by the tm_memory migration: an FTS5 table with the
trigram tokenizer on SQLite (the candidates: units sharing most of the query's not-too-common
trigrams, counted from their posting lists), a pg_trgm GIN
index on PostgreSQL (``%`` with a low similarity limit, best first); then the same
:func:`translator.core.tm.best_matches` scorer ranks the candidates. Without an index (another
database, an SQLite without FTS5 trigram) it scans the units of a compatible length.

Glossary: terms without an episode apply to every episode; an episode's own term for the same
source wins (:func:`effective_glossary`, used by the engines and by QA).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from translator import permissions
from translator.core import tm
from translator.core.tm_formats import (
    ExchangeError,
    Term,
    TMXUnit,
    read_glossary_csv,
    read_tbx,
    read_tmx,
    write_glossary_csv,
    write_tbx,
    write_tmx,
)
from translator.models import Episode, GlossaryTerm, MemoryUnit, Segment, SegmentRevision

Status = Segment.Status
MEMORY_ENGINE = "memory"  # Segment.machine_engine of a segment filled from the memory
FTS_TABLE = "translator_memoryunit_fts"
FUZZY_CANDIDATES = 200  # candidates the index hands to the scorer
FTS_COMMON_CAP = 4000  # a trigram in more units than this is skipped when counting (SQLite)
_CHUNK = 500


def _user_name(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user is not None and user.is_authenticated else ""


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# --- keeping the memory current ---------------------------------------------------------------


def sync_segment(segment: Segment, *, user: AbstractBaseUser | None = None) -> None:
    """Mirror one segment in the memory: approved with English → its unit holds that English
    (approved by ``user``, now); anything else → it has no unit. Called by the review services
    inside their transaction after every change."""
    approved = segment.status == Status.APPROVED and bool(segment.text.strip())
    existing = MemoryUnit.objects.filter(segment_id=segment.pk).first()
    if not approved:
        if existing is not None:
            existing.delete()
            _refresh_dependents([existing.source_text], segment.episode_id)
        return
    episode = Episode.objects.only("id", "title", "target_language").get(pk=segment.episode_id)
    norm = tm.normalize(segment.source_text)
    fields = {
        "source_text": segment.source_text,
        "source_norm": norm,
        "source_hash": tm.source_hash(norm),
        "norm_len": len(norm),
        "target_text": segment.text,
        "target_language": episode.target_language,
        "speaker_label": segment.speaker_label,
        "episode_id": episode.pk,
        "episode_title": episode.title[:300],
        "origin": MemoryUnit.Origin.REVIEW,
        "origin_note": "",
    }
    if existing is not None and all(getattr(existing, k) == v for k, v in fields.items()):
        return  # re-approving the same text: keep who approved it first
    fields |= {
        "approved_by": user if user is not None and user.is_authenticated else None,
        "approved_by_name": _user_name(user),
        "approved_at": timezone.now(),
    }
    MemoryUnit.objects.update_or_create(segment_id=segment.pk, defaults=fields)
    _refresh_dependents([segment.source_text], segment.episode_id)


def sync_episode(episode_id: int, *, user: AbstractBaseUser | None = None) -> int:
    """Mirror a whole episode in the memory at once, as :func:`sync_segment` does one segment
    (a restored episode: its approved segments enter the memory as their approvals would, in a
    few queries instead of a few per segment). The unit names the approver the segment records
    (a restored file's name), else ``user``; its date is the segment's last change. Returns
    the number of units the episode has."""
    episode = Episode.objects.only("id", "title", "target_language").get(pk=episode_id)
    rows = list(
        Segment.objects.filter(episode_id=episode_id, status=Status.APPROVED)
        .exclude(text="")
        .values_list(
            "id", "source_text", "text", "speaker_label", "updated_at", "recorded_updated_by"
        )
    )
    rows = [r for r in rows if r[2].strip()]
    old = MemoryUnit.objects.filter(segment__episode_id=episode_id)
    sources = set(old.values_list("source_text", flat=True))
    old.delete()
    units = []
    for pk, source, english, speaker, updated_at, recorded in rows:
        norm = tm.normalize(source)
        units.append(
            MemoryUnit(
                segment_id=pk,
                source_text=source,
                source_norm=norm,
                source_hash=tm.source_hash(norm),
                norm_len=len(norm),
                target_text=english,
                target_language=episode.target_language,
                speaker_label=speaker,
                episode_id=episode.pk,
                episode_title=episode.title[:300],
                origin=MemoryUnit.Origin.REVIEW,
                approved_by=None if recorded or user is None or not user.is_authenticated else user,
                approved_by_name=recorded or _user_name(user),
                approved_at=updated_at or timezone.now(),
            )
        )
        sources.add(source)
    MemoryUnit.objects.bulk_create(units, batch_size=_CHUNK)
    if sources:
        _refresh_dependents(sorted(sources), episode.pk)
    return len(units)


def _refresh_dependents(sources: Sequence[str], episode_id: int | None) -> None:
    """Segments of other episodes with these sources: their "differs from the memory" flag
    may have changed."""
    from translator.services import qa_flags

    qa_flags.segments_changed(sources=sources, sources_outside=episode_id)


@transaction.atomic
def rebuild_from_segments() -> int:
    """Make the memory's review units match every approved segment (after rows were written
    outside the services, e.g. a restored backup). Returns the number of review units."""
    approved = Segment.objects.filter(status=Status.APPROVED).exclude(text="")
    MemoryUnit.objects.filter(origin=MemoryUnit.Origin.REVIEW).exclude(
        segment_id__in=approved.values("id")
    ).delete()
    count = 0
    for segment in approved.select_related("updated_by").iterator(chunk_size=500):
        unit = MemoryUnit.objects.filter(segment_id=segment.pk).only("approved_by").first()
        sync_segment(segment, user=unit.approved_by if unit else segment.updated_by)
        count += 1
    return count


# --- exact matches and the translation job ----------------------------------------------------


def exact_matches(
    sources: Iterable[str], *, target_language: str, exclude_episode_id: int | None = None
) -> dict[str, MemoryUnit]:
    """{normalised source: the most recently approved unit with that source} for ``sources``
    (one query per 500 distinct sources)."""
    hashes = sorted({tm.source_hash(n) for n in map(tm.normalize, sources) if n})
    found: dict[str, MemoryUnit] = {}
    for chunk in _chunks(hashes):
        qs = MemoryUnit.objects.filter(source_hash__in=chunk, target_language=target_language)
        if exclude_episode_id is not None:
            qs = qs.exclude(episode_id=exclude_episode_id)
        for unit in qs.order_by("approved_at", "id"):  # the latest wins
            found[unit.source_norm] = unit
    return found


def _provenance(unit: MemoryUnit) -> str:
    where = unit.episode_title or unit.origin_note or unit.get_origin_display()
    who = f", approved by {unit.approved_by_name}" if unit.approved_by_name else ""
    return f"memory unit {unit.pk}: {where}{who}"[:200]


def fill_from_memory(*, segments: Sequence[Segment], episode: Episode) -> list[Segment]:
    """Fill ``segments`` (a job's to-do list) from exact memory matches: English and machine
    text = the approved English, status ``memory``, provenance ``memory`` (the unit, its
    episode and approver). A segment someone changed meanwhile is left alone. Returns the
    segments still to send to the engine."""
    from translator.services import qa_flags

    if not segments:
        return []
    matches = exact_matches(
        [s.source_text for s in segments], target_language=episode.target_language
    )
    rest: list[Segment] = []
    planned: dict[int, tuple[Segment, MemoryUnit]] = {}
    for segment in segments:
        unit = matches.get(tm.normalize(segment.source_text))
        if unit is None or unit.segment_id == segment.pk:
            rest.append(segment)
        else:
            planned[segment.pk] = (segment, unit)
    if not planned:
        return rest
    now = timezone.now()
    with transaction.atomic():
        # Lock the rows, keep those nobody changed since the job read them (same version,
        # still untranslated or machine), and write them in a few statements.
        rows = list(
            Segment.objects.select_for_update()
            .filter(pk__in=list(planned), status__in=[Status.UNTRANSLATED, Status.MACHINE])
            .only("id", "version", "status", "text")
        )
        changed: list[Segment] = []
        revisions: list[SegmentRevision] = []
        for row in rows:
            segment, unit = planned[row.pk]
            if row.version != segment.version:
                continue  # a person got there first: neither memory nor engine touches it
            revisions.append(
                SegmentRevision(
                    segment_id=row.pk,
                    action=SegmentRevision.Action.MACHINE,
                    old_text=row.text,
                    new_text=unit.target_text,
                    old_status=row.status,
                    new_status=Status.MEMORY,
                    version=row.version + 1,
                )
            )
            row.text = row.machine_text = unit.target_text
            row.status = Status.MEMORY
            row.machine_engine = MEMORY_ENGINE
            row.machine_engine_version = _provenance(unit)
            row.machine_translated_at = now
            row.machine_flags = []
            row.version += 1
            changed.append(row)
        Segment.objects.bulk_update(
            changed,
            [
                "text",
                "machine_text",
                "status",
                "machine_engine",
                "machine_engine_version",
                "machine_translated_at",
                "machine_flags",
                "version",
            ],
            batch_size=25,  # a CASE per field and row: small batches (PostgreSQL: 30x faster)
        )
        SegmentRevision.objects.bulk_create(revisions, batch_size=500)
        if changed:
            qa_flags.segments_changed(segment_ids=[row.pk for row in changed])
    return rest


# --- fuzzy matches ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    unit: MemoryUnit
    score: float  # 0-100
    diff: list[tuple[str, str]]  # memory source → this source (translator.core.tm.source_diff)

    @property
    def percent(self) -> int:
        return int(self.score)


@cache
def _has_index(alias: str, vendor: str) -> bool:
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        elif vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'tm_source_trgm'")
        else:
            return False
        return cursor.fetchone() is not None


def index_kind() -> str:
    """``fts5``, ``pg_trgm`` or ``scan``: how fuzzy candidates are found on this database."""
    if _has_index(connection.alias, connection.vendor):
        return {"sqlite": "fts5", "postgresql": "pg_trgm"}[connection.vendor]
    return "scan"


# Trigrams found in more than FTS_COMMON_CAP units (per database alias). The memory only
# grows between rebuilds, so a common trigram stays common; remembering them saves reading
# their long posting lists again on every lookup.
_COMMON_GRAMS: dict[str, set[str]] = {}
_COMMON_GRAMS_MAX = 100_000


def _candidates(norm: str, target_language: str, limit: int) -> list[tuple[int, str]] | None:
    """``(unit id, normalised source)`` of the units the trigram index proposes, of a length
    that can reach the threshold (``None``: no index on this database, scan instead)."""
    kind = index_kind()
    low, high = tm.length_window(len(norm))
    with connection.cursor() as cursor:
        if kind == "fts5":
            # Count, per unit, the query's trigrams it contains, over the trigrams that are not
            # too common (one in more than FTS_COMMON_CAP units says little and costs a long
            # posting list); the units sharing most are the candidates. (bm25 over an OR of
            # every trigram ranks every unit sharing any common one: several times slower.)
            common = _COMMON_GRAMS.setdefault(connection.alias, set())
            counts: Counter[int] = Counter()
            for gram in tm.trigrams(norm):
                if gram in common:
                    continue
                cursor.execute(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s",  # noqa: S608 - constant table name
                    ['"' + gram.replace('"', '""') + '"', FTS_COMMON_CAP + 1],
                )
                rowids = [row[0] for row in cursor.fetchall()]
                if len(rowids) <= FTS_COMMON_CAP:
                    counts.update(rowids)
                elif len(common) < _COMMON_GRAMS_MAX:
                    common.add(gram)
            best = [pk for pk, _n in counts.most_common(limit)]
            if not best:
                return []
            marks = ", ".join(["%s"] * len(best))
            cursor.execute(  # plain SQL: the ORM compiling a 200-id IN () cost as much
                "SELECT id, source_norm FROM translator_memoryunit "  # noqa: S608 - placeholders only
                f"WHERE id IN ({marks}) AND norm_len BETWEEN %s AND %s AND target_language = %s",
                [*best, low, high, target_language],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]
        if kind == "pg_trgm":
            # Trigram similarity the index must see: 0.35 keeps ~99 % of the ≥ 75 % matches
            # of bench_tm's memory at a p95 half of 0.3's (0.4: ~94 %).
            cursor.execute("SELECT set_limit(0.35)")
            cursor.execute(
                # "norm_len + 0": the length filter must not steer the planner to the norm_len
                # index (then every row of that length pays a similarity(): 10x slower).
                "SELECT id, source_norm FROM translator_memoryunit WHERE source_norm %% %s "
                "AND norm_len + 0 BETWEEN %s AND %s AND target_language = %s "
                "ORDER BY similarity(source_norm, %s) DESC LIMIT %s",
                [norm, low, high, target_language, norm, limit],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]
    return None


def fuzzy_matches(
    source_text: str,
    *,
    target_language: str,
    exclude_segment_id: int | None = None,
    limit: int = 3,
    threshold: float = tm.FUZZY_THRESHOLD,
    use_index: bool = True,
) -> list[Suggestion]:
    """The best memory units at least ``threshold`` % similar to ``source_text``, best first;
    an exact match (100 %) included. ``use_index=False``: score every unit of a compatible
    length (the benchmark's baseline)."""
    norm = tm.normalize(source_text)
    if len(norm) < 2:
        return []
    found = _candidates(norm, target_language, FUZZY_CANDIDATES) if use_index else None
    qs = MemoryUnit.objects.filter(target_language=target_language)
    if found is None:
        low, high = tm.length_window(len(norm), threshold)
        pairs = list(qs.filter(norm_len__range=(low, high)).values_list("id", "source_norm"))
    else:  # exact matches always count, even if the index ranked them low
        pairs = found + list(
            qs.filter(source_hash=tm.source_hash(norm)).values_list("id", "source_norm")
        )
    if exclude_segment_id is not None:
        own = set(
            MemoryUnit.objects.filter(segment_id=exclude_segment_id).values_list("id", flat=True)
        )
        pairs = [p for p in pairs if p[0] not in own]
    # Several units with one source (two episodes approved the same line): the latest counts.
    scored = tm.best_matches(norm, pairs, threshold=threshold, limit=limit * 4)
    units = MemoryUnit.objects.in_bulk([s.key for s in scored])
    out: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()
    for item in sorted(
        scored, key=lambda s: (-s.score, -units[s.key].approved_at.timestamp(), -s.key)
    ):
        unit = units[item.key]
        key = (unit.source_norm, " ".join(unit.target_text.split()))
        if key in seen:
            continue
        seen.add(key)
        out.append(Suggestion(unit, item.score, tm.source_diff(unit.source_text, source_text)))
        if len(out) >= limit:
            break
    return out


def suggestions_for_segment(segment_id: int, *, limit: int = 3) -> list[Suggestion]:
    segment = Segment.objects.select_related("episode").get(pk=segment_id)
    return fuzzy_matches(
        segment.source_text,
        target_language=segment.episode.target_language,
        exclude_segment_id=segment.pk,
        limit=limit,
    )


def take_suggestion(
    *, segment_id: int, unit_id: int, base_version: int, user: AbstractBaseUser
) -> Segment:
    """Put a memory unit's English into a segment: a normal versioned edit
    (:func:`translator.services.review.save_segment`: permission, conflict check, revision)."""
    from translator.services import review

    unit = MemoryUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise review.ReviewError("That memory suggestion no longer exists.")
    return review.save_segment(
        segment_id=segment_id, text=unit.target_text, base_version=base_version, user=user
    )


# --- TMX --------------------------------------------------------------------------------------


def _target_language(lang: str) -> str:
    code = lang.replace("_", "-").upper()
    return "EN-GB" if code == "EN-GB" else "EN-US"


def export_tmx(*, target_language: str | None = None) -> bytes:
    """Every unit of the memory (or of one English variant) as TMX 1.4."""
    qs = MemoryUnit.objects.order_by("id")
    if target_language:
        qs = qs.filter(target_language=target_language)
    units = (
        TMXUnit(
            source=u.source_text,
            target=u.target_text,
            target_language="en-GB" if u.target_language == "EN-GB" else "en-US",
            speaker=u.speaker_label,
            episode=u.episode_title or u.origin_note,
            creator=u.approved_by_name,
            created_at=u.approved_at,
        )
        for u in qs.iterator(chunk_size=1000)
    )
    return write_tmx(units)


@dataclass(frozen=True)
class TMXImport:
    added: int
    skipped: int  # already in the memory with the same English


def _require_reviewer(user: AbstractBaseUser | None) -> None:
    permissions.require(
        user, permissions.can_approve, "Only reviewers can import into the translation memory."
    )


def import_tmx(
    *, data: bytes, filename: str = "", user: AbstractBaseUser | None = None
) -> TMXImport:
    """Add a TMX file's Japanese → English units to the memory as approved (origin: the file).
    All or nothing: a malformed or wrong-language file raises :class:`ExchangeError` (one
    line) and adds nothing. ``user=None``: the command line (no permission check)."""
    _require_reviewer(user)
    limit = settings.JIMAKU_MAX_IMPORT_BYTES
    if len(data) > limit:
        raise ExchangeError(f"The file is larger than {limit // 2**20} MB.")
    units = read_tmx(data)
    name = (filename or "TMX import").rsplit("/", 1)[-1][:200]
    now = timezone.now()
    added = skipped = 0
    with transaction.atomic():
        existing = {
            (h, lang, " ".join(t.split()))
            for chunk in _chunks(sorted({tm.source_hash(tm.normalize(u.source)) for u in units}))
            for h, lang, t in MemoryUnit.objects.filter(source_hash__in=chunk).values_list(
                "source_hash", "target_language", "target_text"
            )
        }
        new: list[MemoryUnit] = []
        for unit in units:
            norm = tm.normalize(unit.source)
            lang = _target_language(unit.target_language)
            key = (tm.source_hash(norm), lang, " ".join(unit.target.split()))
            if not norm or key in existing:
                skipped += 1
                continue
            existing.add(key)
            new.append(
                MemoryUnit(
                    source_text=unit.source,
                    source_norm=norm,
                    source_hash=key[0],
                    norm_len=len(norm),
                    target_text=unit.target,
                    target_language=lang,
                    speaker_label=unit.speaker[:100],
                    episode_title=unit.episode[:300],
                    origin=MemoryUnit.Origin.IMPORT,
                    origin_note=name,
                    approved_by_name=(unit.creator or _user_name(user))[:150],
                    approved_at=unit.created_at or now,
                )
            )
        MemoryUnit.objects.bulk_create(new, batch_size=500)
        added = len(new)
        _refresh_dependents([u.source_text for u in new], None)
    return TMXImport(added, skipped)


# --- glossary ---------------------------------------------------------------------------------


def effective_glossary(episode_id: int) -> dict[str, str]:
    """{source: English} for an episode: the project's terms, then the episode's own (which
    win for the same source). One query."""
    terms: dict[str, str] = {}
    rows = GlossaryTerm.objects.filter(Q(episode_id=episode_id) | Q(episode__isnull=True))
    for _ep, source, target in sorted(
        rows.values_list("episode_id", "source", "target"), key=lambda r: r[0] is not None
    ):
        terms[source] = target
    return terms


def project_terms() -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(episode__isnull=True).order_by("source"))


def refresh_for_terms(sources: Iterable[str]) -> None:
    """Project terms changed: QA of every episode whose source mentions one of them."""
    from translator.services import qa_flags

    episodes: set[int] = set()
    for source in set(sources):
        episodes.update(
            Segment.objects.filter(source_text__contains=source)
            .values_list("episode_id", flat=True)
            .distinct()
        )
    with qa_flags.collect():
        for episode_id in sorted(episodes):
            qa_flags.segments_changed(episode_id=episode_id)


def export_glossary(*, episode_id: int | None, fmt: str) -> bytes:
    """The project's terms (``episode_id=None``) or one episode's, as ``csv`` or ``tbx``."""
    terms = [
        Term(t.source, t.target, t.note)
        for t in GlossaryTerm.objects.filter(episode_id=episode_id).order_by("source")
    ]
    if fmt == "tbx":
        return write_tbx(terms)
    return write_glossary_csv(terms)


@dataclass(frozen=True)
class GlossaryImport:
    added: int
    updated: int


def read_glossary(data: bytes, filename: str) -> list[Term]:
    """CSV or TBX by the file's extension (``.tbx``/``.xml``), else by its content."""
    name = (filename or "").lower()
    head = data.lstrip()[:200].lower()
    if name.endswith((".tbx", ".xml")) or head.startswith((b"<?xml", b"<martif")):
        return read_tbx(data)
    return read_glossary_csv(data)


def import_glossary(
    *, data: bytes, filename: str, episode_id: int | None, user: AbstractBaseUser | None = None
) -> GlossaryImport:
    """Add (or update the English and note of) every term of a CSV/TBX file, all or nothing,
    into the project glossary (``episode_id=None``) or one episode's."""
    permissions.require(user, permissions.can_import_terms)
    if len(data) > settings.JIMAKU_MAX_IMPORT_BYTES:
        raise ExchangeError("The file is too large.")
    terms = read_glossary(data, filename)
    added = updated = 0
    try:
        with transaction.atomic():
            current = {t.source: t for t in GlossaryTerm.objects.filter(episode_id=episode_id)}
            for term in terms:
                old = current.get(term.source)
                if old is None:
                    GlossaryTerm.objects.create(
                        episode_id=episode_id,
                        source=term.source,
                        target=term.target,
                        note=term.note,
                    )
                    added += 1
                elif (old.target, old.note) != (term.target, term.note or old.note):
                    old.target, old.note = term.target, term.note or old.note
                    old.save(update_fields=["target", "note"])
                    updated += 1
            if episode_id is None:
                refresh_for_terms(t.source for t in terms)
            else:
                from translator.services import qa_flags

                qa_flags.segments_changed(episode_id=episode_id)
    except IntegrityError as exc:
        raise ExchangeError("The glossary changed while importing; try again.") from exc
    return GlossaryImport(added, updated)


def memory_stats() -> dict[str, int]:
    return {
        "units": MemoryUnit.objects.count(),
        "imported": MemoryUnit.objects.filter(origin=MemoryUnit.Origin.IMPORT).count(),
        "terms": GlossaryTerm.objects.filter(episode__isnull=True).count(),
    }
