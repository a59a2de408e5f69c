"""URL map. Each views module owns its ``urlpatterns``; this file only joins them."""

from django.urls import path

from translator.views import auth, episodes, export, jobs, memory, review, timing

app_name = "translator"

urlpatterns = [
    path("", episodes.episode_list, name="episode_list"),
    path("episodes/import/", episodes.episode_import, name="episode_import"),
    *jobs.urlpatterns,
    *export.urlpatterns,
    *timing.urlpatterns,
    *review.urlpatterns,
    *memory.urlpatterns,
]

# Login/logout live outside the "translator" namespace (settings.LOGIN_URL = "login").
auth_urlpatterns = auth.urlpatterns
