"""Export an episode as subtitles (srt/vtt/ass) or an English transcript (md/html/txt)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from translator.core.requests import ExportRequest
from translator.management.commands._common import get_episode
from translator.services import exporting


def _export_request(opts: dict) -> ExportRequest:
    return ExportRequest(
        format=opts["format"],
        layout=opts["layout"],
        approved_only=opts["approved_only"],
        strict_reading_speed=opts["strict"],
        voice_tags=opts["voice_tags"],
        fps=opts["fps"],
        timestamps=opts["timestamps"],
        parallel=opts["parallel"],
    )


class Command(BaseCommand):
    help = "Export EPISODE as subtitles or a transcript (to a file with -o, else to stdout)."

    def add_arguments(self, parser):
        parser.add_argument("episode", help="Episode id")
        parser.add_argument("--format", required=True, choices=exporting.ALL_FORMATS)
        parser.add_argument("--layout", default="bilingual", choices=exporting.LAYOUTS)
        parser.add_argument("--approved-only", action="store_true")
        parser.add_argument("--strict", action="store_true", help="17 chars/s for English")
        parser.add_argument("--voice-tags", action="store_true", help="WebVTT <v Speaker> tags")
        parser.add_argument("--fps", type=float, default=25.0)
        parser.add_argument("--timestamps", action="store_true", help="Transcript timestamps")
        parser.add_argument("--parallel", action="store_true", help="Japanese beside English")
        parser.add_argument("-o", "--output", help="Output file (a directory: suggested name)")

    def handle(self, *args, **opts):
        episode = get_episode(opts["episode"])
        try:
            exported = exporting.export_file(episode=episode, request=_export_request(opts))
        except exporting.ExportError as exc:
            raise CommandError(str(exc)) from exc
        if exported.report is not None:
            r = exported.report
            sides = ""
            if opts["layout"].startswith("bilingual"):  # each side apart
                sides = (
                    f" (English side: {r.compliant_en_events}, "
                    f"Japanese side: {r.compliant_ja_events})"
                )
            self.stderr.write(
                f"{r.events} cues, {r.compliant_events} ({100 * r.compliant_share:.1f} %) "
                f"meet every style rule{sides}; "
                f"{r.not_approved_segments} segments not approved, "
                f"{r.untimed_segments} untimed skipped."
                + (
                    f" {r.simultaneous_events} cues kept overlapping another on purpose "
                    "(a sign, a second speaker)."
                    if r.simultaneous_events
                    else ""
                )
            )
            if r.ja_cps_median is not None:  # information about the verbatim Japanese
                self.stderr.write(
                    f"Japanese reading speed (information, not a rule): median "
                    f"{r.ja_cps_median:.1f} chars/s, {100 * r.ja_fast_share:.0f} % of cues "
                    f"over {r.ja_info_cps:g} chars/s."
                )
        output = opts.get("output")
        if not output:
            self.stdout.write(exported.content, ending="")
            return
        path = Path(output)
        if path.is_dir():
            path = path / exported.filename
        try:
            path.write_text(exported.content, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: cannot write ({exc.strerror})") from exc
        self.stderr.write(f"Wrote {path}")
