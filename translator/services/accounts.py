"""Login throttling: too many failures for one username from one address lock it briefly."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from translator.models import LoginFailure


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_S)


def login_allowed(*, username: str, ip_address: str) -> bool:
    recent = LoginFailure.objects.filter(
        username=username[:150], ip_address=ip_address[:64], created_at__gte=_window_start()
    ).count()
    return recent < settings.LOGIN_MAX_FAILURES


def record_login_failure(*, username: str, ip_address: str) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address[:64])
    LoginFailure.objects.filter(created_at__lt=_window_start()).delete()


def clear_login_failures(*, username: str, ip_address: str) -> None:
    LoginFailure.objects.filter(username=username[:150], ip_address=ip_address[:64]).delete()
