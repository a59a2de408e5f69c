"""Exchange formats of the translation memory and the glossary, on translate-toolkit:
TMX 1.4 (memory, Japanese → English) and TBX (martif, glossary), plus glossary CSV.

Readers take bytes and return plain units or raise :class:`ExchangeError` with one line; they
check the whole file before returning, so a caller imports all or nothing. What real files do
and the readers accept: language codes in any case (``JA``, ``en-US``, ``en_GB``), the English
variant before the Japanese, ``srclang="*all*"`` or a missing header, extra languages in a unit
(ignored), ``<prop>``/``<note>`` metadata, character references. Refused: not XML, another root
element, a TMX version other than 1.x, a unit without Japanese or without English text, a file
with no units.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from translate.misc.xml_helpers import getXMLlang, getXMLspace
from translate.storage.tbx import tbxfile
from translate.storage.tmx import tmxfile

MAX_TERM_CHARS = 200


class ExchangeError(ValueError):
    """A file that cannot be imported; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class TMXUnit:
    source: str
    target: str
    target_language: str = "en"  # as written in the file (en, en-US, EN-GB…)
    speaker: str = ""
    episode: str = ""
    creator: str = ""
    created_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    note: str = ""


def _base(lang: str | None) -> str:
    return (lang or "").replace("_", "-").split("-")[0].strip().lower()


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _texts(unit) -> dict[str, tuple[str, str]]:
    """{base language: (language as written, text)} of one TMX/TBX unit (first of each)."""
    out: dict[str, tuple[str, str]] = {}
    space = getXMLspace(unit.xmlelement, unit._default_xml_space)
    for node in unit.getlanguageNodes():
        lang = getXMLlang(node) or ""
        text = unit.getNodeText(node, space)
        base = _base(lang)
        if base and base not in out and text is not None:
            out[base] = (lang, text.strip())
    return out


def _line(unit) -> str:
    line = getattr(unit.xmlelement, "sourceline", None)
    return f" (line {line})" if line else ""


def _parse(cls, data: bytes, what: str):
    if not data or not data.strip():
        raise ExchangeError(f"The {what} file is empty.")
    try:
        store = cls.parsestring(data)
    except AssertionError:
        root = f"<{cls.rootNode}>"
        extra = " (TBX 2 / TBX-Basic; TBX v3 <tbx> files are not read)" if what == "TBX" else ""
        raise ExchangeError(f"Not a {what} file: the root element is not {root}{extra}.") from None
    except Exception as exc:  # lxml syntax errors and the like
        message = re.sub(r"\s*\(<string>, line \d+\)$", "", " ".join(str(exc).split()))
        message = message[:200] or type(exc).__name__
        raise ExchangeError(f"Not a valid {what} file: {message}") from None
    return store


# --- TMX --------------------------------------------------------------------------------------


def _tmx_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _props(unit) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in unit.xmlelement:
        if _local(child.tag) == "prop" and child.get("type"):
            out.setdefault(child.get("type"), (child.text or "").strip())
    return out


def read_tmx(data: bytes) -> list[TMXUnit]:
    """The Japanese → English units of a TMX file (see the module docstring)."""
    store = _parse(tmxfile, data, "TMX")
    root = store.document.getroot()
    if _local(root.tag) != "tmx":
        raise ExchangeError("Not a TMX file: the root element is not <tmx>.")
    version = (root.get("version") or "").strip()
    if not version.startswith("1."):
        raise ExchangeError(f"Unsupported TMX version “{version or '?'}”: TMX 1.4 is expected.")
    units: list[TMXUnit] = []
    for index, unit in enumerate(store.units, 1):
        texts = _texts(unit)
        if "ja" not in texts or not texts["ja"][1]:
            langs = ", ".join(lang for lang, _ in texts.values()) or "none"
            raise ExchangeError(
                f"TMX unit {index}{_line(unit)} has no Japanese (ja) text (languages: {langs}); "
                "a Japanese → English memory is expected."
            )
        if "en" not in texts or not texts["en"][1]:
            langs = ", ".join(lang for lang, _ in texts.values()) or "none"
            raise ExchangeError(
                f"TMX unit {index}{_line(unit)} has no English (en) text (languages: {langs}); "
                "a Japanese → English memory is expected."
            )
        props = _props(unit)
        element = unit.xmlelement
        units.append(
            TMXUnit(
                source=texts["ja"][1],
                target=texts["en"][1],
                target_language=texts["en"][0],
                speaker=props.get("x-speaker", ""),
                episode=props.get("x-episode", ""),
                creator=(element.get("creationid") or "").strip(),
                created_at=_tmx_date(element.get("changedate") or element.get("creationdate")),
                note=unit.getnotes().strip(),
            )
        )
    if not units:
        raise ExchangeError("The TMX file has no translation units.")
    return units


def write_tmx(units: Iterable[TMXUnit]) -> bytes:
    """A TMX 1.4 file (source language ``ja``), one ``<tu>`` per unit."""
    store = tmxfile(sourcelanguage="ja")
    for item in units:
        unit = store.addsourceunit(item.source)
        unit.settarget(item.target, lang=item.target_language or "en")
        element = unit.xmlelement
        if item.creator:
            element.set("creationid", item.creator)
        if item.created_at:
            element.set("creationdate", item.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        for kind, value in (("x-speaker", item.speaker), ("x-episode", item.episode)):
            if value:
                prop = element.makeelement(unit.namespaced("prop"), {"type": kind})
                prop.text = value
                first_tuv = element.find(unit.namespaced("tuv"))
                element.insert(element.index(first_tuv), prop)
        if item.note:
            unit.addnote(item.note)
    header = store.document.getroot().find(store.namespaced("header"))
    if header is not None:
        header.set("creationtool", "Jimaku")
        header.set("srclang", "ja")
        header.set("datatype", "plaintext")
    return bytes(store)


# --- Glossary: TBX and CSV --------------------------------------------------------------------


def _check_term(term: Term, where: str) -> Term:
    source, target = " ".join(term.source.split()), " ".join(term.target.split())
    if not source or not target:
        raise ExchangeError(f"{where}: a term needs both the Japanese and the English.")
    if len(source) > MAX_TERM_CHARS or len(target) > MAX_TERM_CHARS:
        raise ExchangeError(f"{where}: a term is longer than {MAX_TERM_CHARS} characters.")
    return Term(source, target, " ".join(term.note.split())[:300])


def _no_duplicates(terms: Sequence[Term]) -> list[Term]:
    seen: dict[str, int] = {}
    for i, term in enumerate(terms, 1):
        if term.source in seen:
            raise ExchangeError(
                f"“{term.source}” is in the file twice (entries {seen[term.source]} and {i})."
            )
        seen[term.source] = i
    return list(terms)


def read_tbx(data: bytes) -> list[Term]:
    """Japanese → English terms of a TBX (martif) file."""
    store = _parse(tbxfile, data, "TBX")
    terms = []
    for index, unit in enumerate(store.units, 1):
        texts = _texts(unit)
        where = f"TBX entry {index}{_line(unit)}"
        if "ja" not in texts or "en" not in texts:
            langs = ", ".join(lang for lang, _ in texts.values()) or "none"
            raise ExchangeError(
                f"{where} needs a Japanese (ja) and an English (en) term (found: {langs})."
            )
        terms.append(_check_term(Term(texts["ja"][1], texts["en"][1], unit.getnotes()), where))
    if not terms:
        raise ExchangeError("The TBX file has no terms.")
    return _no_duplicates(terms)


def write_tbx(terms: Iterable[Term]) -> bytes:
    store = tbxfile(sourcelanguage="ja", targetlanguage="en")
    for term in terms:
        unit = store.addsourceunit(term.source)
        unit.settarget(term.target)
        if term.note:
            unit.addnote(term.note, origin="translator")
    return bytes(store)


CSV_HEADER = ("source", "target", "note")


def read_glossary_csv(data: bytes) -> list[Term]:
    """``source,target[,note]`` rows (UTF-8, a BOM allowed); a header row is skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError("The CSV file is not UTF-8.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    terms = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        if not any(cell.strip() for cell in row):
            continue
        cells = [c.strip() for c in row]
        if number == 1 and [c.lower() for c in cells[:2]] in (
            ["source", "target"],
            ["ja", "en"],
            ["japanese", "english"],
        ):
            continue
        if len(cells) < 2:
            raise ExchangeError(f"CSV line {number}: expected source,target[,note].")
        terms.append(
            _check_term(
                Term(cells[0], cells[1], cells[2] if len(cells) > 2 else ""), f"CSV line {number}"
            )
        )
    if not terms:
        raise ExchangeError("The CSV file has no terms.")
    return _no_duplicates(terms)


def write_glossary_csv(terms: Iterable[Term]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for term in terms:
        writer.writerow((term.source, term.target, term.note))
    return out.getvalue().encode("utf-8")
