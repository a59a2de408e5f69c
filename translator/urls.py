"""URL map: the episode list and import pages are routed here; the ``jobs``, ``export``,
``timing``, ``review`` and ``memory`` views modules each bring their own ``urlpatterns``, joined
below; login and logout come from ``auth`` (outside the namespace)."""

from django.urls import path

from translator.views import (
    auth,
    episode_page,
    episodes,
    export,
    jobs,
    media,
    memory,
    panels,
    segments,
    timing,
)

app_name = "translator"

urlpatterns = [
    path("", episodes.episode_list, name="episode_list"),
    path("episodes/import/", episodes.episode_import, name="episode_import"),
    path("episodes/import/jobs/<int:import_job_id>/", episodes.import_job, name="import_job"),
    path(
        "episodes/import/jobs/<int:import_job_id>/panel/",
        episodes.import_job_panel,
        name="import_job_panel",
    ),
    *jobs.urlpatterns,
    *export.urlpatterns,
    *timing.urlpatterns,
    *episode_page.urlpatterns,
    *segments.urlpatterns,
    *panels.urlpatterns,
    *media.urlpatterns,
    *memory.urlpatterns,
]

# Login/logout live outside the "translator" namespace (settings.LOGIN_URL = "login").
auth_urlpatterns = auth.urlpatterns
