"""Episode review page (side by side). Being built for issue 5."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import path

from translator.models import Episode


def episode_detail(request, episode_id: int):
    episode = get_object_or_404(Episode, pk=episode_id)
    return render(request, "translator/episode_detail.html", {"episode": episode})


urlpatterns = [
    path("episodes/<int:episode_id>/", episode_detail, name="episode_detail"),
]
