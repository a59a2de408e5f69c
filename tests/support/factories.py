"""Episodes written straight to the database (bulk_create, behind the services' back, so
no stored QA flags): one timed cue per segment, 3 s apart."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def timed_episode(
    n: int,
    *,
    speakers: Sequence[tuple[str, str]],
    label: Callable[[int], str],
    source: Callable[[int], str],
    text: Callable[[int], str],
    machine_text: Callable[[int], str] | None = None,
    title: str = "Synthetic",
):
    from translator.models import Cue, Episode, Segment, Speaker

    ep = Episode.objects.create(title=title)
    Speaker.objects.bulk_create(
        Speaker(episode=ep, label=lab, display_name=name, order=i)
        for i, (lab, name) in enumerate(speakers)
    )
    segs = Segment.objects.bulk_create(
        Segment(
            episode=ep,
            order=i,
            speaker_label=label(i),
            source_text=source(i),
            text=text(i),
            machine_text=machine_text(i) if machine_text else "",
            status=Segment.Status.MACHINE,
        )
        for i in range(n)
    )
    Cue.objects.bulk_create(
        Cue(
            segment=s,
            index=0,
            start_ms=s.order * 3000,
            end_ms=s.order * 3000 + 2500,
            source_end=len(s.source_text),
            source_text=s.source_text,
        )
        for s in segs
    )
    return ep
