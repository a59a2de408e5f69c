"""Login with brute-force throttling (per username and client address)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import path
from django.utils.translation import gettext as _

from translator.services import accounts


def client_ip(request) -> str:
    # Behind a reverse proxy, the proxy sets REMOTE_ADDR correctly (see README deployment).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and not accounts.login_allowed(username=username, ip_address=ip):
            raise forms.ValidationError(
                _("Too many failed logins. Wait 15 minutes and try again."), code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                accounts.record_login_failure(username=username, ip_address=ip)
            raise
        accounts.clear_login_failures(username=username, ip_address=ip)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
