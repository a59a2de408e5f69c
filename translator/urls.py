"""URL map: the import page and the worker's import jobs are routed here;
the other views modules (jobs, export, public, timing, episode page, segments, panels, media,
memory, waveform) each bring their own ``urlpatterns``, joined below; login and logout come from
``auth`` (outside the namespace)."""

from django.urls import path

from translator.views import (
    auth,
    cues,
    episode_page,
    episodes,
    export,
    find_replace,
    import_jobs,
    jobs,
    media,
    memory,
    panels,
    public,
    segments,
    structure,
    timing,
    waveform,
)

app_name = "translator"

urlpatterns = [
    path("", episode_page.episode_list, name="episode_list"),
    path("episodes/import/", episodes.episode_import, name="episode_import"),
    path("episodes/import/jobs/<int:import_job_id>/", import_jobs.import_job, name="import_job"),
    path(
        "episodes/import/jobs/<int:import_job_id>/panel/",
        import_jobs.import_job_panel,
        name="import_job_panel",
    ),
    *jobs.urlpatterns,
    *export.urlpatterns,
    *public.urlpatterns,
    *timing.urlpatterns,
    *episode_page.urlpatterns,
    *segments.urlpatterns,
    *structure.urlpatterns,
    *panels.urlpatterns,
    *media.urlpatterns,
    *memory.urlpatterns,
    *find_replace.urlpatterns,
    *cues.urlpatterns,
    *waveform.urlpatterns,
]

# Login/logout live outside the "translator" namespace (settings.LOGIN_URL = "login").
auth_urlpatterns = auth.urlpatterns
