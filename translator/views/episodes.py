"""The import page: upload or paste, preview, then import; or restore a project file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from translator.core.errors import InputError
from translator.core.pipeline import LEFT_OUT
from translator.core.requests import ImportRequest
from translator.core.types import ParsedDocument
from translator.forms import ImportForm
from translator.models import Episode, ImportJob
from translator.permissions import can_import, require_perm
from translator.selectors.review import parse_int
from translator.services import backup, importing
from translator.services.importing import import_episode, preview_document

PENDING_KEY = "jimaku_pending_import"
KIND_LABELS = (
    ("transcript", _lazy("Transcript")),
    ("description", _lazy("Description")),
    ("show_note", _lazy("Show note")),
    (LEFT_OUT, _lazy("Leave out")),
)


def _chosen_kinds(request: HttpRequest) -> dict[int, str]:
    """``kind-<line_no>`` fields of the preview form: the kind chosen for each paragraph."""
    allowed = {value for value, _label in KIND_LABELS}
    out: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("kind-") and key[5:].isdigit() and value in allowed:
            out[int(key[5:])] = value
    return out


def _stash(
    request: HttpRequest,
    data: bytes | str,
    import_request: ImportRequest,
    *,
    english_file_name: str | None = None,
) -> str:
    """Keep the previewed input server-side under a random name (never the user's file name);
    the session keeps the request's options."""
    token = importing.stash_upload(data)
    options = import_request.to_options()
    if isinstance(data, str):
        options["encoding"] = "utf-8"
    request.session[PENDING_KEY] = {
        "token": token,
        "filename": import_request.filename,
        **options,
        **({"english_file_name": english_file_name} if english_file_name else {}),
    }
    return token


def _unstash(request: HttpRequest, token: str) -> tuple[bytes, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("token") != token:
        return None
    data = importing.read_pending(token)
    return None if data is None else (data, pending)


def _pending_request(pending: dict, **changes) -> ImportRequest:
    """The import the session's pending preview was made with, with ``changes``."""
    return ImportRequest.from_options(pending, filename=pending.get("filename"), **changes)


def _discard(request: HttpRequest, token: str) -> None:
    request.session.pop(PENDING_KEY, None)
    importing.discard_pending(token)  # and the English subtitle file kept beside it


def _preview_context(context: dict, doc: ParsedDocument) -> None:
    context["doc"] = doc
    context["n_paragraphs"] = len(doc.paragraphs)
    context["n_sentences"] = sum(len(p.sentences) for p in doc.paragraphs)
    context["n_cues"] = sum(len(s.cues) for p in doc.paragraphs for s in p.sentences)
    rows, more = importing.preview_rows(doc)
    preview_form_context(
        context, rows=rows, more=more, report=doc.report.to_dict() if doc.report else None
    )


def preview_form_context(
    context: dict, *, rows: list[dict], more: int, report: dict | None
) -> None:
    """What the preview's form shows besides the document: the kinds table (a select per
    paragraph and left-out line), the import report with its track picker, the tracks that
    can be imported as English. Shared by the inline preview and an import job's."""
    context["preview_rows"] = rows
    context["preview_more"] = more
    context["kind_choices"] = KIND_LABELS
    context["import_report"] = report
    context["english_tracks"] = importing.english_track_choices(report)


def _restore_warnings(request: HttpRequest, episode: Episode) -> None:
    """What a restore kept less of than the file claimed (unpublished, approvals…)."""
    for entry in backup.restore_report(episode).entries:
        example = f" ({entry.examples[0].text})" if entry.examples else ""
        messages.warning(request, f"{entry.message}{example}.")


@require_http_methods(["GET", "POST"])
@require_perm(can_import)
def episode_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and "confirm" in request.POST and "import_job" in request.POST:
        return _confirm_import_job(request)
    if request.method == "POST" and "retrack" in request.POST and "import_job" in request.POST:
        return _retrack_import_job(request)
    if request.method == "POST" and "retrack" in request.POST:
        return _preview_other_track(request, context)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_preview(request)
    if request.method == "POST" and form.is_valid():
        response = _upload(request, form, context)
        if response is not None:
            return response
    return render(
        request, "translator/episode_import.html", context, status=context.pop("status", 200)
    )


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("That preview has expired; please choose the file again."))
    return redirect("translator:episode_import")


def _confirm_import_job(request: HttpRequest) -> HttpResponse:
    """Import what the worker previewed."""
    job_id = parse_int(request.POST.get("import_job"))
    try:
        job = importing.confirm_import_job(
            job_id=job_id or 0,
            user=request.user,
            title=request.POST.get("title", ""),
            kinds=_chosen_kinds(request),
            english_track=request.POST.get("english_track", "")[:10] or None,
        )
    except (ImportJob.DoesNotExist, InputError):
        return _expired(request)
    return redirect("translator:import_job", import_job_id=job.pk)


def _retrack_import_job(request: HttpRequest) -> HttpResponse:
    """The track picker of a worker's preview: the worker previews the file again."""
    job_id = parse_int(request.POST.get("import_job"))
    try:
        job = importing.retrack_import_job(
            job_id=job_id or 0, user=request.user, track=request.POST.get("track", "")
        )
    except (ImportJob.DoesNotExist, InputError):
        return _expired(request)
    return redirect("translator:import_job", import_job_id=job.pk)


def _preview_other_track(request: HttpRequest, context: dict) -> HttpResponse:
    """The track picker: preview the same file again with another source track."""
    token = request.POST.get("token", "")
    stashed = _unstash(request, token)
    if stashed is None:
        return _expired(request)
    data, pending = stashed
    import_request = _pending_request(pending, track=request.POST.get("track", "")[:10] or None)
    try:
        doc = preview_document(data=data, request=import_request)
    except InputError as exc:
        messages.error(request, str(exc))
        return redirect("translator:episode_import")
    english = importing.read_pending(token, part="en")
    _discard(request, token)
    _preview_context(context, doc)
    context["token"] = _stash(
        request, data, import_request, english_file_name=pending.get("english_file_name")
    )
    if english is not None:
        importing.stash_part(context["token"], "en", english)
        context["english_file_name"] = pending.get("english_file_name")
    return render(request, "translator/episode_import.html", context)


def _confirm_preview(request: HttpRequest) -> HttpResponse:
    """Import the previewed file with the kinds, title and English chosen on the preview."""
    token = request.POST.get("token", "")
    stashed = _unstash(request, token)
    if stashed is None:
        return _expired(request)
    data, pending = stashed
    import_request = _pending_request(
        pending,
        title=request.POST.get("title") or pending.get("title") or None,
        kinds=_chosen_kinds(request),
        english_track=request.POST.get("english_track", "")[:10] or None,
        english_file=importing.read_pending(token, part="en"),
    )
    try:
        episode = import_episode(data=data, request=import_request, user=request.user)
    except InputError as exc:
        messages.error(request, str(exc))
        return redirect("translator:episode_import")
    _discard(request, token)
    messages.success(
        request,
        _("Imported “%(title)s”: %(n)d segments.")
        % {"title": episode.title, "n": episode.segments.count()},
    )
    return redirect("translator:episode_detail", episode_id=episode.pk)


def _upload(request: HttpRequest, form: ImportForm, context: dict) -> HttpResponse | None:
    """A valid upload: to the worker when large, restored when a project file, else
    previewed (``context`` filled; ``None`` renders the page)."""
    if importing.runs_in_worker(form.payload_size()):
        data, filename = form.payload()  # large: parsed by the worker, this request returns
        english = form.cleaned_data.get("english_file")
        job = importing.start_import_job(
            data=data,
            filename=filename,
            options=form.import_request().to_options(),
            user=request.user,
            kind=ImportJob.Kind.PROJECT if form.is_project_file() else ImportJob.Kind.TRANSCRIPT,
            english_file=english.read() if english else None,
            english_file_name=english.name[:255] if english else None,
        )
        return redirect("translator:import_job", import_job_id=job.pk)
    if form.is_project_file():
        try:  # a backup: restored whole as a new episode (all or nothing), no preview
            episode = backup.import_project(data=form.payload()[0], user=request.user)
        except backup.BackupError as exc:
            form.add_error("file", str(exc))
            context["status"] = 400
            return None
        messages.success(
            request,
            _("Restored “%(title)s” from a project file: %(n)d segments.")
            % {"title": episode.title, "n": episode.segments.count()},
        )
        _restore_warnings(request, episode)
        return redirect("translator:episode_detail", episode_id=episode.pk)
    data, filename = form.payload()
    import_request = form.import_request()
    try:
        doc = preview_document(data=data, request=import_request)
    except InputError as exc:
        form.add_error(None, str(exc))
        return None
    english = form.cleaned_data.get("english_file")
    _preview_context(context, doc)
    context["token"] = _stash(
        request,
        data,
        import_request,
        english_file_name=english.name[:255] if english else None,
    )
    if english:
        importing.stash_part(context["token"], "en", english.read())
        context["english_file_name"] = english.name
    return None
