"""Large imports run by the worker: the progress page, then the preview it made, then the
episode (``ImportJob``; the import page hands uploads over ``JIMAKU_INLINE_IMPORT_BYTES``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from translator.core.report import ImportReport
from translator.forms import ImportForm
from translator.models import ImportJob
from translator.permissions import can_import, require_perm
from translator.views.episodes import _restore_warnings, preview_form_context

# --- large imports: the worker's progress, then the preview, then the episode ------------------


def _import_job(request: HttpRequest, import_job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=import_job_id)
    if job.requested_by_id != request.user.pk and not request.user.is_staff:
        raise Http404  # someone else's upload: not even its existence
    return job


class _Preview:
    """A preview stored by the worker (``importing.preview_summary``), shaped like the
    ``ParsedDocument`` the import page shows."""

    def __init__(self, data: dict) -> None:
        self.title = data.get("title", "")
        self.source_format = data.get("source_format", "")
        self.encoding = data.get("encoding", "")
        self.speakers = data.get("speakers", [])
        self.warnings = data.get("warnings", [])
        self.report = ImportReport.from_dict(data.get("report"))


def _rows(preview: dict) -> list[dict]:
    """The kinds table's rows; a preview stored before the table existed lists paragraphs
    only (shown without a select)."""
    if "rows" in preview:
        return preview["rows"]
    return [
        {**p, "line_no": None, "left_out": False, "choosable": False, "raw_text": ""}
        for p in preview.get("paragraphs", [])
    ]


@require_GET
@require_perm(can_import)
def import_job(request: HttpRequest, import_job_id: int) -> HttpResponse:
    job = _import_job(request, import_job_id)
    if job.state == ImportJob.State.SUCCEEDED and job.episode_id:
        episode = job.episode
        messages.success(
            request,
            _("Imported “%(title)s”: %(n)d segments.")
            % {"title": episode.title, "n": episode.segments.count()},
        )
        if job.kind == ImportJob.Kind.PROJECT:
            _restore_warnings(request, episode)
        return redirect("translator:episode_detail", episode_id=episode.pk)
    if job.state == ImportJob.State.PREVIEWED and job.preview:
        preview = job.preview
        context = {
            "doc": _Preview(preview),
            "import_job": job,
            "n_paragraphs": preview.get("n_paragraphs", 0),
            "n_sentences": preview.get("n_sentences", 0),
            "n_cues": preview.get("n_cues", 0),
            "english_file_name": job.options.get("english_file_name"),
        }
        preview_form_context(
            context,
            rows=_rows(preview),
            more=preview.get("rows_more", 0),
            report=preview.get("report"),
        )
        return render(request, "translator/episode_import.html", context)
    if job.state == ImportJob.State.SUCCEEDED:  # and its episode deleted since
        raise Http404
    if job.state == ImportJob.State.FAILED or (
        job.state == ImportJob.State.PREVIEWED and not job.preview
    ):
        messages.error(request, job.error or _("The import did not finish."))
        return render(request, "translator/episode_import.html", {"form": ImportForm()}, status=400)
    return render(request, "translator/import_job.html", {"job": job})


@require_GET
@require_perm(can_import)
def import_job_panel(request: HttpRequest, import_job_id: int) -> HttpResponse:
    """The progress panel (htmx polls it); once the job stops, the page reloads to its result."""
    job = _import_job(request, import_job_id)
    response = render(request, "translator/partials/import_job_panel.html", {"job": job})
    if not job.is_active:
        response["HX-Refresh"] = "true"
    return response
