"""The project's sample episode as plain export data, with its reference English translation
(translator/samples/sample_episode.en.json, written by a translator for tests and benchmarks)."""

from __future__ import annotations

from translator.core.export_types import ExportCue, ExportEpisode, ExportSegment


def sample_episode_with_reference() -> ExportEpisode:
    """The project's sample episode as the importer segments and times it, with the reference
    English translation (translator/samples/sample_episode.en.json)."""
    import json
    from importlib import resources

    from translator.core.pipeline import segment_document
    from translator.core.romaji import suggest_english_name
    from translator.core.types import split_speaker_label

    samples = resources.files("translator.samples")
    doc = segment_document(samples.joinpath("sample_episode.txt").read_bytes())
    english = json.loads(samples.joinpath("sample_episode.en.json").read_text("utf-8"))
    english = english["translations"]
    names = {label: suggest_english_name(label) for label in doc.speakers}
    segments = []
    for turn, p in enumerate(doc.paragraphs):
        speaker = " & ".join(names[x] for x in split_speaker_label(p.speaker)) or None
        for sentence in p.sentences:
            segments.append(
                ExportSegment(
                    index=len(segments),
                    kind=p.kind.value,
                    turn=turn,
                    speaker=speaker,
                    speaker_label=p.speaker,
                    source_text=sentence.text,
                    text=english[sentence.text],
                    status="approved",
                    cues=[
                        ExportCue(
                            c.start_ms, c.end_ms, sentence.text[c.source_start : c.source_end]
                        )
                        for c in sentence.cues
                    ],
                )
            )
    return ExportEpisode(doc.title, segments, protected_names=sorted(set(names.values())))
