"""Reads for the public transcript page: the episode's description, notes and turns."""

from __future__ import annotations

from translator.core.export_types import TranscriptOptions
from translator.core.transcript import build_model, format_timestamp
from translator.models import Episode
from translator.services import exporting

_UNREVIEWED = {
    "machine": "Machine translation, not yet reviewed",
    "memory": "From the translation memory, not yet reviewed",
    "edited": "Edited, not yet reviewed",
}


def _pieces(pieces) -> list[dict]:
    return [{"en": p.en, "unreviewed": _UNREVIEWED.get(p.status, "")} for p in pieces if p.en]


def public_transcript(episode: Episode) -> dict:
    """The page's ``description``, ``notes`` and ``turns`` (English ones only; each turn with
    its speaker unless it continues the previous one, its start, its stamp and its pieces
    marked when not reviewed yet), and how many passages are not reviewed. With
    ``publish_approved_only`` only approved segments are shown."""
    data = exporting.export_episode_data(episode)
    model = build_model(
        data,
        TranscriptOptions(
            timestamps=True,
            parallel=True,
            untranslated="omit",
            approved_only=episode.publish_approved_only,
        ),
    )
    turns = [
        {
            "speaker": None if t.continued else t.speaker,
            "speaker_label": None if t.continued else t.speaker_label,
            "start_ms": t.start_ms,
            "stamp": format_timestamp(t.start_ms, hours=model.hours)
            if t.start_ms is not None
            else "",
            "en": " ".join(p.en for p in t.pieces if p.en),
            "pieces": _pieces(t.pieces),
            "ja": "".join(p.ja for p in t.pieces),
        }
        for t in model.turns
    ]
    turns = [t for t in turns if t["en"]]
    description = [p for p in model.description if p.en]
    shown = [p for t in model.turns for p in t.pieces if p.en] + description
    shown += [p for p in model.notes if p.en]
    return {
        "description": [
            {"en": p.en, "ja": p.ja, "unreviewed": _UNREVIEWED.get(p.status, "")}
            for p in description
        ],
        "notes": [
            {"en": p.en, "ja": p.ja, "unreviewed": _UNREVIEWED.get(p.status, "")}
            for p in model.notes
        ],
        "unreviewed": sum(1 for p in shown if p.status != "approved"),
        "machine_unreviewed": sum(1 for p in shown if p.status == "machine"),
        "passages": len(shown),
        "turns": turns,
    }
