"""Give an episode's cues the timing of a rough timed caption file (SRT/VTT/ASS)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from translator.core.errors import InputError
from translator.management.commands._common import get_episode, read_input_file
from translator.services.alignment import align_episode_timing


class Command(BaseCommand):
    help = "Align EPISODE's transcript to timed captions and take their timing."

    def add_arguments(self, parser):
        parser.add_argument("episode", help="Episode id")
        parser.add_argument("captions", help="Timed caption file (SRT, WebVTT or ASS)")
        parser.add_argument("--encoding", default="auto")

    def handle(self, *args, episode, captions, encoding, **options):
        ep = get_episode(episode)
        data = read_input_file(captions)
        try:
            run = align_episode_timing(
                episode_id=ep.pk, data=data, filename=captions, encoding=encoding
            )
        except InputError as exc:
            raise CommandError(f"{captions}: {exc}") from exc
        report = run.report
        self.stdout.write(report["summary"])
        self.stdout.write(
            f"coverage {report['coverage']:.1%}, aligned {report['cues_aligned']}, "
            f"interpolated {report['cues_interpolated']}, largest unmatched stretch "
            f"{report['largest_unmatched_chars']} chars"
        )
