"""The episode page's speakers and glossary panels: rename a speaker, add, edit and delete the
episode's glossary terms. htmx gets the panel back (and an event: the rows show the new names,
QA flags depend on the glossary); plain requests go back to the page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_POST

from translator.models import Episode, GlossaryTerm, Speaker
from translator.permissions import can_edit, can_view, require_perm
from translator.selectors import review as review_selectors
from translator.services import editing
from translator.views.review_common import back


def _speakers_panel(request: HttpRequest, episode: Episode, error: str = "") -> HttpResponse:
    ctx = {
        "episode": episode,
        "speakers": review_selectors.episode_speakers(episode.pk),
        "usage": review_selectors.speaker_usage(episode.pk),
        "panel_error": error,
    }
    return render(request, "translator/review/speakers.html", ctx)


def _glossary_panel(request: HttpRequest, episode: Episode, error: str = "") -> HttpResponse:
    ctx = {
        "episode": episode,
        "glossary": review_selectors.episode_glossary(episode.pk),
        "panel_error": error,
    }
    return render(request, "translator/review/glossary.html", ctx)


def _panel_action(
    request: HttpRequest,
    episode: Episode,
    action: Callable[[], object],
    panel: Callable[[HttpRequest, Episode, str], HttpResponse],
    event: str,
) -> HttpResponse:
    error = ""
    try:
        action()
    except editing.EditingError as exc:
        error = str(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return back(request, episode.pk)
    response = panel(request, episode, error)
    if not error:
        response["HX-Trigger"] = event
    return response


@require_POST
@require_perm(can_view, can_edit)
def speaker_rename(request: HttpRequest, speaker_id: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker.objects.select_related("episode"), pk=speaker_id)
    return _panel_action(
        request,
        speaker.episode,
        lambda: editing.rename_speaker(
            speaker_id=speaker.pk,
            display_name=request.POST.get("display_name", ""),
            user=request.user,
        ),
        _speakers_panel,
        "speakersChanged",  # the rows show the new names
    )


def _glossary_action(
    request: HttpRequest, episode: Episode, action: Callable[[], object]
) -> HttpResponse:
    return _panel_action(request, episode, action, _glossary_panel, "glossaryChanged")


def _term_fields(request: HttpRequest) -> dict[str, str]:
    """A glossary term's fields as the panel's form posts them."""
    return {name: request.POST.get(name, "") for name in ("source", "target", "note")}


@require_POST
@require_perm(can_view, can_edit)
def glossary_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(Episode, pk=episode_id)
    return _glossary_action(
        request,
        episode,
        lambda: editing.add_glossary_term(
            episode_id=episode.pk, user=request.user, **_term_fields(request)
        ),
    )


@require_POST
@require_perm(can_view, can_edit)
def glossary_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(GlossaryTerm.objects.select_related("episode"), pk=term_id)
    return _glossary_action(
        request,
        term.episode,
        lambda: editing.update_glossary_term(
            term_id=term.pk, user=request.user, **_term_fields(request)
        ),
    )


@require_POST
@require_perm(can_view, can_edit)
def glossary_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(GlossaryTerm.objects.select_related("episode"), pk=term_id)
    return _glossary_action(
        request,
        term.episode,
        lambda: editing.delete_glossary_term(term_id=term.pk, user=request.user),
    )


urlpatterns = [
    path("episodes/<int:episode_id>/glossary/add/", glossary_add, name="glossary_add"),
    path("speakers/<int:speaker_id>/rename/", speaker_rename, name="speaker_rename"),
    path("glossary/<int:term_id>/edit/", glossary_edit, name="glossary_edit"),
    path("glossary/<int:term_id>/delete/", glossary_delete, name="glossary_delete"),
]
