from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from translator.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    # The login page has the language switch too: choosing a language needs no account.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    *auth_urlpatterns,
    path("", include("translator.urls")),
]
