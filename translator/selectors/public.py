"""Reads for the public transcript page: the episode's description, notes and turns."""

from __future__ import annotations

from translator.core.export_types import TranscriptOptions
from translator.core.transcript import build_model, format_timestamp
from translator.models import Episode
from translator.services import exporting


def public_transcript(episode: Episode) -> dict:
    """The page's ``description``, ``notes`` and ``turns`` (English ones only; each turn with
    its speaker unless it continues the previous one, its start and its stamp)."""
    data = exporting.export_episode_data(episode)
    model = build_model(
        data, TranscriptOptions(timestamps=True, parallel=True, untranslated="omit")
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
            "ja": "".join(p.ja for p in t.pieces),
        }
        for t in model.turns
    ]
    return {
        "description": [p for p in model.description if p.en],
        "notes": model.notes,
        "turns": [t for t in turns if t["en"]],
    }
