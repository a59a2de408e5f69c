"""Export downloads and their style-rule report, the English title, publishing (the public
page itself is ``views/public.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from translator import selectors
from translator.core.requests import ExportRequest
from translator.models import Episode
from translator.permissions import can_edit, can_publish, can_view, require_perm
from translator.services import editing, exporting, publishing


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) in {"1", "on", "true"}


def _fps(request: HttpRequest) -> float:
    """The frame rate asked for (0 when unreadable: the export refuses it in one line)."""
    try:
        return float(request.GET.get("fps") or 25)
    except ValueError:
        return 0.0


def _export_request(request: HttpRequest, fps: float) -> ExportRequest:
    return ExportRequest(
        format=request.GET.get("format", "srt"),
        layout=request.GET.get("layout") or "bilingual",
        approved_only=_flag(request, "approved_only"),
        strict_reading_speed=_flag(request, "strict"),
        voice_tags=_flag(request, "voice_tags"),
        fps=fps,
        timestamps=_flag(request, "timestamps"),
        parallel=_flag(request, "parallel"),
    )


@require_GET
@require_perm(can_view)
def export_download(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        exported = exporting.export_file(
            episode=episode, request=_export_request(request, _fps(request))
        )
    except exporting.ExportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if exported.report is not None:
        report = exported.report
        response["X-Jimaku-Cues"] = str(report.events)
        response["X-Jimaku-Compliant-Cues"] = str(report.compliant_events)
        response["X-Jimaku-Compliant-English-Cues"] = str(report.compliant_en_events)
        response["X-Jimaku-Compliant-Japanese-Cues"] = str(report.compliant_ja_events)
        response["X-Jimaku-Not-Approved"] = str(report.not_approved_segments)
        if report.ja_cps_median is not None:  # information about the Japanese side, not rules
            response["X-Jimaku-Japanese-Median-CPS"] = f"{report.ja_cps_median:.1f}"
            response["X-Jimaku-Japanese-Fast-Share"] = f"{report.ja_fast_share:.4f}"
    return response


RULE_LABELS = {
    "reading_speed_en": "English reading speed",
    "line_length": "Line length",
    "lines": "More than two lines",
    "duration": "Duration",
    "gap": "Gap between cues",
}


@require_GET
@require_perm(can_view)
def export_report(request: HttpRequest, episode_id: int) -> HttpResponse:
    """What *Download* just produced, for the page: the style-rule report (per side for a
    bilingual file) that the download itself only carries in its headers."""
    episode = get_object_or_404(Episode, pk=episode_id)
    export_request = _export_request(request, _fps(request))
    fmt, layout = export_request.format, export_request.layout
    ctx: dict = {"format": fmt, "error": ""}
    if fmt in exporting.SUBTITLE_FORMATS:
        try:
            exported = exporting.export_file(episode=episode, request=export_request)
        except exporting.ExportError as exc:
            ctx["error"] = str(exc)
        else:
            report = exported.report
            ctx |= {
                "filename": exported.filename,
                "report": report,
                "share": round(100 * report.compliant_share),
                "ja_fast_percent": round(100 * report.ja_fast_share),
                "ja_info_cps": f"{report.ja_info_cps:g}",
                "bilingual": layout.startswith("bilingual"),
                "broken": [
                    (RULE_LABELS.get(rule, rule), n) for rule, n in report.violations.items() if n
                ],
            }
    return render(request, "translator/partials/export_report.html", ctx)


@require_POST
@require_perm(can_edit)
def episode_title(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Set the English title (empty: fall back to the original)."""
    episode = get_object_or_404(Episode, pk=episode_id)
    try:
        editing.set_english_title(
            episode_id=episode.pk, title_en=request.POST.get("title_en", ""), user=request.user
        )
    except editing.EditingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("English title saved."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


def _approved_only_choice(request: HttpRequest) -> bool | None:
    value = request.POST.get("approved_only")
    return None if value is None else value == "1"


@require_POST
@require_perm(can_view, can_publish)
def publish(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Publish or unpublish. Publishing while segments are not approved asks first (showing how
    many) and lets the reviewer publish everything, marked, or the approved segments only."""
    episode = get_object_or_404(Episode, pk=episode_id)
    published = request.POST.get("published") == "1"
    approved_only = _approved_only_choice(request)
    if published and request.POST.get("confirmed") != "1":
        counts = selectors.status_counts(episode.pk)
        not_approved = counts["total"] - counts["approved"]
        if not_approved:
            return render(
                request,
                "translator/publish_confirm.html",
                {
                    "episode": episode,
                    "counts": counts,
                    "not_approved": not_approved,
                    "approved_only": episode.publish_approved_only
                    if approved_only is None
                    else approved_only,
                },
            )
    was_published = episode.published
    episode = publishing.set_published(
        episode_id=episode.pk, published=published, user=request.user, approved_only=approved_only
    )
    if published and was_published:
        messages.success(request, _("Saved. The public page shows the new choice."))
    elif published:
        messages.success(request, _("Published. The public page is live."))
    else:
        messages.success(request, _("Unpublished. The public page is gone."))
    return redirect("translator:episode_detail", episode_id=episode.pk)


urlpatterns = [
    path("episodes/<int:episode_id>/export/", export_download, name="export_download"),
    path("episodes/<int:episode_id>/export/report/", export_report, name="export_report"),
    path("episodes/<int:episode_id>/title/", episode_title, name="episode_title"),
    path("episodes/<int:episode_id>/publish/", publish, name="publish"),
]
